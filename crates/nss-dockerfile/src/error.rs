//! The crate's error type.

use std::fmt;
use std::path::{Path, PathBuf};

/// A Dockerfile that BuildKit would also refuse: where, and what is wrong.
///
/// `Display` prints `FILE:LINE: what is wrong` (`Dockerfile` when no file was
/// named; line 0 when the whole file is at fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The file, when the text was read with a name ([`crate::Dockerfile::parse_named`]).
    pub file: Option<PathBuf>,
    /// 1-based line of the problem; 0 for the whole file.
    pub line: usize,
    /// What is wrong, lowercase, one line.
    pub message: String,
}

impl Error {
    pub(crate) fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            file: None,
            line,
            message: message.into(),
        }
    }

    /// The same error naming `file`.
    #[must_use]
    pub fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_owned());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self
            .file
            .as_deref()
            .map_or_else(|| "Dockerfile".into(), Path::to_string_lossy);
        write!(f, "{file}:{}: {}", self.line, self.message)
    }
}

impl std::error::Error for Error {}
