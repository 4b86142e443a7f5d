//! `# nss-lint ignore=RULE-ID reason` comments.

use crate::util::{Row, check_rows};

const HEAD: &str = "FROM debian:12 AS build\nFROM debian:12\n";
const TAIL: &str = "ENTRYPOINT [\"tini\", \"--\", \"app\"]\n";

#[test]
fn suppressions_silence_one_rule_on_one_instruction() {
    let rows: Vec<Row<'_>> = vec![
        (
            "comment line before, by id",
            format!("{HEAD}# nss-lint ignore=NSS008 dev image needs root\nUSER root\n{TAIL}"),
            vec![],
        ),
        (
            "comment line before, by name",
            format!(
                "{HEAD}# nss-lint ignore=non-root-user dev image needs root\nUSER root\n{TAIL}"
            ),
            vec![],
        ),
        (
            "separated by a blank line and another comment",
            format!(
                "{HEAD}# nss-lint ignore=NSS008 dev image needs root\n\n# more words\nUSER root\n{TAIL}"
            ),
            vec![],
        ),
        (
            "two rules in one comment",
            format!(
                "{HEAD}USER app\n# nss-lint ignore=NSS009,NSS010 run with --init\nENTRYPOINT app\n"
            ),
            vec![],
        ),
        (
            "other rule on the same instruction still reported",
            format!("{HEAD}USER app\n# nss-lint ignore=NSS009 run with --init\nENTRYPOINT app\n"),
            vec![("NSS010", 5)],
        ),
        (
            "suppression applies to the next instruction only (and is then unused)",
            format!("{HEAD}# nss-lint ignore=NSS008 reason\nRUN true\nUSER root\n{TAIL}"),
            vec![("NSS011", 3), ("NSS008", 5)],
        ),
        (
            "unused suppression",
            format!("{HEAD}USER app\n# nss-lint ignore=NSS010 reason\n{TAIL}"),
            vec![("NSS011", 4)],
        ),
        (
            "trailing shell comment on the same logical line",
            format!(
                "FROM debian:12 AS pre\nRUN pip install ruff  # nss-lint ignore=NSS005 tiny tool, no cache wanted\n{HEAD}USER app\n{TAIL}"
            ),
            vec![],
        ),
        (
            "comment line inside a continued RUN",
            format!(
                "FROM debian:12 AS pre\nRUN apt-get update \\\n  # nss-lint ignore=NSS004 one-off image, size does not matter\n  && apt-get install -y --no-install-recommends curl\n{HEAD}USER app\n{TAIL}"
            ),
            vec![],
        ),
        (
            "no reason: still suppresses, but is a finding",
            format!("{HEAD}# nss-lint ignore=NSS008\nUSER root\n{TAIL}"),
            vec![("NSS011", 3)],
        ),
        (
            "unknown rule: a finding, and nothing is suppressed",
            format!("{HEAD}# nss-lint ignore=NSS080 typo\nUSER root\n{TAIL}"),
            vec![("NSS011", 3), ("NSS008", 4)],
        ),
        (
            "misspelt directive",
            format!("{HEAD}# nss-lint disable=NSS008 reason\nUSER root\n{TAIL}"),
            vec![("NSS011", 3), ("NSS008", 4)],
        ),
        (
            "dangling at the end of the file",
            format!("{HEAD}USER app\n{TAIL}# nss-lint ignore=NSS008 nothing follows\n"),
            vec![("NSS011", 5)],
        ),
    ];
    check_rows(rows);
}
