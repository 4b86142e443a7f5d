//! An installed `nss`: a copy of the binary, run from an unrelated directory, with no cargo
//! on PATH, needs nothing from the source tree it was built from and never names it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::{FakeEngine, Out, base_env};

struct Installed {
    tmp: tempfile::TempDir,
    nss: PathBuf,
}

impl Installed {
    /// The built `nss` copied to `<tmp>/bin/nss`; a project with no `containers/` at
    /// `<tmp>/app` (the example's pyproject.toml and .python-version only).
    fn new() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("nss-installed-")
            .tempdir()
            .unwrap();
        let bin = tmp.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let nss = bin.join("nss");
        std::fs::copy(env!("CARGO_BIN_EXE_nss"), &nss).unwrap();
        let app = tmp.path().join("app");
        std::fs::create_dir_all(&app).unwrap();
        let example = nss_testkit::workspace_root().join("examples/hello-gpu");
        for f in ["pyproject.toml", ".python-version"] {
            std::fs::copy(example.join(f), app.join(f)).unwrap();
        }
        std::fs::create_dir_all(tmp.path().join("elsewhere")).unwrap();
        Self { tmp, nss }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.tmp.path().join(p)
    }

    /// The environment: a fake engine, a private cache, PATH without cargo.
    fn env(&self, fake: &FakeEngine) -> BTreeMap<String, String> {
        let mut env: BTreeMap<String, String> = base_env()
            .into_iter()
            .filter(|(k, _)| k == "HOME" || k == "SOURCE_DATE_EPOCH")
            .collect();
        let fake_dir = fake.program.parent().unwrap().display().to_string();
        env.insert("PATH".into(), format!("{fake_dir}:/usr/bin:/bin"));
        env.insert("CONTAINER_CMD".into(), fake.program.display().to_string());
        env.insert(
            "XDG_CACHE_HOME".into(),
            self.path("cache").display().to_string(),
        );
        env.insert(
            "CONTAINER_HF_CACHE".into(),
            self.path("hf").display().to_string(),
        );
        env.extend(fake.env.iter().cloned());
        env
    }

    fn run(&self, cwd: &Path, env: &BTreeMap<String, String>, args: &[&str]) -> Out {
        // A just-copied binary can be briefly "busy" (ETXTBSY) while another test thread's
        // fork still holds the copy's write descriptor: retry.
        let mut tries = 0;
        let out = loop {
            match std::process::Command::new(&self.nss)
                .current_dir(cwd)
                .env_clear()
                .envs(env)
                .args(args)
                .output()
            {
                Err(e) if e.raw_os_error() == Some(26) && tries < 100 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other.unwrap(),
            }
        };
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The words after `flag` in a shell-quoted dry-run line (plain words only).
fn after<'a>(line: &'a str, flag: &str) -> Option<&'a str> {
    let mut words = line.split_whitespace();
    words.find(|w| *w == flag)?;
    words.next()
}

#[test]
fn a_copied_binary_works_anywhere_and_never_names_its_source_tree() {
    let workspace = nss_testkit::workspace_root().display().to_string();
    let inst = Installed::new();
    for (client, version, buildx) in [
        ("podman", "podman version 4.3.1", false),
        ("docker", "Docker version 28.0.1, build 068a01e", true),
    ] {
        let fake = FakeEngine::client(client, version)
            .buildx_if(buildx)
            .write(inst.tmp.path());
        let env = inst.env(&fake);
        let elsewhere = inst.path("elsewhere");
        let app = inst.path("app").display().to_string();
        let registry = "CONTAINER_GPU_REGISTRY=registry.example.com/org";
        let arm64 = "CONTAINER_GPU_PLATFORM=linux/arm64";
        let runs: [(&str, Vec<&str>); 8] = [
            ("spec (bundled example)", vec!["spec", "--explain"]),
            ("doctor", vec!["--project", &app, "doctor"]),
            ("runtime", vec!["--project", &app, "--dry-run", "build"]),
            (
                "dev",
                vec!["--project", &app, "--dry-run", "build", "--image", "dev"],
            ),
            (
                "test",
                vec!["--project", &app, "--dry-run", "build", "--image", "test"],
            ),
            (
                "arm64",
                vec!["--project", &app, "--dry-run", "build", arm64],
            ),
            (
                "multiarch",
                vec!["--project", &app, "--dry-run", "multiarch", registry],
            ),
            ("run", vec!["--project", &app, "--dry-run", "run"]),
        ];
        for (what, args) in runs {
            let out = inst.run(&elsewhere, &env, &args);
            let ok = if what == "doctor" {
                out.code <= 1
            } else {
                out.code == 0
            };
            assert!(
                ok,
                "{client} {what}: exit {}: {}{}",
                out.code, out.stdout, out.stderr
            );
            for text in [&out.stdout, &out.stderr] {
                assert!(
                    !text.contains(&workspace),
                    "{client} {what} names the source tree {workspace}:\n{text}"
                );
            }
            if what == "spec (bundled example)" {
                assert!(
                    out.stdout.lines().any(|l| l.starts_with("APP ")
                        && l.split_whitespace().nth(1) == Some("hello-gpu")),
                    "{}",
                    out.stdout
                );
                assert!(out.stdout.contains("bundled with nss"), "{}", out.stdout);
            }
            if what == "doctor" {
                assert!(out.stdout.contains(" driver "), "{}", out.stdout);
            }
            if what == "arm64" || what == "multiarch" {
                preflight_needs_nothing_from_the_project(client, what, &out.stdout, &app);
            }
        }
    }
}

/// The plan builds the preflight image first, from a context in nss's cache that holds
/// the sources, and the image's Dockerfile copies nothing of nss's from the project.
fn preflight_needs_nothing_from_the_project(client: &str, what: &str, plan: &str, app: &str) {
    let lines: Vec<&str> = plan.lines().collect();
    let pre = lines
        .iter()
        .find(|l| {
            l.contains("nss-preflight:")
                && after(l, "-f").is_some_and(|f| f.ends_with("/Dockerfile"))
        })
        .unwrap_or_else(|| panic!("{client} {what}: no preflight build in\n{plan}"));
    let ctx = Path::new(pre.split_whitespace().last().unwrap());
    assert!(!ctx.starts_with(app), "{client} {what}: {pre}");
    for f in [
        "Dockerfile",
        "Cargo.toml",
        "Cargo.lock",
        "crates/nss-preflight/src/main.rs",
    ] {
        assert!(
            ctx.join(f).is_file(),
            "{client} {what}: {} lacks {f}",
            ctx.display()
        );
    }
    let tag = after(pre, "-t")
        .or_else(|| after(pre, "--manifest"))
        .unwrap_or_else(|| panic!("{client} {what}: no tag in {pre}"));
    let main = lines
        .iter()
        .find(|l| l.contains("--target runtime"))
        .unwrap_or_else(|| panic!("{client} {what}: no image build in\n{plan}"));
    assert!(
        main.contains(&format!("--build-arg PREFLIGHT_IMAGE={tag} ")),
        "{client} {what}: {main}"
    );
    assert!(
        main.trim_end().ends_with(app),
        "{client} {what}: context {main}"
    );
    let dockerfile = after(main, "-f").unwrap();
    let text = std::fs::read_to_string(dockerfile).unwrap();
    for needle in ["COPY crates", "COPY Cargo", "COPY .cargo"] {
        assert!(!text.contains(needle), "{dockerfile}: {needle}");
    }
}

/// Before `nss init` the build uses the bundled Dockerfile and `sync` refuses to edit nss's
/// shared copy; `nss init` gives the project its own, which `spec --explain` then names.
#[test]
fn init_gives_the_project_its_own_dockerfiles() {
    let inst = Installed::new();
    let fake = FakeEngine::podman().write(inst.tmp.path());
    let env = inst.env(&fake);
    let app = inst.path("app");
    let before = inst.run(&app, &env, &["spec", "--explain"]);
    assert!(
        before.stdout.contains("bundled with nss"),
        "{}",
        before.stdout
    );
    let sync = inst.run(&app, &env, &["sync"]);
    assert_eq!(sync.code, 2, "{}", sync.stderr);
    assert!(sync.stderr.contains("run nss init"), "{}", sync.stderr);

    let init = inst.run(&app, &env, &["init"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    assert!(app.join("containers/Dockerfile.cuda").is_file());
    assert!(app.join("containers/Dockerfile.test_ci").is_file());
    let after = inst.run(&app, &env, &["spec", "--explain"]);
    assert!(
        after.stdout.contains(
            "Dockerfile (runtime, dev) = containers/Dockerfile.cuda  <- the project's own"
        ),
        "{}",
        after.stdout
    );
    let again = inst.run(&app, &env, &["init"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}
