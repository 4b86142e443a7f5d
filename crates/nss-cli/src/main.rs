//! The `nss` command: build, run, check and label CUDA container images of uv-managed
//! Python projects on docker or podman. All logic lives in the `nss_cli` library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use nss_cli::{Error, Executor, ImageKind, Outcome, Plan, Session, Vars, exit};

/// The secret values of this process's environment, redacted from everything nss prints.
static REDACTOR: std::sync::OnceLock<nss_preflight::Redactor> = std::sync::OnceLock::new();

/// Every line nss prints goes through here: the last line of defence replaces the value of
/// every secret variable (see `nss_preflight::is_secret_name`) before it is written.
fn emit(to_stderr: bool, text: &str) {
    use std::io::Write;
    let text = redacted(text);
    let _ = if to_stderr {
        std::io::stderr().lock().write_all(text.as_bytes())
    } else {
        std::io::stdout().lock().write_all(text.as_bytes())
    };
}

/// `text` with the value of every secret variable replaced (output and files nss writes).
fn redacted(text: &str) -> String {
    REDACTOR
        .get_or_init(|| {
            nss_preflight::Redactor::from_vars(
                std::env::vars_os()
                    .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
            )
        })
        .redact(text)
        .into_owned()
}

/// Like `print!`, through [`emit`].
macro_rules! out {
    ($($t:tt)*) => { emit(false, &format!($($t)*)) };
}
/// Like `println!`, through [`emit`].
macro_rules! outln {
    ($($t:tt)*) => { emit(false, &format!("{}\n", format_args!($($t)*))) };
}
/// Like `eprintln!`, through [`emit`].
macro_rules! errln {
    ($($t:tt)*) => { emit(true, &format!("{}\n", format_args!($($t)*))) };
}

/// After the variables (`nss_cli::env::help`, from their table) in `nss --help`.
const PINS_AND_EXIT_CODES_HELP: &str = "\
Build pins (CUDA_VERSION=..., UV_VERSION=..., CUDA_IMAGE=..., PYTHON_SOURCE=uv|base,
SYSTEM_PACKAGES_RUNTIME=..., GPU_EXTRAS=..., APP=..., DEV_COMMAND=..., TEST_COMMAND=...)
override the spec (`nss spec --explain` shows every value and its source).

Exit codes: 0 ok, 1 findings (check, lint) or a failed engine command, 2 bad input,
run: the container's own exit code.";

/// Build, run and check CUDA container images of uv-managed Python projects.
#[derive(Debug, Parser)]
#[command(name = "nss", version, max_term_width = 100)]
struct Cli {
    /// The project directory (else NSS_PROJECT_DIR, else the nearest pyproject.toml above
    /// the current directory, else the bundled example project).
    #[arg(long, global = true, value_name = "DIR")]
    project: Option<PathBuf>,
    /// Print each engine command, shell-quoted, one per line, and run nothing (also NSS_DRY_RUN=1).
    #[arg(long, global = true)]
    dry_run: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SpecFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LintFormat {
    /// `FILE:LINE: RULE-ID message`, one per line.
    Text,
    /// A JSON array: file, line, rule, name, message, help.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SbomFormat {
    /// CycloneDX 1.5 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SizeFormat {
    Text,
    Json,
    /// One self-contained HTML page with bar charts.
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LabelFormat {
    Text,
    Json,
    Args,
    Dockerfile,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build an image: the runtime or dev stage of the GPU Dockerfile, or the CPU test image.
    Build {
        /// Which image, or a comma list (`runtime,dev,test`): the shared stages are built
        /// once (one `buildx bake`; elsewhere one build after the other on the local cache).
        #[arg(long, value_enum, value_delimiter = ',', default_value = "runtime")]
        image: Vec<ImageKind>,
        /// NAME=value variables.
        #[arg(value_name = "NAME=value")]
        vars: Vec<String>,
    },
    /// Run a command in an image (project at /workspace, HF cache, GPUs, secrets by name).
    Run {
        /// Which image.
        #[arg(long, value_enum, default_value = "runtime")]
        image: ImageKind,
        /// NAME=value variables.
        #[arg(value_name = "NAME=value")]
        vars: Vec<String>,
        /// The command in the container (instead of CMD).
        #[arg(last = true, value_name = "ARGS")]
        args: Vec<String>,
    },
    /// Build linux/amd64 + linux/arm64, push one index to CONTAINER_GPU_REGISTRY, verify it.
    Multiarch {
        /// NAME=value variables.
        #[arg(value_name = "NAME=value")]
        vars: Vec<String>,
    },
    /// Check this host: engine, BuildKit/buildx, NVIDIA driver vs the project's CUDA, GPU
    /// devices and container GPU access, arm64 emulation, registry.
    Doctor {
        /// Output format (json: {"items": [{"item", "ok", "detail", ...}]}).
        #[arg(long, value_enum, default_value = "text")]
        format: SpecFormat,
        /// NAME=value variables.
        #[arg(value_name = "NAME=value")]
        vars: Vec<String>,
    },
    /// Print the resolved build pins.
    Spec {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: SpecFormat,
        /// Show where every value came from.
        #[arg(long)]
        explain: bool,
        /// NAME=value variables.
        #[arg(value_name = "NAME=value")]
        vars: Vec<String>,
    },
    /// Report Dockerfile ARG drift, label-block drift and lint findings (exit 1 on findings).
    Check {
        /// NAME=value variables.
        #[arg(value_name = "NAME=value")]
        vars: Vec<String>,
    },
    /// Rewrite Dockerfile ARG defaults and label blocks to match the spec, in place.
    Sync {
        /// NAME=value variables.
        #[arg(value_name = "NAME=value")]
        vars: Vec<String>,
    },
    /// Print the OCI labels of an image.
    Labels {
        /// Which image.
        #[arg(long, value_enum, default_value = "runtime")]
        image: ImageKind,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: LabelFormat,
        /// NAME=value variables.
        #[arg(value_name = "NAME=value")]
        vars: Vec<String>,
    },
    /// Write the SBOM of a built image, read from the image (Python, Debian packages, base, preflight).
    Sbom {
        /// Which image.
        #[arg(long, value_enum, default_value = "runtime")]
        image: ImageKind,
        /// Output format.
        #[arg(long, value_enum, default_value = "cyclonedx")]
        format: SbomFormat,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// NAME=value variables.
        #[arg(value_name = "NAME=value")]
        vars: Vec<String>,
    },
    /// Show where a built image's bytes are: layers, Python distributions, CUDA libraries.
    Size {
        /// Which image.
        #[arg(long, value_enum, default_value = "runtime")]
        image: ImageKind,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: SizeFormat,
        /// NAME=value variables.
        #[arg(value_name = "NAME=value")]
        vars: Vec<String>,
    },
    /// Write the generic Dockerfiles (containers/) and, when it has none, a commented
    /// [tool.nss] table into the project; refuses when either Dockerfile exists.
    Init,
    /// Lint Dockerfiles (default: the project's) against the image conventions (exit 1 on findings).
    Lint {
        /// Output format: text, json, or sarif (SARIF 2.1.0, with rule ids and help links).
        #[arg(long, value_enum, default_value = "text")]
        format: LintFormat,
        /// Dockerfiles to lint.
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let env: std::collections::BTreeMap<String, String> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));

    // The project dir as found without flags, for --help.
    let probe = Session::new(None, Vars::new(env.clone()), cwd.clone());
    let after = format!(
        "{}{PINS_AND_EXIT_CODES_HELP}\n\nProject dir: {} (from {})",
        nss_cli::env::help(),
        probe.project_dir.display(),
        probe.project_dir_source.describe()
    );
    let matches = match Cli::command().after_help(after).try_get_matches() {
        Ok(m) => m,
        Err(e) => return clap_exit(&e),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return clap_exit(&e),
    };
    match run(cli, env, cwd) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            errln!("nss: error: {}", one_line(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}

/// An error message as one line of bounded length: control characters escaped (a path
/// holding a newline must not split it), cut after 1000 characters.
fn one_line(text: &str) -> String {
    const MAX: usize = 1000;
    let mut out = String::with_capacity(text.len().min(MAX + 8));
    for (i, c) in text.chars().enumerate() {
        if i == MAX {
            out.push_str(" ...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `--help`/`--version` print and exit 0; usage errors print one line and exit 2.
fn clap_exit(e: &clap::Error) -> ExitCode {
    if !e.use_stderr() {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        errln!(
            "nss: error: a command is required: build, run, multiarch, doctor, spec, check, sync, labels, init, sbom, size or lint; see nss --help"
        );
        return ExitCode::from(exit::USAGE);
    }
    let text = e.render().to_string();
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid usage");
    let first = first.trim_start_matches("error: ");
    errln!("nss: error: {first}; see nss --help");
    ExitCode::from(exit::USAGE)
}

fn run(
    cli: Cli,
    env: std::collections::BTreeMap<String, String>,
    cwd: PathBuf,
) -> Result<u8, Error> {
    let vars_args: &[String] = match &cli.command {
        Command::Build { vars, .. }
        | Command::Run { vars, .. }
        | Command::Multiarch { vars }
        | Command::Doctor { vars, .. }
        | Command::Spec { vars, .. }
        | Command::Check { vars }
        | Command::Sync { vars }
        | Command::Labels { vars, .. }
        | Command::Sbom { vars, .. }
        | Command::Size { vars, .. } => vars,
        Command::Lint { .. } | Command::Init => &[],
    };
    let vars = Vars::new(env).with_args(vars_args)?;
    let dry_run = vars.dry_run()? || cli.dry_run;
    let session = Session::new(cli.project.as_deref(), vars, cwd);

    match cli.command {
        Command::Build { image, .. } => {
            let kinds = image;
            let engine = engine(&session, dry_run)?;
            let plan = session.plan_build_all(&engine, &kinds)?;
            if !dry_run {
                nss_cli::ensure_running(&engine, &session.vars)?;
                for &kind in &kinds {
                    check_bases(&session, &engine, kind, vec![session.platform()?])?;
                }
                warn_context(&session);
            }
            execute(&plan, dry_run)
        }
        Command::Run { image, args, .. } => {
            let engine = engine(&session, dry_run)?;
            let plan = session.plan_run(
                &engine,
                image,
                &args,
                std::io::stdin().is_terminal(),
                std::io::stdout().is_terminal(),
            )?;
            if !dry_run {
                nss_cli::ensure_running(&engine, &session.vars)?;
            }
            execute(&plan, dry_run)
        }
        Command::Multiarch { .. } => {
            let engine = engine(&session, dry_run)?;
            let plan = session.plan_multiarch(&engine)?;
            if !dry_run {
                nss_cli::ensure_running(&engine, &session.vars)?;
                let platforms = nss_buildspec::Platform::ALL
                    .map(|p| p.name().to_string())
                    .to_vec();
                check_bases(&session, &engine, ImageKind::Runtime, platforms)?;
            }
            execute(&plan, dry_run)
        }
        Command::Doctor { format, .. } => {
            let items = nss_cli::doctor(&session, &nss_preflight::SystemProbe);
            match format {
                SpecFormat::Json => outln!(
                    "{}",
                    serde_json::to_string_pretty(&nss_cli::doctor_json(&items)).unwrap_or_default()
                ),
                SpecFormat::Text => items.iter().for_each(|i| outln!("{i}")),
            }
            Ok(exit::findings(items.iter().all(|i| i.ok)))
        }
        Command::Spec {
            format, explain, ..
        } => {
            let project = session.project()?;
            let spec = session.spec(&project, None)?;
            match (format, explain) {
                (SpecFormat::Json, _) => outln!(
                    "{}",
                    serde_json::to_string_pretty(&spec.to_json()).unwrap_or_default()
                ),
                (SpecFormat::Text, true) => {
                    out!("{}", spec.explain());
                    for (images, kind) in [
                        ("runtime, dev", ImageKind::Runtime),
                        ("test", ImageKind::Test),
                    ] {
                        let (path, source) = session.dockerfile_choice(kind);
                        outln!(
                            "Dockerfile ({images}) = {}  <- {}",
                            session.display_path(&path),
                            source.describe()
                        );
                    }
                }
                (SpecFormat::Text, false) => {
                    for (name, value, _) in spec.pins() {
                        outln!("{name}={}", shell_words::quote(&value));
                    }
                    outln!(
                        "GPU_EXTRAS={}",
                        shell_words::quote(&spec.gpu_extras.value.join(" "))
                    );
                    outln!(
                        "CPU_EXTRAS={}",
                        shell_words::quote(&spec.cpu_extras.value.join(" "))
                    );
                    outln!("APP={}", shell_words::quote(&spec.app.value));
                    for (name, value, _) in spec.base_pins() {
                        outln!("{name}={}", shell_words::quote(&value));
                    }
                    let packages = &spec.system_packages;
                    for (name, list) in [
                        ("SYSTEM_PACKAGES_DEPS", &packages.deps),
                        ("SYSTEM_PACKAGES_RUNTIME", &packages.runtime),
                        ("SYSTEM_PACKAGES_DEV", &packages.dev),
                    ] {
                        outln!("{name}={}", shell_words::quote(&list.value.join(" ")));
                    }
                    outln!(
                        "DEV_COMMAND={}",
                        shell_words::quote(&spec.dev_command.value)
                    );
                    outln!(
                        "TEST_COMMAND={}",
                        shell_words::quote(&spec.test_command.value)
                    );
                }
            }
            Ok(0)
        }
        Command::Check { .. } => {
            let findings = nss_cli::check(&session)?;
            for f in &findings {
                outln!("{f}");
            }
            Ok(exit::findings(findings.is_empty()))
        }
        Command::Sync { .. } => {
            for done in nss_cli::sync(&session)? {
                let shown = session.display_path(&done.target);
                match &done.through_link {
                    Some(link) => errln!(
                        "nss: updated {shown} (through the symlink {})",
                        session.display_path(link)
                    ),
                    None => errln!("nss: updated {shown}"),
                }
                if done.split_links > 0 {
                    errln!(
                        "nss: note: {shown} had {} other hard link(s); they keep the old content",
                        done.split_links
                    );
                }
            }
            Ok(0)
        }
        Command::Labels { image, format, .. } => {
            let labels = session.image_labels(image)?;
            match format {
                LabelFormat::Text => out!("{}", labels.to_text()),
                LabelFormat::Json => {
                    outln!(
                        "{}",
                        serde_json::to_string_pretty(&labels.to_json()).unwrap_or_default()
                    );
                }
                LabelFormat::Args => {
                    outln!("{}", shell_words::join(labels.to_args()));
                }
                LabelFormat::Dockerfile => out!("{}", labels.to_dockerfile()),
            }
            Ok(0)
        }
        Command::Init => {
            if session.project_dir_source == nss_cli::ProjectDirSource::Bundled {
                return Err(Error::usage(
                    "no pyproject.toml in this directory or above",
                    "run nss init in a uv project, or pass --project DIR",
                ));
            }
            for path in nss_cli::init(&session.project_dir)? {
                errln!("nss: wrote {}", session.display_path(&path));
            }
            Ok(0)
        }
        Command::Sbom {
            image,
            format,
            output,
            ..
        } => {
            let engine = engine(&session, false)?;
            nss_cli::ensure_running(&engine, &session.vars)?;
            let write: nss_cli::SbomWriter = match format {
                SbomFormat::Cyclonedx => nss_inspect::cyclonedx,
                SbomFormat::Spdx => nss_inspect::spdx,
            };
            let doc = nss_cli::sbom(&session, &engine, image, write)?;
            match output {
                Some(path) => {
                    nss_cli::write_file(&path, redacted(&doc).as_bytes())?;
                    errln!("nss: wrote {}", session.display_path(&path));
                }
                None => out!("{doc}"),
            }
            Ok(0)
        }
        Command::Size { image, format, .. } => {
            let engine = engine(&session, false)?;
            nss_cli::ensure_running(&engine, &session.vars)?;
            let report = nss_cli::size(&session, &engine, image)?;
            match format {
                SizeFormat::Text => out!("{}", report.to_text()),
                SizeFormat::Json => outln!("{}", report.to_json()),
                SizeFormat::Html => out!("{}", report.to_html()),
            }
            Ok(0)
        }
        Command::Lint { format, files } => {
            let files = if files.is_empty() {
                session
                    .checked_dockerfiles()?
                    .into_iter()
                    .map(|(_, path, text)| (path, text))
                    .collect()
            } else {
                let mut read = Vec::new();
                for file in files {
                    let text = nss_buildspec::read_project_file(
                        &file,
                        nss_buildspec::FileKind::Dockerfile,
                        None,
                    )?;
                    read.push((file, text));
                }
                read
            };
            let mut results = Vec::new();
            for (file, text) in files {
                let shown = PathBuf::from(session.display_path(&file));
                let findings = nss_lint::lint_named(&text, &shown)?;
                results.push((shown, findings));
            }
            let count: usize = results.iter().map(|(_, f)| f.len()).sum();
            let borrowed: Vec<(&Path, Vec<nss_lint::Finding>)> = results
                .iter()
                .map(|(p, f)| (p.as_path(), f.clone()))
                .collect();
            match format {
                LintFormat::Text => {
                    for (shown, findings) in &results {
                        for f in findings {
                            outln!("{}", f.display_with(shown));
                        }
                    }
                }
                LintFormat::Json => outln!("{:#}", nss_lint::to_json(&borrowed)),
                LintFormat::Sarif => outln!(
                    "{}",
                    serde_json::to_string_pretty(&nss_lint::to_sarif(&borrowed))
                        .unwrap_or_default()
                ),
            }
            Ok(exit::findings(count == 0))
        }
    }
}

/// The engine, classified. Every input is validated (by planning) before the engine is
/// asked whether it runs, so bad input runs nothing; only the automatic choice between
/// docker and podman asks the daemon first.
fn engine(session: &Session, dry_run: bool) -> Result<nss_cli::Engine, Error> {
    let explicit = session
        .vars
        .get(nss_cli::env::CONTAINER_CMD)
        .is_some_and(|c| !c.is_empty());
    nss_cli::detect(&session.vars, !dry_run && !explicit)
}

/// Fails (exit 2) on a base image the build would pull that does not exist; prints
/// the warnings (unreachable registry) and goes on.
fn check_bases(
    session: &Session,
    engine: &nss_cli::Engine,
    kind: ImageKind,
    platforms: Vec<String>,
) -> Result<(), Error> {
    for w in nss_cli::check_bases(session, engine, kind, &platforms)? {
        errln!("nss: warning: {w}");
    }
    Ok(())
}

/// Warnings about the build context (size, missing .dockerignore) before a real build.
fn warn_context(session: &Session) {
    if let Ok(report) =
        nss_lint::scan_context(&session.project_dir, &nss_lint::ScanOptions::default())
    {
        errln!("nss: {report}");
        for w in &report.warnings {
            errln!("nss: warning: {w}");
        }
    }
}

fn execute(plan: &Plan, dry_run: bool) -> Result<u8, Error> {
    for note in &plan.notes {
        errln!("nss: note: {note}");
    }
    if dry_run {
        out!("{}", plan.dry_run());
        return Ok(0);
    }
    let exec = Executor::with_signal_handlers()?;
    match exec.execute(plan)? {
        Outcome::Done => Ok(0),
        Outcome::Exited(code) => Ok(u8::try_from(code).unwrap_or(1)),
    }
}
