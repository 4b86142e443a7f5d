//! Helpers: the reference fixture, copied into a temporary directory.

use std::path::{Path, PathBuf};

use nss_buildspec::{BuildSpec, Inputs, Project, resolve};

/// The committed copy of the reference project.
pub(crate) fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/safe-synthesizer")
}

/// The reference project copied into a fresh temporary directory, so tests
/// can edit it.
pub(crate) fn reference_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["pyproject.toml", ".python-version", ".dockerignore"] {
        std::fs::copy(fixture_dir().join(name), dir.path().join(name)).expect("copy fixture");
    }
    dir
}

/// Appends TOML to the project's pyproject.toml.
pub(crate) fn append_pyproject(dir: &Path, extra: &str) {
    let path = dir.join("pyproject.toml");
    let mut text = std::fs::read_to_string(&path).expect("read");
    text.push_str(extra);
    std::fs::write(path, text).expect("write");
}

/// Loads and resolves `dir` with `inputs`.
pub(crate) fn spec_of(dir: &Path, inputs: &Inputs) -> Result<BuildSpec, nss_buildspec::Error> {
    resolve(&Project::load(dir)?, inputs)
}

/// Inputs from `NAME=value` overrides and env pairs.
pub(crate) fn inputs(overrides: &[(&str, &str)], env: &[(&str, &str)]) -> Inputs {
    Inputs {
        overrides: overrides
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        env: env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        platform: None,
    }
}
