//! The build-context scan run before a build: how much would be sent to the
//! engine, and whether it holds things that slow builds or leak into images.
//!
//! `.dockerignore` semantics follow the engines' pattern matcher (moby's
//! `patternmatcher`, which podman's buildah shares): each line is trimmed,
//! `#` lines and blank lines are skipped, `!` makes an exception, patterns are
//! cleaned like paths and anchored at the context root (`foo` matches only
//! `./foo`, `**/foo` matches at any depth), a pattern that matches a directory
//! matches everything under it, and the last matching line decides. Globs are
//! compiled with `globset` with `*` and `?` not crossing `/`. Differences from
//! the engines, none of which the reference `.dockerignore` files use: `**` must
//! be a whole path component, and `{a,b}` alternation is accepted. The
//! `ignore` crate's gitignore matcher was not used because gitignore patterns
//! without a slash match at any depth, where `.dockerignore` patterns do not.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;
use walkdir::WalkDir;

use crate::error::Error;

/// Files at least this large (100 MiB) are reported by default.
pub const DEFAULT_LARGE_FILE_BYTES: u64 = 100 * 1024 * 1024;

/// Directory names that should never be in a build context.
pub const UNWANTED_DIRS: &[&str] = &[".venv", ".git", "node_modules"];

/// Settings for [`scan_context`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOptions {
    /// Report files of at least this many bytes.
    pub large_file_bytes: u64,
    /// The ignore file to honour, instead of `.dockerignore` (then
    /// `.containerignore`) at the context root.
    pub ignore_file: Option<PathBuf>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            large_file_bytes: DEFAULT_LARGE_FILE_BYTES,
            ignore_file: None,
        }
    }
}

/// What a build of this context would send, and what looks wrong about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextReport {
    /// Bytes of the regular files that would be sent.
    pub total_bytes: u64,
    /// Files (and symlinks) that would be sent.
    pub file_count: u64,
    /// The ignore file honoured, if any.
    pub ignore_file: Option<PathBuf>,
    /// Problems, in walk order after [`ContextWarning::NoIgnoreFile`].
    pub warnings: Vec<ContextWarning>,
}

impl fmt::Display for ContextReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "build context: {} files, {}",
            self.file_count,
            human_bytes(self.total_bytes)
        )
    }
}

/// One problem with a build context. `Display` gives a one-line message with the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ContextWarning {
    /// The context has no `.dockerignore`, so everything is sent.
    NoIgnoreFile,
    /// A `.venv`, `.git` or `node_modules` directory would be sent.
    UnwantedDir {
        /// Path relative to the context root.
        path: PathBuf,
        /// Bytes under it.
        bytes: u64,
    },
    /// A file at or over the size threshold would be sent.
    LargeFile {
        /// Path relative to the context root.
        path: PathBuf,
        /// Its size.
        bytes: u64,
        /// The threshold it met.
        threshold: u64,
    },
}

impl fmt::Display for ContextWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoIgnoreFile => write!(
                f,
                "no .dockerignore: the whole project directory is sent to the engine; add one \
                 listing .git/, .venv/ and caches"
            ),
            Self::UnwantedDir { path, bytes } => write!(
                f,
                "build context includes {} ({}): add `{}/` to .dockerignore",
                path.display(),
                human_bytes(*bytes),
                path.display()
            ),
            Self::LargeFile {
                path,
                bytes,
                threshold,
            } => write!(
                f,
                "build context includes {} ({}, over {}): add it to .dockerignore",
                path.display(),
                human_bytes(*bytes),
                human_bytes(*threshold)
            ),
        }
    }
}

/// `1536` -> `1.5 KiB`.
fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    #[allow(clippy::cast_precision_loss)]
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Walks the build context rooted at `project_dir`, honouring its ignore file,
/// without descending into excluded directories (unless an exception pattern
/// could re-include something inside).
///
/// # Errors
///
/// [`Error::Read`] when the directory or the ignore file cannot be read,
/// [`Error::IgnorePattern`] for a pattern that is not a valid glob.
pub fn scan_context(project_dir: &Path, options: &ScanOptions) -> Result<ContextReport, Error> {
    let ignore_file = match &options.ignore_file {
        Some(path) => Some(path.clone()),
        None => [".dockerignore", ".containerignore"]
            .iter()
            .map(|name| project_dir.join(name))
            .find(|p| p.is_file()),
    };
    let matcher = match &ignore_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
                path: path.clone(),
                source,
            })?;
            IgnoreMatcher::parse(&text, path)?
        }
        None => IgnoreMatcher::default(),
    };

    let mut report = ContextReport {
        total_bytes: 0,
        file_count: 0,
        ignore_file: ignore_file.clone(),
        warnings: Vec::new(),
    };
    if ignore_file.is_none() {
        report.warnings.push(ContextWarning::NoIgnoreFile);
    }
    // Index into `report.warnings` of unwanted directories, by relative path.
    let mut unwanted: Vec<(String, usize)> = Vec::new();

    let walker = WalkDir::new(project_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let Some(rel) = relative(project_dir, entry.path()) else {
                return true; // the root itself
            };
            if !matcher.is_excluded(&rel) {
                return true;
            }
            // Excluded: keep descending only when an exception could re-include a child.
            entry.file_type().is_dir() && matcher.may_reinclude_under(&rel)
        });
    for entry in walker {
        let entry = entry.map_err(|e| Error::Read {
            path: e
                .path()
                .map_or_else(|| project_dir.to_owned(), Path::to_owned),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("filesystem loop")),
        })?;
        let Some(rel) = relative(project_dir, entry.path()) else {
            continue;
        };
        if matcher.is_excluded(&rel) {
            continue; // a directory walked only for possible exceptions
        }
        if entry.file_type().is_dir() {
            let name = entry.file_name().to_string_lossy();
            let inside_flagged = unwanted.iter().any(|(dir, _)| is_under(&rel, dir));
            if UNWANTED_DIRS.contains(&name.as_ref()) && !inside_flagged {
                unwanted.push((rel.clone(), report.warnings.len()));
                report.warnings.push(ContextWarning::UnwantedDir {
                    path: PathBuf::from(&rel),
                    bytes: 0,
                });
            }
            continue;
        }
        report.file_count += 1;
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = entry
            .metadata()
            .map_err(|e| Error::Read {
                path: entry.path().to_owned(),
                source: e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("metadata")),
            })?
            .len();
        report.total_bytes += bytes;
        for (dir, index) in &unwanted {
            if is_under(&rel, dir)
                && let ContextWarning::UnwantedDir { bytes: b, .. } = &mut report.warnings[*index]
            {
                *b += bytes;
            }
        }
        if bytes >= options.large_file_bytes {
            report.warnings.push(ContextWarning::LargeFile {
                path: PathBuf::from(&rel),
                bytes,
                threshold: options.large_file_bytes,
            });
        }
    }
    Ok(report)
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    if rel.as_os_str().is_empty() {
        return None;
    }
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

fn is_under(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// A compiled `.dockerignore`.
#[derive(Debug, Default)]
pub(crate) struct IgnoreMatcher {
    /// Every pattern, in file order (index = position in `patterns`).
    set: GlobSet,
    patterns: Vec<Pattern>,
    /// Memo of [`IgnoreMatcher::last_hit`] for directories.
    parents: RefCell<HashMap<String, Option<usize>>>,
}

#[derive(Debug)]
struct Pattern {
    exception: bool,
    /// Leading path components without glob characters (for pruning).
    literal_prefix: String,
}

impl IgnoreMatcher {
    pub(crate) fn parse(text: &str, file: &Path) -> Result<Self, Error> {
        let mut patterns = Vec::new();
        let mut set = GlobSetBuilder::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (exception, raw) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let cleaned = clean(raw);
            if cleaned.is_empty() {
                continue;
            }
            let glob = GlobBuilder::new(&cleaned)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| Error::IgnorePattern {
                    file: file.to_owned(),
                    line: i + 1,
                    pattern: line.to_owned(),
                    message: e.kind().to_string(),
                })?;
            set.add(glob);
            let literal_prefix = cleaned
                .split('/')
                .take_while(|c| !c.contains(['*', '?', '[', '{', '\\']))
                .collect::<Vec<_>>()
                .join("/");
            patterns.push(Pattern {
                exception,
                literal_prefix,
            });
        }
        let set = set.build().map_err(|e| Error::IgnorePattern {
            file: file.to_owned(),
            line: 0,
            pattern: String::new(),
            message: e.to_string(),
        })?;
        Ok(Self {
            set,
            patterns,
            parents: RefCell::default(),
        })
    }

    /// Whether `path` (relative, `/`-separated) is left out of the context.
    ///
    /// The engines walk the patterns in order and let each one that matches the
    /// path or one of its parent directories set the outcome, so the outcome is
    /// that of the last such pattern.
    pub(crate) fn is_excluded(&self, path: &str) -> bool {
        self.last_hit(path)
            .is_some_and(|i| !self.patterns[i].exception)
    }

    /// Index of the last pattern matching `path` or one of its parents; parent
    /// results are memoised, since a walk asks about every child of a directory.
    fn last_hit(&self, path: &str) -> Option<usize> {
        if self.patterns.is_empty() {
            return None;
        }
        let parent = match path.rsplit_once('/') {
            Some((parent, _)) => {
                let cached = self.parents.borrow().get(parent).copied();
                cached.unwrap_or_else(|| {
                    let hit = self.last_hit(parent);
                    self.parents.borrow_mut().insert(parent.to_owned(), hit);
                    hit
                })
            }
            None => None,
        };
        let own = self.set.matches(path).last().copied();
        parent.max(own)
    }

    /// Whether an exception pattern could re-include something under `dir`.
    fn may_reinclude_under(&self, dir: &str) -> bool {
        self.patterns.iter().filter(|p| p.exception).any(|p| {
            p.literal_prefix.is_empty()
                || is_under(&p.literal_prefix, dir)
                || p.literal_prefix == dir
                || is_under(dir, &p.literal_prefix)
        })
    }
}

/// Go's `filepath.Clean` for a relative pattern, with a leading `/` dropped.
fn clean(pattern: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in pattern.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_like_the_engines() {
        let text = "# comment\n.git/\n*.pyc\n**/__pycache__\n/dist\n./build/\nsrc/*.tmp\ndata\n!data/keep.csv\n";
        let m = IgnoreMatcher::parse(text, Path::new(".dockerignore")).unwrap();
        // (case, path, excluded)
        let cases: &[(&str, &str, bool)] = &[
            ("dir pattern with slash", ".git", true),
            ("child of excluded dir", ".git/objects/ab", true),
            ("root-anchored glob", "x.pyc", true),
            ("glob does not match deeper", "pkg/x.pyc", false),
            ("double star any depth", "pkg/sub/__pycache__/m.pyc", true),
            ("leading slash dropped", "dist/a.whl", true),
            ("dot slash cleaned", "build/x", true),
            ("star stays in its component", "src/a/b.tmp", false),
            ("star in component", "src/b.tmp", true),
            ("excluded dir", "data/big.bin", true),
            ("exception re-includes", "data/keep.csv", false),
            ("unrelated", "pyproject.toml", false),
            ("comment is not a pattern", "# comment", false),
        ];
        for (case, path, want) in cases {
            assert_eq!(m.is_excluded(path), *want, "case {case}: {path}");
        }
        assert!(m.may_reinclude_under("data"));
        assert!(!m.may_reinclude_under(".git"));
    }

    #[test]
    fn human_bytes_picks_a_unit() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(100 * 1024 * 1024), "100.0 MiB");
    }

    #[test]
    fn bad_pattern_names_file_and_line() {
        let err = IgnoreMatcher::parse("ok\n[unclosed\n", Path::new(".dockerignore")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with(".dockerignore:2: invalid pattern `[unclosed`"),
            "{msg}"
        );
    }
}
