//! Proof on real engines: an image built with the generated `--label` arguments
//! (and one built from the generated Dockerfile LABEL block) carries exactly the
//! generated labels.

use std::collections::BTreeMap;
use std::path::Path;

use nss_labels::{ImageKind, Labels};
use nss_testkit::{EngineKind, TestEngine};

use crate::util::{git, labels_with, reference_pyproject};

/// Labels engines add on their own.
const ENGINE_KEYS: [&str; 1] = ["io.buildah.version"];

/// Removes the image even when the test fails.
struct ImageGuard<'a> {
    engine: &'a TestEngine,
    tag: String,
}

impl Drop for ImageGuard<'_> {
    fn drop(&mut self) {
        let _ = self
            .engine
            .command()
            .args(["rmi", "-f", &self.tag])
            .output();
    }
}

/// The reference labels plus one value full of quoting hazards.
fn tricky_labels() -> Labels {
    let text = format!(
        "{}\n[tool.nss.labels]\n\"com.example.hazard\" = '''a \"dq\" 'sq' $HOME ${{X}} \\ back\\\\slash `tick` # not a comment = eq  two  spaces'''\n",
        reference_pyproject()
    );
    labels_with(&text, ImageKind::Runtime, &git(), &BTreeMap::new()).expect("labels")
}

fn unique_tag(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "localhost/nss-test-labels-{what}-{}-{nanos}",
        std::process::id()
    )
}

fn build(engine: &TestEngine, dir: &Path, dockerfile: &str, extra: &[String], tag: &str) {
    std::fs::write(dir.join("Dockerfile"), dockerfile).unwrap();
    std::fs::write(dir.join("hello.txt"), "hello\n").unwrap();
    let out = engine
        .command()
        .args(["build", "-q", "-f"])
        .arg(dir.join("Dockerfile"))
        .args(extra)
        .args(["-t", tag])
        .arg(dir)
        .output()
        .expect("engine runs");
    assert!(
        out.status.success(),
        "{} build failed: {}",
        engine.name(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn inspect_labels(engine: &TestEngine, tag: &str) -> BTreeMap<String, String> {
    let format = match engine.kind {
        EngineKind::Podman => "{{json .Labels}}",
        EngineKind::Docker => "{{json .Config.Labels}}",
    };
    let out = engine
        .command()
        .args(["image", "inspect", "--format", format, tag])
        .output()
        .expect("engine runs");
    assert!(
        out.status.success(),
        "inspect: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut map: BTreeMap<String, String> =
        serde_json::from_slice(&out.stdout).expect("labels JSON");
    map.retain(|k, _| !ENGINE_KEYS.contains(&k.as_str()));
    map
}

fn prove(engine: &TestEngine) {
    let labels = tricky_labels();
    let dir = tempfile::tempdir().unwrap();

    // 1. --label arguments
    let tag = unique_tag("args");
    let _guard = ImageGuard {
        engine,
        tag: tag.clone(),
    };
    build(
        engine,
        dir.path(),
        "FROM scratch\nCOPY hello.txt /hello.txt\n",
        &labels.to_args(),
        &tag,
    );
    assert_eq!(
        inspect_labels(engine, &tag),
        labels.to_map(),
        "{} --label",
        engine.name()
    );

    // 2. the Dockerfile LABEL block, no arguments
    let tag = unique_tag("block");
    let _guard2 = ImageGuard {
        engine,
        tag: tag.clone(),
    };
    let dockerfile = format!(
        "FROM scratch\n{}COPY hello.txt /hello.txt\n",
        labels.to_dockerfile()
    );
    build(engine, dir.path(), &dockerfile, &[], &tag);
    assert_eq!(
        inspect_labels(engine, &tag),
        labels.to_map(),
        "{} LABEL block",
        engine.name()
    );
}

#[test]
fn podman_image_carries_exactly_the_generated_labels() {
    let Some(engine) = nss_testkit::podman() else {
        return;
    };
    prove(&engine);
}

#[test]
fn docker_image_carries_exactly_the_generated_labels() {
    let Some(engine) = nss_testkit::docker() else {
        return;
    };
    prove(&engine);
}
