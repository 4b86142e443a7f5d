//! The real system behind [`Probe`]: syscalls through rustix, files through std.
//! This is the only code in the crate that touches the machine; it spawns nothing.

use std::io;
use std::path::Path;

use rustix::fs::Access;
use rustix::io::Errno;

use crate::probe::{DirState, FsStats, Probe, Writability};

/// Reads the running system: environment, `readdir`, `statvfs`, `access`, uid/gid.
/// Every call is a handful of syscalls at most; none spawns a process or can block on
/// the network.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemProbe;

impl Probe for SystemProbe {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
    }

    fn dir_state(&self, path: &Path) -> io::Result<DirState> {
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(DirState::Missing),
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
                return Ok(DirState::NotADirectory);
            }
            Err(e) => return Err(e),
        };
        let mut state = DirState::Empty;
        for entry in entries {
            let entry = entry?;
            if entry.file_name().as_encoded_bytes().first() == Some(&b'.') {
                state = DirState::OnlyHidden;
            } else {
                return Ok(DirState::HasVisible);
            }
        }
        Ok(state)
    }

    fn fs_stats(&self, path: &Path) -> io::Result<FsStats> {
        let st = rustix::fs::statvfs(path)?;
        Ok(FsStats {
            total_bytes: st.f_blocks.saturating_mul(st.f_frsize),
            available_bytes: st.f_bavail.saturating_mul(st.f_frsize),
        })
    }

    fn read_file(&self, path: &Path) -> io::Result<String> {
        read_small_file(path)
    }

    fn exists(&self, path: &Path) -> bool {
        rustix::fs::access(path, Access::EXISTS).is_ok()
    }

    fn is_executable(&self, path: &Path) -> bool {
        std::fs::metadata(path).is_ok_and(|m| m.is_file())
            && rustix::fs::access(path, Access::EXEC_OK).is_ok()
    }

    fn writable(&self, path: &Path) -> io::Result<Writability> {
        match rustix::fs::access(path, Access::WRITE_OK) {
            Ok(()) => Ok(Writability::Writable),
            Err(Errno::ACCESS | Errno::PERM) => Ok(Writability::Denied),
            Err(Errno::ROFS) => Ok(Writability::ReadOnly),
            Err(e) => Err(e.into()),
        }
    }

    fn ids(&self) -> (u32, u32) {
        (
            rustix::process::getuid().as_raw(),
            rustix::process::getgid().as_raw(),
        )
    }
}

/// The most [`read_small_file`] reads: the driver's version file is about 200 bytes.
pub const READ_CAP: usize = 4096;

/// Reads at most [`READ_CAP`] bytes of a regular file through [`read_regular`], never
/// blocking; a longer file is cut at the cap (invalid UTF-8 is replaced), so a huge file
/// costs one small read. This is what keeps the preflight inside its time budget whatever
/// the container mounts at `/proc/driver/nvidia/version`.
pub fn read_small_file(path: &Path) -> io::Result<String> {
    let bytes = read_regular(path, READ_CAP as u64)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A path that is not a regular file, found without blocking on it; the payload says what
/// it is (`a FIFO`, see [`describe_file_type`]). [`read_regular`]'s error carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotRegular(pub &'static str);

impl std::fmt::Display for NotRegular {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "is {}, not a regular file", self.0)
    }
}

impl std::error::Error for NotRegular {}

/// What kind of thing a path is, in words (`a FIFO`, `a directory`, ...).
pub fn describe_file_type(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_symlink() {
        "a symlink"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Reads at most `cap` bytes of a regular file, never blocking: the file is opened with
/// `O_NONBLOCK`, so a FIFO in its place does not wait for a writer, and anything but a
/// regular file (FIFO, device such as `/dev/zero`, directory, socket) is an error of kind
/// `InvalidInput` carrying [`NotRegular`]. The one reader of files that a container or a
/// repository may have replaced with something hostile (nss's project files read through
/// it too).
///
/// ```
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("version"), "NVRM version: 1\n")?;
/// assert_eq!(nss_preflight::read_regular(&dir.path().join("version"), 4)?, b"NVRM");
/// let err = nss_preflight::read_regular(dir.path(), 4).unwrap_err();
/// assert_eq!(err.to_string(), "is a directory, not a regular file");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_regular(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY).bits() as i32)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            NotRegular(describe_file_type(meta.file_type())),
        ));
    }
    // Room for the whole file and the read that finds its end, within the cap.
    let room = meta.len().saturating_add(1).min(cap);
    let mut bytes = Vec::with_capacity(usize::try_from(room).unwrap_or(usize::MAX));
    file.take(cap).read_to_end(&mut bytes)?;
    Ok(bytes)
}
