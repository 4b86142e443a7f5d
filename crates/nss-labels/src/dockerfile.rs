//! The static `LABEL` block of a Dockerfile: render, parse, find drift, rewrite.
//!
//! The block is the `LABEL` instruction on the line right after a comment line
//! `# nss-labels: <kind>` (`runtime`, `dev` or `test`). Only that instruction is
//! ever read or rewritten; every other byte of the file is left alone.

use std::fmt;

use crate::{Error, ImageKind, Labels};

/// The marker comment for `kind`: `# nss-labels: runtime`.
pub fn marker(kind: ImageKind) -> String {
    format!("# nss-labels: {kind}")
}

/// One `key=value` pair of a parsed `LABEL` instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelPair {
    /// The key, unquoted.
    pub key: String,
    /// The value, unquoted and unescaped as the builder reads it (variable
    /// references are kept as written, see `expands`).
    pub value: String,
    /// 1-based line the pair starts on.
    pub line: usize,
    /// The value holds an unescaped `$`: the builder would expand a variable there.
    pub expands: bool,
}

/// Where `label_block_drift` found the Dockerfile's static labels differ from the generated ones.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LabelDrift {
    /// No `# nss-labels: <kind>` comment line.
    MissingBlock {
        /// The image kind asked for.
        kind: ImageKind,
    },
    /// The marker is not followed by a `LABEL` instruction.
    NoLabelAfterMarker {
        /// The image kind.
        kind: ImageKind,
        /// 1-based line of the marker.
        line: usize,
    },
    /// The block could not be parsed.
    Unparsable {
        /// The image kind.
        kind: ImageKind,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// A label is missing, extra or has another value.
    #[non_exhaustive]
    Differs {
        /// The label key.
        key: String,
        /// The value in the Dockerfile (`None`: not there).
        dockerfile: Option<String>,
        /// The generated value (`None`: the label should not be in the static block).
        expected: Option<String>,
        /// 1-based line of the pair, or of the `LABEL` line when it is missing.
        line: usize,
        /// The Dockerfile value holds an unescaped `$`: the builder expands a variable there.
        expands: bool,
    },
}

impl LabelDrift {
    /// The 1-based line the finding points at, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            LabelDrift::MissingBlock { .. } => None,
            LabelDrift::NoLabelAfterMarker { line, .. }
            | LabelDrift::Unparsable { line, .. }
            | LabelDrift::Differs { line, .. } => Some(*line),
        }
    }
}

/// One line of text without the line number (callers print [`LabelDrift::line`]
/// as `file:line:` in front).
impl fmt::Display for LabelDrift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabelDrift::MissingBlock { kind } => write!(
                f,
                "no `{}` block: add that comment line followed by a LABEL instruction (`nss sync` writes it)",
                marker(*kind)
            ),
            LabelDrift::NoLabelAfterMarker { kind, .. } => write!(
                f,
                "`{}` is not followed by a LABEL instruction (`nss sync` writes it)",
                marker(*kind)
            ),
            LabelDrift::Unparsable { kind, problem, .. } => {
                write!(f, "the `{}` LABEL block: {problem}", marker(*kind))
            }
            LabelDrift::Differs {
                key,
                dockerfile,
                expected,
                expands,
                ..
            } => match (dockerfile, expected) {
                (Some(d), Some(e)) if d == e && *expands => write!(
                    f,
                    "LABEL {key} has an unescaped `$`, which the builder expands; write it as `\\$` (`nss sync` does)"
                ),
                (Some(d), Some(e)) => {
                    write!(f, "LABEL {key} is {d:?}, expected {e:?}")
                }
                (None, Some(e)) => write!(f, "LABEL {key} is missing, expected {e:?}"),
                (Some(d), None) => write!(
                    f,
                    "LABEL {key}={d:?} is not a generated static label (revision, created and version are passed at build time; others go in [tool.nss.labels])"
                ),
                (None, None) => write!(f, "LABEL {key}"),
            },
        }
    }
}

/// Renders one `LABEL` instruction, a pair per line, values double-quoted with
/// `"`, `$` and the escape character escaped; ends with a newline.
pub(crate) fn render_label_instruction(labels: &Labels, escape: char) -> String {
    let mut out = String::from("LABEL");
    let n = labels.len();
    for (i, l) in labels.iter().enumerate() {
        out.push_str(if i == 0 { " " } else { "      " });
        out.push_str(&l.key);
        out.push('=');
        out.push_str(&quote(&l.value, escape));
        if i + 1 < n {
            out.push(' ');
            out.push(escape);
        }
        out.push('\n');
    }
    if n == 0 {
        out.push('\n');
    }
    out
}

fn quote(value: &str, escape: char) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '$' || c == escape {
            out.push(escape);
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A physical line: byte range (without terminator) and terminator.
struct Line<'a> {
    start: usize,
    text: &'a str,
    end_with_newline: usize,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let body = piece.strip_suffix('\n').unwrap_or(piece);
        let body = body.strip_suffix('\r').unwrap_or(body);
        out.push(Line {
            start,
            text: body,
            end_with_newline: start + piece.len(),
        });
        start += piece.len();
    }
    out
}

/// The escape character from a `# escape=` parser directive, else `\`.
pub(crate) fn escape_char(text: &str) -> char {
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix('#') else {
            break;
        };
        let Some((name, value)) = rest.split_once('=') else {
            break;
        };
        let name = name.trim();
        if !name.chars().all(|c| c.is_ascii_alphabetic()) || name.is_empty() {
            break;
        }
        if name.eq_ignore_ascii_case("escape") && value.trim() == "`" {
            return '`';
        }
    }
    '\\'
}

fn is_marker(line: &str, kind: ImageKind) -> bool {
    line.trim()
        .strip_prefix('#')
        .and_then(|r| r.trim().strip_prefix("nss-labels:"))
        .is_some_and(|r| r.trim() == kind.as_str())
}

fn is_label_line(line: &str) -> bool {
    let t = line.trim_start();
    t.len() >= 5
        && t[..5].eq_ignore_ascii_case("LABEL")
        && t[5..].starts_with(|c: char| c.is_whitespace())
}

/// A located block: marker line index, and the instruction's line index range.
struct Block {
    marker: usize,
    instruction: Option<(usize, usize)>,
}

fn find_block(
    all: &[Line<'_>],
    kind: ImageKind,
    escape: char,
) -> Result<Option<Block>, LabelDrift> {
    let mut found: Option<Block> = None;
    for (i, line) in all.iter().enumerate() {
        if !is_marker(line.text, kind) {
            continue;
        }
        if let Some(first) = &found {
            return Err(LabelDrift::Unparsable {
                kind,
                line: i + 1,
                problem: format!(
                    "a second `{}` marker (the first is on line {})",
                    marker(kind),
                    first.marker + 1
                ),
            });
        }
        let instruction = match all.get(i + 1) {
            Some(next) if is_label_line(next.text) => {
                let mut end = i + 1;
                while continues(all[end].text, escape) {
                    if end + 1 >= all.len() {
                        break;
                    }
                    end += 1;
                    // comment and blank lines inside a continuation are skipped by the
                    // builder and do not end it
                    while end + 1 < all.len() && is_skipped(all[end].text) {
                        end += 1;
                    }
                }
                Some((i + 1, end))
            }
            _ => None,
        };
        found = Some(Block {
            marker: i,
            instruction,
        });
    }
    Ok(found)
}

fn continues(line: &str, escape: char) -> bool {
    line.trim_end_matches([' ', '\t']).ends_with(escape)
}

fn is_skipped(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// Parses a `LABEL` instruction (possibly continued over several lines) the way
/// the builder does: words split on unquoted whitespace, each `key=value`, values
/// unquoted and unescaped. `first_line` is the 1-based line of `text`'s first line.
pub fn parse_label_instruction(
    text: &str,
    escape: char,
    first_line: usize,
) -> Result<Vec<LabelPair>, Error> {
    // Join continuation lines as the builder does: drop the escape and trailing
    // blanks, skip comment and blank lines, concatenate.
    let mut logical = String::new();
    let mut line_starts: Vec<(usize, usize)> = Vec::new();
    let physical: Vec<&str> = text.lines().collect();
    for (i, raw) in physical.iter().enumerate() {
        if i > 0 && is_skipped(raw) {
            continue;
        }
        line_starts.push((logical.len(), first_line + i));
        let trimmed = raw.trim_end_matches([' ', '\t']);
        match trimmed.strip_suffix(escape) {
            Some(body) => logical.push_str(body),
            None => {
                logical.push_str(raw);
                break;
            }
        }
    }
    let line_of = |offset: usize| {
        line_starts
            .iter()
            .rev()
            .find(|(start, _)| *start <= offset)
            .map_or(first_line, |(_, l)| *l)
    };
    let body_start = logical.find(|c: char| !c.is_whitespace()).unwrap_or(0);
    let after = &logical[body_start..];
    if after.len() < 5 || !after[..5].eq_ignore_ascii_case("LABEL") {
        return Err(Error::Dockerfile {
            line: first_line,
            problem: "not a LABEL instruction".into(),
        });
    }
    let rest_start = body_start + 5;
    let words = split_words(&logical[rest_start..], escape);
    if words.is_empty() {
        return Err(Error::Dockerfile {
            line: first_line,
            problem: "LABEL has no key=value pairs".into(),
        });
    }
    let mut pairs = Vec::new();
    for (offset, word) in words {
        let line = line_of(rest_start + offset);
        let Some((key, value)) = word.split_once('=') else {
            return Err(Error::Dockerfile {
                line,
                problem: format!(
                    "LABEL word {word:?} is not key=value (write LABEL key=\"value\")"
                ),
            });
        };
        let (key, _) = unquote(key, escape);
        let (value, expands) = unquote(value, escape);
        if key.is_empty() {
            return Err(Error::Dockerfile {
                line,
                problem: format!("LABEL word {word:?} has an empty key"),
            });
        }
        pairs.push(LabelPair {
            key,
            value,
            line,
            expands,
        });
    }
    Ok(pairs)
}

/// Splits on unquoted whitespace, keeping quotes and escapes in the words
/// (BuildKit's `parseWords`). Returns `(byte offset, word)`.
fn split_words(s: &str, escape: char) -> Vec<(usize, String)> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut start = 0;
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut chars = s.char_indices().peekable();
    while let Some((pos, ch)) = chars.next() {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            }
            if ch == escape && q != '\'' {
                match chars.next() {
                    Some((_, next)) => {
                        word.push(ch);
                        word.push(next);
                        continue;
                    }
                    None => continue,
                }
            }
            word.push(ch);
            continue;
        }
        if !in_word {
            if ch.is_whitespace() {
                continue;
            }
            in_word = true;
            start = pos;
        }
        if ch.is_whitespace() {
            if blank_ok || !word.is_empty() {
                words.push((start, std::mem::take(&mut word)));
            }
            in_word = false;
            blank_ok = false;
            continue;
        }
        if ch == '\'' || ch == '"' {
            quote = Some(ch);
            blank_ok = true;
        }
        if ch == escape {
            if let Some((_, next)) = chars.next() {
                word.push(ch);
                word.push(next);
            }
            continue;
        }
        word.push(ch);
    }
    if in_word && (blank_ok || !word.is_empty()) {
        words.push((start, word));
    }
    words
}

/// Removes quotes and escapes the way the builder's shell lexer does; variable
/// references are kept as written and reported.
fn unquote(word: &str, escape: char) -> (String, bool) {
    let mut out = String::new();
    let mut expands = false;
    let mut chars = word.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    out.push(c);
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    if c == '"' {
                        break;
                    }
                    if c == escape {
                        match chars.peek() {
                            Some(&n) if n == '"' || n == '$' || n == escape => {
                                out.push(n);
                                chars.next();
                            }
                            _ => out.push(c),
                        }
                        continue;
                    }
                    if c == '$' {
                        expands = true;
                    }
                    out.push(c);
                }
            }
            c if c == escape => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '$' => {
                expands = true;
                out.push('$');
            }
            c => out.push(c),
        }
    }
    (out, expands)
}

/// Compares the `# nss-labels: <kind>` block with the static part of `labels`
/// ([`Labels::static_labels`]; dynamic keys in `labels` are ignored).
/// An empty result means no drift. A Dockerfile without the marker gives one
/// [`LabelDrift::MissingBlock`]: ask only for the kinds the file builds.
pub fn label_block_drift(text: &str, kind: ImageKind, labels: &Labels) -> Vec<LabelDrift> {
    let escape = escape_char(text);
    let all = lines(text);
    let block = match find_block(&all, kind, escape) {
        Ok(Some(b)) => b,
        Ok(None) => return vec![LabelDrift::MissingBlock { kind }],
        Err(d) => return vec![d],
    };
    let Some((first, last)) = block.instruction else {
        return vec![LabelDrift::NoLabelAfterMarker {
            kind,
            line: block.marker + 1,
        }];
    };
    let instruction = &text[all[first].start..all[last].end_with_newline];
    let pairs = match parse_label_instruction(instruction, escape, first + 1) {
        Ok(p) => p,
        Err(e) => {
            let (line, problem) = match e {
                Error::Dockerfile { line, problem } => (line, problem),
                other => (first + 1, other.to_string()),
            };
            return vec![LabelDrift::Unparsable {
                kind,
                line,
                problem,
            }];
        }
    };
    let expected = labels.static_labels().to_map();
    let mut found: std::collections::BTreeMap<String, LabelPair> =
        std::collections::BTreeMap::new();
    for p in pairs {
        found.insert(p.key.clone(), p);
    }
    let mut drift = Vec::new();
    let keys: std::collections::BTreeSet<&String> = expected.keys().chain(found.keys()).collect();
    for key in keys {
        let have = found.get(key);
        let want = expected.get(key);
        let same = match (have, want) {
            (Some(h), Some(w)) => !h.expands && &h.value == w,
            _ => false,
        };
        if !same {
            drift.push(LabelDrift::Differs {
                key: key.clone(),
                dockerfile: have.map(|h| h.value.clone()),
                expected: want.cloned(),
                line: have.map_or(first + 1, |h| h.line),
                expands: have.is_some_and(|h| h.expands),
            });
        }
    }
    drift
}

/// Rewrites the `LABEL` instruction after `# nss-labels: <kind>` to hold exactly
/// the static part of `labels`; inserts it when the marker has no `LABEL` after
/// it. Every other byte of `text` is kept. Running it twice changes nothing more.
pub fn sync_label_block(text: &str, kind: ImageKind, labels: &Labels) -> Result<String, Error> {
    let escape = escape_char(text);
    let all = lines(text);
    let block = match find_block(&all, kind, escape) {
        Ok(Some(b)) => b,
        Ok(None) => return Err(Error::MissingMarker { kind }),
        Err(LabelDrift::Unparsable { line, problem, .. }) => {
            return Err(Error::Dockerfile { line, problem });
        }
        Err(other) => {
            return Err(Error::Dockerfile {
                line: other.line().unwrap_or(1),
                problem: other.to_string(),
            });
        }
    };
    let mut rendered = render_label_instruction(&labels.static_labels(), escape);
    let (start, end) = match block.instruction {
        Some((first, last)) => (all[first].start, all[last].end_with_newline),
        None => {
            let m = &all[block.marker];
            (m.end_with_newline, m.end_with_newline)
        }
    };
    let replaced = &text[start..end];
    let marker_line = &text[all[block.marker].start..all[block.marker].end_with_newline];
    let crlf = marker_line.ends_with("\r\n");
    if block.instruction.is_some() && !replaced.ends_with('\n') {
        rendered.pop();
    }
    if block.instruction.is_none() && !marker_line.ends_with('\n') {
        // the marker is the last line, without a newline
        rendered.insert(0, '\n');
        rendered.pop();
    }
    if crlf {
        rendered = rendered.replace('\n', "\r\n");
    }
    let mut out = String::with_capacity(text.len() + rendered.len());
    out.push_str(&text[..start]);
    out.push_str(&rendered);
    out.push_str(&text[end..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Case = (&'static str, &'static [(&'static str, &'static str, bool)]);

    /// BuildKit's shell lexer rules (frontend/dockerfile/shell/lex.go), one case each.
    #[test]
    fn parses_like_the_builder() {
        let cases: &[Case] = &[
            ("LABEL a=b", &[("a", "b", false)]),
            (
                "LABEL a=\"b c\" d=e",
                &[("a", "b c", false), ("d", "e", false)],
            ),
            ("LABEL a='b \"c\" $d'", &[("a", "b \"c\" $d", false)]),
            (
                "LABEL a=\"q\\\"q \\$x \\\\ \\n\"",
                &[("a", "q\"q $x \\ \\n", false)],
            ),
            ("LABEL a=b\\ c", &[("a", "b c", false)]),
            ("LABEL a=\"$HOME\"", &[("a", "$HOME", true)]),
            (
                "label a=1 \\\n  b=2",
                &[("a", "1", false), ("b", "2", false)],
            ),
            (
                "LABEL a=1 \\\n# comment\n\n  b=2",
                &[("a", "1", false), ("b", "2", false)],
            ),
            ("LABEL \"a.b\"=\"x=y\"", &[("a.b", "x=y", false)]),
            ("LABEL a=", &[("a", "", false)]),
        ];
        for (text, want) in cases {
            let got =
                parse_label_instruction(text, '\\', 1).unwrap_or_else(|e| panic!("{text}: {e}"));
            let got: Vec<(&str, &str, bool)> = got
                .iter()
                .map(|p| (p.key.as_str(), p.value.as_str(), p.expands))
                .collect();
            assert_eq!(&got, want, "{text}");
        }
    }

    #[test]
    fn reports_line_numbers_of_pairs() {
        let pairs = parse_label_instruction("LABEL a=1 \\\n  b=2 \\\n  c=3\n", '\\', 10).unwrap();
        assert_eq!(
            pairs.iter().map(|p| p.line).collect::<Vec<_>>(),
            [10, 11, 12]
        );
    }

    #[test]
    fn rejects_non_pairs() {
        for text in ["LABEL a b", "LABEL", "RUN a=b", "LABEL =x"] {
            assert!(parse_label_instruction(text, '\\', 1).is_err(), "{text}");
        }
    }

    #[test]
    fn backtick_escape_directive() {
        assert_eq!(escape_char("# escape=`\nFROM x\n"), '`');
        assert_eq!(escape_char("# syntax=x\n# escape=`\nFROM x\n"), '`');
        assert_eq!(escape_char("FROM x\n# escape=`\n"), '\\');
        let pairs =
            parse_label_instruction("LABEL a=\"C:\\dir `\"q`\"\" `\n  b=2", '`', 1).unwrap();
        assert_eq!(pairs[0].value, "C:\\dir \"q\"");
        assert_eq!(pairs[1].value, "2");
    }
}
