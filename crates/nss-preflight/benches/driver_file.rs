//! The driver-file read of the preflight, whatever sits at `/proc/driver/nvidia/version`.
//!
//! Budget: the read adds at most 0.1 ms to the app's start, for a FIFO, a device such as
//! `/dev/zero` or a 50 MB file in its place as for the real ~200-byte file (it is one
//! non-blocking open, one fstat and at most one 4 KiB read). The whole preflight's budget
//! (0.5 ms over a bare exec) is measured by `preflight.sh` beside this file.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use nss_preflight::read_small_file;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = dir.path().join("version");
    std::fs::write(
        &real,
        "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build  (nixbld@)\nGCC version:  gcc version 14.3.0 (GCC)\n",
    )
    .expect("write");
    let big = dir.path().join("big");
    std::fs::write(&big, vec![b'x'; 50 << 20]).expect("write");
    let fifo = dir.path().join("fifo");
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
    )
    .expect("mkfifo");
    let mut group = c.benchmark_group("driver_file");
    for (name, path) in [
        ("regular_200_bytes", real.as_path()),
        ("file_50_mb", big.as_path()),
        ("fifo", fifo.as_path()),
        ("dev_zero", std::path::Path::new("/dev/zero")),
    ] {
        group.bench_function(name, |b| b.iter(|| read_small_file(black_box(path))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
