//! Word splitting the way BuildKit's parser does it: instruction flags
//! (`--name=value` at the start of the arguments), whitespace-separated words
//! that keep their quotes and escapes (`ARG`, `ENV`, `LABEL`), and unquoting.

use std::ops::Range;

/// One word of an instruction's arguments, as written (quotes and escapes kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word as written, continuation lines joined.
    pub raw: String,
    /// Byte range of the word in the file.
    pub span: Range<usize>,
    /// Byte range of the word in the instruction's logical text.
    pub logical: Range<usize>,
}

/// Splits on unquoted whitespace, keeping quotes and escapes inside the words
/// (BuildKit's `parseWords`). Returns `(logical byte range, word)`.
pub(crate) fn split_words(s: &str, escape: char) -> Vec<(Range<usize>, String)> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut start = 0;
    let mut end = 0;
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut chars = s.char_indices().peekable();
    while let Some((pos, ch)) = chars.next() {
        end = pos + ch.len_utf8();
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            } else if ch == escape && q != '\'' {
                match chars.next() {
                    Some((p, next)) => {
                        end = p + next.len_utf8();
                        word.push(ch);
                        word.push(next);
                    }
                    None => quote = None,
                }
                continue;
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
                words.push((start..pos, std::mem::take(&mut word)));
            }
            word.clear();
            in_word = false;
            blank_ok = false;
            continue;
        }
        if ch == '\'' || ch == '"' {
            quote = Some(ch);
            blank_ok = true;
        }
        if ch == escape {
            if let Some((p, next)) = chars.next() {
                end = p + next.len_utf8();
                word.push(ch);
                word.push(next);
            }
            continue;
        }
        word.push(ch);
    }
    if in_word && (blank_ok || !word.is_empty()) {
        words.push((start..end, word));
    }
    words
}

/// Removes quotes and escapes from a word the way BuildKit's shell lexer does
/// for `ARG`, `ENV` and `LABEL` values. Variable references are kept as
/// written; the flag says whether an unescaped `$` outside single quotes was
/// seen (the builder would expand a variable there).
///
/// ```
/// assert_eq!(nss_dockerfile::unquote(r#""a \"b\" $c""#, '\\'), ("a \"b\" $c".to_owned(), true));
/// assert_eq!(nss_dockerfile::unquote("'$x'", '\\'), ("$x".to_owned(), false));
/// ```
#[must_use]
pub fn unquote(word: &str, escape: char) -> (String, bool) {
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

/// The `--name[=value]` flags at the start of `s` (BuildKit's
/// `extractBuilderFlags`: quotes removed, `\` escapes the next character, a bare
/// `--` ends the flags). Returns the flags with their logical byte ranges, and
/// the offset where the arguments start.
pub(crate) fn extract_flags(s: &str) -> (Vec<(Range<usize>, String)>, usize) {
    let bytes = s.as_bytes();
    let mut flags = Vec::new();
    let mut pos = 0;
    loop {
        while pos < s.len() && s[pos..].starts_with(char::is_whitespace) {
            pos += s[pos..].chars().next().map_or(1, char::len_utf8);
        }
        if pos >= s.len() {
            return (flags, s.len());
        }
        if !(bytes[pos] == b'-' && bytes.get(pos + 1) == Some(&b'-')) {
            return (flags, pos);
        }
        let start = pos;
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut blank_ok = false;
        let mut chars = s[pos..].char_indices();
        let mut end = s.len();
        while let Some((i, ch)) = chars.next() {
            match quote {
                Some(q) if ch == q => quote = None,
                Some(_) if ch == '\\' => match chars.next() {
                    Some((_, n)) => word.push(n),
                    None => quote = None,
                },
                Some(_) => word.push(ch),
                None if ch.is_whitespace() => {
                    end = pos + i;
                    break;
                }
                None if ch == '\'' || ch == '"' => {
                    quote = Some(ch);
                    blank_ok = true;
                }
                None if ch == '\\' => {
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    }
                }
                None => word.push(ch),
            }
        }
        if word == "--" && !blank_ok {
            return (flags, end);
        }
        flags.push((start..end, word));
        pos = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BuildKit's `parseWords`: quotes and escapes stay in the words.
    #[test]
    fn splits_like_parse_words() {
        let cases: &[(&str, &[&str])] = &[
            ("a b", &["a", "b"]),
            ("a=\"b c\" d", &["a=\"b c\"", "d"]),
            ("a='x y'", &["a='x y'"]),
            ("a\\ b c", &["a\\ b", "c"]),
            ("\"\"", &["\"\""]),
            ("  a  ", &["a"]),
        ];
        for (text, want) in cases {
            let got: Vec<String> = split_words(text, '\\').into_iter().map(|w| w.1).collect();
            assert_eq!(got, *want, "{text}");
        }
        assert_eq!(split_words("ab cd", '\\')[1].0, 3..5);
    }

    /// `extractBuilderFlags`: flags end at the first word without `--`.
    #[test]
    fn extracts_flags() {
        let cases: &[(&str, &[&str], &str)] = &[
            (
                "--mount=type=cache,target=/x uv sync",
                &["--mount=type=cache,target=/x"],
                "uv sync",
            ),
            ("--a --b=\"x y\" cmd", &["--a", "--b=x y"], "cmd"),
            ("-- --notflag", &[], "--notflag"),
            ("cmd --x", &[], "cmd --x"),
            ("--only", &["--only"], ""),
        ];
        for (text, want, rest) in cases {
            let (flags, at) = extract_flags(text);
            let got: Vec<String> = flags.into_iter().map(|f| f.1).collect();
            assert_eq!(got, *want, "{text}");
            assert_eq!(text[at..].trim(), *rest, "{text}");
        }
    }
}
