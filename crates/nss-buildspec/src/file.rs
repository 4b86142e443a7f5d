//! Reading project files: regular files only, inside the project, up to a size per kind.
//!
//! A repository nss is pointed at may be hostile or just odd: `.python-version` may be a
//! FIFO (a plain read would block for ever), a symlink to `/dev/zero` (a plain read would
//! fill memory) or to `/proc/self/environ` (an error quoting it would print the
//! environment's secrets). [`read_project_file`] is the one way nss reads such a file: it
//! opens without blocking, accepts only a regular file, refuses a file whose real path
//! lies outside the given root, and reads at most the cap of the file's [`FileKind`].

use std::path::Path;

use crate::error::{Error, Result};

/// What a project file is, which sets its size cap and names it in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// `pyproject.toml`.
    PyProject,
    /// `.python-version`.
    PythonVersion,
    /// A Dockerfile.
    Dockerfile,
    /// A lockfile such as `uv.lock`.
    Lockfile,
}

impl FileKind {
    /// The largest file of this kind nss reads, in bytes.
    pub fn cap(self) -> u64 {
        match self {
            FileKind::PyProject => 1 << 20,
            FileKind::PythonVersion => 4 << 10,
            FileKind::Dockerfile => 1 << 20,
            FileKind::Lockfile => 64 << 20,
        }
    }

    /// The kind in words, e.g. `Dockerfile`.
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::PyProject => "pyproject.toml",
            FileKind::PythonVersion => ".python-version file",
            FileKind::Dockerfile => "Dockerfile",
            FileKind::Lockfile => "lockfile",
        }
    }
}

/// What kind of thing a path is, in words (`a FIFO`, `a directory`, ...).
pub use nss_preflight::describe_file_type;

/// Reads a project file as text.
///
/// `root` is the directory the file must lie in once symlinks are resolved (the project
/// directory); `None` reads a file the user named explicitly wherever it is. Errors, each
/// one line naming the file: [`Error::Read`] (including not found), [`Error::NotRegular`]
/// for a FIFO, directory, device or socket (found without blocking on it),
/// [`Error::Outside`] and [`Error::TooLarge`]. Invalid UTF-8 is an [`Error::Read`].
///
/// ```
/// use nss_buildspec::{FileKind, read_project_file};
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join(".python-version"), "3.12\n")?;
/// let text = read_project_file(&dir.path().join(".python-version"), FileKind::PythonVersion, Some(dir.path()))?;
/// assert_eq!(text, "3.12\n");
/// let err = read_project_file(dir.path(), FileKind::Dockerfile, None).unwrap_err();
/// assert!(err.to_string().contains("is a directory, not a regular file"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_project_file(path: &Path, kind: FileKind, root: Option<&Path>) -> Result<String> {
    let read_err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    if let Some(root) = root {
        let target = std::fs::canonicalize(path).map_err(read_err)?;
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        if !target.starts_with(&root) {
            return Err(Error::Outside {
                path: path.to_path_buf(),
                target,
                root,
                kind: kind.describe(),
            });
        }
    }
    // Opened without blocking (a FIFO does not wait for a writer), a regular file only;
    // one byte past the cap tells a file that is too large.
    let cap = kind.cap();
    let bytes = nss_preflight::read_regular(path, cap + 1).map_err(|e| {
        match e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<nss_preflight::NotRegular>())
        {
            Some(not_regular) => Error::NotRegular {
                path: path.to_path_buf(),
                found: not_regular.0,
                kind: kind.describe(),
            },
            None => read_err(e),
        }
    })?;
    if bytes.len() as u64 > cap {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            cap,
            kind: kind.describe(),
        });
    }
    String::from_utf8(bytes).map_err(|_| {
        read_err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not UTF-8 text",
        ))
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn special_files_are_named_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        // (path, root, expected text in the error)
        let cases: Vec<(PathBuf, Option<&Path>, &str)> = vec![
            (fifo.clone(), None, "is a FIFO, not a regular file"),
            (dir.path().to_path_buf(), None, "is a directory"),
            (PathBuf::from("/dev/zero"), None, "is a character device"),
            (
                PathBuf::from("/proc/self/environ"),
                Some(dir.path()),
                "outside the project",
            ),
            (dir.path().join("missing"), None, "cannot read"),
        ];
        for (path, root, want) in cases {
            let err = read_project_file(&path, FileKind::PythonVersion, root)
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{}: {err}", path.display());
            assert!(!err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn the_cap_holds() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join(".python-version");
        std::fs::write(&big, "3".repeat(5 << 10)).unwrap();
        let err = read_project_file(&big, FileKind::PythonVersion, Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("larger than 4096 bytes"), "{err}");
        assert!(err.len() < 300, "{err}");
    }
}
