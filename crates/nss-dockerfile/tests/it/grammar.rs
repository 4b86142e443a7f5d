//! Each grammar fixture is read with the verdict `verdicts.tsv` gives nss, and
//! with the structure its construct promises.

use nss_dockerfile::{Dockerfile, Form, Instruction};

use crate::util::{fixture, grammar_dir, verdicts};

fn read(name: &str) -> Dockerfile {
    let text = fixture(name);
    let df = Dockerfile::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    df.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
    df
}

fn find<'d>(df: &'d Dockerfile, keyword: &str) -> &'d Instruction {
    df.instructions
        .iter()
        .find(|i| i.keyword == keyword)
        .unwrap_or_else(|| panic!("no {keyword}"))
}

#[test]
fn every_fixture_has_a_verdict_and_nss_agrees() {
    let rows = verdicts();
    let mut files: Vec<String> = std::fs::read_dir(grammar_dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".Dockerfile").map(str::to_owned)
        })
        .collect();
    files.sort();
    let listed: Vec<String> = rows.iter().map(|r| r.fixture.clone()).collect();
    assert_eq!(files, listed, "verdicts.tsv lists every fixture, sorted");
    for row in rows {
        let text = fixture(&row.fixture);
        let got = Dockerfile::parse(&text).and_then(|df| df.validate());
        match (row.nss.as_str(), got) {
            ("ok", Ok(())) | ("error", Err(_)) => {}
            (want, got) => panic!("{}: expected {want}, got {got:?}", row.fixture),
        }
    }
}

/// (fixture, what the reader must see in it).
#[test]
fn constructs_read_as_buildkit_reads_them() {
    type Check = fn(&Dockerfile, &str);
    let cases: &[(&str, Check)] = &[
        ("directive-escape", |df, _| {
            assert_eq!(df.escape, '`');
            let run = find(df, "RUN");
            assert_eq!((run.line, run.end_line), (3, 4));
            assert_eq!(run.args(), "echo a     b C:\\dir");
        }),
        ("directive-syntax", |df, _| {
            assert_eq!(df.directive("syntax").unwrap().value, "docker/dockerfile:1");
            assert!(df.comments.is_empty());
        }),
        ("directive-check", |df, _| {
            assert_eq!(
                df.directive("check").unwrap().value,
                "skip=JSONArgsRecommended;error=true"
            );
        }),
        ("directive-unknown", |df, _| {
            // The unknown directive ends the directives: escape= is a comment.
            assert!(df.directives.is_empty());
            assert_eq!(df.escape, '\\');
            assert_eq!(df.comments.len(), 2);
            assert_eq!(find(df, "RUN").end_line, 5);
        }),
        ("directive-after-instruction", |df, _| {
            assert!(df.directives.is_empty());
            assert_eq!(df.comments[0].text, "escape=`");
            assert_eq!(find(df, "RUN").args(), "echo     still backslash");
        }),
        ("continuation-comment-blank", |df, text| {
            let run = find(df, "RUN");
            assert_eq!((run.line, run.end_line), (2, 7));
            assert_eq!(run.args(), "echo a     && echo b     && echo c");
            let lines: Vec<usize> = df.comments.iter().map(|c| c.line).collect();
            assert_eq!(lines, [3, 6]);
            assert_eq!(&text[df.comments[1].span.clone()], "# indented comment");
        }),
        ("continuation-at-eof", |df, _| {
            assert_eq!(find(df, "LABEL").args(), "a=b");
        }),
        ("heredoc-run", |df, _| {
            let run = find(df, "RUN");
            assert_eq!((run.line, run.end_line), (2, 5));
            assert_eq!(run.heredocs[0].name, "EOF");
            assert_eq!(run.heredocs[0].content, "echo one\necho two\n");
            assert!(run.heredocs[0].expand);
            assert_eq!(df.stages().len(), 2);
        }),
        ("heredoc-chomp", |df, _| {
            let h = &find(df, "RUN").heredocs[0];
            assert!(h.chomp);
            assert_eq!(h.content, "\techo tabbed\n");
        }),
        ("heredoc-quoted", |df, _| {
            let runs: Vec<&Instruction> = df.instructions.iter().filter(|i| i.is("RUN")).collect();
            assert_eq!(runs.len(), 2);
            assert_eq!(runs[0].heredocs[0].name, "EOF");
            assert!(!runs[0].heredocs[0].expand);
            assert_eq!(runs[1].heredocs[0].name, "END");
            assert!(!runs[1].heredocs[0].expand);
        }),
        ("heredoc-several", |df, _| {
            let run = find(df, "RUN");
            let names: Vec<&str> = run.heredocs.iter().map(|h| h.name.as_str()).collect();
            assert_eq!(names, ["A", "B"]);
            assert_eq!(run.heredocs[1].content, "second\n");
            assert_eq!(run.end_line, 6);
        }),
        ("heredoc-copy", |df, _| {
            let copy = find(df, "COPY");
            assert_eq!(copy.list(), ["<<EOF", "/etc/app.conf"]);
            assert_eq!(copy.heredocs[0].content, "key = value\n");
        }),
        ("exec-empty", |df, _| {
            assert_eq!(find(df, "ENTRYPOINT").form(), Form::Exec(vec![]));
            assert_eq!(find(df, "CMD").form(), Form::Exec(vec![]));
        }),
        ("exec-invalid-json", |df, _| {
            assert_eq!(find(df, "CMD").form(), Form::Shell("[\"a\", ]".into()));
            assert_eq!(find(df, "ENTRYPOINT").form(), Form::Shell("[oops]".into()));
        }),
        ("exec-and-shell", |df, _| {
            assert_eq!(
                find(df, "RUN").form(),
                Form::Exec(vec!["/bin/sh".into(), "-c".into(), "echo hi".into()])
            );
            assert_eq!(
                find(df, "CMD").form(),
                Form::Shell("echo \"shell form\"".into())
            );
        }),
        ("onbuild", |df, _| {
            let triggers: Vec<&str> = df
                .instructions
                .iter()
                .filter_map(|i| i.trigger.as_deref())
                .map(|t| t.keyword.as_str())
                .collect();
            assert_eq!(triggers, ["RUN", "COPY"]);
            let t = find(df, "ONBUILD").trigger.as_deref().unwrap();
            assert_eq!(t.form(), Form::Shell("echo triggered".into()));
        }),
        ("healthcheck", |df, _| {
            let hc: Vec<&Instruction> = df
                .instructions
                .iter()
                .filter(|i| i.is("HEALTHCHECK"))
                .collect();
            assert_eq!(hc[0].args(), "NONE");
            assert_eq!(hc[1].flag("retries").unwrap().value.as_deref(), Some("3"));
            assert_eq!(
                hc[1].form(),
                Form::Exec(vec!["curl".into(), "-f".into(), "http://localhost/".into()])
            );
        }),
        ("shell", |df, _| {
            assert!(matches!(find(df, "SHELL").form(), Form::Exec(v) if v.len() == 4));
        }),
        ("stopsignal", |df, _| {
            assert_eq!(find(df, "STOPSIGNAL").args(), "SIGTERM")
        }),
        ("maintainer", |df, _| {
            assert_eq!(
                find(df, "MAINTAINER").args(),
                "nss contributors <nss@example.com>"
            );
        }),
        ("user", |df, _| {
            assert_eq!(find(df, "USER").args(), "1000:1000")
        }),
        ("volume", |df, _| {
            let v: Vec<Vec<String>> = df
                .instructions
                .iter()
                .filter(|i| i.is("VOLUME"))
                .map(Instruction::list)
                .collect();
            assert_eq!(v, [vec!["/data", "/cache"], vec!["/models"]]);
        }),
        ("expose", |df, _| {
            assert_eq!(find(df, "EXPOSE").list(), ["8000", "8080/tcp", "9000/udp"]);
        }),
        ("env-label-forms", |df, _| {
            let words: Vec<String> = find(df, "ENV").words().into_iter().map(|w| w.raw).collect();
            assert_eq!(words, ["A=1", "B=\"two words\""]);
        }),
        ("workdir-add", |df, _| {
            assert_eq!(find(df, "WORKDIR").args(), "/app")
        }),
        ("run-mount", |df, _| {
            let run = find(df, "RUN");
            let kinds: Vec<&str> = run
                .flags
                .iter()
                .filter(|f| f.name == "mount")
                .filter_map(|f| f.value.as_deref())
                .map(|v| v.split(',').next().unwrap())
                .collect();
            assert_eq!(
                kinds,
                [
                    "type=cache",
                    "type=bind",
                    "type=tmpfs",
                    "type=secret",
                    "type=ssh"
                ]
            );
            assert_eq!(run.args(), "uv sync");
        }),
        ("run-network", |df, _| {
            assert_eq!(
                find(df, "RUN").flag("network").unwrap().value.as_deref(),
                Some("none")
            );
        }),
        ("run-security", |df, _| {
            assert_eq!(
                find(df, "RUN").flag("security").unwrap().value.as_deref(),
                Some("insecure")
            );
        }),
        ("copy-link", |df, _| {
            let f = find(df, "COPY").flag("link").unwrap();
            assert_eq!(f.value, None);
        }),
        ("copy-chmod-chown", |df, text| {
            let copy = find(df, "COPY");
            assert_eq!(
                copy.flag("chown").unwrap().value.as_deref(),
                Some("1000:1000")
            );
            assert_eq!(
                &text[copy.flag("chmod").unwrap().span.clone()],
                "--chmod=0755"
            );
            assert_eq!(copy.list(), ["a", "/a"]);
        }),
        ("add-checksum", |df, _| {
            assert!(
                find(df, "ADD")
                    .flag("checksum")
                    .unwrap()
                    .value
                    .as_deref()
                    .unwrap()
                    .starts_with("sha256:")
            );
        }),
        ("copy-exclude", |df, _| {
            assert_eq!(
                find(df, "COPY").flag("exclude").unwrap().value.as_deref(),
                Some("*.pyc")
            );
        }),
        ("copy-parents", |df, _| {
            assert!(find(df, "COPY").flag("parents").is_some())
        }),
        ("add-keep-git-dir", |df, _| {
            assert_eq!(
                find(df, "ADD")
                    .flag("keep-git-dir")
                    .unwrap()
                    .value
                    .as_deref(),
                Some("true")
            );
        }),
        ("from-platform", |df, _| {
            assert_eq!(df.stages()[0].platform.as_deref(), Some("$BUILDPLATFORM"));
            assert_eq!(df.stages()[0].base, "scratch");
        }),
        ("lowercase", |df, _| {
            let kws: Vec<&str> = df.instructions.iter().map(|i| i.keyword.as_str()).collect();
            assert_eq!(kws, ["FROM", "RUN", "COPY", "FROM"]);
            assert_eq!(df.stages()[0].name.as_deref(), Some("c"));
        }),
        ("arg-before-from", |df, _| {
            assert_eq!(df.global().len(), 2);
            assert_eq!(df.stages()[0].base, "${BASE}");
        }),
        ("from-variables", |df, _| {
            let bases: Vec<String> = df.stages().into_iter().map(|s| s.base).collect();
            assert_eq!(bases, ["$BASE", "${BASE}", "scratch"]);
        }),
        ("as-any-case", |df, _| {
            let names: Vec<Option<String>> = df.stages().into_iter().map(|s| s.name).collect();
            assert_eq!(
                names,
                [Some("c".into()), Some("d".into()), Some("t".into())]
            );
        }),
    ];
    for (name, check) in cases {
        let text = fixture(name);
        check(&read(name), &text);
    }
    let covered: Vec<&str> = cases.iter().map(|(n, _)| *n).collect();
    for row in verdicts() {
        if row.nss == "ok" {
            assert!(
                covered.contains(&row.fixture.as_str()),
                "{} has no structure check",
                row.fixture
            );
        }
    }
}

/// (fixture, line, message fragment): errors where BuildKit errs, one line each.
#[test]
fn errors_name_the_line() {
    let cases: &[(&str, usize, &str)] = &[
        ("error-unknown-instruction", 2, "unknown instruction 'FORM'"),
        ("error-before-from", 1, "expected FROM"),
        ("error-unterminated-heredoc", 2, "unterminated heredoc"),
    ];
    for (name, line, fragment) in cases {
        let text = fixture(name);
        let err =
            Dockerfile::parse_named(&text, std::path::Path::new(&format!("{name}.Dockerfile")))
                .and_then(|df| {
                    df.validate()
                        .map_err(|e| e.in_file(std::path::Path::new(&format!("{name}.Dockerfile"))))
                })
                .unwrap_err();
        assert_eq!(err.line, *line, "{name}: {err}");
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("{name}.Dockerfile:{line}: ")),
            "{shown}"
        );
        assert!(shown.contains(fragment), "{shown}");
        assert!(!shown.contains('\n'));
    }
}
