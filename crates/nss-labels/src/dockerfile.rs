//! The static `LABEL` block of a Dockerfile: render, parse, find drift, rewrite.
//!
//! The block is the `LABEL` instruction on the line right after a comment line
//! `# nss-labels: <kind>` (`runtime`, `dev` or `test`). Only that instruction is
//! ever read or rewritten; every other byte of the file is left alone.

use std::fmt;

use nss_dockerfile::{Comment, Dockerfile, Instruction, unquote};

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

/// The escape character from a `# escape=` parser directive, else `\`.
#[cfg(test)]
fn escape_char(text: &str) -> char {
    Dockerfile::parse(text).map_or('\\', |df| df.escape)
}

/// Whether `text` carries the `# nss-labels: <kind>` marker comment (as the
/// Dockerfile reader sees comments: a file it cannot read has none).
pub fn has_marker(text: &str, kind: ImageKind) -> bool {
    Dockerfile::parse(text).is_ok_and(|df| markers(&df, kind).next().is_some())
}

/// The marker comments for `kind` that stand on their own: a comment line inside
/// a continued instruction is part of that instruction, not a marker.
fn markers(df: &Dockerfile, kind: ImageKind) -> impl Iterator<Item = &Comment> {
    df.comments.iter().filter(move |c| {
        is_marker(c, kind)
            && !df
                .instructions
                .iter()
                .any(|i| (i.line..=i.end_line).contains(&c.line))
    })
}

fn is_marker(comment: &Comment, kind: ImageKind) -> bool {
    comment
        .text
        .strip_prefix("nss-labels:")
        .is_some_and(|r| r.trim() == kind.as_str())
}

/// A located block: the marker comment, and the instruction after it (its index).
struct Block<'d> {
    marker: &'d Comment,
    instruction: Option<&'d Instruction>,
}

fn find_block(df: &Dockerfile, kind: ImageKind) -> Result<Option<Block<'_>>, LabelDrift> {
    let mut found: Option<Block<'_>> = None;
    for comment in markers(df, kind) {
        if let Some(first) = &found {
            return Err(LabelDrift::Unparsable {
                kind,
                line: comment.line,
                problem: format!(
                    "a second `{}` marker (the first is on line {})",
                    marker(kind),
                    first.marker.line
                ),
            });
        }
        let instruction = df
            .instructions
            .iter()
            .find(|i| i.line == comment.line + 1 && i.is("LABEL"));
        found = Some(Block {
            marker: comment,
            instruction,
        });
    }
    Ok(found)
}

/// Byte range of whole lines `span` touches, line break of the last included.
fn whole_lines(text: &str, span: &std::ops::Range<usize>) -> (usize, usize) {
    let start = text[..span.start].rfind('\n').map_or(0, |p| p + 1);
    let end = match text[span.end..].find('\n') {
        Some(p) => span.end + p + 1,
        None => text.len(),
    };
    (start, end)
}

/// The `key=value` pairs of a `LABEL` instruction read by the Dockerfile reader.
fn label_pairs(
    ins: &Instruction,
    text: &str,
    escape: char,
    line_shift: isize,
) -> Result<Vec<LabelPair>, Error> {
    let line_at = |offset: usize| {
        let line = text[..offset].matches('\n').count() as isize + 1 + line_shift;
        usize::try_from(line).unwrap_or(1)
    };
    let first_line = usize::try_from(ins.line as isize + line_shift).unwrap_or(1);
    if !ins.is("LABEL") {
        return Err(Error::Dockerfile {
            line: first_line,
            problem: "not a LABEL instruction".into(),
        });
    }
    let words = ins.words();
    if words.is_empty() {
        return Err(Error::Dockerfile {
            line: first_line,
            problem: "LABEL has no key=value pairs".into(),
        });
    }
    let mut pairs = Vec::new();
    for word in words {
        let line = line_at(word.span.start);
        let Some((key, value)) = word.raw.split_once('=') else {
            return Err(Error::Dockerfile {
                line,
                problem: format!(
                    "LABEL word {:?} is not key=value (write LABEL key=\"value\")",
                    word.raw
                ),
            });
        };
        let (key, _) = unquote(key, escape);
        let (value, expands) = unquote(value, escape);
        if key.is_empty() {
            return Err(Error::Dockerfile {
                line,
                problem: format!("LABEL word {:?} has an empty key", word.raw),
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

/// Parses a `LABEL` instruction (possibly continued over several lines) the way
/// the builder does: words split on unquoted whitespace, each `key=value`, values
/// unquoted and unescaped. `first_line` is the 1-based line of `text`'s first line.
pub fn parse_label_instruction(
    text: &str,
    escape: char,
    first_line: usize,
) -> Result<Vec<LabelPair>, Error> {
    let (source, shift) = if escape == '`' {
        (format!("# escape=`\n{text}"), first_line as isize - 2)
    } else {
        (text.to_owned(), first_line as isize - 1)
    };
    let df = Dockerfile::parse(&source).map_err(|e| Error::Dockerfile {
        line: first_line,
        problem: e.message,
    })?;
    let Some(ins) = df.instructions.first() else {
        return Err(Error::Dockerfile {
            line: first_line,
            problem: "not a LABEL instruction".into(),
        });
    };
    label_pairs(ins, &source, df.escape, shift)
}

/// Compares the `# nss-labels: <kind>` block with the static part of `labels`
/// ([`Labels::static_labels`]; dynamic keys in `labels` are ignored).
/// An empty result means no drift. A Dockerfile without the marker gives one
/// [`LabelDrift::MissingBlock`]: ask only for the kinds the file builds.
pub fn label_block_drift(text: &str, kind: ImageKind, labels: &Labels) -> Vec<LabelDrift> {
    let df = match Dockerfile::parse(text) {
        Ok(df) => df,
        Err(e) => {
            return vec![LabelDrift::Unparsable {
                kind,
                line: e.line,
                problem: e.message,
            }];
        }
    };
    let block = match find_block(&df, kind) {
        Ok(Some(b)) => b,
        Ok(None) => return vec![LabelDrift::MissingBlock { kind }],
        Err(d) => return vec![d],
    };
    let Some(ins) = block.instruction else {
        return vec![LabelDrift::NoLabelAfterMarker {
            kind,
            line: block.marker.line,
        }];
    };
    let first = ins.line - 1;
    let pairs = match label_pairs(ins, text, df.escape, 0) {
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
    let df = Dockerfile::parse(text).map_err(|e| Error::Dockerfile {
        line: e.line,
        problem: e.message,
    })?;
    let escape = df.escape;
    let block = match find_block(&df, kind) {
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
    let (marker_start, marker_end) = whole_lines(text, &block.marker.span);
    let (start, end) = match block.instruction {
        Some(ins) => whole_lines(text, &ins.span),
        None => (marker_end, marker_end),
    };
    let replaced = &text[start..end];
    let marker_line = &text[marker_start..marker_end];
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
