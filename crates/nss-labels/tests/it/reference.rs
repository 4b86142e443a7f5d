//! Acceptance on the reference project (NeMo Safe Synthesizer's pyproject.toml)
//! in a real temporary git checkout, with git read by `GitFacts::read`.

use std::collections::BTreeMap;

use nss_buildspec::{Inputs, Project, resolve};
use nss_labels::{GitFacts, ImageKind, LabelInputs, Labels, Metadata, generate, keys};

use crate::util::{git_in, reference_checkout};

fn labels_in(dir: &std::path::Path, kind: ImageKind, env: &BTreeMap<String, String>) -> Labels {
    let project = Project::load(dir).expect("project loads");
    let spec = resolve(&project, &Inputs::default()).expect("spec resolves");
    let metadata = Metadata::from_project(&project).expect("metadata");
    let git = GitFacts::read(dir);
    generate(&LabelInputs {
        kind,
        spec: &spec,
        metadata: &metadata,
        git: &git,
        env,
        usage: crate::util::USAGE,
    })
    .expect("labels")
}

#[test]
fn runtime_labels_have_every_acceptance_key() {
    let dir = reference_checkout();
    let labels = labels_in(dir.path(), ImageKind::Runtime, &BTreeMap::new());
    let head = git_in(dir.path(), &["rev-parse", "HEAD"]);
    assert_eq!(labels.get(keys::TITLE), Some("nemo-safe-synthesizer"));
    assert_eq!(labels.get(keys::DESCRIPTION), Some("Safe synthesizer"));
    assert_eq!(labels.get(keys::VENDOR), Some("NVIDIA"));
    assert_eq!(labels.get(keys::AUTHORS), Some("NVIDIA <nemo@nvidia.com>"));
    assert_eq!(labels.get(keys::LICENSES), Some("Apache-2.0"));
    assert_eq!(labels.get(keys::REVISION), Some(head.as_str()));
    assert_eq!(labels.get(keys::CREATED), Some("2025-01-02T03:04:05Z"));
    assert_eq!(
        labels.get(keys::BASE_NAME),
        Some("docker.io/nvidia/cuda:12.8.1-runtime-ubuntu22.04")
    );
    // the caller's usage text, verbatim (nss renders it from its run plan)
    assert_eq!(labels.get(keys::USAGE), Some(crate::util::USAGE));
    // the remote carried a token: the label has the public https URL only
    assert_eq!(
        labels.get(keys::SOURCE),
        Some("https://github.com/NVIDIA-NeMo/Safe-Synthesizer")
    );
    // dynamic version, no tag: uv-dynamic-versioning's fallback-version, with a note
    assert_eq!(labels.get(keys::VERSION), Some("0.0.0"));
    assert!(
        labels
            .notes()
            .iter()
            .any(|n| n.contains("fallback-version")),
        "{:?}",
        labels.notes()
    );
}

#[test]
fn two_runs_are_byte_identical() {
    let dir = reference_checkout();
    for kind in ImageKind::ALL {
        let a = labels_in(dir.path(), kind, &BTreeMap::new());
        let b = labels_in(dir.path(), kind, &BTreeMap::new());
        assert_eq!(a.to_json().to_string(), b.to_json().to_string(), "{kind}");
        assert_eq!(a.to_dockerfile(), b.to_dockerfile(), "{kind}");
        assert_eq!(a.to_args(), b.to_args(), "{kind}");
    }
}

#[test]
fn source_date_epoch_is_honoured() {
    let dir = reference_checkout();
    let env = BTreeMap::from([("SOURCE_DATE_EPOCH".to_string(), "1700000000".to_string())]);
    let labels = labels_in(dir.path(), ImageKind::Runtime, &env);
    assert_eq!(labels.get(keys::CREATED), Some("2023-11-14T22:13:20Z"));
    let origin = &labels
        .iter()
        .find(|l| l.key == keys::CREATED)
        .unwrap()
        .origin;
    assert_eq!(origin.to_string(), "environment (SOURCE_DATE_EPOCH)");
}

#[test]
fn dev_and_test_labels_differ_from_runtime() {
    let dir = reference_checkout();
    let runtime = labels_in(dir.path(), ImageKind::Runtime, &BTreeMap::new());
    let dev = labels_in(dir.path(), ImageKind::Dev, &BTreeMap::new());
    let test = labels_in(dir.path(), ImageKind::Test, &BTreeMap::new());
    // (each image's usage text is the caller's: nss-cli's usage_text tests hold it per image)
    for key in [keys::TITLE, keys::DESCRIPTION] {
        assert_ne!(runtime.get(key), dev.get(key), "{key}");
        assert_ne!(runtime.get(key), test.get(key), "{key}");
        assert_ne!(dev.get(key), test.get(key), "{key}");
    }
    assert_eq!(dev.get(keys::TITLE), Some("nemo-safe-synthesizer (dev)"));
    assert_eq!(
        test.get(keys::BASE_NAME),
        Some("docker.io/library/python:3.11.14-slim")
    );
    assert_eq!(dev.get(keys::REVISION), runtime.get(keys::REVISION));
}

#[test]
fn version_follows_git_tags() {
    let dir = reference_checkout();
    git_in(dir.path(), &["tag", "v1.2.0"]);
    let tagged = labels_in(dir.path(), ImageKind::Runtime, &BTreeMap::new());
    assert_eq!(tagged.get(keys::VERSION), Some("1.2.0"));

    std::fs::write(dir.path().join("README.md"), "x\n").unwrap();
    git_in(dir.path(), &["add", "README.md"]);
    git_in(dir.path(), &["commit", "-q", "-m", "next"]);
    let head = git_in(dir.path(), &["rev-parse", "HEAD"]);
    let after = labels_in(dir.path(), ImageKind::Runtime, &BTreeMap::new());
    assert_eq!(
        after.get(keys::VERSION),
        Some(format!("1.2.0.post1.dev0+{}", &head[..7]).as_str())
    );
}

#[test]
fn dirty_tree_is_noted() {
    let dir = reference_checkout();
    std::fs::write(
        dir.path().join("pyproject.toml"),
        crate::util::reference_pyproject() + "\n",
    )
    .unwrap();
    let facts = GitFacts::read(dir.path());
    assert!(facts.dirty);
    let labels = labels_in(dir.path(), ImageKind::Runtime, &BTreeMap::new());
    assert!(
        labels.notes().iter().any(|n| n.contains("uncommitted")),
        "{:?}",
        labels.notes()
    );
}

#[test]
fn outside_a_checkout_revision_and_created_are_omitted() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["pyproject.toml", ".python-version"] {
        std::fs::copy(crate::util::fixtures().join(f), dir.path().join(f)).unwrap();
    }
    let inside = std::process::Command::new("git")
        .arg("-C")
        .arg(dir.path())
        .args(["rev-parse", "--is-inside-work-tree"])
        .output()
        .is_ok_and(|o| o.status.success());
    if inside {
        eprintln!("skipped: the temporary directory is inside a git checkout (TMPDIR)");
        return;
    }
    assert_eq!(GitFacts::read(dir.path()), GitFacts::default());
    let labels = labels_in(dir.path(), ImageKind::Runtime, &BTreeMap::new());
    assert_eq!(labels.get(keys::REVISION), None);
    assert_eq!(labels.get(keys::CREATED), None);
    assert_eq!(labels.get(keys::SOURCE), None);
    let notes = labels.notes().join("\n");
    assert!(notes.contains("revision label omitted"), "{notes}");
    assert!(notes.contains("created label omitted"), "{notes}");
}
