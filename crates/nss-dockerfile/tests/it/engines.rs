//! The engines as the grammar's oracle: every fixture is built (`--target t`, a
//! trivial `FROM scratch` stage, so only parsing and stage resolution are
//! exercised) by docker 20.10's built-in BuildKit and by podman 4.3, and each
//! verdict must match `verdicts.tsv`. Where the engines disagree with each other
//! or with nss, the table says so; this test proves the table is true.

use std::process::Command;

use nss_testkit::{Cleanup, TestEngine, engines, exclusive};

use crate::util::{grammar_dir, verdicts};

fn build(engine: &TestEngine, fixture: &str, context: &std::path::Path) -> (bool, String) {
    let tag = format!("localhost/nss-grammar-{fixture}:test");
    let _cleanup = Cleanup::new(engine).image(tag.clone());
    let file = grammar_dir().join(format!("{fixture}.Dockerfile"));
    let mut cmd: Command = engine.command();
    cmd.args(["build", "-q", "--target", "t", "-t", &tag, "-f"])
        .arg(&file)
        .arg(context);
    let out = cmd.output().expect("engine runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default().to_owned();
    (out.status.success(), last)
}

#[test]
fn engines_agree_with_the_verdict_table() {
    let engines = engines();
    if engines.is_empty() {
        return;
    }
    let _guard = exclusive();
    let context = tempfile::tempdir().expect("empty build context");
    let mut wrong = Vec::new();
    for row in verdicts() {
        for engine in &engines {
            let want = match engine.name() {
                "docker" => &row.docker,
                _ => &row.podman,
            };
            let (ok, last) = build(engine, &row.fixture, context.path());
            let got = if ok { "ok" } else { "error" };
            if got != want {
                wrong.push(format!(
                    "{} on {}: table says {want}, engine says {got} ({last})",
                    row.fixture,
                    engine.name()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "verdicts.tsv is wrong:\n{}",
        wrong.join("\n")
    );
}
