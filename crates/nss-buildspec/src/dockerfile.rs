//! `ARG` defaults of a Dockerfile: read them, compare them with a spec, and
//! rewrite only the default values.

use std::ops::Range;

use nss_dockerfile::{Dockerfile, unquote};

/// The GPU Dockerfile, relative to the project directory (nss's `CONTAINER_GPU_FILE`
/// overrides it).
pub const DEFAULT_GPU_DOCKERFILE: &str = "containers/Dockerfile.cuda";

/// The CPU-only test Dockerfile, relative to the project directory (nss's
/// `CONTAINER_TEST_FILE` overrides it).
pub const DEFAULT_CPU_DOCKERFILE: &str = "containers/Dockerfile.test_ci";

/// One `ARG NAME[=default]` declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDefault {
    /// The argument name.
    pub name: String,
    /// The default with quotes removed; `None` for `ARG NAME` without `=`.
    pub value: Option<String>,
    /// 1-based line of the name.
    pub line: usize,
}

/// An `ARG` whose Dockerfile default differs from the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDrift {
    /// The argument name.
    pub name: String,
    /// 1-based line of the declaration.
    pub line: usize,
    /// The Dockerfile's default. Declarations without a default are not
    /// drift (a stage's `ARG NAME` inherits the global default), so this is
    /// currently always `Some`.
    pub dockerfile: Option<String>,
    /// The value the spec wants.
    pub spec: String,
}

/// How a default was quoted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// An `ARG` declaration with the byte range of its default as written.
#[derive(Debug)]
struct Occurrence {
    arg: ArgDefault,
    /// The default as written (quotes included), `None` without `=`.
    span: Option<Range<usize>>,
    quote: Quote,
}

/// Every `ARG NAME[=default]` in `text`, in file order: before the first
/// `FROM` and inside stages, several per line, across `\` continuations;
/// comments and other instructions are skipped. A repeated `ARG` appears
/// once per declaration.
pub fn arg_defaults(text: &str) -> Vec<ArgDefault> {
    scan(text).0.into_iter().map(|o| o.arg).collect()
}

/// For each `(name, value)` of `expected`, every declaration of `name` whose
/// default differs from `value`, in file order. A name absent from the file,
/// or declared without a default, is not drift.
pub fn drift(text: &str, expected: &[(&str, String)]) -> Vec<ArgDrift> {
    scan(text)
        .0
        .into_iter()
        .filter_map(|o| {
            let spec = lookup(expected, &o.arg.name)?;
            let have = o.arg.value?;
            (have != spec).then(|| ArgDrift {
                name: o.arg.name,
                line: o.arg.line,
                dockerfile: Some(have),
                spec: spec.to_owned(),
            })
        })
        .collect()
}

/// `text` with the default of every drifted `ARG` (see [`drift`]) replaced by
/// the spec's value. Nothing else changes: comments, order, spacing and each
/// default's quoting style stay as they were (an unquoted default that now
/// needs quotes, e.g. a value with a space, gets double quotes). An `ARG`
/// without a default gets none added.
pub fn sync_args(text: &str, expected: &[(&str, String)]) -> String {
    let (found, esc) = scan(text);
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for o in found {
        let (Some(span), Some(have)) = (o.span, o.arg.value.as_deref()) else {
            continue;
        };
        let Some(want) = lookup(expected, &o.arg.name) else {
            continue;
        };
        if have == want {
            continue;
        }
        out.push_str(&text[last..span.start]);
        out.push_str(&render(want, o.quote, esc));
        last = span.end;
    }
    out.push_str(&text[last..]);
    out
}

fn lookup<'a>(expected: &'a [(&str, String)], name: &str) -> Option<&'a str> {
    expected
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

/// A default written in the given quoting style, escaping with the
/// Dockerfile's escape character where double quotes need it.
fn render(value: &str, quote: Quote, esc: char) -> String {
    let needs_quotes = value.is_empty()
        || value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | '$' | '`') || c == esc);
    match quote {
        Quote::None if value.is_empty() || !needs_quotes => value.to_owned(),
        Quote::Single if !value.contains('\'') => format!("'{value}'"),
        _ => {
            let escaped: String = value
                .chars()
                .flat_map(|c| {
                    let escape = matches!(c, '"' | '$') || c == esc;
                    escape.then_some(esc).into_iter().chain(std::iter::once(c))
                })
                .collect();
            format!("\"{escaped}\"")
        }
    }
}

/// Every `ARG` declaration with its spans, as the Dockerfile reader sees them.
/// A file the reader refuses (an unterminated heredoc) declares nothing here;
/// `nss check` reports the error through lint.
fn scan(text: &str) -> (Vec<Occurrence>, char) {
    let Ok(df) = Dockerfile::parse(text) else {
        return (Vec::new(), '\\');
    };
    let mut found = Vec::new();
    for ins in df.instructions.iter().filter(|i| i.is("ARG")) {
        for word in ins.words() {
            let line = text[..word.span.start].matches('\n').count() + 1;
            let Some((name, raw)) = word.raw.split_once('=') else {
                found.push(Occurrence {
                    arg: ArgDefault {
                        name: word.raw,
                        value: None,
                        line,
                    },
                    span: None,
                    quote: Quote::None,
                });
                continue;
            };
            let quote = match raw.chars().next() {
                Some('"') => Quote::Double,
                Some('\'') => Quote::Single,
                _ => Quote::None,
            };
            let value_start = word.logical.start + name.len() + 1;
            found.push(Occurrence {
                arg: ArgDefault {
                    name: name.to_owned(),
                    value: Some(unquote(raw, df.escape).0),
                    line,
                },
                span: Some(ins.file_span(value_start..word.logical.end)),
                quote,
            });
        }
    }
    (found, df.escape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(name: &str, value: Option<&str>, line: usize) -> ArgDefault {
        ArgDefault {
            name: name.to_owned(),
            value: value.map(str::to_owned),
            line,
        }
    }

    /// Dockerfile text -> its `ARG` declarations.
    #[test]
    fn reads_arg_defaults() {
        let cases: Vec<(&str, Vec<ArgDefault>)> = vec![
            ("ARG A=1\n", vec![arg("A", Some("1"), 1)]),
            ("ARG A\n", vec![arg("A", None, 1)]),
            ("ARG A=\n", vec![arg("A", Some(""), 1)]),
            // Quotes, both kinds, with spaces inside.
            (
                "ARG A=\"x y\" B='p q'\n",
                vec![arg("A", Some("x y"), 1), arg("B", Some("p q"), 1)],
            ),
            // Case-insensitive keyword, leading spaces, several per line.
            (
                "  arg A=1 B C=3\n",
                vec![
                    arg("A", Some("1"), 1),
                    arg("B", None, 1),
                    arg("C", Some("3"), 1),
                ],
            ),
            // Continuations, with a comment and a blank line inside.
            (
                "ARG A=1 \\\n# note\n\n    B=2\nRUN x\n",
                vec![arg("A", Some("1"), 1), arg("B", Some("2"), 4)],
            ),
            // Comments and other instructions are not ARGs; ARGINFO is not ARG.
            ("# ARG X=1\nRUN echo ARG Y=2\nARGX=3\nENV Z=4\n", vec![]),
            // Before FROM and inside a stage; repeated ARGs reported each time.
            (
                "ARG CUDA_VERSION=12.8.1\nFROM base:${CUDA_VERSION}\nARG CUDA_VERSION\nARG CUDA_VERSION=12.6.3\n",
                vec![
                    arg("CUDA_VERSION", Some("12.8.1"), 1),
                    arg("CUDA_VERSION", None, 3),
                    arg("CUDA_VERSION", Some("12.6.3"), 4),
                ],
            ),
            // Escaped quote inside double quotes; ; is plain text.
            (
                "ARG F=\"a\\\"b\" G=80;86\n",
                vec![arg("F", Some("a\"b"), 1), arg("G", Some("80;86"), 1)],
            ),
            // CRLF line endings, no final newline.
            (
                "ARG A=1\r\nARG B=2",
                vec![arg("A", Some("1"), 1), arg("B", Some("2"), 2)],
            ),
            // A backtick escape directive.
            (
                "# escape=`\nARG A=1 `\n B=2\n",
                vec![arg("A", Some("1"), 2), arg("B", Some("2"), 3)],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(arg_defaults(text), want, "{text:?}");
        }
    }

    fn expected() -> Vec<(&'static str, String)> {
        vec![
            ("CUDA_VERSION", "12.8.1".to_owned()),
            ("EXTRAS", "cu128 engine".to_owned()),
            ("UV_VERSION", "0.9.14".to_owned()),
        ]
    }

    #[test]
    fn drift_reports_each_differing_default() {
        let text = "ARG CUDA_VERSION=12.6.3\nFROM x\nARG CUDA_VERSION\nARG EXTRAS=\"cu128 engine\"\nARG UV_VERSION=0.9.0\nARG OTHER=1\n";
        let found = drift(text, &expected());
        assert_eq!(
            found,
            vec![
                ArgDrift {
                    name: "CUDA_VERSION".into(),
                    line: 1,
                    dockerfile: Some("12.6.3".into()),
                    spec: "12.8.1".into()
                },
                ArgDrift {
                    name: "UV_VERSION".into(),
                    line: 5,
                    dockerfile: Some("0.9.0".into()),
                    spec: "0.9.14".into()
                },
            ]
        );
        // Nothing declared: no drift.
        assert!(drift("FROM x\nRUN true\n", &expected()).is_empty());
    }

    /// (before, after): only default values change.
    #[test]
    fn sync_rewrites_only_values() {
        let cases = [
            ("ARG CUDA_VERSION=12.6.3\n", "ARG CUDA_VERSION=12.8.1\n"),
            (
                "ARG CUDA_VERSION=\"12.6\"  # keep\n",
                "ARG CUDA_VERSION=\"12.8.1\"  # keep\n",
            ),
            ("ARG CUDA_VERSION='12.6'\n", "ARG CUDA_VERSION='12.8.1'\n"),
            // Unquoted value that needs quotes gets double quotes.
            ("ARG EXTRAS=cpu\n", "ARG EXTRAS=\"cu128 engine\"\n"),
            // Empty default filled; no default stays without.
            (
                "ARG UV_VERSION=\nARG CUDA_VERSION\n",
                "ARG UV_VERSION=0.9.14\nARG CUDA_VERSION\n",
            ),
            // Several on one line, continuation and comment kept byte for byte.
            (
                "# top\nARG  CUDA_VERSION=1 \\\n    # inner\n    UV_VERSION=2\tOTHER=3\r\nRUN x\n",
                "# top\nARG  CUDA_VERSION=12.8.1 \\\n    # inner\n    UV_VERSION=0.9.14\tOTHER=3\r\nRUN x\n",
            ),
            // A backtick escape directive: continuation kept, value replaced.
            (
                "# escape=`\nARG CUDA_VERSION=1 `\n  EXTRAS=x\n",
                "# escape=`\nARG CUDA_VERSION=12.8.1 `\n  EXTRAS=\"cu128 engine\"\n",
            ),
            // Already in step: unchanged.
            ("ARG UV_VERSION=0.9.14\n", "ARG UV_VERSION=0.9.14\n"),
        ];
        for (before, after) in cases {
            let synced = sync_args(before, &expected());
            assert_eq!(synced, after, "{before:?}");
            assert!(drift(&synced, &expected()).is_empty(), "{before:?}");
        }
    }

    /// Pieces of Dockerfiles around ARG declarations, joined at random.
    const PIECES: &[&str] = &[
        "ARG CUDA_VERSION=12.6.3",
        "ARG EXTRAS=cpu UV_VERSION='0.1' OTHER=\"x y\"",
        "arg CUDA_VERSION",
        "ARG UV_VERSION= \\",
        "  # inside",
        "",
        "    CUDA_VERSION=\"1\\\"2\"",
        "FROM nvidia/cuda:${CUDA_VERSION} AS deps",
        "RUN echo ARG CUDA_VERSION=0 && \\",
        "RUN <<EOF",
        "ARG UV_VERSION=inside-heredoc",
        "EOF",
        "ENTRYPOINT []",
        "# ARG EXTRAS=comment",
        "LABEL a=b \\\r",
        "ONBUILD ARG CUDA_VERSION=9",
    ];

    proptest::proptest! {
        /// Sync rewrites ARG default values and nothing else: the bytes between
        /// the values are identical before and after, and a second sync is a no-op.
        #[test]
        fn sync_touches_only_default_values(
            backtick in proptest::bool::ANY,
            idx in proptest::collection::vec(0..PIECES.len(), 0..20),
        ) {
            let mut text = if backtick { "# escape=`\n".to_owned() } else { String::new() };
            text.push_str(&idx.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join("\n"));
            let synced = sync_args(&text, &expected());
            proptest::prop_assert_eq!(sync_args(&synced, &expected()), synced.clone());
            let gaps = |t: &str| -> Vec<String> {
                let mut out = Vec::new();
                let mut last = 0;
                for o in scan(t).0 {
                    if let Some(span) = o.span {
                        out.push(t[last..span.start].to_owned());
                        last = span.end;
                    }
                }
                out.push(t[last..].to_owned());
                out
            };
            proptest::prop_assert_eq!(gaps(&text), gaps(&synced), "{:?} -> {:?}", text, synced);
            proptest::prop_assert!(drift(&synced, &expected()).is_empty(), "{:?}", synced);
        }
    }
}
