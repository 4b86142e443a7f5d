//! `nss spec`, `nss check`, `nss sync`, `nss labels` and `nss lint` through the binary.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{FakeEngine, TempProject, base_env, nss};

fn reference() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../nss-buildspec/tests/fixtures/safe-synthesizer")
}

fn env_for(dir: &Path) -> BTreeMap<String, String> {
    let mut env = base_env();
    env.insert("NSS_PROJECT_DIR".into(), dir.display().to_string());
    env
}

#[test]
fn spec_of_the_reference_project() {
    let dir = reference();
    let out = nss(&dir, &env_for(&dir), &["spec"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines.contains(&"UV_VERSION=0.9.14"), "{}", out.stdout);
    assert!(
        lines.iter().any(|l| l.starts_with("PYTHON_VERSION=3.11.")),
        "{}",
        out.stdout
    );
    assert!(
        lines.iter().any(|l| l.starts_with("CUDA_VERSION=12.8.")),
        "{}",
        out.stdout
    );
    assert!(
        lines.contains(&"GPU_EXTRAS='cu128 engine'"),
        "{}",
        out.stdout
    );
    assert!(lines.contains(&"CPU_EXTRAS='cpu engine'"), "{}", out.stdout);
    assert!(lines.contains(&"APP=safe-synthesizer"), "{}", out.stdout);
}

#[test]
fn spec_json_is_the_design_contract() {
    let dir = reference();
    let out = nss(&dir, &env_for(&dir), &["spec", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let obj = v.as_object().unwrap();
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    let want: Vec<&str> = nss_buildspec::PIN_NAMES
        .iter()
        .chain(&nss_buildspec::BASE_PIN_NAMES)
        .copied()
        .collect();
    assert_eq!(keys, want);
    for (k, pin) in obj {
        assert!(
            pin["value"].is_string() && pin["source"].is_string(),
            "{k}: {pin}"
        );
    }
    assert!(
        v["UV_VERSION"]["source"]
            .as_str()
            .unwrap()
            .contains("required-version"),
        "{v}"
    );
}

#[test]
fn explain_names_every_source_and_arguments_win() {
    let dir = reference();
    let out = nss(
        &dir,
        &env_for(&dir),
        &["spec", "--explain", "CUDA_IMAGE_TYPE=devel"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for name in nss_buildspec::PIN_NAMES
        .iter()
        .chain(["GPU_EXTRAS", "CPU_EXTRAS", "APP"].iter())
    {
        let line = out
            .stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {}", out.stdout));
        assert!(line.contains("<- "), "{line}");
    }
    assert!(
        out.stdout.contains("command line (CUDA_IMAGE_TYPE=...)"),
        "{}",
        out.stdout
    );
}

#[test]
fn check_reports_drift_and_sync_fixes_it() {
    let project = TempProject::new("probe", None);
    let dir = project.dir();
    // A label block for the test image, empty: drift until synced.
    let test_file = dir.join("containers/Dockerfile.test_ci");
    let mut text = std::fs::read_to_string(&test_file).unwrap();
    text.push_str("\n# nss-labels: test\n");
    std::fs::write(&test_file, text).unwrap();
    let env = env_for(&dir);

    let out = nss(&dir, &env, &["check"]);
    assert_eq!(out.code, 1, "{out:?}");
    let drift: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains(": ARG "))
        .collect();
    // One line per ARG naming it, the Dockerfile value and the spec value.
    assert!(
        drift
            .iter()
            .any(|l| l.starts_with("containers/Dockerfile.cuda:")
                && l.contains(
                    "ARG CUDA_VERSION default is \"0.0.0\" but the spec says \"12.8.1\""
                )),
        "{}",
        out.stdout
    );
    assert!(
        drift
            .iter()
            .any(|l| l.contains("Dockerfile.test_ci") && l.contains("ARG EXTRAS")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.lines().any(|l| l.contains("labels (test)")),
        "{}",
        out.stdout
    );

    let before = std::fs::read_to_string(dir.join("containers/Dockerfile.cuda")).unwrap();
    let out = nss(&dir, &env, &["sync"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let after = std::fs::read_to_string(dir.join("containers/Dockerfile.cuda")).unwrap();
    assert!(after.contains("ARG CUDA_VERSION=12.8.1\n"), "{after}");
    assert_eq!(
        before.lines().count(),
        after.lines().count(),
        "only default values change"
    );

    let out = nss(&dir, &env, &["check"]);
    assert!(
        !out.stdout.contains(": ARG "),
        "no ARG drift after sync: {}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("labels ("),
        "no label drift after sync: {}",
        out.stdout
    );
    // A second sync changes nothing.
    let again = nss(&dir, &env, &["sync"]);
    assert_eq!(again.code, 0);
    assert_eq!(again.stderr, "", "nothing updated");
}

#[test]
fn labels_formats() {
    let project = TempProject::new("probe", None);
    let env = env_for(&project.dir());
    let json = nss(&project.dir(), &env, &["labels", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let map: BTreeMap<String, String> = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        map.get("org.opencontainers.image.title")
            .map(String::as_str),
        Some("nss-probe")
    );
    let usage = &map["org.opencontainers.image.usage"];
    assert!(
        usage.contains("\"$PWD\":/workspace") && usage.ends_with("nss-gpu:latest --help"),
        "{usage}"
    );
    let args = nss(
        &project.dir(),
        &env,
        &["labels", "--format", "args", "--image", "dev"],
    );
    assert!(args.stdout.starts_with("--label "), "{}", args.stdout);
    let dockerfile = nss(
        &project.dir(),
        &env,
        &["labels", "--format", "dockerfile", "--image", "test"],
    );
    assert!(dockerfile.stdout.contains("LABEL"), "{}", dockerfile.stdout);
}

#[test]
fn lint_prints_file_line_rule_and_exits_1() {
    let project = TempProject::new("probe", None);
    let env = env_for(&project.dir());
    let out = nss(
        &project.dir(),
        &env,
        &["lint", "containers/Dockerfile.test_ci"],
    );
    assert_eq!(out.code, 1, "{out:?}");
    for line in out.stdout.lines() {
        let mut parts = line.splitn(3, ':');
        assert_eq!(
            parts.next(),
            Some("containers/Dockerfile.test_ci"),
            "{line}"
        );
        assert!(parts.next().unwrap().parse::<usize>().is_ok(), "{line}");
        assert!(
            parts.next().unwrap().trim_start().starts_with("NSS"),
            "{line}"
        );
    }
}

/// `[tool.nss.system-packages]`: shown by `nss spec`, passed as build args, compared by
/// `nss check` with the Dockerfile's ARG defaults; a bad name is one line, exit 2.
#[test]
fn system_packages_are_shown_passed_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let root = nss_testkit::workspace_root();
    std::fs::create_dir_all(dir.join("containers")).unwrap();
    for f in ["pyproject.toml", "uv.lock", ".python-version"] {
        std::fs::copy(root.join("examples/hello-gpu").join(f), dir.join(f)).unwrap();
    }
    for f in ["Dockerfile.cuda", "Dockerfile.test_ci"] {
        std::fs::copy(
            root.join("containers").join(f),
            dir.join("containers").join(f),
        )
        .unwrap();
    }
    let pyproject = dir.join("pyproject.toml");
    let mut text = std::fs::read_to_string(&pyproject).unwrap();
    text.push_str("\n[tool.nss.system-packages]\nruntime = [\"libpq5\"]\n");
    std::fs::write(&pyproject, &text).unwrap();
    let env = env_for(&dir);

    let out = nss(&dir, &env, &["spec"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .lines()
            .any(|l| l == "SYSTEM_PACKAGES_RUNTIME=libpq5"),
        "{}",
        out.stdout
    );
    let fake = FakeEngine::podman().write(tmp.path());
    let mut build_env = env.clone();
    build_env.extend(fake.env.iter().cloned());
    build_env.insert("CONTAINER_CMD".into(), fake.program.display().to_string());
    build_env.insert("CONTAINER_PREFLIGHT_IMAGE".into(), "nss-preflight:1".into());
    let out = nss(&dir, &build_env, &["--dry-run", "build"]);
    out.success()
        .prints("--build-arg SYSTEM_PACKAGES_RUNTIME=libpq5");
    // UV_PYTHON_INSTALL_MIRROR reaches the build only when set.
    assert!(
        !out.stdout.contains("UV_PYTHON_INSTALL_MIRROR"),
        "{}",
        out.stdout
    );
    build_env.insert(
        "UV_PYTHON_INSTALL_MIRROR".into(),
        "https://mirror.example/python-build-standalone".into(),
    );
    let out = nss(&dir, &build_env, &["--dry-run", "build"]);
    assert!(
        out.stdout.contains(
            "--build-arg UV_PYTHON_INSTALL_MIRROR=https://mirror.example/python-build-standalone"
        ),
        "{}",
        out.stdout
    );
    let out = nss(&dir, &env, &["check"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.lines().any(|l| l
            .contains("ARG SYSTEM_PACKAGES_RUNTIME default is \"\" but the spec says \"libpq5\"")),
        "{}",
        out.stdout
    );

    text.push_str("dev = [\"Bad_Name\"]\n");
    std::fs::write(&pyproject, &text).unwrap();
    let out = nss(&dir, &env, &["check"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "[tool.nss] system-packages.dev: has \"Bad_Name\", which is not a Debian package name"
        ),
        "{}",
        out.stderr
    );
}
