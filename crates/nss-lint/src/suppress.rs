//! Inline suppressions: `# nss-lint ignore=RULE-ID[,RULE-ID...] reason`.
//!
//! A suppression on its own comment line applies to the next instruction; one
//! inside an instruction (a comment line within a continued `RUN`, or a shell
//! comment at the end of a line) applies to that instruction. It silences the
//! named rules' findings reported at that instruction's first line.

use std::collections::BTreeMap;

use nss_dockerfile::Dockerfile;

use crate::finding::Finding;
use crate::rules::{self, Rule, SUPPRESSION};

/// A parsed suppression, attached to the first line of its instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Suppression {
    /// 1-based line of the comment.
    pub(crate) line: usize,
    /// 1-based line of the instruction the suppression applies to.
    pub(crate) target: usize,
    /// The rules it silences.
    pub(crate) rules: Vec<Rule>,
}

/// Physical line ranges (1-based, inclusive) of each instruction, in order.
pub(crate) type Ranges = [(usize, usize)];

/// The lines that may carry an `# nss-lint` comment, as `(1-based line, text)`:
/// the comment lines the Dockerfile reader found, and the physical lines of
/// each instruction (a trailing shell comment), heredoc bodies excluded.
pub(crate) fn candidates<'t>(text: &'t str, dockerfile: &Dockerfile) -> Vec<(usize, &'t str)> {
    let mut lines: BTreeMap<usize, &'t str> = BTreeMap::new();
    for c in &dockerfile.comments {
        lines.insert(c.line, &text[c.span.clone()]);
    }
    for ins in &dockerfile.instructions {
        let body_end = ins.heredocs.first().map_or(ins.span.end, |h| h.span.start);
        for (line, piece) in (ins.line..).zip(text[ins.span.start..body_end].lines()) {
            lines.entry(line).or_insert(piece);
        }
    }
    lines.into_iter().collect()
}

/// Finds every `# nss-lint` comment in `lines` (`(1-based line, text)`, see
/// [`candidates`]). Returns the usable suppressions and the findings for
/// malformed ones (no reason, unknown rule, nothing to apply to).
pub(crate) fn collect(
    lines: &[(usize, &str)],
    ranges: &Ranges,
) -> (Vec<Suppression>, Vec<Finding>) {
    let mut suppressions = Vec::new();
    let mut findings = Vec::new();
    for &(line_no, line) in lines {
        let Some(directive) = directive(line) else {
            continue;
        };
        let bad = |message: String| Finding {
            rule: SUPPRESSION,
            line: line_no,
            message,
        };
        let Some(rest) = directive.strip_prefix("ignore=") else {
            findings.push(bad(format!(
                "unrecognised nss-lint comment `{}`: write `# nss-lint ignore=RULE-ID reason`",
                directive.trim()
            )));
            continue;
        };
        let (ids, reason) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(ids, reason)| (ids, reason.trim()));
        let mut rules = Vec::new();
        for id in ids.split(',').filter(|id| !id.is_empty()) {
            match rules::rule(id) {
                Some(rule) => rules.push(rule),
                None => findings.push(bad(format!(
                    "unknown rule `{id}` in nss-lint ignore: use a rule id or name ({})",
                    rules::RULES
                        .iter()
                        .map(|r| format!("{} {}", r.id, r.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            }
        }
        if rules.is_empty() && ids.is_empty() {
            findings.push(bad(
                "nss-lint ignore names no rule: write `# nss-lint ignore=RULE-ID reason`"
                    .to_owned(),
            ));
            continue;
        }
        if reason.is_empty() {
            findings.push(bad(format!(
                "`# nss-lint ignore={ids}` has no reason: add why the rule does not apply after the rule id"
            )));
        }
        let target = ranges
            .iter()
            .find(|(start, end)| (*start..=*end).contains(&line_no))
            .or_else(|| ranges.iter().find(|(start, _)| *start > line_no))
            .map(|(start, _)| *start);
        match target {
            Some(target) if !rules.is_empty() => suppressions.push(Suppression {
                line: line_no,
                target,
                rules,
            }),
            Some(_) => {}
            None => findings.push(bad(
                "nss-lint ignore is not followed by an instruction: move it above the instruction it excuses"
                    .to_owned(),
            )),
        }
    }
    (suppressions, findings)
}

/// The text after `# nss-lint` when the line carries such a comment: the whole
/// line is a comment, or the `#` follows whitespace (a trailing shell comment).
fn directive(line: &str) -> Option<&str> {
    let mut search = 0;
    while let Some(pos) = line[search..].find('#') {
        let at = search + pos;
        let starts_word = line[..at]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        let rest = line[at + 1..].trim_start();
        if starts_word
            && let Some(directive) = rest.strip_prefix("nss-lint")
            && (directive.is_empty() || directive.starts_with(char::is_whitespace))
        {
            return Some(directive.trim_start());
        }
        search = at + 1;
    }
    None
}

/// Findings for suppressions that silence nothing: the rule does not fire at
/// that instruction (any more), so the comment only misleads.
pub(crate) fn unused(findings: &[Finding], suppressions: &[Suppression]) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in suppressions {
        for rule in &s.rules {
            let used = findings
                .iter()
                .any(|f| f.rule == *rule && f.line == s.target);
            if !used {
                out.push(Finding {
                    rule: SUPPRESSION,
                    line: s.line,
                    message: format!(
                        "`nss-lint ignore={}` suppresses nothing: the instruction at line {} has no {} finding; remove it",
                        rule.id, s.target, rule.id
                    ),
                });
            }
        }
    }
    out
}

/// Whether `finding` is silenced by one of `suppressions`.
pub(crate) fn is_suppressed(finding: &Finding, suppressions: &[Suppression]) -> bool {
    finding.rule != SUPPRESSION
        && suppressions
            .iter()
            .any(|s| s.target == finding.line && s.rules.contains(&finding.rule))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{INIT_PROCESS, NON_ROOT_USER};

    fn numbered(text: &str) -> Vec<(usize, &str)> {
        text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect()
    }

    #[test]
    fn directive_is_found_only_in_comments() {
        // (case, line, directive)
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "own line",
                "# nss-lint ignore=NSS008 why",
                Some("ignore=NSS008 why"),
            ),
            (
                "indented",
                "   #nss-lint ignore=NSS008",
                Some("ignore=NSS008"),
            ),
            (
                "trailing",
                "RUN x  # nss-lint ignore=NSS005 r",
                Some("ignore=NSS005 r"),
            ),
            ("inside word", "RUN echo a#nss-lint", None),
            ("other tool", "# nss-linter ignore=x", None),
            ("plain comment", "# just words", None),
        ];
        for (case, line, want) in cases {
            assert_eq!(directive(line), *want, "case {case}");
        }
    }

    #[test]
    fn attaches_to_next_or_enclosing_instruction() {
        let text = "FROM a:1\n# nss-lint ignore=NSS008,init-process dev runs as root\n\nUSER root\nRUN a \\\n  # nss-lint ignore=NSS009 r\n  b\n";
        let ranges = [(1, 1), (4, 4), (5, 7)];
        let (s, f) = collect(&numbered(text), &ranges);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(
            s,
            vec![
                Suppression {
                    line: 2,
                    target: 4,
                    rules: vec![NON_ROOT_USER, INIT_PROCESS]
                },
                Suppression {
                    line: 6,
                    target: 5,
                    rules: vec![INIT_PROCESS]
                },
            ]
        );
    }

    #[test]
    fn malformed_suppressions_are_findings() {
        // (case, comment, message fragment)
        let cases: &[(&str, &str, &str)] = &[
            ("no reason", "# nss-lint ignore=NSS008", "has no reason"),
            (
                "unknown rule",
                "# nss-lint ignore=NSS999 r",
                "unknown rule `NSS999`",
            ),
            ("no rule", "# nss-lint ignore= r", "names no rule"),
            ("not ignore", "# nss-lint disable=NSS008 r", "unrecognised"),
        ];
        for (case, comment, fragment) in cases {
            let text = format!("FROM a:1\n{comment}\nUSER root\n");
            let (_, f) = collect(&numbered(&text), &[(1, 1), (3, 3)]);
            assert_eq!(f.len(), 1, "case {case}: {f:?}");
            assert_eq!(f[0].line, 2, "case {case}");
            assert_eq!(f[0].rule, SUPPRESSION, "case {case}");
            assert!(
                f[0].message.contains(fragment),
                "case {case}: {}",
                f[0].message
            );
        }
        let (_, f) = collect(
            &numbered("FROM a:1\n# nss-lint ignore=NSS008 r\n"),
            &[(1, 1)],
        );
        assert!(
            f[0].message.contains("not followed by an instruction"),
            "{f:?}"
        );
    }
}
