//! The error type of this crate.

use std::path::PathBuf;

use crate::Origin;

/// Everything that can go wrong generating, validating or rewriting labels.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A label failed validation.
    #[error("label {key} from {origin}: {problem}")]
    InvalidLabel {
        /// The label key.
        key: String,
        /// The offending value.
        value: String,
        /// Where the value came from.
        origin: Box<Origin>,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// A `pyproject.toml` field has the wrong shape.
    #[error("{}: {field}: {problem}", path.display())]
    PyProject {
        /// The file.
        path: PathBuf,
        /// The field, e.g. `[project] name`.
        field: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// `pyproject.toml` could not be read or parsed.
    #[error("{}: {problem}", path.display())]
    ReadPyProject {
        /// The file.
        path: PathBuf,
        /// The I/O or TOML error.
        problem: String,
    },
    /// `SOURCE_DATE_EPOCH` is set but not a timestamp.
    #[error(
        "environment variable SOURCE_DATE_EPOCH={value:?} is not a whole number of seconds since 1970-01-01 UTC ({problem}); unset it or set it to e.g. `git log -1 --format=%ct`"
    )]
    SourceDateEpoch {
        /// The value as set.
        value: String,
        /// Why it was rejected.
        problem: String,
    },
    /// A name that is not `runtime`, `dev` or `test`.
    #[error("unknown image kind {name:?}; expected runtime, dev or test")]
    UnknownKind {
        /// The name given.
        name: String,
    },
    /// `sync_label_block` found no `# nss-labels: <kind>` marker.
    #[error(
        "the Dockerfile has no `# nss-labels: {kind}` comment line; add it where the {kind} image's LABEL block belongs, then sync again"
    )]
    MissingMarker {
        /// The image kind.
        kind: crate::ImageKind,
    },
    /// A Dockerfile `LABEL` block could not be read or rewritten.
    #[error("Dockerfile line {line}: {problem}")]
    Dockerfile {
        /// 1-based line number.
        line: usize,
        /// What is wrong and how to fix it.
        problem: String,
    },
}
