//! A uv project on disk: `pyproject.toml` (kept as an editable document) and
//! `.python-version`.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, TableLike};

use crate::error::{Error, Result};
use crate::file::{FileKind, read_project_file};

/// The `.python-version` file of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonVersionFile {
    /// The file.
    pub path: PathBuf,
    /// The first line that is neither blank nor a `#` comment, trimmed
    /// (e.g. `3.11`); `None` when the file has no such line.
    pub version: Option<String>,
}

/// A project directory holding a `pyproject.toml`.
///
/// The document is kept as a [`toml_edit::DocumentMut`], so edits through
/// [`Project::document_mut`] preserve comments and formatting.
#[derive(Debug, Clone)]
pub struct Project {
    dir: PathBuf,
    pyproject_path: PathBuf,
    document: DocumentMut,
    python_version_file: Option<PythonVersionFile>,
}

impl Project {
    /// Reads `dir/pyproject.toml` and, when present, `dir/.python-version`.
    ///
    /// Both are read by [`read_project_file`] (regular files inside `dir`, size-capped).
    /// Errors: no `pyproject.toml` ([`Error::NoPyProject`]), an unreadable, special,
    /// outside or oversized file ([`Error::Read`], [`Error::NotRegular`],
    /// [`Error::Outside`], [`Error::TooLarge`]) or invalid TOML ([`Error::Toml`]).
    pub fn load(dir: &Path) -> Result<Project> {
        let pyproject_path = dir.join("pyproject.toml");
        if std::fs::symlink_metadata(&pyproject_path)
            .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            return Err(Error::NoPyProject {
                dir: dir.to_path_buf(),
            });
        }
        let text = read_project_file(&pyproject_path, FileKind::PyProject, Some(dir))?;
        let pv_path = dir.join(".python-version");
        let python_version = match std::fs::symlink_metadata(&pv_path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            _ => Some(read_project_file(
                &pv_path,
                FileKind::PythonVersion,
                Some(dir),
            )?),
        };
        Self::from_parts(dir, &text, python_version.as_deref())
    }

    /// Builds a project from file contents already in memory: `pyproject` is
    /// the text of `dir/pyproject.toml`, `python_version` that of
    /// `dir/.python-version` if the project has one. Nothing is read from disk.
    pub fn from_parts(
        dir: &Path,
        pyproject: &str,
        python_version: Option<&str>,
    ) -> Result<Project> {
        let pyproject_path = dir.join("pyproject.toml");
        let document = parse_toml(&pyproject_path, pyproject)?;
        let python_version_file = python_version.map(|text| PythonVersionFile {
            path: dir.join(".python-version"),
            version: text
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned),
        });
        Ok(Project {
            dir: dir.to_path_buf(),
            pyproject_path,
            document,
            python_version_file,
        })
    }

    /// The project directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<dir>/pyproject.toml`.
    pub fn pyproject_path(&self) -> &Path {
        &self.pyproject_path
    }

    /// The parsed `pyproject.toml`, formatting and comments included.
    pub fn document(&self) -> &DocumentMut {
        &self.document
    }

    /// The parsed `pyproject.toml`, for edits that keep its formatting; write
    /// it back with `project.document().to_string()`.
    pub fn document_mut(&mut self) -> &mut DocumentMut {
        &mut self.document
    }

    /// `[project] name`, if it is a string.
    pub fn name(&self) -> Option<&str> {
        self.document.get("project")?.get("name")?.as_str()
    }

    /// The `.python-version` file, if the project has one.
    pub fn python_version_file(&self) -> Option<&PythonVersionFile> {
        self.python_version_file.as_ref()
    }

    /// The `[tool.nss]` table, if present (a table or an inline table).
    pub fn tool_nss(&self) -> Option<&dyn TableLike> {
        self.document.get("tool")?.get("nss")?.as_table_like()
    }
}

/// Parses TOML, turning an error into one line with line and column.
pub(crate) fn parse_toml(path: &Path, text: &str) -> Result<DocumentMut> {
    text.parse::<DocumentMut>().map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |span| line_col(text, span.start));
        let message = e.message().split_whitespace().collect::<Vec<_>>().join(" ");
        let message = lowercase_first(message.trim_end_matches('.'));
        Error::Toml {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    })
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_cases() {
        // (text, byte offset, expected (line, column))
        let cases = [
            ("abc", 0, (1, 1)),
            ("abc", 2, (1, 3)),
            ("a\nbc", 2, (2, 1)),
            ("a\nbc", 3, (2, 2)),
            ("é\nx", 1, (1, 1)), // inside a multi-byte char: back to its start
            ("é=x", 2, (1, 2)),
            ("ab", 99, (1, 3)),
        ];
        for (text, offset, want) in cases {
            assert_eq!(line_col(text, offset), want, "{text:?} @ {offset}");
        }
    }

    #[test]
    fn malformed_toml_is_one_line_with_position() {
        let err = Project::from_parts(
            Path::new("p"),
            "[project]\nname = \"x\"\nversion = = 1\n",
            None,
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("p/pyproject.toml:3:"), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
        assert!(matches!(err, Error::Toml { line: 3, .. }));
    }

    #[test]
    fn python_version_file_skips_comments_and_blanks() {
        let p =
            Project::from_parts(Path::new("d"), "", Some("# pinned\n\n  3.12  \n3.11\n")).unwrap();
        let f = p.python_version_file().unwrap();
        assert_eq!(f.version.as_deref(), Some("3.12"));
        assert_eq!(f.path, Path::new("d/.python-version"));
        let none = Project::from_parts(Path::new("d"), "", Some("\n# only a comment\n")).unwrap();
        assert_eq!(none.python_version_file().unwrap().version, None);
    }

    #[test]
    fn accessors() {
        let p = Project::from_parts(
            Path::new("d"),
            "[project]\nname = \"demo\" # keep\n[tool.nss]\napp = \"x\"\n",
            None,
        )
        .unwrap();
        assert_eq!(p.name(), Some("demo"));
        assert!(p.tool_nss().unwrap().get("app").is_some());
        assert!(p.python_version_file().is_none());
        assert_eq!(p.dir(), Path::new("d"));
        assert!(p.document().to_string().contains("# keep"));
    }
}
