//! Load + resolve on the Safe Synthesizer reference project (goal: well under
//! a millisecond in-process).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use nss_buildspec::{Inputs, Project, resolve};

fn fixture() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/safe-synthesizer"
    ))
}

fn bench(c: &mut Criterion) {
    let inputs = Inputs::default();
    c.bench_function("load_and_resolve_reference", |b| {
        b.iter(|| {
            let project = Project::load(black_box(fixture())).expect("loads");
            resolve(&project, &inputs).expect("resolves")
        });
    });
    c.bench_function("load_reference", |b| {
        b.iter(|| Project::load(black_box(fixture())).expect("loads"));
    });
    let project = Project::load(fixture()).expect("loads");
    c.bench_function("resolve_reference", |b| {
        b.iter(|| resolve(black_box(&project), &inputs).expect("resolves"));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
