//! OCI image labels for the images nss builds, generated from the sources of
//! truth (`pyproject.toml`, git, the build spec, the run options) instead of
//! written by hand: validated, reproducible, and rendered for every place they go.
//!
//! - **Sources**: title, description, licenses, authors, vendor, URLs from
//!   `[project]` ([`Metadata`]), overridable in `[tool.nss.labels]` (every image) and
//!   `[tool.nss.labels.runtime|dev|test]` (one image); revision, created, tag and
//!   remote from git ([`GitFacts`], injectable); `created` from `SOURCE_DATE_EPOCH`
//!   ([`env::SOURCE_DATE_EPOCH`]) else the HEAD commit time, never the clock;
//!   `base.name` from the build spec; `usage` from the caller or [`default_usage`].
//! - **Per image**: runtime, dev and test images ([`ImageKind`]) each get their own
//!   title, description, base and usage.
//! - **Validation** ([`validate_label`]): every error names the label and where its
//!   value came from ([`Origin`]).
//! - **Rendering** ([`Labels`]): `--label k=v` argv, a Dockerfile `LABEL` block,
//!   JSON, and index annotations for buildx and podman.
//! - **Drift** ([`label_block_drift`], [`sync_label_block`]): the Dockerfile's static
//!   `LABEL` block after `# nss-labels: <kind>` checked against, and rewritten from,
//!   the generated static labels.
//!
//! Keys are constants in [`keys`] (the OCI predefined ones come from `oci-spec`).
//!
//! ```
//! use std::collections::BTreeMap;
//! use nss_labels::{GitFacts, ImageKind, LabelInputs, Metadata, generate, keys};
//! # use nss_buildspec::{BuildSpec, CudaImageType, Resolved, Source};
//! # let r = |v: &str| Resolved::new(v.to_string(), Source::Default);
//! # let spec = BuildSpec {
//! #     cuda_version: r("12.8.1"), ubuntu_version: r("22.04"),
//! #     cuda_image_type: Resolved::new(CudaImageType::Runtime, Source::Default),
//! #     python_version: r("3.11.13"), uv_version: r("0.9.14"), cuda_arch_flags: r("80;86;90;90a"),
//! #     gpu_extras: Resolved::new(vec!["cu128".into()], Source::Default),
//! #     cpu_extras: Resolved::new(vec!["cpu".into()], Source::Default),
//! #     app: r("demo"),
//! # };
//!
//! let metadata = Metadata::from_toml(
//!     r#"
//! [project]
//! name = "demo"
//! version = "1.0.0"
//! description = "A demo app"
//! license = "Apache-2.0"
//! authors = [{ name = "Example Inc.", email = "dev@example.com" }]
//! "#,
//!     "pyproject.toml",
//! )?;
//! let git = GitFacts {
//!     commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
//!     ..GitFacts::default()
//! };
//! let env = BTreeMap::from([("SOURCE_DATE_EPOCH".to_string(), "1700000000".to_string())]);
//! let labels = generate(&LabelInputs {
//!     kind: ImageKind::Runtime,
//!     spec: &spec, // from nss_buildspec
//!     metadata: &metadata,
//!     git: &git,
//!     env: &env,
//!     image: "demo-gpu:latest",
//!     usage: None,
//! })?;
//!
//! assert_eq!(labels.get(keys::CREATED), Some("2023-11-14T22:13:20Z"));
//! assert_eq!(labels.get(keys::BASE_NAME), Some("docker.io/nvidia/cuda:12.8.1-runtime-ubuntu22.04"));
//! let args = labels.to_args();
//! assert_eq!(args[0], "--label");
//! assert!(args.contains(&"org.opencontainers.image.title=demo".to_string()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod dockerfile;
pub mod env;
mod error;
mod generate;
mod git;
pub mod keys;
mod kind;
mod labels;
mod metadata;
mod origin;
mod validate;

pub use crate::dockerfile::{
    LabelDrift, LabelPair, label_block_drift, marker, parse_label_instruction, sync_label_block,
};
pub use crate::error::Error;
pub use crate::generate::{LabelInputs, base_image, default_usage, generate};
pub use crate::git::{GitFacts, GitTag, normalise_remote};
pub use crate::kind::ImageKind;
pub use crate::labels::{Label, Labels};
pub use crate::metadata::{
    DOCUMENTATION_URL_KEYS, HOMEPAGE_URL_KEYS, License, Metadata, Overrides, Person,
    ProjectVersion, SOURCE_URL_KEYS,
};
pub use crate::origin::Origin;
pub use crate::validate::validate_label;
