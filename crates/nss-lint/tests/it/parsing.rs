//! Parser edge cases: continuations, the escape directive, JSON forms, BuildKit
//! flags, global ARGs, and parse errors.

use nss_lint::{Error, lint, lint_file};

use crate::util::{Row, check_rows};

#[test]
fn parser_edge_cases() {
    let tail = "USER app\nENTRYPOINT [\"tini\", \"--\", \"app\"]\n";
    let rows: Vec<Row<'_>> = vec![
        (
            "flag on a continuation line; finding at the instruction's first line",
            format!(
                "FROM debian:12 AS b\nRUN apt-get update \\\n    && apt-get install -y \\\n        --no-install-recommends \\\n        curl\nFROM debian:12\n{tail}"
            ),
            vec![("NSS004", 2)],
        ),
        (
            "comment and blank lines inside a continuation",
            format!(
                "FROM debian:12 AS b\nRUN apt-get update \\\n# comment\n\n    && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\nFROM debian:12\n{tail}"
            ),
            vec![("NSS003", 2)],
        ),
        (
            "escape directive: backtick continues, backslash is literal",
            format!(
                "# escape=`\nFROM debian:12 AS b\nRUN apt-get install -y `\n    curl C:\\ `\n    && rm -rf /var/lib/apt/lists/*\nFROM debian:12\n{tail}"
            ),
            vec![("NSS003", 3)],
        ),
        (
            "exec-form RUN with a mount flag",
            format!(
                "FROM debian:12 AS b\nENV UV_LINK_MODE=copy\nRUN --mount=type=cache,target=/root/.cache/uv [\"uv\", \"sync\"]\nRUN [\"uv\", \"pip\", \"install\", \"ruff\"]\nFROM debian:12\n{tail}"
            ),
            vec![("NSS005", 4)],
        ),
        (
            "exec-form sh -c is read as shell",
            format!(
                "FROM debian:12 AS b\nRUN [\"sh\", \"-c\", \"apt-get install -y curl && rm -rf /var/lib/apt/lists/*\"]\nFROM debian:12\n{tail}"
            ),
            vec![("NSS003", 2)],
        ),
        (
            "lowercase instructions and CRLF line endings",
            "from debian:12 as b\r\nfrom debian:12\r\nuser root\r\nentrypoint [\"tini\", \"--\", \"app\"]\r\n".to_owned(),
            vec![("NSS008", 3)],
        ),
        (
            "JSON form with escaped quotes",
            "FROM debian:12 AS b\nFROM debian:12\nUSER app\nENTRYPOINT [\"tini\", \"--\", \"sh\", \"-c\", \"echo \\\"hi\\\"\"]\n".to_owned(),
            vec![],
        ),
        (
            "global ARGs, FROM --platform and a heredoc-free multi-flag RUN",
            format!(
                "ARG RUST=1.95\nARG BASE=debian:12\nFROM --platform=$BUILDPLATFORM rust:${{RUST}}-slim AS b\nRUN --mount=type=cache,target=/usr/local/cargo/registry --mount=type=secret,id=build_ca cargo build\nFROM ${{BASE}}\n{tail}"
            ),
            vec![],
        ),
    ];
    check_rows(rows);
}

#[test]
fn parse_errors_name_file_and_line() {
    // (case, text, expected line, message fragment)
    let cases: &[(&str, &str, usize, &str)] = &[
        (
            "unknown instruction",
            "FROM debian:12\nFORM x\n",
            2,
            "unknown instruction",
        ),
        (
            "instruction before FROM",
            "RUN true\nFROM debian:12\n",
            1,
            "expected FROM",
        ),
        ("no FROM at all", "# nothing\n", 0, "FROM"),
        (
            "duplicate stage name",
            "FROM a:1 AS x\nFROM b:1 AS x\n",
            2,
            "duplicate stage name",
        ),
    ];
    for (case, text, line, fragment) in cases {
        match lint(text) {
            Err(Error::Parse {
                line: got, message, ..
            }) => {
                assert_eq!(got, *line, "case {case}: {message}");
                assert!(message.contains(fragment), "case {case}: {message}");
            }
            other => panic!("case {case}: expected a parse error, got {other:?}"),
        }
    }
    let err = lint("FROM debian:12\nFORM x\n").unwrap_err().to_string();
    assert_eq!(
        err,
        "Dockerfile:2: cannot parse Dockerfile: unknown instruction 'FORM'"
    );
    assert!(!err.contains('\n'));
}

#[test]
fn lint_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile.bad");
    std::fs::write(&path, "FROM debian:12\nFORM x\n").unwrap();
    let err = lint_file(&path).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}:2: ", path.display())), "{err}");

    let missing = dir.path().join("missing");
    let err = lint_file(&missing).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}: cannot read", missing.display())),
        "{err}"
    );
}
