//! One program invocation as data ([`Cmd`]) and how it is shown: shell-quoted, one line.

use std::fmt;
use std::path::Path;

/// One program invocation: argv and extra environment, never through a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    /// The program (`docker`, `podman`, a path, `cargo`, `skopeo`).
    pub program: String,
    /// The arguments.
    pub args: Vec<String>,
    /// Variables set for this command on top of the inherited environment (no secrets here).
    pub env: Vec<(String, String)>,
}

impl Cmd {
    /// A command with no arguments yet.
    pub fn new(program: impl Into<String>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Appends one argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }
}

impl fmt::Display for Cmd {
    /// The shell-quoted form: `NAME=value ... program arg ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={}", quote(v)))
            .collect();
        words.push(quote(&self.program));
        words.extend(self.args.iter().map(|a| quote(a)));
        f.write_str(&words.join(" "))
    }
}

/// Quotes one word for a POSIX shell: bare when it holds only characters no shell treats
/// specially (`KEY=value` stays readable), else single-quoted (as `shell_words::quote` does).
/// A word holding control characters (a newline, an escape) is written in bash's `$'...'`
/// form with those characters escaped, so one command always stays on one line and
/// nothing printed can move the terminal's cursor.
pub fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:=,@+%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else if word.chars().any(char::is_control) {
        let mut out = String::from("$'");
        for c in word.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    } else {
        shell_words::quote(word).into_owned()
    }
}

/// A path as a string argument.
pub(crate) fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
