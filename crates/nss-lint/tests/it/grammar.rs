//! Every grammar fixture BuildKit builds lints (exit 0 or 1 in `nss lint`, never 2);
//! the ones it refuses are parse errors naming the line.

use std::path::Path;

use nss_lint::{Error, lint_named};

#[test]
fn lint_reads_every_construct_buildkit_reads() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../nss-dockerfile/tests/fixtures/grammar");
    let table = std::fs::read_to_string(dir.join("verdicts.tsv")).unwrap();
    let mut rows = 0;
    for row in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = row.split('\t').collect();
        let (name, nss) = (cols[0], cols[3]);
        let file = dir.join(format!("{name}.Dockerfile"));
        let text = std::fs::read_to_string(&file).unwrap();
        match (nss, lint_named(&text, &file)) {
            ("ok", Ok(_)) => {}
            ("error", Err(Error::Parse { line, .. })) => assert!(line > 0, "{name}"),
            (want, got) => panic!("{name}: expected {want}, got {got:?}"),
        }
        rows += 1;
    }
    assert!(rows >= 40, "{rows} fixtures");
}
