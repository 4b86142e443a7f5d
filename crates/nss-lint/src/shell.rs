//! Just enough shell to see which commands a `RUN` step runs: join continuation
//! lines, split on control operators, split words (with `shell-words`) and peel
//! off `NAME=value` prefixes. No expansion is performed.

/// One simple command of a `RUN` step.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SimpleCommand {
    /// `NAME=value` assignments written before the program (`UV_LINK_MODE=copy uv sync`).
    pub(crate) assignments: Vec<(String, String)>,
    /// The program and its arguments.
    pub(crate) argv: Vec<String>,
}

impl SimpleCommand {
    /// The program's file name (`/usr/bin/apt-get` -> `apt-get`).
    pub(crate) fn program(&self) -> &str {
        self.argv
            .first()
            .map_or("", |p| p.rsplit('/').next().unwrap_or(p))
    }

    /// The arguments after the program.
    pub(crate) fn args(&self) -> &[String] {
        self.argv.get(1..).unwrap_or_default()
    }

    /// Whether any argument equals `word`.
    pub(crate) fn has_arg(&self, word: &str) -> bool {
        self.args().iter().any(|a| a == word)
    }

    /// The positional (non-option) arguments.
    pub(crate) fn positionals(&self) -> impl Iterator<Item = &str> {
        self.args()
            .iter()
            .map(String::as_str)
            .filter(|a| !a.starts_with('-'))
    }
}

/// Splits shell text into simple commands at `&&`, `||`, `;`, `|`, `&`,
/// newlines and parentheses outside quotes; `#` at the start of a word starts a
/// comment. Words are then split with `shell-words` (whitespace on failure).
pub(crate) fn commands(text: &str) -> Vec<SimpleCommand> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    let (mut single, mut double) = (false, false);
    let mut prev: Option<char> = None;
    while let Some(c) = chars.next() {
        match c {
            '\\' if !single => {
                current.push(c);
                if let Some(n) = chars.next() {
                    current.push(n);
                }
                prev = Some('x');
                continue;
            }
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_none_or(char::is_whitespace) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                segments.push(std::mem::take(&mut current));
                prev = None;
                continue;
            }
            ';' | '&' | '|' | '\n' | '(' | ')' if !single && !double => {
                segments.push(std::mem::take(&mut current));
                prev = None;
                continue;
            }
            _ => {}
        }
        current.push(c);
        prev = Some(c);
    }
    segments.push(current);
    segments.iter().filter_map(|s| parse_simple(s)).collect()
}

fn parse_simple(segment: &str) -> Option<SimpleCommand> {
    let words = shell_words::split(segment)
        .unwrap_or_else(|_| segment.split_whitespace().map(str::to_owned).collect());
    let mut cmd = SimpleCommand::default();
    let mut words = words.into_iter().peekable();
    // Leading assignments, and transparent prefixes such as `env`, `exec`, `sudo`.
    while let Some(w) = words.peek() {
        if let Some((name, value)) = assignment(w) {
            cmd.assignments.push((name, value));
            words.next();
        } else if matches!(
            w.as_str(),
            "env" | "exec" | "sudo" | "command" | "time" | "nice"
        ) {
            words.next();
        } else {
            break;
        }
    }
    cmd.argv = words.collect();
    (!cmd.argv.is_empty() || !cmd.assignments.is_empty()).then_some(cmd)
}

/// `NAME=value` with a valid shell variable name.
pub(crate) fn assignment(word: &str) -> Option<(String, String)> {
    let (name, value) = word.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() || first == '_')
        .then_some(())
        .filter(|()| chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(|()| (name.to_owned(), value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argvs(text: &str) -> Vec<Vec<String>> {
        commands(text).into_iter().map(|c| c.argv).collect()
    }

    #[test]
    fn splits_on_operators_outside_quotes() {
        // (case, text, expected argv lists)
        let cases: &[(&str, &str, &[&[&str]])] = &[
            ("and-list", "a 1 && b 2", &[&["a", "1"], &["b", "2"]]),
            ("semicolon+pipe", "a; b | c", &[&["a"], &["b"], &["c"]]),
            ("quoted operator", "echo 'a && b'", &[&["echo", "a && b"]]),
            ("comment", "a # b && c\nd", &[&["a"], &["d"]]),
            ("subshell", "(cd x && make)", &[&["cd", "x"], &["make"]]),
            ("hash inside word", "echo a#b", &[&["echo", "a#b"]]),
        ];
        for (case, text, want) in cases {
            let want: Vec<Vec<String>> = want
                .iter()
                .map(|c| c.iter().map(|s| (*s).to_owned()).collect())
                .collect();
            assert_eq!(argvs(text), want, "case {case}");
        }
    }

    #[test]
    fn peels_assignments_and_prefixes() {
        let cmds = commands("UV_LINK_MODE=copy env A=1 /usr/local/bin/uv sync --frozen");
        assert_eq!(cmds.len(), 1);
        assert_eq!(
            cmds[0].assignments,
            vec![
                ("UV_LINK_MODE".to_owned(), "copy".to_owned()),
                ("A".to_owned(), "1".to_owned())
            ]
        );
        assert_eq!(cmds[0].program(), "uv");
        assert!(cmds[0].has_arg("--frozen"));
    }
}
