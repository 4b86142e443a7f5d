//! Shared helpers: fixed inputs, the reference fixture, temporary git checkouts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use nss_buildspec::{BuildSpec, CudaImageType, Resolved, Source};
use nss_labels::{GitFacts, ImageKind, LabelInputs, Labels, Metadata, generate};

/// The reference project's `pyproject.toml` and `.python-version`.
pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The reference `pyproject.toml` text.
pub(crate) fn reference_pyproject() -> String {
    std::fs::read_to_string(fixtures().join("pyproject.toml")).expect("fixture")
}

/// A build spec written out by hand, so snapshots do not move with the
/// buildspec's version tables.
pub(crate) fn spec() -> BuildSpec {
    let r = |v: &str| Resolved::new(v.to_string(), Source::Default);
    BuildSpec {
        cuda_version: r("12.8.1"),
        ubuntu_version: r("22.04"),
        cuda_image_type: Resolved::new(CudaImageType::Runtime, Source::Default),
        python_version: r("3.11.13"),
        uv_version: r("0.9.14"),
        cuda_arch_flags: r("80;86;90;90a"),
        gpu_extras: Resolved::new(vec!["cu128".into(), "engine".into()], Source::Default),
        cpu_extras: Resolved::new(vec!["cpu".into(), "engine".into()], Source::Default),
        app: r("safe-synthesizer"),
        cuda_image: r(nss_buildspec::DEFAULT_CUDA_IMAGE),
        uv_image: r(nss_buildspec::DEFAULT_UV_IMAGE),
        python_image: r(nss_buildspec::DEFAULT_PYTHON_IMAGE),
        python_source: Resolved::new(nss_buildspec::PythonSource::Uv, Source::Default),
        dev_command: r(nss_buildspec::DEFAULT_DEV_COMMAND),
        test_command: r(nss_buildspec::DEFAULT_TEST_COMMAND),
        system_packages: nss_buildspec::SystemPackages {
            deps: Resolved::new(Vec::new(), Source::Default),
            runtime: Resolved::new(Vec::new(), Source::Default),
            dev: Resolved::new(Vec::new(), Source::Default),
        },
    }
}

pub(crate) const COMMIT: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// Fixed git facts: a commit at 2025-01-02T03:04:05Z, an ssh remote with a user.
pub(crate) fn git() -> GitFacts {
    GitFacts {
        commit: Some(COMMIT.into()),
        commit_time: Some("2025-01-02T03:04:05Z".parse().unwrap()),
        tag: None,
        remote_url: nss_labels::normalise_remote("git@github.com:NVIDIA-NeMo/Safe-Synthesizer.git"),
        dirty: false,
    }
}

/// The usage text the tests pass as the caller (the CLI passes its run plan's line; its
/// `"$PWD"` is what a Dockerfile LABEL block must escape).
pub(crate) const USAGE: &str =
    r#"docker run --rm --gpus all --shm-size=1g -v "$PWD":/workspace nss-gpu:latest --help"#;

/// The usage text a caller passes for `kind`'s image (as the CLI's run plan reads).
pub(crate) fn usage(kind: ImageKind) -> &'static str {
    match kind {
        ImageKind::Runtime => USAGE,
        ImageKind::Dev => {
            r#"docker run --rm --gpus all --shm-size=1g -v "$PWD":/workspace nss-gpu-dev:latest make test"#
        }
        ImageKind::Test => r#"docker run --rm -v "$PWD":/workspace nss-test:latest make test"#,
    }
}

/// Labels for `kind` from pyproject text, with the fixed spec and the given git facts and env.
pub(crate) fn labels_with(
    pyproject: &str,
    kind: ImageKind,
    git: &GitFacts,
    env: &BTreeMap<String, String>,
) -> Result<Labels, nss_labels::Error> {
    let metadata = Metadata::from_toml(pyproject, "pyproject.toml")?;
    let spec = spec();
    generate(&LabelInputs {
        kind,
        spec: &spec,
        metadata: &metadata,
        git,
        env,
        usage: usage(kind),
    })
}

/// Labels of the reference project for `kind` with fixed git facts and no environment.
pub(crate) fn reference_labels(kind: ImageKind) -> Labels {
    labels_with(&reference_pyproject(), kind, &git(), &BTreeMap::new()).expect("reference labels")
}

/// Runs `git` in `dir` with a fixed identity and dates, isolated from user and
/// system config (all through the child's environment only).
pub(crate) fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", "2025-01-02T03:04:05Z")
        .env("GIT_COMMITTER_DATE", "2025-01-02T03:04:05Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A temporary git checkout of the reference project with one commit.
pub(crate) fn reference_checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["pyproject.toml", ".python-version"] {
        std::fs::copy(fixtures().join(f), dir.path().join(f)).unwrap();
    }
    git_in(dir.path(), &["init", "-q", "-b", "main"]);
    git_in(dir.path(), &["add", "."]);
    git_in(dir.path(), &["commit", "-q", "-m", "initial"]);
    git_in(
        dir.path(),
        &[
            "remote",
            "add",
            "origin",
            "https://user:ghp_secret@github.com/NVIDIA-NeMo/Safe-Synthesizer.git",
        ],
    );
    dir
}
