//! OCI image labels for the images nss builds, generated from the sources of
//! truth (`pyproject.toml`, git, the build spec, the run options) instead of
//! written by hand: validated, reproducible, and rendered for every place they go.
//!
//! - **Sources**: title, description, licenses, authors, vendor, URLs from
//!   `[project]` ([`Metadata`]), overridable in `[tool.nss.labels]` (every image) and
//!   `[tool.nss.labels.runtime|dev|test]` (one image); revision, created, tag and
//!   remote from git ([`GitFacts`], injectable); `created` from `SOURCE_DATE_EPOCH`
//!   ([`env::SOURCE_DATE_EPOCH`]) else the HEAD commit time, never the clock;
//!   `base.name` from the build spec; `usage` from the caller (the CLI's run plan).
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
//! use nss_buildspec::{Inputs, Project, resolve};
//! use nss_labels::{GitFacts, ImageKind, LabelInputs, Metadata, generate, keys};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(
//!     dir.path().join("pyproject.toml"),
//!     r#"
//! [project]
//! name = "demo"
//! version = "1.0.0"
//! description = "A demo app"
//! license = "Apache-2.0"
//! authors = [{ name = "Example Inc.", email = "dev@example.com" }]
//! requires-python = ">=3.11"
//! urls = { Repository = "https://github.com/example/demo" }
//!
//! [tool.uv]
//! required-version = ">=0.9.14"
//! "#,
//! )?;
//! let project = Project::load(dir.path())?;
//! let spec = resolve(&project, &Inputs::default())?;
//! let metadata = Metadata::from_project(&project)?;
//! // GitFacts::read(dir) runs git; here the facts are given (dir is no checkout).
//! let git = GitFacts {
//!     commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
//!     ..GitFacts::default()
//! };
//! let env = BTreeMap::from([("SOURCE_DATE_EPOCH".to_string(), "1700000000".to_string())]);
//! let labels = generate(&LabelInputs {
//!     kind: ImageKind::Runtime,
//!     spec: &spec,
//!     metadata: &metadata,
//!     git: &git,
//!     env: &env,
//!     // The CLI passes the `docker run` line of its run plan.
//!     usage: r#"docker run --rm --gpus all -v "$PWD":/workspace demo-gpu:latest"#,
//! })?;
//!
//! assert_eq!(labels.get(keys::TITLE), Some("demo"));
//! assert_eq!(labels.get(keys::CREATED), Some("2023-11-14T22:13:20Z"));
//! assert_eq!(labels.get(keys::SOURCE), Some("https://github.com/example/demo"));
//! assert!(labels.get(keys::BASE_NAME).unwrap().starts_with("docker.io/nvidia/cuda:"));
//! let args = labels.to_args(); // ["--label", "org.opencontainers.image.authors=...", ...]
//! assert_eq!(args[0], "--label");
//! assert!(args.contains(&"org.opencontainers.image.licenses=Apache-2.0".to_string()));
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
    LabelDrift, LabelPair, has_marker, label_block_drift, marker, parse_label_instruction,
    sync_label_block,
};
pub use crate::error::Error;
pub use crate::generate::{LabelInputs, base_image, generate};
pub use crate::git::{GIT_TIMEOUT, GitFacts, GitTag, normalise_remote};
pub use crate::kind::ImageKind;
pub use crate::labels::{Label, Labels};
pub use crate::metadata::{
    DOCUMENTATION_URL_KEYS, HOMEPAGE_URL_KEYS, License, Metadata, Overrides, Person,
    ProjectVersion, SOURCE_URL_KEYS,
};
pub use crate::origin::Origin;
pub use crate::validate::validate_label;
