//! The fixture project built and run through `nss` on the real engines that
//! `scripts/engines.sh` started (podman and dockerd), and multi-arch on podman with qemu
//! and the loopback registry.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use nss_testkit::{Cleanup, EngineKind, TestEngine, inspect_labels, layers_of};

use crate::util::{TempProject, base_env, nss, nss_command};

/// The environment `nss` gets to drive `engine` on `project`.
pub(crate) fn nss_env(
    engine: &TestEngine,
    project: &TempProject,
    tags: &[(&str, &str)],
) -> BTreeMap<String, String> {
    let mut env = base_env();
    env.extend(engine.env.iter().cloned());
    env.insert("CONTAINER_CMD".into(), engine.program.display().to_string());
    env.insert(
        "NSS_PROJECT_DIR".into(),
        project.dir().display().to_string(),
    );
    env.insert(
        "CONTAINER_HF_CACHE".into(),
        project.path("hf-cache").display().to_string(),
    );
    // No NVIDIA runtime here: docker would refuse --gpus (tested separately).
    env.insert("CONTAINER_GPU_FLAG".into(), String::new());
    for (k, v) in tags {
        env.insert(k.to_string(), v.to_string());
    }
    env
}

/// Names of the containers (any state) of image `tag` (podman lists it as `localhost/<tag>`).
fn containers_of(engine: &TestEngine, tag: &str) -> String {
    let out = engine
        .command()
        .args(["ps", "-a", "--format", "{{.Names}} {{.Image}}"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ps -a: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, image)| *image == tag || image.ends_with(&format!("/{tag}")))
        .map(|(name, _)| name)
        .collect::<Vec<_>>()
        .join(" ")
}

fn build_and_run(engine: &TestEngine) {
    let Some(base) = nss_testkit::value(nss_testkit::NSS_TEST_BASE_IMAGE) else {
        return;
    };
    let project = TempProject::new("probe", Some(&base));
    let runtime = format!("{}:1", engine.unique("cli-gpu"));
    let dev = format!("{}:1", engine.unique("cli-dev"));
    let test = format!("{}:1", engine.unique("cli-test"));
    let _guard = Cleanup::new(engine)
        .image(&runtime)
        .image(&dev)
        .image(&test);
    let env = nss_env(
        engine,
        &project,
        &[
            ("CONTAINER_GPU_IMAGE", &runtime),
            ("CONTAINER_GPU_IMAGE_DEV", &dev),
            ("CONTAINER_TEST_IMAGE", &test),
        ],
    );
    let cwd = project.dir();

    // Build the runtime image (the preflight image is built here from nss's embedded sources).
    let out = nss(&cwd, &env, &["build"]);
    assert_eq!(out.code, 0, "{} build: {}", engine.name(), out.stderr);
    // The context is reported before the build.
    assert!(
        out.stderr
            .lines()
            .any(|l| l.starts_with("nss: build context: ")),
        "{}: no context report in {}",
        engine.name(),
        out.stderr
    );

    // Labels in inspect equal `nss labels --format json`.
    let want = nss(&cwd, &env, &["labels", "--format", "json"]);
    assert_eq!(want.code, 0, "{}", want.stderr);
    let want: BTreeMap<String, String> = serde_json::from_str(&want.stdout).unwrap();
    assert!(
        want.contains_key("org.opencontainers.image.title"),
        "{want:?}"
    );
    let got = inspect_labels(engine, &runtime);
    for (k, v) in &want {
        assert_eq!(got.get(k), Some(v), "{}: label {k}", engine.name());
    }

    // Build args applied inside the image, equal to the spec.
    let spec = nss(&cwd, &env, &["spec", "--format", "json"]);
    let spec: serde_json::Value = serde_json::from_str(&spec.stdout).unwrap();
    let out = nss(&cwd, &env, &["run", "CMD=build-args"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for name in nss_buildspec::PIN_NAMES {
        let line = format!("{name}={}", spec[name]["value"].as_str().unwrap());
        assert!(
            out.stdout.lines().any(|l| l == line),
            "{}: {line} in {}",
            engine.name(),
            out.stdout
        );
    }
    assert!(
        out.stdout.contains("EXTRAS=cu128 engine\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("APP=nss-probe\n"), "{}", out.stdout);
    // The preflight entrypoint ran: its hints are on stderr.
    assert!(
        out.stderr.contains("[nss-container]"),
        "{}: preflight output: {}",
        engine.name(),
        out.stderr
    );

    // CMD with spaces passes through, word by word.
    nss(&cwd, &env, &["run", "CMD=show 'two words' 'and  more'"])
        .success()
        .prints("argc=3\narg=[show]\narg=[two words]\narg=[and  more]\n");
    // So do ARGS after `--`.
    let out = nss(&cwd, &env, &["run", "--", "x y", "z"]);
    assert!(
        out.stdout.contains("argc=2\narg=[x y]\narg=[z]\n"),
        "{}",
        out.stdout
    );

    // The exit code passes through.
    let out = nss(&cwd, &env, &["run", "CMD=exit 7"]);
    assert_eq!(out.code, 7, "{}: {}", engine.name(), out.stderr);

    // The HF cache is created and mounted writable, with HF_HOME pointing at it.
    assert!(project.path("hf-cache").is_dir());
    let out = nss(&cwd, &env, &["run", "CMD=hf"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("HF_HOME=/workspace/.hf_cache\nhf cache writable"),
        "{}",
        out.stdout
    );
    assert!(project.path("hf-cache/written-by-container").is_file());

    // Dev image: the default command `make test` runs the program `make` (here the probe)
    // with the argument `test`, in /workspace, behind the preflight (its hints on stderr).
    let out = nss(&cwd, &env, &["build", "--image", "dev"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = nss(&cwd, &env, &["run", "--image", "dev"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("prog=make pwd=/workspace\nargc=1\narg=[test]\n"),
        "{}: {}",
        engine.name(),
        out.stdout
    );
    assert!(
        out.stderr.contains("[nss-container]"),
        "{}: no preflight hints in the dev image: {}",
        engine.name(),
        out.stderr
    );
    // CMD is a command line: its first word is the program.
    let out = nss(&cwd, &env, &["run", "--image", "dev", "CMD=sh -c 'exit 5'"]);
    assert_eq!(out.code, 5, "{}: {}", engine.name(), out.stderr);

    // CPU test image: its own Dockerfile and the CPU build args.
    let out = nss(&cwd, &env, &["build", "--image", "test"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = nss(&cwd, &env, &["run", "--image", "test"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("EXTRAS=cpu engine\n") && out.stdout.contains("APP=nss-probe\n"),
        "{}",
        out.stdout
    );

    // No container left behind.
    for tag in [&runtime, &dev, &test] {
        assert_eq!(
            containers_of(engine, tag),
            "",
            "{}: containers of {tag}",
            engine.name()
        );
    }

    // Ctrl-C stops the container and removes it.
    let mut child = nss_command(&cwd, &env, &["run", "CMD=sleep 60"])
        .spawn()
        .unwrap();
    let start = Instant::now();
    while containers_of(engine, &runtime).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the container never started"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::INT,
    )
    .expect("SIGINT to nss");
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "{}: interrupted exit",
        engine.name()
    );
    assert!(
        start.elapsed() < Duration::from_secs(50),
        "the container was stopped, not waited for"
    );
    assert_eq!(
        containers_of(engine, &runtime),
        "",
        "{}: no container after Ctrl-C",
        engine.name()
    );
}

nss_testkit::engine_test!(builds_and_runs_the_fixture, build_and_run);

#[test]
fn docker_without_nvidia_runtime_refuses_gpus_with_one_actionable_line() {
    let Some(engine) = nss_testkit::docker() else {
        return;
    };
    let Some(base) = nss_testkit::value(nss_testkit::NSS_TEST_BASE_IMAGE) else {
        return;
    };
    let _one = nss_testkit::exclusive();
    let project = TempProject::new("probe", Some(&base));
    let tag = format!("{}:1", engine.unique("cli-gpus"));
    let _guard = Cleanup::new(&engine).image(&tag);
    let mut env = nss_env(&engine, &project, &[("CONTAINER_GPU_IMAGE", &tag)]);
    let out = nss(&project.dir(), &env, &["build"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    env.remove("CONTAINER_GPU_FLAG"); // default: --gpus all
    let out = nss(&project.dir(), &env, &["run"]);
    assert_eq!(out.code, 2, "{out:?}");
    let last = out.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("CONTAINER_GPU_FLAG=") && last.contains("NVIDIA Container Toolkit"),
        "{last}"
    );
    assert_eq!(containers_of(&engine, &tag), "", "no container left");
}

#[test]
fn podman_multiarch_pushes_both_platforms_with_labels_and_annotations() {
    let Some(engine) = nss_testkit::podman() else {
        return;
    };
    let Some(registry) = nss_testkit::registry() else {
        return;
    };
    assert_eq!(engine.kind, EngineKind::Podman);
    let _one = nss_testkit::exclusive();
    let project = TempProject::new("probe", None);
    let repo = engine.unique("cli-multi");
    let reg = format!("{registry}/{repo}");
    let env = nss_env(
        &engine,
        &project,
        &[
            ("CONTAINER_GPU_REGISTRY", &reg),
            ("CONTAINER_GPU_IMAGE", "probe:1"),
            ("CONTAINER_GPU_FILE", "containers/Dockerfile.multiarch"),
        ],
    );
    let reference = format!("{reg}/probe:1");
    let _guard = Cleanup::new(&engine).image(&reference);
    let out = nss(&project.dir(), &env, &["multiarch"]);
    let _ = engine
        .command()
        .args(["manifest", "rm", &reference])
        .output();
    assert_eq!(out.code, 0, "multiarch: {}", out.stderr);

    let raw = Command::new("skopeo")
        .args([
            "inspect",
            "--raw",
            "--tls-verify=false",
            &format!("docker://{reference}"),
        ])
        .output()
        .unwrap();
    assert!(
        raw.status.success(),
        "{}",
        String::from_utf8_lossy(&raw.stderr)
    );
    let index: serde_json::Value = serde_json::from_slice(&raw.stdout).unwrap();
    let manifests = index["manifests"].as_array().expect("an index");
    let mut platforms: Vec<String> = manifests
        .iter()
        .map(|m| {
            format!(
                "{}/{}",
                m["platform"]["os"].as_str().unwrap(),
                m["platform"]["architecture"].as_str().unwrap()
            )
        })
        .collect();
    platforms.sort();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64"], "{index}");

    let labels = nss(&project.dir(), &env, &["labels", "--format", "json"]);
    let labels: BTreeMap<String, String> = serde_json::from_str(&labels.stdout).unwrap();
    let title = labels
        .get("org.opencontainers.image.title")
        .expect("a title label");
    for m in manifests {
        // Annotations in the index, on every instance.
        assert_eq!(
            m["annotations"]["org.opencontainers.image.title"].as_str(),
            Some(title.as_str()),
            "{index}"
        );
        // Labels in each platform's image config.
        let digest = m["digest"].as_str().unwrap();
        let cfg = Command::new("skopeo")
            .args([
                "inspect",
                "--config",
                "--raw",
                "--tls-verify=false",
                &format!("docker://{reg}/probe@{digest}"),
            ])
            .output()
            .unwrap();
        assert!(
            cfg.status.success(),
            "{}",
            String::from_utf8_lossy(&cfg.stderr)
        );
        let cfg: serde_json::Value = serde_json::from_slice(&cfg.stdout).unwrap();
        assert_eq!(
            cfg["config"]["Labels"]["org.opencontainers.image.title"].as_str(),
            Some(title.as_str()),
            "{cfg}"
        );
    }
}

#[test]
fn doctor_reports_one_line_per_item() {
    for engine in nss_testkit::engines() {
        let project = TempProject::new("probe", None);
        let mut env = nss_env(&engine, &project, &[]);
        if let Some(registry) = nss_testkit::registry() {
            env.insert("CONTAINER_GPU_REGISTRY".into(), format!("{registry}/org"));
        }
        let out = nss(&project.dir(), &env, &["doctor"]);
        let lines: Vec<&str> = out.stdout.lines().collect();
        for item in ["project", "engine", "buildkit", "gpus", "arm64", "registry"] {
            let line = lines
                .iter()
                .find(|l| l.split_whitespace().nth(1) == Some(item));
            let line =
                line.unwrap_or_else(|| panic!("{}: {item} in {}", engine.name(), out.stdout));
            assert!(
                line.starts_with("ok ") || line.starts_with("missing "),
                "{line}"
            );
        }
        for item in ["project", "engine", "registry"] {
            assert!(
                lines
                    .iter()
                    .any(|l| l.starts_with("ok") && l.split_whitespace().nth(1) == Some(item)),
                "{}: {item}: {}",
                engine.name(),
                out.stdout
            );
        }
        // Exit 1 exactly when something is missing (no GPU runtime on these hosts).
        let missing = lines.iter().any(|l| l.starts_with("missing"));
        assert_eq!(out.code, i32::from(missing), "{}", out.stdout);
    }
}

/// A copy of the probe project committed to a git repository of its own, its content
/// marked with `mark`; returns the project and its commit.
fn revision(base: &str, mark: &str) -> (TempProject, String) {
    let project = TempProject::new("probe", Some(base));
    let dir = project.dir();
    let probe = dir.join("probe.sh");
    let text = std::fs::read_to_string(&probe).unwrap();
    std::fs::write(&probe, format!("{text}\n# revision {mark}\n")).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(&dir)
            .args([
                "-c",
                "user.name=nss",
                "-c",
                "user.email=nss@example.invalid",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", mark]);
    let head = git(&["rev-parse", "HEAD"]);
    (project, head)
}

/// Two revisions of one project built at the same time to the same tag, several times:
/// the image the tag ends on carries the revision label of its own content (podman's
/// label step must never put one build's labels on the other's image), and no temporary
/// tag is left behind.
fn concurrent_builds_never_mix(engine: &TestEngine) {
    let Some(base) = nss_testkit::value(nss_testkit::NSS_TEST_BASE_IMAGE) else {
        return;
    };
    let (a, rev_a) = revision(&base, "a");
    let (b, rev_b) = revision(&base, "b");
    let tag = format!("{}:1", engine.unique("concurrent"));
    let (alone_a, alone_b) = (format!("{tag}-a"), format!("{tag}-b"));
    let _guard = Cleanup::new(engine)
        .image(&tag)
        .image(&alone_a)
        .image(&alone_b);
    let before = temporary_tags(engine);
    // Each revision's own layers, built alone.
    let mut content = BTreeMap::new();
    for (project, rev, alone) in [(&a, &rev_a, &alone_a), (&b, &rev_b, &alone_b)] {
        let env = nss_env(engine, project, &[("CONTAINER_GPU_IMAGE", alone)]);
        let out = nss(&project.dir(), &env, &["build"]);
        assert_eq!(out.code, 0, "{}: {}", engine.name(), out.stderr);
        content.insert(rev.clone(), layers_of(engine, alone));
    }
    assert_ne!(
        content[&rev_a], content[&rev_b],
        "the revisions differ in content"
    );
    for round in 0..3 {
        let children: Vec<_> = [&a, &b]
            .into_iter()
            .map(|project| {
                let env = nss_env(engine, project, &[("CONTAINER_GPU_IMAGE", &tag)]);
                nss_command(&project.dir(), &env, &["build"])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{} round {round}: {}",
                engine.name(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let labels = inspect_labels(engine, &tag);
        let rev = &labels["org.opencontainers.image.revision"];
        assert_eq!(
            layers_of(engine, &tag),
            content[rev],
            "{} round {round}: {tag} carries revision {rev} but the other revision's content",
            engine.name()
        );
    }
    let left = temporary_tags(engine);
    assert!(
        left.difference(&before).next().is_none(),
        "{}: temporary tags left behind: {left:?}",
        engine.name()
    );
}

/// The `nss-unlabeled` tags in the engine's image store.
fn temporary_tags(engine: &TestEngine) -> std::collections::BTreeSet<String> {
    let out = engine
        .command()
        .args(["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("nss-unlabeled"))
        .map(str::to_string)
        .collect()
}

nss_testkit::engine_test!(
    concurrent_builds_of_one_tag_never_mix,
    concurrent_builds_never_mix
);
