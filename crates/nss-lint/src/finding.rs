//! A finding and how it prints.

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::rules::Rule;

/// One convention break: which rule, where (1-based line of the instruction or
/// comment), and what to do about it.
///
/// `Display` prints `LINE: RULE-ID message`; [`Finding::display_with`] adds the
/// file name in front, the form `nss lint` prints (`FILE:LINE: RULE-ID message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule that was broken.
    pub rule: Rule,
    /// 1-based line where the offending instruction (or comment) starts.
    pub line: usize,
    /// What is wrong and how to fix it, lowercase, one line.
    pub message: String,
}

impl Finding {
    /// Displays the finding as `FILE:LINE: RULE-ID message`.
    #[must_use]
    pub fn display_with<'a>(&'a self, file: &'a Path) -> impl fmt::Display + 'a {
        WithFile {
            finding: self,
            file,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} {}", self.line, self.rule.id, self.message)
    }
}

struct WithFile<'a> {
    finding: &'a Finding,
    file: &'a Path,
}

impl fmt::Display for WithFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.finding)
    }
}
