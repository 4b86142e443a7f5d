//! The view of the environment the checks read: a trait, and an in-memory snapshot.

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

/// What a directory holds, as far as the checks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirState {
    /// Nothing at that path.
    Missing,
    /// Something that is not a directory.
    NotADirectory,
    /// A directory with no entries.
    Empty,
    /// A directory whose entries all start with `.` (e.g. only a `.hf_cache` mount point).
    OnlyHidden,
    /// A directory with at least one entry not starting with `.`.
    HasVisible,
}

/// Size of the filesystem holding a path (from `statvfs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FsStats {
    /// Total size in bytes (`f_blocks * f_frsize`).
    pub total_bytes: u64,
    /// Bytes available to an unprivileged user (`f_bavail * f_frsize`).
    pub available_bytes: u64,
}

/// Whether the current user may write to a path (`access(W_OK)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writability {
    /// Writable.
    Writable,
    /// Permission denied for this uid/gid (`EACCES`/`EPERM`).
    Denied,
    /// On a read-only filesystem or mount (`EROFS`).
    ReadOnly,
}

/// The environment the checks read. [`Snapshot`] is an in-memory one for tests and
/// examples; `SystemProbe` (feature `system`) reads the real system.
///
/// Methods never panic; an `Err` becomes a finding, not a crash.
pub trait Probe {
    /// An environment variable (`None` when unset).
    fn var(&self, name: &str) -> Option<String>;
    /// What a directory holds. A missing path is `Ok(DirState::Missing)`, not an error.
    fn dir_state(&self, path: &Path) -> io::Result<DirState>;
    /// Size of the filesystem holding `path`.
    fn fs_stats(&self, path: &Path) -> io::Result<FsStats>;
    /// A whole (small) file as text.
    fn read_file(&self, path: &Path) -> io::Result<String>;
    /// Whether anything (file, directory, device node) exists at `path`.
    fn exists(&self, path: &Path) -> bool;
    /// Whether `path` is a regular file this user may execute.
    fn is_executable(&self, path: &Path) -> bool;
    /// Whether this user may write to `path`.
    fn writable(&self, path: &Path) -> io::Result<Writability>;
    /// The real uid and gid of this process.
    fn ids(&self) -> (u32, u32);
}

/// The first executable named `program` on `PATH`, the way a shell's `command -v` finds it.
pub fn which<P: Probe + ?Sized>(probe: &P, program: &str) -> Option<PathBuf> {
    let path = probe.var(crate::env::PATH)?;
    path.split(':')
        .filter(|dir| !dir.is_empty())
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| probe.is_executable(candidate))
}

#[derive(Debug, Clone)]
enum Entry {
    Dir,
    File { contents: String, executable: bool },
    Device,
}

/// An in-memory environment: variables, files, directories, devices, filesystems,
/// permissions and ids, built up with chained calls.
///
/// Directories exist when added with [`dir`](Self::dir) or when anything is added below
/// them. Paths not added are missing. By default every existing directory is writable,
/// `statvfs` of an unknown path fails with `NotFound`, and the ids are `0:0`.
///
/// ```
/// use nss_preflight::{DirState, Probe, Snapshot};
/// use std::path::Path;
///
/// let snap = Snapshot::new().env("HF_HOME", "/cache").file("/workspace/data.csv", "a,b\n");
/// assert_eq!(snap.var("HF_HOME").as_deref(), Some("/cache"));
/// assert_eq!(snap.dir_state(Path::new("/workspace"))?, DirState::HasVisible);
/// assert_eq!(snap.dir_state(Path::new("/cache"))?, DirState::Missing);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    vars: BTreeMap<String, String>,
    entries: BTreeMap<PathBuf, Entry>,
    fs: BTreeMap<PathBuf, FsStats>,
    writability: BTreeMap<PathBuf, Writability>,
    failures: BTreeMap<PathBuf, io::ErrorKind>,
    ids: (u32, u32),
}

impl Snapshot {
    /// An empty environment: no variables, no files, uid and gid 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets an environment variable.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }

    /// Removes a variable.
    pub fn unset(mut self, name: &str) -> Self {
        self.vars.remove(name);
        self
    }

    /// Removes `path` and everything below it.
    pub fn remove(mut self, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        self.entries.retain(|p, _| !p.starts_with(path));
        self
    }

    /// Adds a directory (and its parents).
    pub fn dir(mut self, path: impl AsRef<Path>) -> Self {
        self.insert(path.as_ref(), Entry::Dir);
        self
    }

    /// Adds a regular file with its contents (and its parent directories).
    pub fn file(mut self, path: impl AsRef<Path>, contents: &str) -> Self {
        let entry = Entry::File {
            contents: contents.to_string(),
            executable: false,
        };
        self.insert(path.as_ref(), entry);
        self
    }

    /// Adds an executable file (and its parent directories).
    pub fn executable(mut self, path: impl AsRef<Path>) -> Self {
        let entry = Entry::File {
            contents: String::new(),
            executable: true,
        };
        self.insert(path.as_ref(), entry);
        self
    }

    /// Adds a device node such as `/dev/nvidiactl`.
    pub fn device(mut self, path: impl AsRef<Path>) -> Self {
        self.insert(path.as_ref(), Entry::Device);
        self
    }

    /// Sets the filesystem size `statvfs` reports for `path` (total = available).
    pub fn fs_size(mut self, path: impl AsRef<Path>, total_bytes: u64) -> Self {
        let stats = FsStats {
            total_bytes,
            available_bytes: total_bytes,
        };
        self.fs.insert(path.as_ref().to_path_buf(), stats);
        self
    }

    /// Sets whether `path` is writable (default: existing paths are writable).
    pub fn writability(mut self, path: impl AsRef<Path>, writability: Writability) -> Self {
        self.writability
            .insert(path.as_ref().to_path_buf(), writability);
        self
    }

    /// Makes every probe of `path` fail with `kind` (e.g. `PermissionDenied`).
    pub fn fail(mut self, path: impl AsRef<Path>, kind: io::ErrorKind) -> Self {
        self.failures.insert(path.as_ref().to_path_buf(), kind);
        self
    }

    /// Sets the uid and gid.
    pub fn user(mut self, uid: u32, gid: u32) -> Self {
        self.ids = (uid, gid);
        self
    }

    fn insert(&mut self, path: &Path, entry: Entry) {
        for parent in path.ancestors().skip(1) {
            if parent.as_os_str().is_empty() {
                break;
            }
            self.entries
                .entry(parent.to_path_buf())
                .or_insert(Entry::Dir);
        }
        self.entries.insert(path.to_path_buf(), entry);
    }

    fn failure(&self, path: &Path) -> io::Result<()> {
        match self.failures.get(path) {
            Some(kind) => Err(io::Error::new(
                *kind,
                format!("injected failure for {}", path.display()),
            )),
            None => Ok(()),
        }
    }
}

impl Probe for Snapshot {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn dir_state(&self, path: &Path) -> io::Result<DirState> {
        self.failure(path)?;
        match self.entries.get(path) {
            None => return Ok(DirState::Missing),
            Some(Entry::Dir) => {}
            Some(_) => return Ok(DirState::NotADirectory),
        }
        let mut state = DirState::Empty;
        for child in self.entries.keys().filter(|p| p.parent() == Some(path)) {
            let hidden = matches!(child.components().next_back(),
                Some(Component::Normal(name)) if name.to_string_lossy().starts_with('.'));
            if !hidden {
                return Ok(DirState::HasVisible);
            }
            state = DirState::OnlyHidden;
        }
        Ok(state)
    }

    fn fs_stats(&self, path: &Path) -> io::Result<FsStats> {
        self.failure(path)?;
        self.fs.get(path).copied().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("no filesystem at {}", path.display()),
            )
        })
    }

    fn read_file(&self, path: &Path) -> io::Result<String> {
        self.failure(path)?;
        match self.entries.get(path) {
            Some(Entry::File { contents, .. }) => Ok(contents.clone()),
            Some(_) => Err(io::Error::other(format!(
                "{} is not a regular file",
                path.display()
            ))),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} not found", path.display()),
            )),
        }
    }

    fn exists(&self, path: &Path) -> bool {
        self.entries.contains_key(path)
    }

    fn is_executable(&self, path: &Path) -> bool {
        matches!(
            self.entries.get(path),
            Some(Entry::File {
                executable: true,
                ..
            })
        )
    }

    fn writable(&self, path: &Path) -> io::Result<Writability> {
        self.failure(path)?;
        if let Some(w) = self.writability.get(path) {
            return Ok(*w);
        }
        if self.entries.contains_key(path) {
            Ok(Writability::Writable)
        } else {
            Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} not found", path.display()),
            ))
        }
    }

    fn ids(&self) -> (u32, u32) {
        self.ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_states_follow_what_was_added() {
        let snap = Snapshot::new()
            .dir("/empty")
            .dir("/hidden/.cache")
            .file("/data/x.csv", "")
            .file("/file", "");
        let cases = [
            ("/empty", DirState::Empty),
            ("/hidden", DirState::OnlyHidden),
            ("/data", DirState::HasVisible),
            ("/", DirState::HasVisible),
            ("/file", DirState::NotADirectory),
            ("/nowhere", DirState::Missing),
        ];
        for (path, want) in cases {
            assert_eq!(snap.dir_state(Path::new(path)).unwrap(), want, "{path}");
        }
    }

    #[test]
    fn which_searches_path_in_order_and_skips_non_executables() {
        let snap = Snapshot::new()
            .env("PATH", "/a::/b:/c")
            .file("/a/tool", "")
            .executable("/b/tool")
            .executable("/c/tool");
        assert_eq!(which(&snap, "tool"), Some(PathBuf::from("/b/tool")));
        assert_eq!(which(&snap, "other"), None);
        assert_eq!(which(&Snapshot::new(), "tool"), None, "no PATH at all");
    }

    #[test]
    fn injected_failures_surface_as_errors() {
        let snap = Snapshot::new()
            .dir("/w")
            .fail("/w", io::ErrorKind::PermissionDenied);
        assert_eq!(
            snap.dir_state(Path::new("/w")).unwrap_err().kind(),
            io::ErrorKind::PermissionDenied
        );
        assert_eq!(
            snap.writable(Path::new("/w")).unwrap_err().kind(),
            io::ErrorKind::PermissionDenied
        );
    }
}
