//! Files nss carries inside its binary: the generic Dockerfiles, the bundled example
//! project and the sources of `nss-preflight`. An installed `nss` needs no checkout:
//! where an engine needs a file, the set is written once under the user's cache directory
//! (`$XDG_CACHE_HOME/nss`, else `$HOME/.cache/nss`), in a directory named by the hash of
//! its contents, created atomically (written to a private temporary directory beside it,
//! then renamed into place).

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::env;
use crate::error::Error;
use crate::vars::Vars;

/// A named set of embedded files: `(relative path, contents)`.
#[derive(Debug, Clone, Copy)]
pub struct Embedded {
    /// The prefix of its cache directory, e.g. `containers`.
    pub name: &'static str,
    /// The files, by path relative to the set's root.
    pub files: &'static [(&'static str, &'static str)],
}

/// The generic Dockerfiles, as `containers/<name>` (the layout of a project that owns them).
pub const DOCKERFILES: Embedded = Embedded {
    name: "containers",
    files: &[
        (
            "containers/Dockerfile.cuda",
            include_str!("../../../containers/Dockerfile.cuda"),
        ),
        (
            "containers/Dockerfile.test_ci",
            include_str!("../../../containers/Dockerfile.test_ci"),
        ),
    ],
};

/// The example project used when no project is found (`examples/hello-gpu`).
pub const EXAMPLE: Embedded = Embedded {
    name: "hello-gpu",
    files: &[
        (
            ".dockerignore",
            include_str!("../../../examples/hello-gpu/.dockerignore"),
        ),
        (
            ".python-version",
            include_str!("../../../examples/hello-gpu/.python-version"),
        ),
        (
            "Makefile",
            include_str!("../../../examples/hello-gpu/Makefile"),
        ),
        (
            "README.md",
            include_str!("../../../examples/hello-gpu/README.md"),
        ),
        (
            "pyproject.toml",
            include_str!("../../../examples/hello-gpu/pyproject.toml"),
        ),
        (
            "src/hello_gpu/__init__.py",
            include_str!("../../../examples/hello-gpu/src/hello_gpu/__init__.py"),
        ),
        (
            "src/hello_gpu/cli.py",
            include_str!("../../../examples/hello-gpu/src/hello_gpu/cli.py"),
        ),
        (
            "tests/test_cli.py",
            include_str!("../../../examples/hello-gpu/tests/test_cli.py"),
        ),
        (
            "uv.lock",
            include_str!("../../../examples/hello-gpu/uv.lock"),
        ),
    ],
};

/// The sources of `nss-preflight` as a one-crate Rust workspace, with the Dockerfile that
/// compiles it for any platform (`Dockerfile`, from `containers/Dockerfile.preflight`).
/// The workspace manifest and lockfile are nss's own: the crate builds with the versions
/// nss was tested with. `crates/nss-preflight/Cargo.toml` loses its dev-dependencies
/// (test crates that are not embedded) when written, see [`preflight_files`].
pub const PREFLIGHT: Embedded = Embedded {
    name: "preflight",
    files: &[
        (
            "Dockerfile",
            include_str!("../../../containers/Dockerfile.preflight"),
        ),
        ("Cargo.toml", include_str!("../../../Cargo.toml")),
        ("Cargo.lock", include_str!("../../../Cargo.lock")),
        (
            "crates/nss-preflight/Cargo.toml",
            include_str!("../../nss-preflight/Cargo.toml"),
        ),
        (
            "crates/nss-preflight/src/checks.rs",
            include_str!("../../nss-preflight/src/checks.rs"),
        ),
        (
            "crates/nss-preflight/src/checks/tests.rs",
            include_str!("../../nss-preflight/src/checks/tests.rs"),
        ),
        (
            "crates/nss-preflight/src/cuda.rs",
            include_str!("../../nss-preflight/src/cuda.rs"),
        ),
        (
            "crates/nss-preflight/src/env.rs",
            include_str!("../../nss-preflight/src/env.rs"),
        ),
        (
            "crates/nss-preflight/src/error.rs",
            include_str!("../../nss-preflight/src/error.rs"),
        ),
        (
            "crates/nss-preflight/src/lib.rs",
            include_str!("../../nss-preflight/src/lib.rs"),
        ),
        (
            "crates/nss-preflight/src/main.rs",
            include_str!("../../nss-preflight/src/main.rs"),
        ),
        (
            "crates/nss-preflight/src/probe.rs",
            include_str!("../../nss-preflight/src/probe.rs"),
        ),
        (
            "crates/nss-preflight/src/report.rs",
            include_str!("../../nss-preflight/src/report.rs"),
        ),
        (
            "crates/nss-preflight/src/scope.rs",
            include_str!("../../nss-preflight/src/scope.rs"),
        ),
        (
            "crates/nss-preflight/src/secrets.rs",
            include_str!("../../nss-preflight/src/secrets.rs"),
        ),
        (
            "crates/nss-preflight/src/system.rs",
            include_str!("../../nss-preflight/src/system.rs"),
        ),
    ],
};

impl Embedded {
    /// The contents of one file of the set.
    pub fn get(&self, path: &str) -> Option<&'static str> {
        self.files.iter().find(|(p, _)| *p == path).map(|(_, t)| *t)
    }
}

/// The files of [`PREFLIGHT`] as written: the crate manifest without `[dev-dependencies]`
/// (cargo resolves dev-dependencies even for `cargo build`, and they are not embedded) and
/// without its `[[bench]]` targets (their sources are not embedded either).
pub fn preflight_files() -> Vec<(&'static str, String)> {
    PREFLIGHT
        .files
        .iter()
        .map(|(path, text)| {
            let text = if *path == "crates/nss-preflight/Cargo.toml" {
                match text.parse::<toml_edit::DocumentMut>() {
                    Ok(mut doc) => {
                        doc.remove("dev-dependencies");
                        doc.remove("bench");
                        doc.to_string()
                    }
                    Err(_) => (*text).to_string(),
                }
            } else {
                (*text).to_string()
            };
            (*path, text)
        })
        .collect()
}

/// nss's cache directory: `$XDG_CACHE_HOME/nss` (when absolute), else `$HOME/.cache/nss`.
pub fn cache_root(vars: &Vars) -> Result<PathBuf, Error> {
    let e = vars.env();
    if let Some(x) = e.get(env::XDG_CACHE_HOME).filter(|x| x.starts_with('/')) {
        return Ok(Path::new(x).join("nss"));
    }
    match e.get(env::HOME).filter(|h| h.starts_with('/')) {
        Some(home) => Ok(Path::new(home).join(".cache/nss")),
        None => Err(Error::usage(
            "nss writes its bundled files under $XDG_CACHE_HOME/nss or $HOME/.cache/nss, and neither XDG_CACHE_HOME nor HOME is an absolute path",
            "set one",
        )),
    }
}

/// The first 16 hex digits of the SHA-256 over every `(path, contents)` pair.
pub fn content_hash<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut h = Sha256::new();
    for (path, text) in files {
        h.update((path.len() as u64).to_le_bytes());
        h.update(path.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where a set of files lives in the cache: `<root>/<name>-<hash>`.
pub fn cache_dir(root: &Path, name: &str, files: &[(&str, String)]) -> PathBuf {
    let hash = content_hash(files.iter().map(|(p, t)| (*p, t.as_str())));
    root.join(format!("{name}-{hash}"))
}

/// Writes a set of files under `root` (once: an existing directory of the same hash is
/// used as is) and returns its directory.
pub fn materialize(root: &Path, name: &str, files: &[(&str, String)]) -> Result<PathBuf, Error> {
    let dir = cache_dir(root, name, files);
    if dir.is_dir() {
        return Ok(dir);
    }
    let io = |path: &Path, action: &'static str| {
        let path = path.to_path_buf();
        move |source| Error::Io {
            path,
            action,
            source,
        }
    };
    std::fs::create_dir_all(root).map_err(io(root, "create"))?;
    let tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempdir_in(root)
        .map_err(io(root, "create a temporary directory in"))?;
    for (rel, text) in files {
        let path = tmp.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent, "create"))?;
        }
        let mut f = std::fs::File::create(&path).map_err(io(&path, "write"))?;
        f.write_all(text.as_bytes()).map_err(io(&path, "write"))?;
    }
    let tmp = tmp.keep();
    match std::fs::rename(&tmp, &dir) {
        Ok(()) => Ok(dir),
        // Another nss wrote the same contents first: use it.
        Err(_) if dir.is_dir() => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(dir)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(io(&dir, "create")(e))
        }
    }
}

/// A set's files as owned pairs (what [`materialize`] takes).
pub fn owned(set: &Embedded) -> Vec<(&'static str, String)> {
    set.files
        .iter()
        .map(|(p, t)| (*p, (*t).to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every embedded set lists exactly the files of its source directory, so an added
    /// file cannot be forgotten.
    #[test]
    fn embedded_sets_match_the_source_tree() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let list = |dir: &Path, skip: &[&str]| -> Vec<String> {
            let mut out: Vec<String> = walk(dir)
                .into_iter()
                .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
                .filter(|p| !skip.iter().any(|s| p.starts_with(s)))
                .collect();
            out.sort();
            out
        };
        let mut example: Vec<String> = EXAMPLE.files.iter().map(|(p, _)| p.to_string()).collect();
        example.sort();
        assert_eq!(
            example,
            list(
                &root.join("examples/hello-gpu"),
                &[".venv", "__pycache__", ".pytest_cache"]
            )
            .into_iter()
            .filter(|p| !p.contains("__pycache__") && !p.contains(".egg-info"))
            .collect::<Vec<_>>()
        );
        let mut src: Vec<String> = PREFLIGHT
            .files
            .iter()
            .filter_map(|(p, _)| p.strip_prefix("crates/nss-preflight/src/"))
            .map(str::to_string)
            .collect();
        src.sort();
        assert_eq!(src, list(&root.join("crates/nss-preflight/src"), &[]));
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn materialize_is_content_addressed_and_reused() {
        let tmp = tempfile::tempdir().unwrap();
        let files = vec![("a/b.txt", "one".to_string()), ("c", "two".to_string())];
        let dir = materialize(tmp.path(), "set", &files).unwrap();
        assert!(dir.starts_with(tmp.path()));
        assert_eq!(std::fs::read_to_string(dir.join("a/b.txt")).unwrap(), "one");
        assert_eq!(materialize(tmp.path(), "set", &files).unwrap(), dir);
        let changed = vec![("a/b.txt", "one!".to_string()), ("c", "two".to_string())];
        assert_ne!(materialize(tmp.path(), "set", &changed).unwrap(), dir);
        // No temporary directory is left behind.
        let names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| n.starts_with("set-")), "{names:?}");
    }

    #[test]
    fn cache_root_prefers_xdg_then_home() {
        let vars = |pairs: &[(&str, &str)]| {
            Vars::new(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        assert_eq!(
            cache_root(&vars(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")])).unwrap(),
            Path::new("/x/nss")
        );
        assert_eq!(
            cache_root(&vars(&[("XDG_CACHE_HOME", "rel"), ("HOME", "/h")])).unwrap(),
            Path::new("/h/.cache/nss")
        );
        let err = cache_root(&vars(&[])).unwrap_err().to_string();
        assert!(
            err.contains("XDG_CACHE_HOME") && err.contains("HOME"),
            "{err}"
        );
    }

    #[test]
    fn preflight_manifest_drops_dev_dependencies() {
        let files = preflight_files();
        let manifest = &files
            .iter()
            .find(|(p, _)| *p == "crates/nss-preflight/Cargo.toml")
            .unwrap()
            .1;
        assert!(!manifest.contains("[dev-dependencies]"), "{manifest}");
        assert!(!manifest.contains("[[bench]]"), "{manifest}");
        assert!(manifest.contains("[dependencies]"), "{manifest}");
    }
}
