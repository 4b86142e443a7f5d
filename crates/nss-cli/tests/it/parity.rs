//! Parity with the Make targets nss replaces: each cargo-make task, run as Makefile.toml
//! writes it (its `nss` arguments, `NSS_DRY_RUN=1`), plans at least every option its
//! Make target passes. The table below is written from the seed's documentation of the
//! targets and the first user's Makefile (`make -n TARGET CONTAINER_CMD=docker`); the
//! engine is a docker client with buildx, as there. Options nss adds are documented in
//! the user guide (`nss run` table) and the developer guide.

use std::collections::BTreeMap;

use crate::util::{FakeEngine, TempProject, base_env, nss};

/// One option of a Make target's engine command, in a form both spellings reduce to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Opt {
    /// A flag with no value (`--rm`, `--push`).
    Flag(&'static str),
    /// A flag with a value (`--platform linux/amd64`, `--tag X`, `-f FILE`).
    Value(&'static str, String),
    /// A bind mount `source -> target` (`-v S:T` or `--mount type=bind,source=S,target=T`).
    Bind(String, &'static str),
    /// An environment variable (`-e NAME=value`).
    Env(&'static str),
    /// The image and the command after it.
    ImageCmd(String, Vec<&'static str>),
    /// The build context (the last word).
    Context(String),
}

/// What each Make target passes (reference Makefile, `### CONTAINER-BASED TESTING ###`
/// and `### CONTAINER GPU (CUDA) ###`), by cargo-make task. `P` is the project directory,
/// `H` the HF cache, `R` the registry.
fn make_targets(p: &str, h: &str, r: &str) -> Vec<(&'static str, Vec<Opt>)> {
    use Opt::*;
    // The project's own Dockerfiles, as the Make targets' `-f containers/...` names them.
    let file = |name: &str| format!("{p}/containers/{name}");
    let platform = || Value("--platform", "linux/amd64".into());
    let gpu_run = |image: &str, cmd: Vec<&'static str>| {
        vec![
            Flag("--rm"),
            platform(),
            Flag("--shm-size=1g"),
            Bind(p.into(), "/workspace"),
            Bind(h.into(), "/workspace/.hf_cache"),
            Env("HF_HOME=/workspace/.hf_cache"),
            Env("DEBIAN_FRONTEND=noninteractive"),
            Value("--gpus", "all".into()),
            Value("-w", "/workspace".into()),
            ImageCmd(image.into(), cmd),
        ]
    };
    vec![
        (
            "container-build-gpu",
            vec![
                platform(),
                Value("--tag", "nss-gpu:latest".into()),
                Value("--target", "runtime".into()),
                Flag("--progress=plain"),
                Value("-f", file("Dockerfile.cuda")),
                Context(p.into()),
            ],
        ),
        (
            "container-build-gpu-dev",
            vec![
                platform(),
                Value("--tag", "nss-gpu-dev:latest".into()),
                Value("--target", "dev".into()),
                Flag("--progress=plain"),
                Value("-f", file("Dockerfile.cuda")),
                Context(p.into()),
            ],
        ),
        (
            "container-run-gpu",
            gpu_run("nss-gpu:latest", vec!["--help"]),
        ),
        (
            "container-run-gpu-dev",
            gpu_run("nss-gpu-dev:latest", vec!["make", "test"]),
        ),
        (
            "container-build-gpu-multiarch",
            vec![
                Value("--platform", "linux/amd64,linux/arm64".into()),
                Value("--tag", format!("{r}/nss-gpu:latest")),
                Value("--target", "runtime".into()),
                Flag("--progress=plain"),
                Flag("--push"),
                Value("-f", file("Dockerfile.cuda")),
                Context(p.into()),
            ],
        ),
        (
            "container-build-test",
            vec![
                platform(),
                Value("--tag", "nss-test:latest".into()),
                Flag("--progress=plain"),
                Value("-f", file("Dockerfile.test_ci")),
                Context(p.into()),
            ],
        ),
        (
            "test-ci-container",
            vec![
                Flag("--rm"),
                platform(),
                Bind(p.into(), "/workspace"),
                Env("DEBIAN_FRONTEND=noninteractive"),
                ImageCmd("nss-test:latest".into(), vec!["make", "test-ci"]),
            ],
        ),
    ]
}

/// The options of one engine command line, reduced to [`Opt`]s (both spellings of tags,
/// mounts and environment variables). `image` marks where the image name stands.
fn options(words: &[String], image: &str) -> Vec<Opt> {
    let mut out = Vec::new();
    let mut i = 0;
    let value = |i: usize| words.get(i + 1).cloned().unwrap_or_default();
    while i < words.len() {
        let w = words[i].as_str();
        match w {
            "-t" | "--tag" => {
                out.push(Opt::Value("--tag", value(i)));
                i += 1;
            }
            "-f" | "--file" => {
                out.push(Opt::Value("-f", value(i)));
                i += 1;
            }
            "--platform" | "--target" | "--gpus" | "-w" | "--workdir" => {
                let name = match w {
                    "--workdir" => "-w",
                    "--platform" => "--platform",
                    "--target" => "--target",
                    "--gpus" => "--gpus",
                    _ => "-w",
                };
                out.push(Opt::Value(name, value(i)));
                i += 1;
            }
            "-v" | "--volume" => {
                let v = value(i);
                let mut parts = v.splitn(3, ':');
                let (s, t) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                out.push(bind(s, t));
                i += 1;
            }
            "--mount" => {
                let v = value(i);
                let field = |k: &str| {
                    v.split(',')
                        .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
                        .unwrap_or("")
                        .to_string()
                };
                out.push(bind(&field("source"), &field("target")));
                i += 1;
            }
            "-e" | "--env" => {
                out.push(env_opt(&value(i)));
                i += 1;
            }
            _ if w == image => {
                let cmd = words[i + 1..].iter().map(|s| leak(s)).collect();
                out.push(Opt::ImageCmd(w.to_string(), cmd));
                return out;
            }
            _ if w.starts_with('-') => out.push(Opt::Flag(leak(w))),
            _ => {}
        }
        i += 1;
    }
    if let Some(last) = words.last() {
        out.push(Opt::Context(last.clone()));
    }
    out
}

fn bind(source: &str, target: &str) -> Opt {
    Opt::Bind(source.to_string(), leak(target))
}

fn env_opt(v: &str) -> Opt {
    Opt::Env(leak(v))
}

/// Test-only: a `&'static str` for table comparison.
fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// The `nss` arguments cargo-make passes for `task` (`args` after `--`), with `${@}`
/// replaced by `extra`.
fn task_args(task: &str, extra: &[&str]) -> Vec<String> {
    let text = std::fs::read_to_string(nss_testkit::workspace_root().join("Makefile.toml"))
        .expect("Makefile.toml");
    let doc: toml_edit::DocumentMut = text.parse().expect("Makefile.toml parses");
    let args = doc["tasks"][task]["args"]
        .as_array()
        .unwrap_or_else(|| panic!("Makefile.toml: task {task} has no args"));
    let words: Vec<String> = args
        .iter()
        .map(|v| v.as_str().expect("string arg").to_string())
        .collect();
    let after = words
        .iter()
        .position(|w| w == "--")
        .expect("args run `nss` after `--`");
    words[after + 1..]
        .iter()
        .flat_map(|w| {
            if w == "${@}" {
                extra.iter().map(|e| e.to_string()).collect::<Vec<_>>()
            } else {
                vec![w.clone()]
            }
        })
        .collect()
}

#[test]
fn every_task_plans_every_option_of_its_make_target() {
    // A project like the first user's: a Makefile with a `test-ci` target.
    let project = TempProject::new("probe", None);
    let dir = project.dir();
    let pyproject = std::fs::read_to_string(dir.join("pyproject.toml")).unwrap();
    // The probe's own test command would win over the Makefile: drop it.
    let pyproject = pyproject.split("\n[tool.nss]").next().unwrap().to_string();
    std::fs::write(dir.join("pyproject.toml"), pyproject).unwrap();
    std::fs::write(
        dir.join("Makefile"),
        ".PHONY: test-ci\ntest-ci: ## CI tests\n\tuv run --frozen pytest\n",
    )
    .unwrap();
    let fake = FakeEngine::docker()
        .version("Docker version 28.2.2, build e6534b4")
        .buildx()
        .write(project.tmp.path());
    let hf = project.path("hf");
    let registry = "registry.example:5000/org";
    let mut env: BTreeMap<String, String> = base_env();
    env.insert("PATH".into(), "/nonexistent".into());
    env.extend(fake.env.iter().cloned());
    env.insert("CONTAINER_CMD".into(), fake.program.display().to_string());
    env.insert("CONTAINER_PREFLIGHT_IMAGE".into(), "nss-preflight:1".into());
    env.insert("CONTAINER_HF_CACHE".into(), hf.display().to_string());
    env.insert("NSS_DRY_RUN".into(), "1".into());
    let p = dir.display().to_string();
    for (task, want) in make_targets(&p, &hf.display().to_string(), registry) {
        let extra: &[&str] = if task == "container-build-gpu-multiarch" {
            &["CONTAINER_GPU_REGISTRY=registry.example:5000/org"]
        } else {
            &[]
        };
        let args = task_args(task, extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = nss(&dir, &env, &args);
        assert_eq!(out.code, 0, "{task}: {}", out.stderr);
        let program = fake.program.display().to_string();
        let is_run = want.iter().any(|o| matches!(o, Opt::ImageCmd(..)));
        let tag = want
            .iter()
            .find_map(|o| match o {
                Opt::Value("--tag", t) => Some(t.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let image = want
            .iter()
            .find_map(|o| match o {
                Opt::ImageCmd(i, _) => Some(i.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let engine_lines: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| l.starts_with(&format!("{program} ")) || l.starts_with(&program))
            .collect();
        let parsed = |line: &str| {
            let words = shell_words::split(line).expect("dry-run lines are shell-quoted");
            options(&words, &image)
        };
        if task == "container-build-gpu-multiarch" {
            // nss may build each platform on its own (each gets its own CUDA arch flags)
            // and join them into one index: together the builds carry the platforms, each
            // build every other option, and the index (or the one build) the tag.
            let builds: Vec<&str> = engine_lines
                .iter()
                .copied()
                .filter(|l| l.contains(" build ") && l.contains(" --push"))
                .collect();
            assert!(
                !builds.is_empty(),
                "{task}: no pushing build in\n{}",
                out.stdout
            );
            let mut platforms: Vec<String> = builds
                .iter()
                .flat_map(|l| parsed(l))
                .filter_map(|o| match o {
                    Opt::Value("--platform", v) => Some(v),
                    _ => None,
                })
                .flat_map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>())
                .collect();
            platforms.sort();
            platforms.dedup();
            for opt in &want {
                match opt {
                    Opt::Value("--platform", v) => {
                        for p in v.split(',') {
                            assert!(
                                platforms.iter().any(|x| x == p),
                                "{task}: no build for {p} (the Make target builds it)\n{}",
                                out.stdout
                            );
                        }
                    }
                    Opt::Value("--tag", _) => assert!(
                        engine_lines.iter().any(|l| parsed(l).contains(opt)),
                        "{task}: nothing tags {opt:?}\n{}",
                        out.stdout
                    ),
                    _ => {
                        for line in &builds {
                            assert!(
                                parsed(line).contains(opt),
                                "{task}: a build plans no {opt:?} (the Make target passes it)\n  nss: {line}"
                            );
                        }
                    }
                }
            }
            continue;
        }
        // The task's engine command: the `run`, or the build (buildx `build`) that tags the
        // image the target names.
        let line = engine_lines
            .iter()
            .find(|l| {
                if is_run {
                    l.contains(" run ")
                } else {
                    l.contains(" build ") && parsed(l).contains(&Opt::Value("--tag", tag.clone()))
                }
            })
            .unwrap_or_else(|| panic!("{task}: no engine command in\n{}", out.stdout));
        let got = parsed(line);
        for opt in &want {
            assert!(
                got.contains(opt),
                "{task}: nss plans no {opt:?} (the Make target passes it)\n  nss: {line}\n  parsed: {got:?}"
            );
        }
    }
}
