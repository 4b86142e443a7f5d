//! Loading: errors, and edits that keep the document's formatting.

use nss_buildspec::{Error, Project};

use crate::util::{fixture_dir, reference_copy};

#[test]
fn load_errors_name_the_file() {
    let empty = tempfile::tempdir().expect("tempdir");
    let err = Project::load(empty.path()).expect_err("no pyproject");
    assert!(matches!(err, Error::NoPyProject { .. }), "{err:?}");
    assert!(
        err.to_string().ends_with(
            "no pyproject.toml here; run in a uv project directory or pass --project DIR"
        ),
        "{err}"
    );

    // A directory where the file should be: named for what it is, not a panic.
    std::fs::create_dir(empty.path().join("pyproject.toml")).expect("mkdir");
    let err = Project::load(empty.path()).expect_err("a directory");
    assert!(matches!(err, Error::NotRegular { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("pyproject.toml: is a directory, not a regular file"),
        "{err}"
    );

    let bad = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        bad.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n[project]\n",
    )
    .expect("write");
    let err = Project::load(bad.path()).expect_err("duplicate table");
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            Error::Toml {
                line: 3,
                column: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        msg.contains("pyproject.toml:3:2: invalid toml: duplicate key") && !msg.contains('\n'),
        "{msg}"
    );
}

#[test]
fn reference_loads_with_its_python_version_file() {
    let project = Project::load(&fixture_dir()).expect("loads");
    assert_eq!(project.name(), Some("nemo-safe-synthesizer"));
    assert_eq!(
        project
            .python_version_file()
            .and_then(|f| f.version.as_deref()),
        Some("3.11")
    );
    assert!(project.tool_nss().is_none());
    assert_eq!(
        project.pyproject_path(),
        fixture_dir().join("pyproject.toml")
    );
}

#[test]
fn edits_keep_formatting() {
    let dir = reference_copy();
    let before = std::fs::read_to_string(dir.path().join("pyproject.toml")).expect("read");
    let mut project = Project::load(dir.path()).expect("loads");
    assert_eq!(
        project.document().to_string(),
        before,
        "a loaded document prints back byte for byte"
    );
    project.document_mut()["tool"]["uv"]["required-version"] =
        toml_edit::value(">=0.9.15, <0.11.0");
    let after = project.document().to_string();
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(
        changed[0]
            .1
            .starts_with("required-version = \">=0.9.15, <0.11.0\""),
        "{changed:?}"
    );
}
