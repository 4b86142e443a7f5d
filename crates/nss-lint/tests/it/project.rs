//! The project's own Dockerfiles pass, the shape they follow passes, and a
//! Dockerfile breaking every convention prints as expected (snapshot).

use std::path::Path;

use nss_lint::{RULES, lint, lint_file};

use crate::util::rendered;

#[test]
fn project_dockerfiles_pass() {
    for file in [
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../containers/Dockerfile.cuda"
        ),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../containers/Dockerfile.test_ci"
        ),
    ] {
        let findings = lint_file(Path::new(file)).unwrap_or_else(|e| panic!("{e}"));
        assert!(findings.is_empty(), "{file}:\n{}", rendered(&findings));
    }
}

#[test]
fn reference_shape_passes() {
    let findings = lint(include_str!("../fixtures/good.Dockerfile")).unwrap();
    assert!(findings.is_empty(), "{}", rendered(&findings));
}

#[test]
fn every_convention_broken_snapshot() {
    let text = include_str!("../fixtures/bad.Dockerfile");
    let findings = lint(text).unwrap();
    // Every rule fires at least once in the fixture.
    for rule in RULES {
        assert!(
            findings.iter().any(|f| f.rule == *rule),
            "{} never fired:\n{}",
            rule.id,
            rendered(&findings)
        );
    }
    insta::assert_snapshot!(rendered(&findings));
}

#[test]
fn rule_tables_list_every_rule() {
    // The developer guide and the crate doc each carry the rule table; a new or
    // renamed rule must show up in both.
    let guide = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/developer-guide.md"
    ))
    .expect("docs/developer-guide.md");
    let crate_doc = include_str!("../../src/lib.rs");
    for rule in RULES {
        let row = format!("| `{}` | `{}` |", rule.id, rule.name);
        assert!(guide.contains(&row), "developer guide lacks {row}");
        assert!(crate_doc.contains(&row), "crate doc lacks {row}");
    }
}
