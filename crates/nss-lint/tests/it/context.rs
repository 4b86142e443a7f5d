//! The build-context scan on real directories.

use std::fs;
use std::path::{Path, PathBuf};

use nss_lint::{ContextWarning, ScanOptions, scan_context};

const REFERENCE_IGNORE: &str = include_str!("../fixtures/reference.dockerignore");

/// A project tree: pyproject, source, a .venv, a .git, node_modules, caches,
/// and one sparse 150 MiB file (no disk blocks written).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files: &[(&str, usize)] = &[
        ("pyproject.toml", 100),
        ("uv.lock", 2_000),
        ("src/pkg/__init__.py", 10),
        ("src/pkg/__pycache__/m.cpython-311.pyc", 50),
        ("tests/test_a.py", 20),
        (".venv/lib/python3.11/site-packages/x.py", 1_000),
        (".git/HEAD", 30),
        ("web/node_modules/left-pad/index.js", 40),
        ("coverage.xml", 5),
        (".env", 7),
    ];
    for (path, size) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, vec![b'x'; *size]).unwrap();
    }
    let big = fs::File::create(root.join("data.bin")).unwrap();
    big.set_len(150 * 1024 * 1024).unwrap();
    dir
}

fn unwanted(warnings: &[ContextWarning]) -> Vec<(PathBuf, u64)> {
    warnings
        .iter()
        .filter_map(|w| match w {
            ContextWarning::UnwantedDir { path, bytes } => Some((path.clone(), *bytes)),
            _ => None,
        })
        .collect()
}

fn large(warnings: &[ContextWarning]) -> Vec<PathBuf> {
    warnings
        .iter()
        .filter_map(|w| match w {
            ContextWarning::LargeFile { path, .. } => Some(path.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn without_dockerignore_everything_is_reported() {
    let dir = project();
    let report = scan_context(dir.path(), &ScanOptions::default()).unwrap();
    assert_eq!(report.warnings.first(), Some(&ContextWarning::NoIgnoreFile));
    assert_eq!(
        unwanted(&report.warnings),
        vec![
            (PathBuf::from(".git"), 30),
            (PathBuf::from(".venv"), 1_000),
            (PathBuf::from("web/node_modules"), 40),
        ]
    );
    assert_eq!(large(&report.warnings), vec![PathBuf::from("data.bin")]);
    assert_eq!(report.file_count, 11);
    assert_eq!(
        report.total_bytes,
        100 + 2_000 + 10 + 50 + 20 + 1_000 + 30 + 40 + 5 + 7 + 150 * 1024 * 1024
    );
    assert!(report.ignore_file.is_none());
}

#[test]
fn reference_dockerignore_is_honoured() {
    let dir = project();
    fs::write(dir.path().join(".dockerignore"), REFERENCE_IGNORE).unwrap();
    let report = scan_context(dir.path(), &ScanOptions::default()).unwrap();
    // .git/ and .venv/ are listed; node_modules is not; `__pycache__/` and
    // `*.pyc` only match at the root, as in the engines.
    assert_eq!(
        unwanted(&report.warnings),
        vec![(PathBuf::from("web/node_modules"), 40)]
    );
    assert_eq!(large(&report.warnings), vec![PathBuf::from("data.bin")]);
    assert!(!report.warnings.contains(&ContextWarning::NoIgnoreFile));
    // Sent: .dockerignore, pyproject, uv.lock, __init__.py, the nested .pyc,
    // test_a.py, node_modules/index.js, data.bin (coverage.xml and .env are ignored).
    assert_eq!(report.file_count, 8);
    assert_eq!(
        report.ignore_file.as_deref(),
        Some(dir.path().join(".dockerignore").as_path())
    );
}

#[test]
fn threshold_and_exceptions() {
    let dir = project();
    fs::write(
        dir.path().join(".dockerignore"),
        ".git\n.venv\n**/node_modules\ndata.bin\ntests\n!tests/test_a.py\n",
    )
    .unwrap();
    let options = ScanOptions {
        large_file_bytes: 1_000,
        ..ScanOptions::default()
    };
    let report = scan_context(dir.path(), &options).unwrap();
    assert!(
        unwanted(&report.warnings).is_empty(),
        "{:?}",
        report.warnings
    );
    // uv.lock (2000 bytes) is over the 1000-byte threshold; data.bin is ignored.
    assert_eq!(large(&report.warnings), vec![PathBuf::from("uv.lock")]);
    // tests/ is excluded but its exception brings test_a.py back.
    // .dockerignore, pyproject, uv.lock, __init__.py, .pyc, test_a.py, coverage.xml, .env
    assert_eq!(report.file_count, 8);
    let text = report.to_string();
    assert!(text.starts_with("build context: 8 files, "), "{text}");
}

#[test]
fn warnings_print_the_fix() {
    let dir = project();
    let report = scan_context(dir.path(), &ScanOptions::default()).unwrap();
    let lines: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn unreadable_context_is_an_error() {
    let err = scan_context(
        Path::new("/nonexistent/nss-context"),
        &ScanOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("/nonexistent/nss-context: cannot read"),
        "{err}"
    );
}
