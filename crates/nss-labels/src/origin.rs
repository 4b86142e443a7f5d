//! Provenance of a label value.

use std::fmt;
use std::path::PathBuf;

/// Where a label value came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Origin {
    /// A field of `pyproject.toml` outside `[tool.nss.labels]`.
    PyProject {
        /// The file.
        path: PathBuf,
        /// The field, e.g. `[project] license`.
        field: String,
    },
    /// A key of `[tool.nss.labels]` or `[tool.nss.labels.<kind>]`.
    Override {
        /// The file.
        path: PathBuf,
        /// The table and key, e.g. `[tool.nss.labels.dev] title`.
        key: String,
    },
    /// Read from the git checkout.
    Git {
        /// What was read, e.g. `HEAD commit`.
        what: String,
    },
    /// An environment variable.
    Env {
        /// The variable, e.g. `SOURCE_DATE_EPOCH`.
        var: String,
    },
    /// The build spec (e.g. the CUDA and Ubuntu pins).
    Spec {
        /// How the value follows from the spec.
        detail: String,
    },
    /// Supplied by the caller (the run options of `nss run`).
    Caller,
    /// Built in.
    Default {
        /// The rule, in words.
        rule: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::PyProject { path, field } => write!(f, "{} {field}", path.display()),
            Origin::Override { path, key } => write!(f, "{} {key}", path.display()),
            Origin::Git { what } => write!(f, "git: {what}"),
            Origin::Env { var } => write!(f, "environment ({var})"),
            Origin::Spec { detail } => write!(f, "build spec: {detail}"),
            Origin::Caller => f.write_str("run options"),
            Origin::Default { rule } => write!(f, "built-in default: {rule}"),
        }
    }
}
