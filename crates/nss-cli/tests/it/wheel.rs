//! The Python wheel (`python/nss-containers`, maturin `bindings = "bin"`): built from this
//! workspace, installed with pip into a fresh virtual environment, its `nss` runs `spec`
//! and a dry-run build in an unrelated project. Needs maturin (`scripts/engines.sh install`
//! puts one in `.nss/tools/maturin`; `MATURIN` or a `maturin` on PATH also do).

use std::path::PathBuf;
use std::process::Command;

use nss_testkit::ok;

use crate::util::{FakeEngine, base_env};

fn maturin() -> Option<PathBuf> {
    if let Some(m) = std::env::var_os("MATURIN").filter(|m| !m.is_empty()) {
        return Some(PathBuf::from(m));
    }
    let tools = nss_testkit::workspace_root().join(".nss/tools/maturin/bin/maturin");
    if tools.is_file() {
        return Some(tools);
    }
    which::which("maturin").ok()
}

#[test]
fn the_wheel_installs_and_runs_in_an_unrelated_project() {
    let Some(maturin) = maturin().or_else(|| {
        nss_testkit::skip(
            "maturin",
            "it is not installed (scripts/engines.sh install, or pip install maturin)",
        )
    }) else {
        return;
    };
    let root = nss_testkit::workspace_root();
    let tmp = tempfile::Builder::new()
        .prefix("nss-wheel-")
        .tempdir()
        .unwrap();
    let wheels = tmp.path().join("wheels");
    // Its own target directory: the `cargo test` running us may hold the workspace's.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("wheel");
    ok(
        Command::new(&maturin)
            .current_dir(root.join("python/nss-containers"))
            .args(["build", "--profile", "dev", "--out"])
            .arg(&wheels)
            .env("CARGO_TARGET_DIR", &target),
        "maturin build",
    );
    let wheel = std::fs::read_dir(&wheels)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("maturin wrote a wheel");
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("nss_containers-"), "{name}");

    let venv = tmp.path().join("venv");
    ok(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    );
    ok(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--no-index", "--no-deps"])
            .arg(&wheel),
        "pip install the wheel",
    );
    let nss = venv.join("bin/nss");
    assert!(nss.is_file(), "the wheel puts nss in the venv's bin");

    // An unrelated project: the example's pyproject.toml alone, no containers/.
    let app = tmp.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    for f in ["pyproject.toml", ".python-version"] {
        std::fs::copy(root.join("examples/hello-gpu").join(f), app.join(f)).unwrap();
    }
    let fake = FakeEngine::podman().write(tmp.path());
    let run = |args: &[&str]| {
        let mut env: std::collections::BTreeMap<String, String> = base_env()
            .into_iter()
            .filter(|(k, _)| k == "HOME")
            .collect();
        env.insert(
            "PATH".into(),
            format!("{}:/usr/bin:/bin", venv.join("bin").display()),
        );
        env.insert(
            "XDG_CACHE_HOME".into(),
            tmp.path().join("cache").display().to_string(),
        );
        env.insert("CONTAINER_CMD".into(), fake.program.display().to_string());
        env.extend(fake.env.iter().cloned());
        let out = ok(
            Command::new(&nss)
                .current_dir(&app)
                .env_clear()
                .envs(&env)
                .args(args),
            &format!("nss {args:?}"),
        );
        assert!(
            !out.contains(&root.display().to_string()),
            "nss {args:?} names the source tree: {out}"
        );
        out
    };
    let spec = run(&["spec"]);
    assert!(spec.contains("APP=hello-gpu"), "{spec}");
    let plan = run(&["--dry-run", "build"]);
    assert!(
        plan.lines().any(|l| l.contains(" build ")
            && l.contains("--target runtime")
            && l.ends_with(&app.display().to_string())),
        "{plan}"
    );
}
