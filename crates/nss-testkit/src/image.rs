//! Reading what an engine holds, and running its commands with their output shown on failure.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use crate::TestEngine;

/// `linux/amd64` or `linux/arm64`: the platform of this host, which `nss` builds by default.
pub fn host_platform() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "linux/arm64",
        _ => "linux/amd64",
    }
}

/// Asserts that `out` is a success, showing its status, stdout and stderr otherwise.
pub fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `cmd`, asserts it succeeded ([`assert_ok`]) and returns its stdout.
pub fn ok(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start {cmd:?}: {e}"));
    assert_ok(&out, what);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `image inspect --format TEMPLATE TAG`, asserted to succeed: its stdout.
fn inspect(engine: &TestEngine, tag: &str, template: &str) -> String {
    ok(
        engine
            .command()
            .args(["image", "inspect", "--format", template, tag]),
        &format!("{} image inspect {tag}", engine.name()),
    )
}

/// The labels of image `tag` (`.Config.Labels`; none: empty).
pub fn inspect_labels(engine: &TestEngine, tag: &str) -> BTreeMap<String, String> {
    let json = inspect(engine, tag, "{{json .Config.Labels}}");
    serde_json::from_str::<Option<BTreeMap<String, String>>>(&json)
        .unwrap_or_else(|e| panic!("{}: labels of {tag}: {e}: {json}", engine.name()))
        .unwrap_or_default()
}

/// The layer digests of image `tag` (`.RootFS.Layers`).
pub fn layers_of(engine: &TestEngine, tag: &str) -> Vec<String> {
    let json = inspect(engine, tag, "{{json .RootFS.Layers}}");
    serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("{}: layers of {tag}: {e}: {json}", engine.name()))
}

/// The size of image `tag` in bytes, as the engine counts it (`.Size`).
pub fn image_size(engine: &TestEngine, tag: &str) -> u64 {
    let text = inspect(engine, tag, "{{.Size}}");
    text.trim()
        .parse()
        .unwrap_or_else(|e| panic!("{}: size of {tag}: {e}: {text}", engine.name()))
}
