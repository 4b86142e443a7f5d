//! Helpers shared by the integration tests.

use std::path::Path;

use nss_lint::{Finding, lint};

/// `(rule id, line)` of every finding, in order.
pub(crate) fn ids_and_lines(text: &str) -> Vec<(&'static str, usize)> {
    lint(text)
        .unwrap_or_else(|e| panic!("lint failed: {e}\n{text}"))
        .iter()
        .map(|f| (f.rule.id, f.line))
        .collect()
}

/// The findings as `nss lint` prints them, one per line.
pub(crate) fn rendered(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| f.display_with(Path::new("Dockerfile")).to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// One table row: (case, Dockerfile text, expected `(rule id, line)` findings).
pub(crate) type Row<'a> = (&'a str, String, Vec<(&'a str, usize)>);

/// Asserts every row: linting the text yields exactly the expected findings.
pub(crate) fn check_rows(rows: Vec<Row<'_>>) {
    for (case, text, want) in rows {
        let got = ids_and_lines(&text);
        assert_eq!(
            got,
            want,
            "case `{case}`:\n{text}\nfindings:\n{}",
            rendered(&lint(&text).unwrap())
        );
    }
}
