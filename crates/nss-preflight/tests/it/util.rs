//! Running the binary inside containers, and cleaning up after.

use std::path::Path;
use std::process::Command;

use nss_testkit::TestEngine;

/// The binary under test (built statically by the workspace cargo config).
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_nss-preflight");

/// Where the binary is mounted inside the container.
pub(crate) const IN_CONTAINER: &str = "/usr/local/bin/nss-preflight";

/// What a container run produced.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Outcome {
    /// The finding ids in the text report: the `(id)` ending each finding's first line.
    pub(crate) fn ids(&self) -> Vec<String> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("[nss-container] ") && l.ends_with(')'))
            .filter_map(|l| {
                l.rsplit_once('(')
                    .map(|(_, id)| id.trim_end_matches(')').to_string())
            })
            .collect()
    }

    pub(crate) fn has(&self, id: &str) -> bool {
        self.ids().iter().any(|i| i == id)
    }

    /// Asserts that stderr holds `text`.
    pub(crate) fn says(&self, text: &str) {
        assert!(
            self.stderr.contains(text),
            "{text:?} not in {}",
            self.stderr
        );
    }

    /// Asserts that the run exited `code` (showing the whole outcome otherwise).
    pub(crate) fn exits(self, engine: &TestEngine, code: i32) -> Self {
        assert_eq!(self.code, code, "{}: {self:?}", engine.name());
        self
    }
}

/// A unique `nss-test-` name for a container or image.
pub(crate) fn unique(what: &str) -> String {
    nss_testkit::unique(&format!("preflight-{what}"))
}

/// The base image every engine holds, or `None` (skip).
pub(crate) fn base_image() -> Option<String> {
    nss_testkit::value(nss_testkit::NSS_TEST_BASE_IMAGE)
}

/// `ENGINE run --rm` with the binary mounted read-only as the entrypoint, then `run_args`
/// (engine options), the image, and `argv` (nss-preflight's arguments: `-- PROGRAM ...`).
pub(crate) fn run(engine: &TestEngine, image: &str, run_args: &[&str], argv: &[&str]) -> Outcome {
    let mut cmd = engine.command();
    cmd.args(["run", "--rm", "--name", &unique("run")])
        .arg("-v")
        .arg(format!("{BIN}:{IN_CONTAINER}:ro"))
        .args(["--entrypoint", IN_CONTAINER])
        .args(run_args)
        .arg(image)
        .args(argv);
    output(engine, cmd)
}

pub(crate) fn output(engine: &TestEngine, mut cmd: Command) -> Outcome {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{}: cannot start: {e}", engine.name()));
    let outcome = Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !(outcome.code == 125
            || outcome.stderr.starts_with("Error")
            || outcome.stderr.contains("docker: Error")),
        "{}: the engine itself failed: {cmd:?}\n{outcome:?}",
        engine.name()
    );
    outcome
}

/// A host directory for a bind mount, readable by everyone, holding one data file.
pub(crate) fn data_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("nss-test-preflight-")
        .tempdir()
        .expect("temp dir");
    std::fs::write(dir.path().join("data.csv"), "a,b\n1,2\n").expect("write data");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

pub(crate) fn mount(dir: &Path, target: &str) -> String {
    format!("{}:{target}", dir.display())
}
