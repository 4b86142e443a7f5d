//! Proof on real engines: an image built with the generated `--label` arguments
//! (and one built from the generated Dockerfile LABEL block) carries exactly the
//! generated labels.

use std::collections::BTreeMap;
use std::path::Path;

use nss_labels::{ImageKind, Labels};
use nss_testkit::{Cleanup, TestEngine};

use crate::util::{git, labels_with, reference_pyproject};

/// Labels engines add on their own.
const ENGINE_KEYS: [&str; 1] = ["io.buildah.version"];

/// The reference labels plus one value full of quoting hazards.
fn tricky_labels() -> Labels {
    let text = format!(
        "{}\n[tool.nss.labels]\n\"com.example.hazard\" = '''a \"dq\" 'sq' $HOME ${{X}} \\ back\\\\slash `tick` # not a comment = eq  two  spaces, a comma'''\n",
        reference_pyproject()
    );
    labels_with(&text, ImageKind::Runtime, &git(), &BTreeMap::new()).expect("labels")
}

fn unique_tag(what: &str) -> String {
    format!(
        "localhost/{}",
        nss_testkit::unique(&format!("labels-{what}"))
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

/// The image's labels, less those the engine adds on its own.
fn inspect_labels(engine: &TestEngine, tag: &str) -> BTreeMap<String, String> {
    let mut map = nss_testkit::inspect_labels(engine, tag);
    map.retain(|k, _| !ENGINE_KEYS.contains(&k.as_str()));
    map
}

fn prove(engine: &TestEngine) {
    let labels = tricky_labels();
    let dir = tempfile::tempdir().unwrap();

    // 1. --label arguments
    let tag = unique_tag("args");
    let _guard = Cleanup::new(engine).image(&tag);
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
    let _guard2 = Cleanup::new(engine).image(&tag);
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

nss_testkit::engine_test!(
    /// An image built with the generated labels carries exactly them.
    image_carries_exactly_the_generated_labels,
    prove
);

/// podman 4.3 annotates manifest list entries (`manifest add --annotation`): each
/// entry of the list carries exactly the index annotations.
#[test]
fn podman_manifest_entries_carry_the_index_annotations() {
    let Some(engine) = nss_testkit::podman() else {
        return;
    };
    let _one = nss_testkit::exclusive();
    let labels = tricky_labels();
    let dir = tempfile::tempdir().unwrap();
    let tag = unique_tag("entry");
    let mut cleanup = Cleanup::new(&engine).image(&tag);
    build(
        &engine,
        dir.path(),
        "FROM scratch\nCOPY hello.txt /hello.txt\n",
        &[],
        &tag,
    );

    let list = unique_tag("list");
    cleanup.add_manifest(list.clone());
    let run = |args: &[String]| {
        let out = engine.command().args(args).output().expect("podman runs");
        assert!(
            out.status.success(),
            "podman {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    run(&["manifest".into(), "create".into(), list.clone()]);
    let mut add = vec!["manifest".to_string(), "add".into()];
    add.extend(labels.podman_manifest_annotation_args());
    add.extend([list.clone(), format!("containers-storage:{tag}")]);
    run(&add);

    let raw = run(&["manifest".into(), "inspect".into(), list.clone()]);
    let index: serde_json::Value = serde_json::from_slice(&raw).expect("index JSON");
    let entry = &index["manifests"][0]["annotations"];
    let got: BTreeMap<String, String> = serde_json::from_value(entry.clone()).expect("annotations");
    let want: BTreeMap<String, String> = labels
        .index_annotations()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(got, want);
    assert!(!got.contains_key(nss_labels::keys::BASE_NAME));
}
