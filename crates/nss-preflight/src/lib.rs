//! Checks a container's environment before its app starts, and explains what is wrong.
//!
//! GPU containers fail in a few well-known ways: no data mounted, a Hugging Face cache
//! that vanishes with the container, no GPU passed in, a host driver too old for the
//! image's CUDA, a 64 MiB `/dev/shm` that crashes data loaders, a mount the container's
//! uid cannot write. This crate checks for each of them, as pure functions over a
//! [`Probe`] (a view of the environment), and returns a [`Report`] of [`Finding`]s, each
//! with a stable id, a [`Level`], a message and a fix.
//!
//! The `nss-preflight` binary is the image entrypoint built on it:
//! `nss-preflight [--json] [--strict] -- PROGRAM [ARGS...]` runs the checks with
//! [`SystemProbe`] (the only code that touches the real system, behind the default
//! `system` feature), prints the findings on stderr prefixed `[nss-container]`, and
//! `exec`s the program. [`env`](mod@env) lists every variable it reads.
//!
//! # The binary
//!
//! - Which checks run depends on the app's arguments ([`Scope::from_args`] has the
//!   rules): `--help`, `-h`, `--version`, `-V` anywhere before `--`: none, and nothing
//!   is printed; an info command (`config ...` by default,
//!   [`NSS_PREFLIGHT_INFO_COMMANDS`](env::NSS_PREFLIGHT_INFO_COMMANDS)): only the
//!   workspace checks; otherwise all of them ([`Check`] lists them with their ids).
//! - `--json` (or `NSS_PREFLIGHT=json`): the [`Report`] as one line of JSON on stderr.
//! - `--strict` (or `NSS_PREFLIGHT=strict`): exit 1 without starting the app when any
//!   finding is a warning or an error; hints never stop it.
//! - `NSS_PREFLIGHT=off`: no checks, no output, straight to `exec`.
//! - Exit codes: the app's own (the app replaces the process); 1 strict refusal;
//!   2 usage error (one line on stderr); 126 the program cannot be executed; 127 the
//!   program is not found.
//! - No check spawns a process or can block: the driver version is read from
//!   `/proc/driver/nvidia/version`, `nvidia-smi` is only looked up on `PATH`, and a
//!   probe that fails becomes a finding.
//!
//! # Using the checks in another project's entrypoint
//!
//! An app with its own data directory and its own inspect-only subcommands builds
//! [`Settings`], calls [`preflight`] with its arguments, prints, then execs. Here the
//! environment is an injected [`Snapshot`]; a real entrypoint passes [`SystemProbe`].
//!
//! ```
//! use nss_preflight::{InfoCommands, Level, Scope, Settings, Snapshot, preflight};
//!
//! let probe = Snapshot::new()
//!     .env("CUDA_VERSION", "12.8.1")
//!     .env("HF_HOME", "/cache")
//!     .dir("/cache")
//!     .file("/data/input.csv", "a,b\n")
//!     .device("/dev/nvidiactl")
//!     .file(
//!         "/proc/driver/nvidia/version",
//!         "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 2023\n",
//!     )
//!     .fs_size("/dev/shm", 64 << 20);
//!
//! // This app keeps its data in /data; `config ...` and `models list` only inspect.
//! let settings = Settings {
//!     workspace: "/data".into(),
//!     info_commands: InfoCommands::parse("config, models list"),
//!     ..Settings::from_env(&probe)
//! };
//!
//! // `myapp train --epochs 3`: every check; the most serious findings come first.
//! let report = preflight(&probe, &settings, &["train", "--epochs", "3"]);
//! assert_eq!(report.ids(), ["driver-minor-version-compat", "shm-small", "hf-token-missing"]);
//! assert!(report.render_text().starts_with("[nss-container] warning: the host driver 535.104.05"));
//! let refuse_to_start = settings.strict && report.has(Level::Warning);
//! assert!(!refuse_to_start);
//!
//! // `myapp models list`: only the workspace checks, and /data holds data.
//! let report = preflight(&probe, &settings, &["models", "list"]);
//! assert_eq!((report.scope, report.findings.len()), (Scope::InfoCommand, 0));
//!
//! // `myapp train --help`: no checks, nothing printed before the help text.
//! assert_eq!(preflight(&probe, &settings, &["train", "--help"]).scope, Scope::HelpOrVersion);
//!
//! // Then: eprint!("{}", report.render_text()) and
//! // std::os::unix::process::CommandExt::exec(&mut std::process::Command::new("myapp")).
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod checks;
mod cuda;
pub mod env;
mod error;
mod probe;
mod report;
mod scope;
mod secrets;
#[cfg(feature = "system")]
mod system;

pub use checks::{
    Check, DEFAULT_WORKSPACE, DRIVER_VERSION_PATH, FINDING_IDS, GPU_DEVICE_NODES, SHM_MIN_BYTES,
    SHM_PATH, Settings, preflight, run_checks,
};
pub use cuda::{
    Compatibility, CudaVersion, DriverVersion, compatibility, minimum_driver, supported_cuda,
};
pub use error::Error;
pub use probe::{DirState, FsStats, Probe, Snapshot, Writability, which};
pub use report::{Finding, Level, PREFIX, Report};
pub use scope::{HELP_FLAGS, InfoCommands, Scope};
pub use secrets::{KNOWN_SECRETS, MIN_REDACTED_LEN, Redactor, SECRET_SUFFIXES, is_secret_name};
#[cfg(feature = "system")]
pub use system::{
    NotRegular, READ_CAP, SystemProbe, describe_file_type, read_regular, read_small_file,
};

/// The cargo `--config` value that links `triple`'s artifacts statically (`+crt-static`
/// for that target alone, not for build scripts): how the binary is built to run `FROM
/// scratch` in any image.
///
/// ```
/// assert_eq!(
///     nss_preflight::static_rustflags("x86_64-unknown-linux-gnu"),
///     r#"target.x86_64-unknown-linux-gnu.rustflags=["-C", "target-feature=+crt-static"]"#
/// );
/// ```
pub fn static_rustflags(triple: &str) -> String {
    format!(r#"target.{triple}.rustflags=["-C", "target-feature=+crt-static"]"#)
}
