//! Provenance: where a resolved value came from.

use std::fmt;
use std::path::PathBuf;

/// Where a resolved value came from, highest precedence first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Source {
    /// A `NAME=value` argument or a command-line flag.
    Cli {
        /// The argument name, e.g. `CUDA_VERSION`.
        name: String,
    },
    /// An environment variable such as `NSS_CUDA_VERSION`.
    Env {
        /// The variable name.
        var: String,
    },
    /// A key of the `[tool.nss]` table.
    ToolNss {
        /// The `pyproject.toml` the key was read from.
        path: PathBuf,
        /// The key, e.g. `cuda-version`.
        key: String,
    },
    /// Derived from a field of `pyproject.toml` other than `[tool.nss]`.
    PyProject {
        /// The `pyproject.toml` the field was read from.
        path: PathBuf,
        /// The dotted field, e.g. `tool.uv.required-version`.
        key: String,
        /// How the value follows from the field, e.g. `inclusive lower bound of ">=0.9.14, <0.11.0"`.
        detail: String,
    },
    /// A `.python-version` file.
    PythonVersionFile {
        /// The file.
        path: PathBuf,
    },
    /// Derived by a rule from other values (e.g. the target platform).
    Derived {
        /// The rule, in words.
        rule: String,
    },
    /// The built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Cli { name } => write!(f, "command line ({name}=...)"),
            Source::Env { var } => write!(f, "environment ({var})"),
            Source::ToolNss { path, key } => {
                write!(f, "{} [tool.nss] {key}", path.display())
            }
            Source::PyProject { path, key, detail } => {
                write!(f, "{} {key}: {detail}", path.display())
            }
            Source::PythonVersionFile { path } => write!(f, "{}", path.display()),
            Source::Derived { rule } => write!(f, "derived: {rule}"),
            Source::Default => f.write_str("built-in default"),
        }
    }
}

/// A value together with the [`Source`] it was taken from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Resolved<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

impl<T> Resolved<T> {
    /// Pairs a value with its source.
    pub fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }
}
