//! Drift and sync on a Dockerfile shaped like the GPU image's.

use nss_buildspec::{ImageFlavor, Inputs, arg_defaults, drift, sync_args};

use crate::util::{reference_copy, spec_of};

const DOCKERFILE: &str = r#"# Pins: nss sync keeps these in step with pyproject.toml.
ARG CUDA_VERSION=12.6.3
ARG UBUNTU_VERSION=22.04
ARG CUDA_IMAGE_TYPE=runtime

FROM docker.io/nvidia/cuda:${CUDA_VERSION}-${CUDA_IMAGE_TYPE}-ubuntu${UBUNTU_VERSION} AS deps
ARG PYTHON_VERSION="3.11.13"   # keep: quoted
ARG UV_VERSION=0.9.14 \
    CUDA_ARCH_FLAGS='80;86'
ARG EXTRAS="cu128 engine"
ARG APP
RUN echo ARG CUDA_VERSION=ignored

FROM docker.io/nvidia/cuda:${CUDA_VERSION}-runtime-ubuntu${UBUNTU_VERSION}
ARG CUDA_VERSION
"#;

#[test]
fn drift_then_sync_on_the_reference_spec() {
    let dir = reference_copy();
    let spec = spec_of(dir.path(), &Inputs::default()).expect("resolves");
    let expected = spec.build_args(ImageFlavor::Gpu);
    let found = drift(DOCKERFILE, &expected);
    let names: Vec<(&str, usize)> = found.iter().map(|d| (d.name.as_str(), d.line)).collect();
    assert_eq!(
        names,
        [
            ("CUDA_VERSION", 2),
            ("PYTHON_VERSION", 7),
            ("CUDA_ARCH_FLAGS", 9)
        ]
    );
    assert_eq!(found[0].dockerfile.as_deref(), Some("12.6.3"));
    assert_eq!(found[0].spec, spec.cuda_version.value);

    let synced = sync_args(DOCKERFILE, &expected);
    assert!(drift(&synced, &expected).is_empty(), "{synced}");
    let want = DOCKERFILE
        .replace(
            "ARG CUDA_VERSION=12.6.3",
            &format!("ARG CUDA_VERSION={}", spec.cuda_version.value),
        )
        .replace("\"3.11.13\"", &format!("\"{}\"", spec.python_version.value))
        .replace("'80;86'", "'80;86;90;90a'");
    assert_eq!(synced, want, "only the drifted default values change");
    // Every declaration is still there, in order.
    assert_eq!(arg_defaults(&synced).len(), arg_defaults(DOCKERFILE).len());
}
