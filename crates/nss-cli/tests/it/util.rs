//! Shared helpers: the `nss` binary with an injected environment, fixture copies; fake
//! engine clients come from `nss_testkit`.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) use nss_testkit::FakeEngine;

/// The fixture projects.
pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy of a fixture project in a temporary directory (outside any git checkout, so
/// labels carry no machine-specific revision), with `BASE_IMAGE` defaults replaced.
pub(crate) struct TempProject {
    /// Keeps the directory alive.
    pub(crate) tmp: tempfile::TempDir,
}

impl TempProject {
    /// Copies fixture `name`; `base_image` replaces `localhost/nss-debian:bookworm`.
    pub(crate) fn new(name: &str, base_image: Option<&str>) -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("nss-test-")
            .tempdir()
            .unwrap();
        copy_dir(&fixture(name), &tmp.path().join("project"), base_image);
        Self { tmp }
    }

    /// The project directory.
    pub(crate) fn dir(&self) -> PathBuf {
        self.tmp.path().join("project")
    }

    /// A scratch path beside the project.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
}

fn copy_dir(src: &Path, dst: &Path, base_image: Option<&str>) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to, base_image);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
            if let Some(base) = base_image
                && entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("Dockerfile")
            {
                let text = std::fs::read_to_string(&to).unwrap();
                std::fs::write(&to, text.replace("localhost/nss-debian:bookworm", base)).unwrap();
            }
        }
    }
}

/// The environment every `nss` invocation in the tests starts from: PATH, HOME and cargo's
/// locations (for the preflight build), a fixed SOURCE_DATE_EPOCH; nothing else leaks in.
pub(crate) fn base_env() -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for k in [
        "PATH",
        "HOME",
        "CARGO_HOME",
        "RUSTUP_HOME",
        "CARGO_TARGET_DIR",
        "RUSTUP_TOOLCHAIN",
    ] {
        if let Ok(v) = std::env::var(k) {
            env.insert(k.to_string(), v);
        }
    }
    env.insert("SOURCE_DATE_EPOCH".into(), "1700000000".into());
    env
}

/// What a finished `nss` printed.
#[derive(Debug)]
pub(crate) struct Out {
    /// Exit code.
    pub(crate) code: i32,
    /// Standard output.
    pub(crate) stdout: String,
    /// Standard error.
    pub(crate) stderr: String,
}

impl Out {
    /// Asserts that `nss` exited 0 (showing its stderr otherwise).
    pub(crate) fn success(&self) -> &Self {
        assert_eq!(self.code, 0, "{}", self.stderr);
        self
    }

    /// Asserts that stdout holds `text` (showing stdout otherwise).
    pub(crate) fn prints(&self, text: &str) -> &Self {
        assert!(self.stdout.contains(text), "{}", self.stdout);
        self
    }
}

/// The environment `nss` gets to drive a fake engine client on `project`: the base
/// environment, the fake's own variables, a fixed preflight image and a private HF cache.
pub(crate) fn fake_engine_env(
    project: &TempProject,
    fake: &FakeEngine,
) -> BTreeMap<String, String> {
    let mut env = base_env();
    env.insert("CONTAINER_CMD".into(), fake.program.display().to_string());
    env.insert(
        "CONTAINER_PREFLIGHT_IMAGE".into(),
        "nss-test-preflight:1".into(),
    );
    env.insert(
        "CONTAINER_HF_CACHE".into(),
        project.path("hf").display().to_string(),
    );
    env.insert(
        "NSS_PROJECT_DIR".into(),
        project.dir().display().to_string(),
    );
    env.extend(fake.env.iter().cloned());
    env
}

/// Runs `nss ARGS` in `cwd` with exactly `env`.
pub(crate) fn nss(cwd: &Path, env: &BTreeMap<String, String>, args: &[&str]) -> Out {
    let out = nss_command(cwd, env, args).output().expect("nss runs");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The `nss` command, not yet started.
pub(crate) fn nss_command(cwd: &Path, env: &BTreeMap<String, String>, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nss"));
    cmd.current_dir(cwd).env_clear().envs(env).args(args);
    cmd
}

/// Replaces machine-specific parts of dry-run output so it can be snapshotted.
pub(crate) fn scrub(text: &str, project: &TempProject, fake: Option<&FakeEngine>) -> String {
    let mut s = text.replace(&project.tmp.path().display().to_string(), "[TMP]");
    if let Some(f) = fake {
        s = s.replace(&f.program.display().to_string(), "[ENGINE]");
    }
    // nss-run-<pid>-<hex>
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("nss-run-") {
        out.push_str(&rest[..i]);
        out.push_str("nss-run-[ID]");
        rest = &rest[i + "nss-run-".len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
