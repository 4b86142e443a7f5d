//! One Dockerfile reader for nss: everything BuildKit builds, read the way
//! BuildKit's parser reads it, with byte spans so edits stay format-preserving.
//!
//! [`Dockerfile::parse`] gives
//! - the parser directives (`syntax`, `escape`, `check`), recognised only
//!   before the first instruction, comment or blank line; an unknown directive
//!   is a comment and ends them;
//! - every comment line with its line and span (`# nss-lint ignore=`,
//!   `# nss-labels:` markers), including comment lines inside a continuation;
//! - logical [`Instruction`]s: keyword (any case in the file, uppercase here),
//!   `--flags`, arguments with continuation lines joined (comment and blank
//!   lines inside a continuation skipped, the escape directive's backtick
//!   honoured), heredocs of `RUN`/`COPY`/`ADD` (`<<EOF`, `<<-EOF`, quoted
//!   delimiters, several per line), the `ONBUILD` trigger;
//! - exec or shell [`Form`] as BuildKit decides it (`ENTRYPOINT []` is an
//!   empty exec form; JSON that does not parse is shell form);
//! - [`Stage`]s (name, base, index, platform);
//! - the values of the global `ARG`s a build gives its `FROM` lines
//!   ([`Dockerfile::global_args`]) and their expansion ([`expand`]).
//!
//! [`Dockerfile::parse`] errs only where BuildKit's parser errs;
//! [`Dockerfile::validate`] adds the checks BuildKit makes before building
//! (unknown instructions, `FROM` first, stage names, `ONBUILD` triggers).
//! Errors print as `FILE:LINE: what is wrong`.
//!
//! ```
//! use nss_dockerfile::{Dockerfile, Form};
//!
//! let text = "# escape=`\nARG BASE=debian:12\nFROM ${BASE} AS dev\nRUN --mount=type=cache,target=/root/.cache/uv `\n    uv sync\nENTRYPOINT []\n";
//! let df = Dockerfile::parse(text)?;
//! df.validate()?;
//! assert_eq!(df.escape, '`');
//! let stages = df.stages();
//! assert_eq!((stages[0].name.as_deref(), stages[0].base.as_str()), (Some("dev"), "${BASE}"));
//! let run = &df.instructions[2];
//! assert_eq!((run.keyword.as_str(), run.line, run.end_line), ("RUN", 4, 5));
//! assert_eq!(run.flag("mount").and_then(|f| f.value.as_deref()), Some("type=cache,target=/root/.cache/uv"));
//! assert_eq!(run.form(), Form::Shell("    uv sync".trim().to_owned()));
//! assert_eq!(df.instructions[3].form(), Form::Exec(vec![]));
//! // Byte spans point into the text: the ARG default, ready to be replaced.
//! let word = &df.instructions[0].words()[0];
//! assert_eq!(&text[word.span.clone()], "BASE=debian:12");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod dockerfile;
mod error;
mod expand;
mod validate;
mod words;

pub use dockerfile::{
    Comment, DIRECTIVES, Directive, Dockerfile, Flag, Form, Heredoc, INSTRUCTIONS, Instruction,
    Stage,
};
pub use error::Error;
pub use expand::expand;
pub use words::{Word, unquote};
