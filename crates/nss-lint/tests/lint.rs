//! Integration tests for `nss-lint`: rule table tests, suppressions, parser edge
//! cases and the build-context scan.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;

use nss_lint::{Finding, lint};

fn rendered(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| f.display_with(Path::new("Dockerfile")).to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn good_dockerfile_passes() {
    let text = include_str!("fixtures/good.Dockerfile");
    let findings = lint(text).unwrap();
    assert!(findings.is_empty(), "{}", rendered(&findings));
}
