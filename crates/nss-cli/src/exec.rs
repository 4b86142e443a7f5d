//! The one thin layer that runs plans: each command through duct (argv only, never a
//! shell; exit codes judged here; the child killed on Ctrl-C).

use std::io::{Read, Write};
use std::process::ExitStatus;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::cmd::Cmd;
use crate::error::{CommandError, Error};
use crate::plan::{Plan, Step};

/// How much of a child's stderr an error keeps.
const STDERR_TAIL: usize = 16 * 1024;

/// What executing a plan ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every step succeeded.
    Done,
    /// A container ran and exited with this code (`run` passes it through).
    Exited(i32),
}

/// Runs plans; remembers Ctrl-C (SIGINT) and SIGTERM so that a running container is
/// removed instead of left behind.
#[derive(Debug, Clone)]
pub struct Executor {
    interrupted: Arc<AtomicBool>,
}

impl Executor {
    /// An executor that catches SIGINT and SIGTERM (they no longer kill this process; the
    /// executor stops the current step, removes its container, and returns [`Error::Interrupted`]).
    pub fn with_signal_handlers() -> Result<Self, Error> {
        let interrupted = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(sig, Arc::clone(&interrupted)).map_err(Error::Signal)?;
        }
        Ok(Self { interrupted })
    }

    /// An executor without signal handlers (for libraries and tests).
    pub fn new() -> Self {
        Self {
            interrupted: Arc::new(AtomicBool::new(false)),
        }
    }

    fn is_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    /// Runs every step in order. Stops at the first failure (or Ctrl-C): nothing after it
    /// runs but the [`Step::Cleanup`] steps, which run whatever happened.
    pub fn execute(&self, plan: &Plan) -> Result<Outcome, Error> {
        let mut outcome = Outcome::Done;
        let mut failed: Option<Error> = None;
        for step in &plan.steps {
            if let Step::Cleanup(inner) = step {
                // Runs whatever happened before; its own failure is harmless.
                let _ = self.run_step(inner, &mut outcome);
                continue;
            }
            if failed.is_some() {
                continue;
            }
            if self.is_interrupted() {
                failed = Some(Error::Interrupted);
                continue;
            }
            if let Err(e) = self.run_step(step, &mut outcome) {
                failed = Some(e);
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(outcome),
        }
    }

    /// Runs one step; a container's exit code goes into `outcome`.
    fn run_step(&self, step: &Step, outcome: &mut Outcome) -> Result<(), Error> {
        match step {
            Step::Run(cmd) => self.run_streamed(cmd)?,
            Step::Try(cmd) => {
                let _ = capture(cmd);
            }
            Step::RemoveDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Step::CreateDir(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| Error::Io {
                    path: dir.clone(),
                    action: "create the Hugging Face cache (CONTAINER_HF_CACHE)",
                    source: e,
                })?;
            }
            Step::Stage {
                file,
                dir,
                dockerfile,
            } => stage(file.as_deref(), dir, dockerfile)?,
            Step::WriteFile {
                dir,
                name,
                contents,
            } => write_private(dir, name, contents)?,
            Step::Cleanup(inner) => {
                let _ = self.run_step(inner, outcome);
            }
            Step::AnnotateInstances {
                engine,
                list,
                annotation_args,
            } => {
                let inspect = Cmd::engine(engine).args(["manifest", "inspect", list]);
                let raw = capture(&inspect)?;
                for digest in instance_digests(&raw) {
                    let annotate = Cmd::engine(engine)
                        .args(["manifest", "annotate"])
                        .args(annotation_args.iter().cloned())
                        .args([list.as_str(), digest.as_str()]);
                    capture(&annotate)?;
                }
            }
            Step::VerifyPlatforms {
                cmd,
                reference,
                platforms,
            } => {
                let raw = capture(cmd)?;
                verify_platforms(&raw, reference, platforms)?;
            }
            Step::Container { cmd, name, engine } => {
                let code =
                    self.run_container(cmd, name, &Cmd::engine(engine), engine.is_podman())?;
                *outcome = Outcome::Exited(code);
            }
        }
        Ok(())
    }

    /// Runs a command with stdout inherited and stderr teed (shown live, tail kept).
    fn run_streamed(&self, cmd: &Cmd) -> Result<(), Error> {
        let child = Teed::start(cmd, expression(cmd).stdin_null())?;
        let Some(status) = self.wait(&child)? else {
            child.stop(Duration::ZERO);
            return Err(Error::Interrupted);
        };
        let stderr = child.stderr();
        if status.success() {
            Ok(())
        } else {
            Err(CommandError::new(cmd, status.code(), stderr).into())
        }
    }

    /// Runs a named container; on interrupt removes it (`rm -f NAME`). The exit code of
    /// the client is the container's; docker's own "could not select device driver"
    /// failure becomes an actionable error.
    fn run_container(
        &self,
        cmd: &Cmd,
        name: &str,
        engine: &Cmd,
        is_podman: bool,
    ) -> Result<i32, Error> {
        // stdin stays the terminal's: `run` is interactive.
        let child = Teed::start(cmd, expression(cmd))?;
        let remove = || {
            // podman waits 10 s for the stop signal by default; PID 1 may ignore it.
            let rm = if is_podman {
                engine.clone().args(["rm", "-f", "-t", "0", name])
            } else {
                engine.clone().args(["rm", "-f", name])
            };
            let _ = capture(&rm);
        };
        let Some(status) = self.wait(&child)? else {
            remove();
            // The client exits once its container is gone.
            child.stop(Duration::from_secs(10));
            // The container may have been created after the first removal.
            remove();
            return Err(Error::Interrupted);
        };
        let stderr = child.stderr();
        let code = status.code().unwrap_or(128 + 9);
        if code == 125 && stderr.contains("could not select device driver") {
            return Err(Error::Gpu {
                problem: "docker cannot give the container GPUs: the NVIDIA Container Toolkit (nvidia runtime) is not installed or configured".into(),
                fix: "install it (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/) or run without GPUs with CONTAINER_GPU_FLAG=".into(),
            });
        }
        let missing_image = [
            "did not resolve to an alias",
            "No such image",
            "image not known",
            "pull access denied",
            "repository does not exist",
        ];
        if code == 125 && missing_image.iter().any(|m| stderr.contains(m)) {
            return Err(Error::usage(
                "the image is not in the engine's image store (and cannot be pulled)",
                "build it first with `nss build` (--image dev / test as needed), or `cargo make container-run-gpu`, which builds before running",
            ));
        }
        Ok(code)
    }

    /// Waits for a started command; `None` when Ctrl-C (or SIGTERM) came first, the
    /// child still running (the caller stops it its own way).
    fn wait(&self, child: &Teed<'_>) -> Result<Option<ExitStatus>, Error> {
        loop {
            if self.is_interrupted() {
                return Ok(None);
            }
            match child.handle.wait_timeout(POLL) {
                Ok(Some(output)) => return Ok(Some(output.status)),
                Ok(None) => {}
                Err(e) => return Err(spawn_error(child.cmd, e)),
            }
        }
    }
}

impl Default for Executor {
    fn default() -> Self {
        Self::new()
    }
}

/// How often a wait looks for Ctrl-C.
const POLL: Duration = Duration::from_millis(20);

/// A command as a duct expression: argv and its extra environment, never a shell; the exit
/// status is the caller's to judge (`unchecked`), since a container's code is passed through.
fn expression(cmd: &Cmd) -> duct::Expression {
    cmd.env
        .iter()
        .fold(duct::cmd(&cmd.program, &cmd.args), |e, (k, v)| e.env(k, v))
        .unchecked()
}

fn spawn_error(cmd: &Cmd, e: std::io::Error) -> Error {
    let hint = if e.kind() == std::io::ErrorKind::NotFound {
        " (not found on PATH)"
    } else {
        ""
    };
    Error::Spawn {
        program: cmd.program.clone(),
        hint,
        source: e,
    }
}

/// A started command whose stderr a thread echoes live and keeps the tail of (an error
/// keeps the child's own words).
struct Teed<'a> {
    cmd: &'a Cmd,
    handle: duct::Handle,
    tee: JoinHandle<String>,
}

impl<'a> Teed<'a> {
    /// Starts `expression` (made from `cmd`) with stderr into a pipe the tee thread reads.
    fn start(cmd: &'a Cmd, expression: duct::Expression) -> Result<Self, Error> {
        let (mut pipe, writer) = std::io::pipe().map_err(|e| spawn_error(cmd, e))?;
        // The expression owns the write end; dropped once started, so the pipe ends with the child.
        let handle = expression
            .stderr_file(writer)
            .start()
            .map_err(|e| spawn_error(cmd, e))?;
        let tee = std::thread::spawn(move || {
            let mut tail: Vec<u8> = Vec::new();
            let mut buf = [0u8; 8192];
            let mut err = std::io::stderr();
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let _ = err.write_all(&buf[..n]);
                        tail.extend_from_slice(&buf[..n]);
                        if tail.len() > 2 * STDERR_TAIL {
                            tail.drain(..tail.len() - STDERR_TAIL);
                        }
                    }
                }
            }
            String::from_utf8_lossy(&tail).into_owned()
        });
        Ok(Self { cmd, handle, tee })
    }

    /// Stops the child: gives it `grace` to exit on its own, then kills it.
    fn stop(&self, grace: Duration) {
        if !matches!(self.handle.wait_timeout(grace), Ok(Some(_))) {
            let _ = self.handle.kill();
            let _ = self.handle.wait();
        }
    }

    /// The tail of the child's stderr, once it has exited.
    fn stderr(self) -> String {
        self.tee.join().unwrap_or_default()
    }
}

/// Runs a query and returns its stdout; failure keeps the stderr and command line.
pub(crate) fn capture(cmd: &Cmd) -> Result<String, Error> {
    let out = expression(cmd)
        .stdin_null()
        .stdout_capture()
        .stderr_capture()
        .run()
        .map_err(|e| spawn_error(cmd, e))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(CommandError::new(
            cmd,
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
        .into())
    }
}

fn stage(
    file: Option<&std::path::Path>,
    dir: &std::path::Path,
    dockerfile: &str,
) -> Result<(), Error> {
    private_dir(dir)?;
    if let Some(file) = file {
        let name = file.file_name().unwrap_or_default();
        std::fs::copy(file, dir.join(name)).map_err(io(file, "copy into the build context"))?;
    }
    std::fs::write(dir.join("Dockerfile"), dockerfile)
        .map_err(io(dir, "write the Dockerfile into"))?;
    Ok(())
}

/// A directory of this invocation's own holding one file.
fn write_private(dir: &std::path::Path, name: &str, contents: &str) -> Result<(), Error> {
    private_dir(dir)?;
    let path = dir.join(name);
    std::fs::write(&path, contents).map_err(io(&path, "write"))
}

fn io(path: &std::path::Path, action: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |e| Error::Io {
        path,
        action,
        source: e,
    }
}

fn private_dir(dir: &std::path::Path) -> Result<(), Error> {
    // The directory is this invocation's own: created here, exclusively and private, so
    // a concurrent run or a planted symlink at the same path is an error, never shared.
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent, "create"))?;
    }
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
        .create(dir)
        .map_err(io(dir, "create the build context (exclusively)"))?;
    Ok(())
}

/// The digests of the instances of a manifest list / image index.
fn instance_digests(raw: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(raw) else {
        return Vec::new();
    };
    v["manifests"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|d| d["digest"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Checks that a raw index lists every `os/arch` platform; names the first one missing.
pub(crate) fn verify_platforms(
    raw: &str,
    reference: &str,
    platforms: &[String],
) -> Result<(), Error> {
    let v: serde_json::Value = serde_json::from_str(raw).map_err(|e| Error::MissingPlatform {
        reference: reference.to_string(),
        platform: platforms.join(", "),
        found: format!("no image index ({e})"),
    })?;
    let found: Vec<String> = v["manifests"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|d| {
                    let p = &d["platform"];
                    Some(format!(
                        "{}/{}",
                        p["os"].as_str()?,
                        p["architecture"].as_str()?
                    ))
                })
                .filter(|p| p != "unknown/unknown")
                .collect()
        })
        .unwrap_or_default();
    for want in platforms {
        if !found.contains(want) {
            return Err(Error::MissingPlatform {
                reference: reference.to_string(),
                platform: want.clone(),
                found: if found.is_empty() {
                    "no platforms".into()
                } else {
                    found.join(", ")
                },
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleanup_steps_run_after_a_failure_and_nothing_else_does() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("nss-labels.nss-run-1-0");
        let marker = tmp.path().join("ran");
        let plan = Plan {
            steps: vec![
                Step::Stage {
                    file: None,
                    dir: dir.clone(),
                    dockerfile: "FROM x\n".into(),
                },
                Step::Run(Cmd::new("false")),
                Step::Run(Cmd::new("touch").arg(crate::cmd::path_str(&marker))),
                Step::Cleanup(Box::new(Step::RemoveDir(dir.clone()))),
            ],
            notes: Vec::new(),
        };
        let err = Executor::new().execute(&plan).unwrap_err();
        assert!(err.to_string().contains("false"), "{err}");
        assert!(!marker.exists(), "a step after the failure ran");
        assert!(!dir.exists(), "the cleanup step did not run");
    }

    #[test]
    fn a_stage_directory_is_never_shared_or_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("ctx");
        stage(None, &dir, "FROM a\n").unwrap();
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&dir).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o700);
        // Another run's directory, or a symlink planted at the path: refused, untouched.
        let err = stage(None, &dir, "FROM b\n").unwrap_err();
        assert!(err.to_string().contains("exclusively"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.join("Dockerfile")).unwrap(),
            "FROM a\n"
        );
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        assert!(stage(None, &link, "FROM c\n").is_err());
        assert!(!elsewhere.join("Dockerfile").exists());
    }

    #[test]
    fn verify_names_the_missing_platform() {
        let both = r#"{"manifests":[{"digest":"sha256:a","platform":{"os":"linux","architecture":"amd64"}},
            {"digest":"sha256:b","platform":{"os":"linux","architecture":"arm64"}},
            {"digest":"sha256:c","platform":{"os":"unknown","architecture":"unknown"}}]}"#;
        let want = vec!["linux/amd64".to_string(), "linux/arm64".to_string()];
        assert!(verify_platforms(both, "r/i:t", &want).is_ok());
        assert_eq!(instance_digests(both), ["sha256:a", "sha256:b", "sha256:c"]);
        let one = r#"{"manifests":[{"digest":"sha256:a","platform":{"os":"linux","architecture":"amd64"}}]}"#;
        let err = verify_platforms(one, "r/i:t", &want)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("linux/arm64") && err.contains("r/i:t"),
            "{err}"
        );
        // A single-platform manifest (no index) fails too.
        assert!(verify_platforms(r#"{"layers":[]}"#, "r/i:t", &want).is_err());
    }

    #[test]
    fn failed_commands_keep_stderr_and_command_line() {
        let cmd = Cmd::new("sh").args(["-c", "echo boom >&2; exit 3"]);
        let Err(Error::Command(e)) = capture(&cmd) else {
            panic!("expected a command error")
        };
        assert_eq!(e.status, Some(3));
        assert!(e.stderr.contains("boom"));
        assert!(e.command_line.contains("echo boom"));
    }

    #[test]
    fn a_failed_run_keeps_the_tail_of_its_stderr() {
        let plan = Plan {
            steps: vec![Step::Run(
                Cmd::new("sh").args(["-c", "echo first >&2; echo last >&2; exit 4"]),
            )],
            notes: Vec::new(),
        };
        let Err(Error::Command(e)) = Executor::new().execute(&plan) else {
            panic!("expected a command error")
        };
        assert_eq!(e.status, Some(4));
        assert!(e.stderr.contains("first\nlast"), "{:?}", e.stderr);
    }

    #[test]
    fn ctrl_c_kills_the_running_command_and_still_cleans_up() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("ctx");
        std::fs::create_dir(&dir).unwrap();
        let exec = Executor::new();
        let flag = Arc::clone(&exec.interrupted);
        let plan = Plan {
            steps: vec![
                Step::Run(Cmd::new("sleep").arg("30")),
                Step::Cleanup(Box::new(Step::RemoveDir(dir.clone()))),
            ],
            notes: Vec::new(),
        };
        let start = std::time::Instant::now();
        let ctrl_c = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            flag.store(true, Ordering::SeqCst);
        });
        let err = exec.execute(&plan).unwrap_err();
        ctrl_c.join().unwrap();
        assert!(matches!(err, Error::Interrupted), "{err}");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the command was waited for, not killed"
        );
        assert!(!dir.exists(), "the cleanup step did not run");
    }

    #[test]
    fn container_exit_code_passes_through() {
        let exec = Executor::new();
        let plan = Plan {
            steps: vec![Step::Container {
                cmd: Cmd::new("sh").args(["-c", "exit 7"]),
                name: "unused".into(),
                engine: crate::Engine::new(crate::EngineKind::Podman, "true"),
            }],
            notes: Vec::new(),
        };
        assert_eq!(exec.execute(&plan).unwrap(), Outcome::Exited(7));
    }
}
