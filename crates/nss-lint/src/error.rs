//! The crate's error type.

use std::path::PathBuf;

/// Why linting or scanning could not run (as opposed to findings, which are results).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Dockerfile is not valid Dockerfile syntax.
    #[error("{}:{line}: cannot parse Dockerfile: {message}", file.display())]
    Parse {
        /// The file (`Dockerfile` when linting text with [`crate::lint`]).
        file: PathBuf,
        /// 1-based line of the error (0 when the whole file is at fault).
        line: usize,
        /// What the parser expected.
        message: String,
    },
    /// A file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A `.dockerignore` line is not a valid pattern.
    #[error("{}:{line}: invalid pattern `{pattern}`: {message}", file.display())]
    IgnorePattern {
        /// The ignore file.
        file: PathBuf,
        /// 1-based line of the pattern.
        line: usize,
        /// The pattern as written.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
}
