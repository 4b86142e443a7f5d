//! `nss-preflight [--json] [--strict] -- PROGRAM [ARGS...]`: checks the container, prints
//! hints on stderr, then execs PROGRAM (the process is replaced, so signals reach the app
//! directly and tini stays PID 1).
//!
//! Exit codes of its own (otherwise the app's own, since the app replaces this process):
//! 0 for `--help`/`--version`, 1 when `--strict` (or `NSS_PREFLIGHT=strict`) refuses to
//! start on a warning or error, 2 on a usage error, 126 when PROGRAM cannot be executed,
//! 127 when PROGRAM is not found.

use std::ffi::OsString;
use std::io::{self, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

use nss_preflight::{Level, PREFIX, Scope, Settings, SystemProbe, env, preflight};

const USAGE: &str = "usage: nss-preflight [--json] [--strict] -- PROGRAM [ARGS...]";

#[derive(Debug, PartialEq, Eq)]
enum Cli {
    Run {
        json: bool,
        strict: bool,
        program: OsString,
        args: Vec<OsString>,
    },
    Help,
    Version,
}

/// Parses nss-preflight's own arguments. Its flags come before PROGRAM; `--` before
/// PROGRAM is optional unless PROGRAM starts with `-`. Everything after PROGRAM is the
/// app's.
fn parse(argv: impl IntoIterator<Item = OsString>) -> Result<Cli, String> {
    let (mut json, mut strict) = (false, false);
    let mut argv = argv.into_iter();
    let program = loop {
        let Some(arg) = argv.next() else {
            return Err(format!("missing PROGRAM ({USAGE})"));
        };
        match arg.to_str() {
            Some("--json") => json = true,
            Some("--strict") => strict = true,
            Some("--help" | "-h") => return Ok(Cli::Help),
            Some("--version" | "-V") => return Ok(Cli::Version),
            Some("--") => match argv.next() {
                Some(program) => break program,
                None => return Err(format!("missing PROGRAM after -- ({USAGE})")),
            },
            Some(flag) if flag.starts_with('-') => {
                return Err(format!("unknown option {flag:?} ({USAGE})"));
            }
            _ => break arg,
        }
    };
    Ok(Cli::Run {
        json,
        strict,
        program,
        args: argv.collect(),
    })
}

fn help() -> String {
    format!(
        "nss-preflight: checks a container's environment, prints hints, then execs the app.\n\n\
         {USAGE}\n\n\
         options:\n  \
           --json     write the report as one JSON object on stderr instead of text\n  \
           --strict   exit 1 instead of starting PROGRAM when there is a warning or error\n  \
           -h, --help, -V, --version\n\n\
         environment:\n  \
           {}=off|strict|json   (comma-separated; off skips every check)\n  \
           {}=DIR                default /workspace\n  \
           {}=DIR            also checked for writability\n  \
           {}=LIST  default \"config\"; e.g. \"config, models list\"\n  \
           {}=IDS          finding ids to drop, comma-separated\n\n\
         exit codes: PROGRAM's own; 1 strict refusal; 2 usage; 126 not executable; 127 not found\n",
        env::NSS_PREFLIGHT,
        env::NSS_WORKSPACE,
        env::NSS_ARTIFACTS_DIR,
        env::NSS_PREFLIGHT_INFO_COMMANDS,
        env::NSS_PREFLIGHT_IGNORE,
    )
}

/// Writes to stderr, ignoring failure: a closed or broken stderr must not stop the app.
/// Every line goes through here, with the value of each secret variable redacted.
fn say(text: &str) {
    let redactor = nss_preflight::Redactor::from_vars(
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
    );
    let _ = io::stderr()
        .lock()
        .write_all(redactor.redact(text).as_bytes());
}

fn main() -> ExitCode {
    let (json, strict, program, args) = match parse(std::env::args_os().skip(1)) {
        Ok(Cli::Run {
            json,
            strict,
            program,
            args,
        }) => (json, strict, program, args),
        Ok(Cli::Help) => {
            let _ = io::stdout().lock().write_all(help().as_bytes());
            return ExitCode::SUCCESS;
        }
        Ok(Cli::Version) => {
            let version = format!("nss-preflight {}\n", env!("CARGO_PKG_VERSION"));
            let _ = io::stdout().lock().write_all(version.as_bytes());
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            say(&format!("nss-preflight: {message}\n"));
            return ExitCode::from(2);
        }
    };

    let probe = SystemProbe;
    let mut settings = Settings::from_env(&probe);
    settings.json |= json;
    settings.strict |= strict;
    let report = preflight(&probe, &settings, &args);

    if matches!(report.scope, Scope::Full | Scope::InfoCommand) {
        let text = if settings.json {
            format!("{}\n", report.to_json())
        } else {
            report.render_text()
        };
        say(&text);
    }
    if settings.strict && report.has(Level::Warning) {
        say(&format!(
            "{PREFIX} strict: not starting {}: fix the findings above, or drop --strict / {}=strict\n",
            program.to_string_lossy(),
            env::NSS_PREFLIGHT
        ));
        return ExitCode::from(1);
    }

    let error = Command::new(&program).args(&args).exec();
    let (code, why) = match error.kind() {
        io::ErrorKind::NotFound => (127, "command not found".to_string()),
        io::ErrorKind::PermissionDenied => (126, "permission denied".to_string()),
        _ => (126, error.to_string()),
    };
    say(&format!(
        "{PREFIX} error: cannot run {:?}: {why}\n",
        program.to_string_lossy()
    ));
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(json: bool, strict: bool, program: &str, args: &[&str]) -> Cli {
        Cli::Run {
            json,
            strict,
            program: program.into(),
            args: args.iter().map(OsString::from).collect(),
        }
    }

    #[test]
    fn parses_own_flags_then_program_and_its_arguments() {
        let cases: Vec<(&str, Result<Cli, &str>)> = vec![
            (
                "-- app run --x 1",
                Ok(run(false, false, "app", &["run", "--x", "1"])),
            ),
            ("--json --strict -- app", Ok(run(true, true, "app", &[]))),
            ("app --help", Ok(run(false, false, "app", &["--help"]))),
            (
                "-- app -- --json",
                Ok(run(false, false, "app", &["--", "--json"])),
            ),
            (
                "--strict app --json",
                Ok(run(false, true, "app", &["--json"])),
            ),
            ("-- -weird", Ok(run(false, false, "-weird", &[]))),
            ("--help", Ok(Cli::Help)),
            ("-V", Ok(Cli::Version)),
            ("", Err("missing PROGRAM")),
            ("--json --", Err("missing PROGRAM after --")),
            ("--bogus -- app", Err("unknown option \"--bogus\"")),
        ];
        for (argv, want) in cases {
            let got = parse(argv.split_whitespace().map(OsString::from));
            match (got, want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{argv:?}"),
                (Err(got), Err(want)) => {
                    assert!(got.starts_with(want), "{argv:?}: {got}");
                    assert!(!got.contains('\n'), "usage errors are one line");
                }
                (got, want) => panic!("{argv:?}: got {got:?}, want {want:?}"),
            }
        }
    }
}
