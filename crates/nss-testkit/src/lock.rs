//! One image-building test at a time on this machine: a file lock, so it holds across
//! test binaries, `cargo test` processes, nextest and checkouts sharing the engines.

use std::fs::File;
use std::path::PathBuf;

/// Held while it lives: an exclusive `flock(2)` on the lock file (see [`exclusive`]),
/// released when dropped, also when the test panics or the process dies.
#[derive(Debug)]
pub struct EngineLock {
    _file: File,
}

/// Where the lock lives: `tests.lock` in the engines' state directory (shared by every
/// checkout that uses those engines), or in the target directory when there is none.
fn lock_path() -> PathBuf {
    let engines = crate::engines_dir();
    let dir = if engines.is_dir() {
        engines
    } else {
        crate::target_dir()
    };
    dir.join("tests.lock")
}

/// Waits until no other test on this machine holds the engine lock, then holds it: for
/// tests that build or remove images. Take it for the whole test, before any
/// [`Cleanup`](crate::Cleanup), so the removals happen under it too.
///
/// podman 4.3 shares one image store between all its processes, and a build's
/// layer-cache lookup fails ("getting top layer info: layer not known") when another
/// process removes an image in the middle of it; two `FROM scratch` builds can also race
/// on buildah's working container. Serial engine tests also keep measured build times
/// free of a second build's load. Each call opens the file anew, so two threads of one
/// test binary exclude each other as two processes do; for the same reason it is not
/// reentrant: a test that holds it (through [`on_engine`](crate::on_engine) too) must
/// not take it again.
pub fn exclusive() -> EngineLock {
    let path = lock_path();
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("cannot open the engine lock {}: {e}", path.display()));
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", path.display()));
    EngineLock { _file: file }
}
