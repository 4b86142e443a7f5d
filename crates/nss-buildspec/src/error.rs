//! The one error type of this crate.

use std::path::PathBuf;

/// Everything that can go wrong reading a project or resolving its pins.
///
/// Each message is one lowercase line naming the file, field or variable at
/// fault and, where one exists, the fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The project directory has no `pyproject.toml`.
    #[error("{}: no pyproject.toml here; run in a uv project directory or pass --project DIR", dir.display())]
    NoPyProject {
        /// The directory searched.
        dir: PathBuf,
    },
    /// A TOML file is not valid TOML.
    #[error("{}:{line}:{column}: invalid toml: {message}; fix the syntax at that position", path.display())]
    Toml {
        /// The file.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column (in characters) of the error.
        column: usize,
        /// The parser's message, on one line.
        message: String,
    },
    /// A field of a project file is missing, of the wrong type or has a value
    /// nss cannot use.
    #[error("{}: {field} {problem}; {fix}", path.display())]
    Field {
        /// The file.
        path: PathBuf,
        /// The field, e.g. `[tool.uv] required-version`.
        field: String,
        /// What is wrong, e.g. `">0.5" has no inclusive lower bound`.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// A value given by a `NAME=value` argument, an `NSS_*` variable or a
    /// `[tool.nss]` key is not usable.
    #[error("{name}={value:?} from {origin}: {problem}; {fix}")]
    Value {
        /// The build-arg name, e.g. `CUDA_VERSION`.
        name: String,
        /// The value as given.
        value: String,
        /// Where the value came from (a [`crate::Source`], displayed).
        origin: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// Resolved values contradict each other or name an image nvidia/cuda does
    /// not publish.
    #[error("{problem}; {fix}")]
    Conflict {
        /// What contradicts what, naming both sources.
        problem: String,
        /// How to fix it.
        fix: String,
    },
}

/// This crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
