//! Which checks an invocation of the app deserves, decided from its arguments alone.

use std::ffi::OsStr;

use serde::Serialize;

/// How much checking an invocation of the app gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Every check (a normal run).
    Full,
    /// An info command such as `config validate`: only the workspace checks (the
    /// config must be mounted), no GPU, driver, `/dev/shm` or Hugging Face checks.
    InfoCommand,
    /// `--help`, `-h`, `--version` or `-V`: no checks at all, nothing before the text.
    HelpOrVersion,
    /// `NSS_PREFLIGHT=off`: no checks.
    Off,
}

/// The flags that mean "print text and exit": no checks before them.
pub const HELP_FLAGS: [&str; 4] = ["--help", "-h", "--version", "-V"];

/// The subcommands that only inspect, each one or more words (`config`, `models list`).
///
/// Parsed from [`NSS_PREFLIGHT_INFO_COMMANDS`](crate::env::NSS_PREFLIGHT_INFO_COMMANDS):
/// comma-separated entries, each split on whitespace into words; empty entries are
/// ignored. The default is the single entry `config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfoCommands(Vec<Vec<String>>);

impl Default for InfoCommands {
    fn default() -> Self {
        Self::parse("config")
    }
}

impl InfoCommands {
    /// Parses `"config, models list"`; `""` gives no info commands.
    pub fn parse(list: &str) -> Self {
        Self(
            list.split(',')
                .map(|entry| {
                    entry
                        .split_whitespace()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .filter(|words| !words.is_empty())
                .collect(),
        )
    }

    /// No info commands.
    pub fn none() -> Self {
        Self(Vec::new())
    }

    /// The entries, each as its words.
    pub fn entries(&self) -> &[Vec<String>] {
        &self.0
    }

    fn matches(&self, positionals: &[&str]) -> bool {
        self.0.iter().any(|words| {
            words.len() <= positionals.len() && words.iter().zip(positionals).all(|(w, p)| w == p)
        })
    }
}

impl Scope {
    /// Classifies the app's arguments (without the program name).
    ///
    /// The app's CLI is unknown, so the arguments are read with these rules:
    ///
    /// 1. A token starting with `-` (other than `-` alone) is an option. If it is one of
    ///    [`HELP_FLAGS`], the scope is [`Scope::HelpOrVersion`], wherever it appears
    ///    (top level or after a subcommand).
    /// 2. `--` ends the options: every later token is an argument, never a flag.
    /// 3. An option written without `=` (`--data-source`, `-c`) is assumed to take the
    ///    next token as its value when that token does not start with `-`. So in
    ///    `run --data-source config`, `config` is a value, not a subcommand.
    /// 4. The remaining tokens are the positional words; when they begin with the words
    ///    of an [`InfoCommands`] entry, the scope is [`Scope::InfoCommand`].
    ///
    /// Limits, all erring towards running more checks: a boolean flag before the
    /// subcommand hides it (`--verbose config validate` runs every check); bundled or
    /// attached short options (`-vh`, `-cconfig`) are one token; a help flag given as an
    /// option's value (`--name --help`) still counts as help.
    pub fn from_args<S: AsRef<OsStr>>(args: &[S], info: &InfoCommands) -> Scope {
        let mut positionals: Vec<&str> = Vec::new();
        let mut options_ended = false;
        let mut value_pending = false;
        for arg in args {
            let Some(arg) = arg.as_ref().to_str() else {
                // Not UTF-8: cannot be a flag or a command word we know.
                value_pending = false;
                positionals.push("");
                continue;
            };
            if options_ended {
                positionals.push(arg);
            } else if arg == "--" {
                options_ended = true;
                value_pending = false;
            } else if arg.starts_with('-') && arg != "-" {
                if HELP_FLAGS.contains(&arg) {
                    return Scope::HelpOrVersion;
                }
                value_pending = !arg.contains('=');
            } else if value_pending {
                value_pending = false;
            } else {
                positionals.push(arg);
            }
        }
        if info.matches(&positionals) {
            Scope::InfoCommand
        } else {
            Scope::Full
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(args: &str, info: &str) -> Scope {
        let args: Vec<&str> = args.split_whitespace().collect();
        Scope::from_args(&args, &InfoCommands::parse(info))
    }

    #[test]
    fn skip_rules() {
        use Scope::*;
        // (case, args, info commands, expected)
        #[rustfmt::skip]
        let cases = [
            ("no arguments", "", "config", Full),
            ("top-level --help", "--help", "config", HelpOrVersion),
            ("top-level -h", "-h", "config", HelpOrVersion),
            ("top-level --version", "--version", "config", HelpOrVersion),
            ("top-level -V", "-V", "config", HelpOrVersion),
            ("subcommand --help", "run --help", "config", HelpOrVersion),
            ("nested subcommand -h", "config validate -h", "config", HelpOrVersion),
            ("help after an option value", "run --data-source x.csv --help", "config", HelpOrVersion),
            ("help after -- is an argument", "run -- --help", "config", Full),
            ("-v is not -V", "-v run", "config", Full),
            ("--helpful is not --help", "--helpful", "config", Full),
            ("info command", "config validate --config c.yaml", "config", InfoCommand),
            ("info command alone", "config", "config", InfoCommand),
            ("option value is not a subcommand", "run --data-source config", "config", Full),
            ("short option value is not a subcommand", "run -d config", "config", Full),
            ("--opt=value then info command", "--log=debug config validate", "config", InfoCommand),
            ("info word later in positionals", "run config", "config", Full),
            ("flag before info command hides it (documented limit)", "--verbose config", "config", Full),
            ("info word after -- counts", "-- config", "config", InfoCommand),
            ("multi-word entry matches", "models list --all", "config, models list", InfoCommand),
            ("multi-word entry needs every word", "models pull x", "config, models list", Full),
            ("first entry of a list", "config", "config, models list", InfoCommand),
            ("empty list: no info commands", "config validate", "", Full),
            ("custom word replaces the default", "config validate", "inspect", Full),
            ("custom word", "inspect", "inspect", InfoCommand),
            ("lone dash is positional", "- config", "config", Full),
        ];
        for (case, args, info, want) in cases {
            assert_eq!(
                scope(args, info),
                want,
                "case: {case} (args {args:?}, info {info:?})"
            );
        }
    }

    #[test]
    fn info_commands_parse() {
        let cases: [(&str, Vec<Vec<&str>>); 4] = [
            ("config", vec![vec!["config"]]),
            (
                " config ,  models   list ,",
                vec![vec!["config"], vec!["models", "list"]],
            ),
            ("", vec![]),
            (",,", vec![]),
        ];
        for (text, want) in cases {
            let got = InfoCommands::parse(text);
            let got: Vec<Vec<&str>> = got
                .entries()
                .iter()
                .map(|e| e.iter().map(String::as_str).collect())
                .collect();
            assert_eq!(got, want, "{text:?}");
        }
        assert_eq!(InfoCommands::default(), InfoCommands::parse("config"));
    }

    #[test]
    fn non_utf8_arguments_are_positional_words_that_match_nothing() {
        use std::os::unix::ffi::OsStrExt;
        let args = [OsStr::from_bytes(b"\xff"), OsStr::new("config")];
        assert_eq!(
            Scope::from_args(&args, &InfoCommands::default()),
            Scope::Full
        );
    }
}
