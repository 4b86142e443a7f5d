//! Rewriting project files: only inside the project, and atomically.
//!
//! A rewrite goes to a temporary file in the target's own directory, is flushed to disk
//! (`fsync`), takes the old file's mode and then replaces the old file by `rename`, so a
//! full disk or a crash leaves either the old content or the new, never a truncated file.
//! A symlink is written through to its target when that target lies inside the project;
//! a file with other hard links is replaced under this one name only, and the caller is
//! told so.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// What a rewrite did besides writing the new content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    /// The file written (the symlink's target when the path was a symlink).
    pub target: PathBuf,
    /// Set when the path was a symlink: the link that was written through.
    pub through_link: Option<PathBuf>,
    /// Other hard links of the old file, which keep the old content.
    pub split_links: u64,
}

/// The file `path` stands for, when it lies inside `project_dir` (symlinks resolved);
/// an error naming both otherwise. Nothing is written.
pub(crate) fn project_target(path: &Path, project_dir: &Path) -> Result<PathBuf, Error> {
    let target = std::fs::canonicalize(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        action: "resolve",
        source,
    })?;
    let root = std::fs::canonicalize(project_dir).map_err(|source| Error::Io {
        path: project_dir.to_path_buf(),
        action: "resolve",
        source,
    })?;
    if !target.starts_with(&root) {
        let how = if target == path {
            String::new()
        } else {
            format!(" (it resolves to {})", target.display())
        };
        return Err(Error::usage(
            format!(
                "{}{how} is outside the project dir {}",
                path.display(),
                root.display()
            ),
            "nss writes only inside the project: copy the file into the project (or point --project at the project that holds it)",
        ));
    }
    Ok(target)
}

/// Replaces the content of `path` (a file inside `project_dir`) atomically, keeping its mode.
pub fn rewrite(path: &Path, content: &str, project_dir: &Path) -> Result<Rewritten, Error> {
    let target = project_target(path, project_dir)?;
    let io = |action: &'static str| {
        let target = target.clone();
        move |source: std::io::Error| Error::Io {
            path: target,
            action,
            source,
        }
    };
    let meta = std::fs::metadata(&target).map_err(io("inspect"))?;
    if !meta.is_file() {
        return Err(Error::usage(
            format!("{}: not a regular file", target.display()),
            "nss rewrites regular files only",
        ));
    }
    replace(&target, content.as_bytes(), Some(meta.permissions()))
        .map_err(|(action, e)| io(action)(e))?;
    let through_link = (std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()))
        .then(|| path.to_path_buf());
    Ok(Rewritten {
        target,
        through_link,
        split_links: meta.nlink().saturating_sub(1),
    })
}

/// Writes `bytes` to `path` (created or replaced) through a temporary file beside it,
/// so a reader never sees half a file and a failed write leaves the old one. For files
/// the user names (`--output`) and nss's own cache; project files go through [`rewrite`].
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let err = |action: &'static str, source| Error::Io {
        path: path.to_path_buf(),
        action,
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| err("create the directory of", e))?;
    }
    replace(path, bytes, None).map_err(|(action, e)| err(action, e))
}

/// The atomic replacement under both: temporary file in the target's directory, content,
/// mode, fsync, rename, fsync of the directory. Dropping the temporary file on an error
/// removes it, so the old file stays.
fn replace(
    target: &Path,
    bytes: &[u8],
    mode: Option<std::fs::Permissions>,
) -> Result<(), (&'static str, std::io::Error)> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".nss-tmp")
        .tempfile_in(dir)
        .map_err(|e| ("create a temporary file beside", e))?;
    tmp.as_file_mut()
        .write_all(bytes)
        .map_err(|e| ("write a temporary copy of", e))?;
    if let Some(mode) = mode {
        tmp.as_file()
            .set_permissions(mode)
            .map_err(|e| ("set the mode of a temporary copy of", e))?;
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| ("flush a temporary copy of", e))?;
    tmp.persist(target).map_err(|e| ("replace", e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn rewrites_keep_the_mode_and_follow_links_inside_the_project() {
        let tmp = tempfile::tempdir().unwrap();
        let proj = tmp.path().join("p");
        std::fs::create_dir_all(proj.join("c")).unwrap();
        let file = proj.join("c/Dockerfile");
        std::fs::write(&file, "old\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = proj.join("Dockerfile.link");
        std::os::unix::fs::symlink("c/Dockerfile", &link).unwrap();
        let hard = proj.join("hard");
        std::fs::hard_link(&file, &hard).unwrap();

        let done = rewrite(&link, "new\n", &proj).unwrap();
        assert_eq!(done.target, std::fs::canonicalize(&file).unwrap());
        assert_eq!(done.through_link.as_deref(), Some(link.as_path()));
        assert_eq!(done.split_links, 1);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new\n");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&hard).unwrap(), "old\n");
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let left: Vec<_> = std::fs::read_dir(proj.join("c")).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn files_outside_the_project_are_refused_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let proj = tmp.path().join("p");
        std::fs::create_dir_all(&proj).unwrap();
        let outside = tmp.path().join("Dockerfile");
        std::fs::write(&outside, "old\n").unwrap();
        let link = proj.join("Dockerfile");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        for path in [&outside, &link] {
            let err = rewrite(path, "new\n", &proj).unwrap_err().to_string();
            assert!(err.contains("outside the project dir"), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "old\n");
    }
}
