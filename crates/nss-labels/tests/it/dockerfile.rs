//! The static LABEL block of a Dockerfile: drift and sync.

use nss_labels::{Error, ImageKind, LabelDrift, keys, label_block_drift, sync_label_block};

use crate::util::reference_labels;

/// The LABEL block as the seed's Dockerfile.cuda wrote it by hand (abridged).
const SEED: &str = r#"FROM nvidia/cuda:12.8.1-runtime-ubuntu22.04 AS runtime
ARG APP=safe-synthesizer
# nss-labels: runtime
LABEL org.opencontainers.image.title="NeMo Safe Synthesizer" \
      org.opencontainers.image.description="Safe synthesizer" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="nvidia/cuda:12.8.1-runtime-ubuntu22.04" \
      org.opencontainers.image.version="0.1.0"
USER appuser

FROM runtime AS dev
# nss-labels: dev
RUN apt-get update
"#;

fn runtime() -> nss_labels::Labels {
    reference_labels(ImageKind::Runtime)
}

#[test]
fn drift_in_the_seed_block() {
    let drift = label_block_drift(SEED, ImageKind::Runtime, &runtime());
    let text: Vec<String> = drift
        .iter()
        .map(|d| format!("{}: {d}", d.line().unwrap_or(0)))
        .collect();
    insta::assert_snapshot!(text.join("\n"));
    // version is dynamic: it does not belong in the static block
    assert!(drift.iter().any(
        |d| matches!(d, LabelDrift::Differs { key, expected: None, .. } if key == keys::VERSION)
    ));
    // base.name differs on line 7
    assert!(
        drift.iter().any(
            |d| matches!(d, LabelDrift::Differs { key, line: 7, .. } if key == keys::BASE_NAME)
        )
    );
}

#[test]
fn missing_marker_and_missing_label_are_findings() {
    let drift = label_block_drift(SEED, ImageKind::Test, &reference_labels(ImageKind::Test));
    assert_eq!(
        drift,
        [LabelDrift::MissingBlock {
            kind: ImageKind::Test
        }]
    );
    let drift = label_block_drift(SEED, ImageKind::Dev, &reference_labels(ImageKind::Dev));
    assert_eq!(
        drift,
        [LabelDrift::NoLabelAfterMarker {
            kind: ImageKind::Dev,
            line: 12
        }]
    );
    assert!(matches!(
        sync_label_block(SEED, ImageKind::Test, &reference_labels(ImageKind::Test)),
        Err(Error::MissingMarker {
            kind: ImageKind::Test
        })
    ));
}

#[test]
fn sync_rewrites_only_the_block() {
    let labels = runtime();
    let synced = sync_label_block(SEED, ImageKind::Runtime, &labels).unwrap();
    assert!(label_block_drift(&synced, ImageKind::Runtime, &labels).is_empty());
    // before the LABEL line and after the block: byte for byte
    let head = "FROM nvidia/cuda:12.8.1-runtime-ubuntu22.04 AS runtime\nARG APP=safe-synthesizer\n# nss-labels: runtime\n";
    let tail = "USER appuser\n\nFROM runtime AS dev\n# nss-labels: dev\nRUN apt-get update\n";
    assert!(synced.starts_with(head), "{synced}");
    assert!(synced.ends_with(tail), "{synced}");
    let block = labels.static_labels().to_dockerfile();
    let (_marker, instruction) = block.split_once('\n').unwrap();
    assert_eq!(synced, format!("{head}{instruction}{tail}"));
    // idempotent
    assert_eq!(
        sync_label_block(&synced, ImageKind::Runtime, &labels).unwrap(),
        synced
    );
    // and the other stage's marker gets a block inserted, the runtime block stays
    let dev = reference_labels(ImageKind::Dev);
    let both = sync_label_block(&synced, ImageKind::Dev, &dev).unwrap();
    assert!(label_block_drift(&both, ImageKind::Dev, &dev).is_empty());
    assert!(label_block_drift(&both, ImageKind::Runtime, &labels).is_empty());
    insta::assert_snapshot!(both);
}

#[test]
fn sync_keeps_crlf_and_a_missing_final_newline() {
    let labels = runtime();
    let crlf = SEED.replace('\n', "\r\n");
    let synced = sync_label_block(&crlf, ImageKind::Runtime, &labels).unwrap();
    assert!(
        !synced.replace("\r\n", "").contains('\n'),
        "a bare LF was written"
    );
    assert!(label_block_drift(&synced, ImageKind::Runtime, &labels).is_empty());

    let text = "FROM x\n# nss-labels: runtime\nLABEL a=b";
    let synced = sync_label_block(text, ImageKind::Runtime, &labels).unwrap();
    assert!(!synced.ends_with('\n'));
    assert!(label_block_drift(&synced, ImageKind::Runtime, &labels).is_empty());

    let text = "FROM x\n# nss-labels: runtime";
    let synced = sync_label_block(text, ImageKind::Runtime, &labels).unwrap();
    assert!(
        synced.starts_with("FROM x\n# nss-labels: runtime\nLABEL "),
        "{synced}"
    );
    assert!(label_block_drift(&synced, ImageKind::Runtime, &labels).is_empty());
}

#[test]
fn backtick_escape_files_are_written_with_backticks() {
    let labels = runtime();
    let text = "# escape=`\nFROM x\n# nss-labels: runtime\nLABEL a=b\nRUN dir C:\\\n";
    let synced = sync_label_block(text, ImageKind::Runtime, &labels).unwrap();
    assert!(synced.contains(" `\n"), "{synced}");
    assert!(!synced.contains(" \\\n"), "{synced}");
    assert!(synced.ends_with("RUN dir C:\\\n"));
    assert!(label_block_drift(&synced, ImageKind::Runtime, &labels).is_empty());
}

#[test]
fn variable_references_are_drift() {
    let labels = runtime();
    let synced = sync_label_block(SEED, ImageKind::Runtime, &labels).unwrap();
    // an unescaped $PWD in the usage would be expanded by the builder
    let broken = synced.replace("\\\"\\$PWD\\\"", "\\\"$PWD\\\"");
    assert_ne!(broken, synced);
    let drift = label_block_drift(&broken, ImageKind::Runtime, &labels);
    assert!(
        matches!(&drift[..], [LabelDrift::Differs { key, .. }] if key == keys::USAGE),
        "{drift:?}"
    );
}

#[test]
fn a_second_marker_is_reported() {
    let labels = runtime();
    let text = format!("{SEED}# nss-labels: runtime\nLABEL a=b\n");
    let drift = label_block_drift(&text, ImageKind::Runtime, &labels);
    assert!(
        matches!(&drift[..], [LabelDrift::Unparsable { line: 14, .. }]),
        "{drift:?}"
    );
    assert!(sync_label_block(&text, ImageKind::Runtime, &labels).is_err());
}
