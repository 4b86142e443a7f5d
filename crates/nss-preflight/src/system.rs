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
        std::fs::read_to_string(path)
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
