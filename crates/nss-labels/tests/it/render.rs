//! Snapshots of every rendering, on the reference project with fixed git facts.

use nss_labels::ImageKind;

use crate::util::reference_labels;

#[test]
fn args() {
    let labels = reference_labels(ImageKind::Runtime);
    insta::assert_snapshot!(labels.to_args().join("\n"));
}

#[test]
fn dockerfile_per_image() {
    for kind in ImageKind::ALL {
        let labels = reference_labels(kind);
        insta::assert_snapshot!(format!("dockerfile_{kind}"), labels.to_dockerfile());
    }
}

#[test]
fn dockerfile_static_block() {
    let labels = reference_labels(ImageKind::Runtime).static_labels();
    insta::assert_snapshot!(labels.to_dockerfile());
}

#[test]
fn json() {
    let labels = reference_labels(ImageKind::Runtime);
    insta::assert_snapshot!(serde_json::to_string_pretty(&labels.to_json()).unwrap());
}

#[test]
fn text() {
    let labels = reference_labels(ImageKind::Dev);
    insta::assert_snapshot!(labels.to_text());
}

#[test]
fn index_annotations() {
    let labels = reference_labels(ImageKind::Runtime);
    insta::assert_snapshot!("buildx", labels.buildx_index_annotation_args().join("\n"));
    insta::assert_snapshot!(
        "podman",
        labels.podman_manifest_annotation_args().join("\n")
    );
}
