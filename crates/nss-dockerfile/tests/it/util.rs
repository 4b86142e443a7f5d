//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// The grammar fixtures' folder.
pub(crate) fn grammar_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grammar")
}

/// One row of `verdicts.tsv`: fixture name, docker 20.10, podman 4.3 and nss verdicts.
pub(crate) struct Verdict {
    pub(crate) fixture: String,
    pub(crate) docker: String,
    pub(crate) podman: String,
    pub(crate) nss: String,
}

/// The expected-verdict table.
pub(crate) fn verdicts() -> Vec<Verdict> {
    let text = std::fs::read_to_string(grammar_dir().join("verdicts.tsv")).expect("verdicts.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "verdicts.tsv row {l:?}");
            Verdict {
                fixture: cols[0].to_owned(),
                docker: cols[1].to_owned(),
                podman: cols[2].to_owned(),
                nss: cols[3].to_owned(),
            }
        })
        .collect()
}

/// The text of fixture `name`.
pub(crate) fn fixture(name: &str) -> String {
    std::fs::read_to_string(grammar_dir().join(format!("{name}.Dockerfile")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}
