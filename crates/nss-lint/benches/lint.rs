//! Benchmarks: linting the project's CUDA Dockerfile, linting the largest of
//! the real-world-shaped fixtures nss-cli's tests read, and scanning a build
//! context whose ignored `.venv` holds 20,000 files (pruned, never walked) next to
//! 2,000 files that are sent.
#![allow(missing_docs)]

use std::fs;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use nss_lint::{ScanOptions, lint, scan_context};

fn bench_lint(c: &mut Criterion) {
    let text = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../containers/Dockerfile.cuda"
    ))
    .expect("containers/Dockerfile.cuda");
    c.bench_function("lint Dockerfile.cuda", |b| {
        b.iter(|| lint(black_box(&text)).expect("lints"));
    });
}

/// The largest Dockerfile among nss-cli's real-world-shaped test fixtures.
fn bench_lint_largest_fixture(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../nss-cli/tests/fixtures/dockerfiles");
    let largest = fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .max_by_key(|p| fs::metadata(p).map(|m| m.len()).unwrap_or_default())
        .expect("a fixture");
    let text = fs::read_to_string(&largest).expect("fixture");
    let name = largest.file_name().unwrap_or_default().to_string_lossy();
    c.bench_function(&format!("lint {name}"), |b| {
        b.iter(|| lint(black_box(&text)).expect("lints"));
    });
}

fn tree(root: &Path, dir: &str, count: usize) {
    for i in 0..count {
        let sub = root.join(dir).join(format!("d{}", i / 100));
        fs::create_dir_all(&sub).expect("mkdir");
        fs::write(sub.join(format!("f{i}.py")), b"x = 1\n").expect("write");
    }
}

fn bench_scan(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    tree(dir.path(), ".venv/lib", 20_000);
    tree(dir.path(), "src/pkg", 2_000);
    fs::write(
        dir.path().join(".dockerignore"),
        include_str!("../tests/fixtures/reference.dockerignore"),
    )
    .expect("write .dockerignore");
    let options = ScanOptions::default();
    c.bench_function("scan_context 2k sent, 20k ignored", |b| {
        b.iter(|| scan_context(black_box(dir.path()), &options).expect("scans"));
    });
    fs::remove_file(dir.path().join(".dockerignore")).expect("rm .dockerignore");
    c.bench_function("scan_context 22k sent, no .dockerignore", |b| {
        b.iter(|| scan_context(black_box(dir.path()), &options).expect("scans"));
    });
}

criterion_group!(benches, bench_lint, bench_lint_largest_fixture, bench_scan);
criterion_main!(benches);
