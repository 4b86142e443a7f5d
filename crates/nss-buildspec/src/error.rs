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
    /// A project file is not a regular file (a FIFO, directory, device or socket).
    #[error("{}: is {found}, not a regular file; nss reads a {kind} only from a regular file: replace it with one", path.display())]
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is, e.g. `a FIFO`.
        found: &'static str,
        /// What nss expected, e.g. `Dockerfile`.
        kind: &'static str,
    },
    /// A project file is larger than nss reads for its kind.
    #[error("{}: larger than {cap} bytes, too large for a {kind}; point nss at the real {kind}", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The cap in bytes.
        cap: u64,
        /// What nss expected, e.g. `Dockerfile`.
        kind: &'static str,
    },
    /// A project file resolves (through symlinks) to a file outside the project.
    #[error("{}", outside(path, target, root, kind))]
    Outside {
        /// The file as named.
        path: PathBuf,
        /// Where it resolves to.
        target: PathBuf,
        /// The project directory.
        root: PathBuf,
        /// What nss expected, e.g. `Dockerfile`.
        kind: &'static str,
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
    #[error("{}: {field} {}; {fix}", path.display(), capped(problem))]
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
    #[error("{name}={} from {origin}: {problem}; {fix}", excerpt(value))]
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
    #[error("{}; {fix}", capped(problem))]
    Conflict {
        /// What contradicts what, naming both sources.
        problem: String,
        /// How to fix it.
        fix: String,
    },
}

fn outside(
    path: &std::path::Path,
    target: &std::path::Path,
    root: &std::path::Path,
    kind: &str,
) -> String {
    if path == target {
        format!(
            "{}: outside the project dir {}; nss reads a {kind} only inside the project: move it into the project",
            path.display(),
            root.display()
        )
    } else {
        format!(
            "{}: resolves to {}, outside the project dir {}; nss reads a {kind} only inside the project: replace the symlink with the file",
            path.display(),
            target.display(),
            root.display()
        )
    }
}

/// A problem text cut to a length fit for one line (it may quote values from files).
fn capped(text: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 300;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{} ...", &text[..end]).into(),
        None => text.into(),
    }
}

/// This crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A short excerpt of text read from a file or variable, fit to quote in a one-line
/// message: in double quotes, control characters escaped, at most 60 characters, `...`
/// after the closing quote when cut.
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{:?}...", &text[..end]),
        None => format!("{text:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_are_short_and_on_one_line() {
        assert_eq!(excerpt("3.12"), "\"3.12\"");
        assert_eq!(excerpt("a\nb\u{1b}[31m"), "\"a\\nb\\u{1b}[31m\"");
        let long = excerpt(&"x".repeat(1000));
        assert_eq!(long.len(), 65);
    }
}
