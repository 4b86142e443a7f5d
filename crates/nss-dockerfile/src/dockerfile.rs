//! The reader: physical lines -> parser directives, comments and logical
//! instructions with byte spans, following BuildKit's
//! `frontend/dockerfile/parser` rules.

use std::ops::Range;
use std::path::Path;

use crate::error::Error;
use crate::words::{Word, extract_flags, split_words};

/// Instructions BuildKit knows, uppercase.
pub const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Instructions that take `--flags`.
const FLAGGED: &[&str] = &["ADD", "COPY", "FROM", "HEALTHCHECK", "RUN"];

/// Parser directives BuildKit acts on; any other `# name=value` line ends the
/// directives and is a comment.
pub const DIRECTIVES: &[&str] = &["syntax", "escape", "check"];

/// A read Dockerfile. Byte ranges index the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape character: `\`, or `` ` `` from an `# escape=` directive.
    pub escape: char,
    /// Parser directives, in file order.
    pub directives: Vec<Directive>,
    /// Comment lines (directives excluded, heredoc bodies excluded), in file
    /// order, including comment lines inside a continued instruction.
    pub comments: Vec<Comment>,
    /// Logical instructions, in file order.
    pub instructions: Vec<Instruction>,
}

/// A parser directive such as `# escape=`` ` ``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Name, lowercase (`syntax`, `escape`, `check`).
    pub name: String,
    /// Value as written, trimmed.
    pub value: String,
    /// 1-based line.
    pub line: usize,
    /// Byte range of the line (without its line break).
    pub span: Range<usize>,
}

/// A comment line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The text after `#`, trimmed.
    pub text: String,
    /// 1-based line.
    pub line: usize,
    /// Byte range of the line (without its line break).
    pub span: Range<usize>,
}

/// A `--name[=value]` instruction flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Name without the dashes (`mount`, `from`, `platform`).
    pub name: String,
    /// Value after `=`, unquoted; `None` for a bare `--link`.
    pub value: Option<String>,
    /// Byte range in the file.
    pub span: Range<usize>,
}

/// A here-document of `RUN`, `COPY` or `ADD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word, unquoted.
    pub name: String,
    /// The delimiter was unquoted, so the body's variables are expanded.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from the body and terminator.
    pub chomp: bool,
    /// The body, each line ending in a newline (tabs kept as written).
    pub content: String,
    /// Byte range of the body and terminator lines.
    pub span: Range<usize>,
}

/// The command of `RUN`, `CMD`, `ENTRYPOINT`, `SHELL` or `HEALTHCHECK CMD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// JSON (exec) form; may be empty (`ENTRYPOINT []`).
    Exec(Vec<String>),
    /// Shell form: the logical text, continuations joined.
    Shell(String),
}

/// One logical instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The instruction word, uppercase (`RUN`); unknown words are kept as written, uppercased.
    pub keyword: String,
    /// 1-based first line.
    pub line: usize,
    /// 1-based last line (continuations, comment lines inside them, heredocs).
    pub end_line: usize,
    /// Byte range from the keyword to the end of the last line (no line break).
    pub span: Range<usize>,
    /// Flags before the arguments.
    pub flags: Vec<Flag>,
    /// Here-documents, in order.
    pub heredocs: Vec<Heredoc>,
    /// The triggered instruction of `ONBUILD`.
    pub trigger: Option<Box<Instruction>>,
    logical: String,
    /// `(logical offset, file offset)` where each joined piece starts.
    segments: Vec<(usize, usize)>,
    args_start: usize,
    escape: char,
}

/// A build stage: a `FROM` and the instructions up to the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// 0-based stage index.
    pub index: usize,
    /// The `AS` name, lowercase as BuildKit stores it.
    pub name: Option<String>,
    /// The base image as written (`${CUDA_IMAGE}:${CUDA_VERSION}`, `scratch`, a stage name).
    pub base: String,
    /// `--platform` of the `FROM`, as written.
    pub platform: Option<String>,
    /// Index of the `FROM` in [`Dockerfile::instructions`].
    pub from: usize,
    /// Indices of the stage's instructions after its `FROM`.
    pub body: Range<usize>,
}

impl Instruction {
    /// The whole logical line: keyword, flags and arguments, continuations joined.
    #[must_use]
    pub fn logical(&self) -> &str {
        &self.logical
    }

    /// The arguments after the keyword and flags, continuations joined, trimmed.
    #[must_use]
    pub fn args(&self) -> &str {
        self.logical[self.args_start..].trim()
    }

    /// Whether this is `keyword` (any case).
    #[must_use]
    pub fn is(&self, keyword: &str) -> bool {
        self.keyword.eq_ignore_ascii_case(keyword)
    }

    /// The value of flag `--name`, if given (the last one wins).
    #[must_use]
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// The file offset of a logical offset.
    fn file_offset(&self, logical: usize) -> usize {
        let i = self.segments.partition_point(|(l, _)| *l <= logical);
        let (l, f) = self.segments[i.saturating_sub(1)];
        f + (logical - l)
    }

    /// The file byte range of a logical byte range.
    #[must_use]
    pub fn file_span(&self, logical: Range<usize>) -> Range<usize> {
        if logical.is_empty() {
            let at = self.file_offset(logical.start.min(self.logical.len()));
            return at..at;
        }
        let start = self.file_offset(logical.start);
        let last = self.logical[logical.clone()]
            .chars()
            .next_back()
            .map_or(1, char::len_utf8);
        start..self.file_offset(logical.end - last) + last
    }

    /// The arguments split into words as BuildKit's `parseWords` does for
    /// `ARG`, `ENV` and `LABEL` (quotes and escapes kept in each word).
    #[must_use]
    pub fn words(&self) -> Vec<Word> {
        split_words(&self.logical[self.args_start..], self.escape)
            .into_iter()
            .map(|(range, raw)| {
                let logical = self.args_start + range.start..self.args_start + range.end;
                Word {
                    raw,
                    span: self.file_span(logical.clone()),
                    logical,
                }
            })
            .collect()
    }

    /// Exec or shell form of the arguments (`RUN`, `CMD`, `ENTRYPOINT`,
    /// `SHELL`): JSON when they parse as a JSON array of strings, else shell
    /// form, as BuildKit decides. `HEALTHCHECK CMD` gives the command after `CMD`.
    #[must_use]
    pub fn form(&self) -> Form {
        let args = self.args();
        let args = if self.is("HEALTHCHECK") {
            let mut it = args.splitn(2, char::is_whitespace);
            it.next();
            it.next().unwrap_or_default().trim()
        } else {
            args
        };
        match json_strings(args) {
            Some(Ok(list)) => Form::Exec(list),
            _ => Form::Shell(args.to_owned()),
        }
    }

    /// The arguments as a list (`COPY`, `ADD`, `VOLUME`, `EXPOSE`): a JSON array
    /// of strings, else whitespace-separated words.
    #[must_use]
    pub fn list(&self) -> Vec<String> {
        let args = self.args();
        match json_strings(args) {
            Some(Ok(list)) => list,
            _ => args.split_whitespace().map(str::to_owned).collect(),
        }
    }
}

/// `Some(Ok(strings))` for a JSON array of strings, `Some(Err(()))` for a JSON
/// array holding something else (BuildKit refuses that), `None` when not JSON.
pub(crate) fn json_strings(args: &str) -> Option<Result<Vec<String>, ()>> {
    if !args.starts_with('[') {
        return None;
    }
    let values: Vec<serde_json::Value> = serde_json::from_str(args).ok()?;
    Some(
        values
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => Ok(s),
                _ => Err(()),
            })
            .collect(),
    )
}

/// A physical line: byte offsets of its start and of its end without the line break.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

fn physical_lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in text.split_inclusive('\n') {
        let body = piece.strip_suffix('\n').unwrap_or(piece);
        let body = body.strip_suffix('\r').unwrap_or(body);
        out.push(Line {
            start,
            end: start + body.len(),
        });
        start += piece.len();
    }
    out
}

/// `# name=value` -> (name, value), BuildKit's directive pattern.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim_start().strip_prefix('#')?;
    let rest = rest.trim_start_matches([' ', '\t']);
    let name_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let value = rest[name_len..]
        .trim_start_matches([' ', '\t'])
        .strip_prefix('=')?
        .trim_matches([' ', '\t']);
    (!value.is_empty()).then(|| (name.to_ascii_lowercase(), value.to_owned()))
}

/// Strips the continuation escape (and the blanks after it) from a line's end.
fn continuation(line: &str, escape: char) -> Option<&str> {
    line.trim_end_matches([' ', '\t']).strip_suffix(escape)
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

impl Dockerfile {
    /// Reads Dockerfile text.
    ///
    /// # Errors
    ///
    /// Only where BuildKit's parser errs: an invalid or repeated `escape`
    /// directive, a repeated directive, a heredoc without its terminator, a JSON
    /// array that holds something other than strings.
    pub fn parse(text: &str) -> Result<Self, Error> {
        Reader::new(text).read()
    }

    /// [`Dockerfile::parse`], naming `file` in an error.
    ///
    /// # Errors
    ///
    /// As [`Dockerfile::parse`].
    pub fn parse_named(text: &str, file: &Path) -> Result<Self, Error> {
        Self::parse(text).map_err(|e| e.in_file(file))
    }

    /// The directive `name` (lowercase), if present.
    #[must_use]
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// The build stages, in order. Instructions before the first `FROM`
    /// (global `ARG`s) belong to none.
    #[must_use]
    pub fn stages(&self) -> Vec<Stage> {
        let froms: Vec<usize> = self
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.is("FROM"))
            .map(|(n, _)| n)
            .collect();
        froms
            .iter()
            .enumerate()
            .map(|(index, &from)| {
                let ins = &self.instructions[from];
                let end = froms
                    .get(index + 1)
                    .copied()
                    .unwrap_or(self.instructions.len());
                let words: Vec<&str> = ins.args().split_whitespace().collect();
                let name = match words.as_slice() {
                    [_, as_, name, ..] if as_.eq_ignore_ascii_case("as") => {
                        Some(name.to_ascii_lowercase())
                    }
                    _ => None,
                };
                Stage {
                    index,
                    name,
                    base: words.first().map_or_else(String::new, |w| (*w).to_owned()),
                    platform: ins.flag("platform").and_then(|f| f.value.clone()),
                    from,
                    body: from + 1..end,
                }
            })
            .collect()
    }

    /// The instructions before the first `FROM` (global `ARG`s).
    #[must_use]
    pub fn global(&self) -> &[Instruction] {
        let first = self
            .instructions
            .iter()
            .position(|i| i.is("FROM"))
            .unwrap_or(self.instructions.len());
        &self.instructions[..first]
    }
}

struct Reader<'t> {
    text: &'t str,
    lines: Vec<Line>,
    escape: char,
    /// Offset past a leading byte-order mark.
    bom: usize,
}

impl<'t> Reader<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            lines: physical_lines(text),
            escape: '\\',
            bom: if text.starts_with('\u{feff}') { 3 } else { 0 },
        }
    }

    fn line_text(&self, i: usize) -> &'t str {
        let l = self.lines[i];
        let start = if i == 0 { l.start + self.bom } else { l.start };
        &self.text[start.min(l.end)..l.end]
    }

    fn read(mut self) -> Result<Dockerfile, Error> {
        let mut directives: Vec<Directive> = Vec::new();
        let mut i = 0;
        while i < self.lines.len() {
            let Some((name, value)) = directive(self.line_text(i)) else {
                break;
            };
            if !DIRECTIVES.contains(&name.as_str()) {
                break; // unknown: a comment, and the end of the directives
            }
            if directives.iter().any(|d| d.name == name) {
                return Err(Error::new(
                    i + 1,
                    format!("only one {name} parser directive can be used"),
                ));
            }
            if name == "escape" {
                self.escape = match value.as_str() {
                    "\\" => '\\',
                    "`" => '`',
                    _ => {
                        return Err(Error::new(
                            i + 1,
                            format!("invalid escape token '{value}' does not match ` or \\"),
                        ));
                    }
                };
            }
            directives.push(Directive {
                name,
                value,
                line: i + 1,
                span: self.lines[i].start..self.lines[i].end,
            });
            i += 1;
        }

        let mut comments = Vec::new();
        let mut instructions = Vec::new();
        let comment = |reader: &Self, i: usize| {
            let line = reader.line_text(i);
            let lead = line.len() - line.trim_start().len();
            Comment {
                text: line.trim_start()[1..].trim().to_owned(),
                line: i + 1,
                span: reader.lines[i].end - line.len() + lead..reader.lines[i].end,
            }
        };
        while i < self.lines.len() {
            let line = self.line_text(i);
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') {
                comments.push(comment(&self, i));
                i += 1;
                continue;
            }
            if trimmed.is_empty() {
                i += 1;
                continue;
            }
            let first = i;
            let offset = self.lines[i].end - trimmed.len();
            let mut logical = String::new();
            let mut segments = Vec::new();
            let mut piece = trimmed;
            let mut piece_at = offset;
            let mut last = i;
            loop {
                segments.push((logical.len(), piece_at));
                match continuation(piece, self.escape) {
                    Some(body) => logical.push_str(body),
                    None => {
                        logical.push_str(piece);
                        break;
                    }
                }
                // Continued: skip comment and blank lines, append the next line as is.
                let mut next = i + 1;
                while next < self.lines.len() {
                    let t = self.line_text(next);
                    if is_comment(t) {
                        comments.push(comment(&self, next));
                    } else if !t.trim().is_empty() {
                        break;
                    }
                    next += 1;
                }
                if next >= self.lines.len() {
                    // The file ends inside the continuation: its trailing comment and
                    // blank lines are read (and recorded) once.
                    i = self.lines.len() - 1;
                    last = i;
                    break;
                }
                i = next;
                last = i;
                piece = self.line_text(i);
                piece_at = self.lines[i].start;
            }
            if logical.trim().is_empty() {
                i += 1;
                continue;
            }
            let mut ins = self.instruction(logical, segments, first + 1, last + 1)?;
            ins.span = offset..self.lines[last].end;
            if matches!(ins.keyword.as_str(), "RUN" | "COPY" | "ADD") && ins.logical.contains("<<")
            {
                for (name, expand, chomp) in heredoc_names(&ins.logical) {
                    let body_start = i + 1;
                    let mut content = String::new();
                    let mut end = None;
                    for j in body_start..self.lines.len() {
                        let l = self.line_text(j);
                        let candidate = if chomp { l.trim_start_matches('\t') } else { l };
                        if candidate == name {
                            end = Some(j);
                            break;
                        }
                        content.push_str(l);
                        content.push('\n');
                    }
                    let Some(end) = end else {
                        return Err(Error::new(
                            ins.line,
                            format!("unterminated heredoc: no line `{name}` ends it"),
                        ));
                    };
                    let span_start = self
                        .lines
                        .get(body_start)
                        .map_or(self.text.len(), |l| l.start);
                    ins.heredocs.push(Heredoc {
                        name,
                        expand,
                        chomp,
                        content,
                        span: span_start..self.lines[end].end,
                    });
                    i = end;
                    ins.end_line = end + 1;
                    ins.span.end = self.lines[end].end;
                }
            }
            instructions.push(ins);
            i += 1;
        }
        Ok(Dockerfile {
            escape: self.escape,
            directives,
            comments,
            instructions,
        })
    }

    fn instruction(
        &self,
        logical: String,
        segments: Vec<(usize, usize)>,
        line: usize,
        end_line: usize,
    ) -> Result<Instruction, Error> {
        let lead = logical.len() - logical.trim_start().len();
        let kw_end = logical[lead..]
            .find(char::is_whitespace)
            .map_or(logical.len(), |p| lead + p);
        let keyword = logical[lead..kw_end].to_ascii_uppercase();
        // Flags are read where BuildKit defines some; elsewhere (`CMD --help`)
        // the words stay in the arguments.
        let (flags, args_at) = if FLAGGED.contains(&keyword.as_str()) {
            extract_flags(&logical[kw_end..])
        } else {
            (Vec::new(), 0)
        };
        let mut ins = Instruction {
            keyword,
            line,
            end_line,
            span: 0..0,
            flags: Vec::new(),
            heredocs: Vec::new(),
            trigger: None,
            logical,
            segments,
            args_start: kw_end + args_at,
            escape: self.escape,
        };
        ins.flags = flags
            .into_iter()
            .map(|(range, word)| {
                let body = word.trim_start_matches('-');
                let (name, value) = match body.split_once('=') {
                    Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
                    None => (body.to_owned(), None),
                };
                Flag {
                    name,
                    value,
                    span: ins.file_span(kw_end + range.start..kw_end + range.end),
                }
            })
            .collect();
        if matches!(ins.keyword.as_str(), "RUN" | "CMD" | "ENTRYPOINT" | "SHELL")
            && json_strings(ins.args()) == Some(Err(()))
        {
            return Err(Error::new(
                line,
                format!(
                    "{}: when using JSON array syntax, arrays must be comprised of strings only",
                    ins.keyword
                ),
            ));
        }
        if ins.keyword == "ONBUILD" && !ins.args().is_empty() {
            let at = ins.args_start;
            let mut segments = vec![(0, ins.file_offset(at))];
            segments.extend(
                ins.segments
                    .iter()
                    .filter(|(l, _)| *l > at)
                    .map(|&(l, f)| (l - at, f)),
            );
            let mut trigger =
                self.instruction(ins.logical[at..].to_owned(), segments, line, end_line)?;
            let lead = trigger.logical.len() - trigger.logical.trim_start().len();
            trigger.span =
                trigger.file_offset(lead)..trigger.file_span(0..trigger.logical.len()).end;
            ins.trigger = Some(Box::new(trigger));
        }
        Ok(ins)
    }
}

/// The heredocs a `RUN`/`COPY`/`ADD` line opens: words (quotes kept) of the
/// form `[fd]<<[-]NAME`, with `NAME` possibly quoted. Returns (name, expand, chomp).
fn heredoc_names(logical: &str) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    for (_, word) in split_words(logical, '\\') {
        let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let Some(rest) = word[digits..].strip_prefix("<<") else {
            continue;
        };
        let (chomp, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let quoted = rest.contains(['"', '\'']);
        let (name, _) = crate::words::unquote(rest, '\\');
        if name.is_empty() {
            continue;
        }
        out.push((name, !quoted, chomp));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (case, text, [(keyword, first line, last line, arguments)]), BuildKit's
    /// line rules one per row.
    #[test]
    fn reads_logical_lines() {
        type Row = (
            &'static str,
            &'static str,
            &'static [(&'static str, usize, usize, &'static str)],
        );
        let rows: &[Row] = &[
            (
                "plain",
                "FROM a\nRUN b\n",
                &[("FROM", 1, 1, "a"), ("RUN", 2, 2, "b")],
            ),
            (
                "CRLF and no final newline",
                "FROM a\r\nRUN b",
                &[("FROM", 1, 1, "a"), ("RUN", 2, 2, "b")],
            ),
            (
                "byte-order mark",
                "\u{feff}FROM a\n",
                &[("FROM", 1, 1, "a")],
            ),
            (
                "blanks after the escape",
                "RUN a \\  \t\n  b\n",
                &[("RUN", 1, 2, "a   b")],
            ),
            (
                "continuation lines are not left-trimmed",
                "RUN a\\\n   b\n",
                &[("RUN", 1, 2, "a   b")],
            ),
            (
                "comment and blank lines inside",
                "RUN a \\\n# c\n\n b\n",
                &[("RUN", 1, 4, "a  b")],
            ),
            (
                "a lone escape line is skipped",
                "\\\nFROM a\n",
                &[("FROM", 1, 2, "a")],
            ),
            (
                "continued to the end of the file",
                "RUN a \\\n",
                &[("RUN", 1, 1, "a")],
            ),
            ("indented instruction", "   run  a\n", &[("RUN", 1, 1, "a")]),
            (
                "flags only where defined",
                "CMD --help\n",
                &[("CMD", 1, 1, "--help")],
            ),
            (
                "heredoc body is not instructions",
                "RUN <<E\nFROM x\nE\nUSER u\n",
                &[("RUN", 1, 3, "<<E"), ("USER", 4, 4, "u")],
            ),
            (
                "<<- strips tabs from the terminator",
                "RUN <<-E\n\tx\n\tE\n",
                &[("RUN", 1, 3, "<<-E")],
            ),
            (
                "<< inside quotes is no heredoc",
                "RUN echo '<<E'\nUSER u\n",
                &[("RUN", 1, 1, "echo '<<E'"), ("USER", 2, 2, "u")],
            ),
        ];
        for (case, text, want) in rows {
            let df = Dockerfile::parse(text).unwrap_or_else(|e| panic!("{case}: {e}"));
            let got: Vec<(&str, usize, usize, &str)> = df
                .instructions
                .iter()
                .map(|i| (i.keyword.as_str(), i.line, i.end_line, i.args()))
                .collect();
            assert_eq!(got, *want, "case {case}");
        }
    }

    /// (case, text, directives read, escape).
    #[test]
    fn reads_directives_only_at_the_top() {
        let rows: &[(&str, &str, &[&str], char)] = &[
            ("escape", "# escape=`\nFROM a\n", &["escape"], '`'),
            (
                "spaces and case",
                "#  ESCAPE = `\nFROM a\n",
                &["escape"],
                '`',
            ),
            (
                "syntax then check",
                "# syntax=x\n# check=skip=all\nFROM a\n",
                &["syntax", "check"],
                '\\',
            ),
            ("after a blank line", "\n# escape=`\nFROM a\n", &[], '\\'),
            ("after a comment", "# hi\n# escape=`\nFROM a\n", &[], '\\'),
            (
                "after an unknown one",
                "# foo=bar\n# escape=`\nFROM a\n",
                &[],
                '\\',
            ),
        ];
        for (case, text, names, escape) in rows {
            let df = Dockerfile::parse(text).unwrap_or_else(|e| panic!("{case}: {e}"));
            let got: Vec<&str> = df.directives.iter().map(|d| d.name.as_str()).collect();
            assert_eq!(got, *names, "case {case}");
            assert_eq!(df.escape, *escape, "case {case}");
        }
    }

    /// (case, text, line, message fragment): parse errors BuildKit's parser also gives.
    #[test]
    fn parse_errors() {
        let rows: &[(&str, &str, usize, &str)] = &[
            (
                "bad escape",
                "# escape=x\nFROM a\n",
                1,
                "invalid escape token",
            ),
            (
                "repeated directive",
                "# escape=`\n# escape=\\\nFROM a\n",
                2,
                "only one escape",
            ),
            (
                "unterminated heredoc",
                "FROM a\nRUN <<E\nx\n",
                2,
                "unterminated heredoc",
            ),
            (
                "JSON array of numbers",
                "FROM a\nCMD [1]\n",
                2,
                "strings only",
            ),
        ];
        for (case, text, line, fragment) in rows {
            let err = Dockerfile::parse(text).unwrap_err();
            assert_eq!(err.line, *line, "case {case}: {err}");
            assert!(err.message.contains(fragment), "case {case}: {err}");
        }
    }
}
