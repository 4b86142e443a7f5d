//! The error type of nss-cli, with the exit code each kind maps to (in [`Error::exit_code`] only).

use std::path::PathBuf;

use crate::cmd::Cmd;

/// Everything that can go wrong in `nss`. Each message is one line; an error the user can
/// act on carries the problem and the fix as fields and reads `problem; fix`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input or usage (a variable, argument or file).
    #[error("{problem}; {fix}")]
    Usage {
        /// What is wrong, naming the variable, argument or file.
        problem: String,
        /// What to do about it.
        fix: String,
    },
    /// No usable container engine.
    #[error("{problem}; {fix}")]
    Engine {
        /// What is wrong with the engine.
        problem: String,
        /// What to do about it.
        fix: String,
    },
    /// docker refused `--gpus` (no NVIDIA runtime).
    #[error("{problem}; {fix}")]
    Gpu {
        /// What the engine could not do.
        problem: String,
        /// What to do about it.
        fix: String,
    },
    /// The project's pyproject.toml or Dockerfile pins.
    #[error(transparent)]
    Spec(#[from] nss_buildspec::Error),
    /// Labels could not be generated or validated.
    #[error(transparent)]
    Labels(#[from] nss_labels::Error),
    /// A Dockerfile named by a variable cannot be read.
    #[error("{source} ({var})")]
    Dockerfile {
        /// Why, with the fix.
        source: Box<nss_buildspec::Error>,
        /// The variable naming the file, e.g. `CONTAINER_GPU_FILE`.
        var: &'static str,
    },
    /// A Dockerfile could not be linted.
    #[error(transparent)]
    Lint(#[from] nss_lint::Error),
    /// A saved image could not be read, or its report not written.
    #[error(transparent)]
    Inspect(#[from] nss_inspect::Error),
    /// An engine printed what nss cannot read (`image inspect` without a size, ...).
    #[error("{0}")]
    EngineOutput(String),
    /// A file operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was attempted, e.g. `read`.
        action: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// A program could not be started.
    #[error("cannot run {program}{hint}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// A hint such as ` (not found on PATH)`.
        hint: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// The Ctrl-C / SIGTERM handler could not be installed.
    #[error("cannot install the signal handler: {0}")]
    Signal(#[source] std::io::Error),
    /// An engine command failed.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The pushed index lacks a requested platform.
    #[error(
        "{reference}: the pushed index does not list {platform} (found: {found}); rebuild with that platform (check binfmt/qemu for foreign architectures)"
    )]
    MissingPlatform {
        /// The pushed reference.
        reference: String,
        /// The platform missing.
        platform: String,
        /// The platforms found.
        found: String,
    },
    /// Interrupted by Ctrl-C or SIGTERM.
    #[error("interrupted; the container was removed")]
    Interrupted,
}

impl Error {
    /// Bad input: what is wrong, and the fix.
    pub fn usage(problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Error::Usage {
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// No usable engine: what is wrong, and the fix.
    pub fn engine(problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Error::Engine {
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// The process exit code for this error ([`exit`]): bad input is the user's to fix,
    /// a failure is an engine command's, a pushed index's or the process's own.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Command(_) | Error::MissingPlatform { .. } | Error::Signal(_) => exit::FAILURE,
            Error::Interrupted => exit::INTERRUPTED,
            Error::Usage { .. }
            | Error::Engine { .. }
            | Error::Gpu { .. }
            | Error::Spec(_)
            | Error::Dockerfile { .. }
            | Error::Labels(_)
            | Error::Lint(_)
            | Error::Inspect(_)
            | Error::EngineOutput(_)
            | Error::Io { .. }
            | Error::Spawn { .. } => exit::USAGE,
        }
    }
}

/// The exit codes of `nss`, in one place (`nss run` exits with the container's own code).
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// `check`, `lint` or `doctor` found something, or an engine command failed.
    pub const FAILURE: u8 = 1;
    /// Bad input: a variable, argument or file; the message names it and the fix.
    pub const USAGE: u8 = 2;
    /// Interrupted by Ctrl-C or SIGTERM.
    pub const INTERRUPTED: u8 = 130;

    /// [`OK`] when nothing was found, else [`FAILURE`].
    pub fn findings(none: bool) -> u8 {
        if none { OK } else { FAILURE }
    }
}

/// A child process that failed: its command line, exit status and the tail of its stderr.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} failed with {}{}{}", short(command_line), status.map_or("a signal".to_string(), |s| format!("exit status {s}")), last_line(stderr), known_cause(stderr))]
pub struct CommandError {
    /// The shell-quoted command line.
    pub command_line: String,
    /// The exit status (`None`: killed by a signal).
    pub status: Option<i32>,
    /// The tail of the child's stderr.
    pub stderr: String,
}

impl CommandError {
    /// Records a failed command.
    pub fn new(cmd: &Cmd, status: Option<i32>, stderr: String) -> Self {
        Self {
            command_line: cmd.to_string(),
            status,
            stderr,
        }
    }
}

/// The command line, shortened to its first words when long (the full one is kept in the error).
fn short(line: &str) -> String {
    const MAX: usize = 160;
    if line.len() <= MAX {
        return format!("`{line}`");
    }
    let mut end = MAX;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("`{} ...`", &line[..end])
}

fn last_line(stderr: &str) -> String {
    stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| format!(": {l}"))
        .unwrap_or_default()
}

/// Engine failures whose cause is known: (what the engine prints, what to do).
const KNOWN_CAUSES: [(&str, &str); 1] = [(
    "getting top layer info: layer not known",
    "podman's layer-cache lookup met an image that another process removed meanwhile (buildah issue 5674, fixed in buildah 1.43); run the build again",
)];

fn known_cause(stderr: &str) -> String {
    KNOWN_CAUSES
        .iter()
        .find(|(printed, _)| stderr.contains(printed))
        .map(|(_, fix)| format!("; {fix}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(stderr: &str) -> String {
        let cmd = Cmd::new("podman").args(["build", "-t", "x", "."]);
        CommandError::new(&cmd, Some(125), stderr.into()).to_string()
    }

    #[test]
    fn a_known_engine_race_says_what_to_do() {
        let line = failed(
            "STEP 2/2: RUN true\nError: checking if cached image exists from a previous build: getting top layer info: layer not known\n",
        );
        assert!(
            line.starts_with("`podman build -t x .` failed with exit status 125: Error: checking"),
            "{line}"
        );
        assert!(line.ends_with("; run the build again"), "{line}");
        assert!(line.contains("buildah issue 5674"), "{line}");
    }

    #[test]
    fn other_failures_carry_no_cause() {
        let line = failed("Error: no such file\n");
        assert_eq!(
            line,
            "`podman build -t x .` failed with exit status 125: Error: no such file"
        );
    }
}
