//! The Dockerfiles under containers/ built for real, as shipped, on the miniature project
//! (`tests/fixtures/mini`) for each engine that `scripts/engines.sh` started.
//!
//! Every build is `nss build`'s own plan ([`nss_cli::plan_build`]) for that engine: the
//! preflight image built by the first plan from this workspace's sources, then
//! `build --platform P -t TAG -f containers/Dockerfile.* --target ... --build-arg ...
//! --secret id=build_ca,src=CA CONTEXT`; a test changes the planned argv only where it
//! says so (`--no-cache`, another `--target`). What cannot be fetched here is named by the
//! pins, as `nss` passes them: the CUDA base is a local stand-in (`CUDA_IMAGE`,
//! `CUDA_VERSION`) with its own Python (`PYTHON_SOURCE=base`).
//!
//! - [`buildlog`]: which steps the engine reused, read from its own output;
//! - [`layering`]: rebuilds after source, lockfile and extras changes reuse exactly the
//!   layers they should, with the build times and their ratios printed;
//! - [`cuda`]: the runtime and dev images of `Dockerfile.cuda` run as the image contract says;
//! - [`test_ci`]: `Dockerfile.test_ci` runs the project's suite, also on a mounted checkout;
//! - [`contracts`]: what the Dockerfiles must declare, checked without an engine.

mod buildlog;
mod contracts;
mod cuda;
mod layering;
mod test_ci;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use nss_cli::{BuildInputs, Cmd, Engine, ImageKind, Plan, Preflight, Step, plan_build};
use nss_labels::{Labels, Origin};
use nss_testkit::{Cleanup, EngineKind, TestEngine, assert_ok, host_platform};

use self::buildlog::{Build, parse_buildkit, parse_podman};

/// The miniature project, as committed.
fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
}

/// A shipped Dockerfile (`containers/Dockerfile.cuda`, ...), never edited by a test.
fn shipped(file: &str) -> PathBuf {
    nss_testkit::workspace_root().join(file)
}

/// The marker line of the app's source; the source change rewrites it.
const MARK_V1: &str = "MARK = \"v1\"";

/// Needles that find the steps the layering claims are about, in both engines' output
/// (BuildKit prints `${EXTRAS}` expanded, podman does not; these avoid it).
const DEPS_SYNC: &str = "uv sync --no-install-project";
const PROJECT_SYNC: &str = "uv sync --no-editable --no-group dev";
const MANIFESTS_COPY: &str = "COPY pyproject.toml uv.lock";
const SOURCE_COPY: &str = "COPY . .";
const VENV_COPY: &str = "COPY --from=deps /opt/venv";
const PROJECT_FILES_COPY: &str = "COPY --from=project /opt/nss-project/";

/// A copy of the miniature project in a fresh directory.
fn mini_project() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("nss-test-mini-")
        .tempdir()
        .expect("tempdir");
    copy_tree(&fixture_dir(), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("dir entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy fixture file");
        }
    }
}

/// A CUDA base stand-in, tagged `localhost/nss-test-cuda-<engine>:<version>-runtime-ubuntu22.04`
/// (removed with `cleanup`): the local Debian Python image itself, or with `fresh` that
/// image plus one file unique to this run (a new layer chain, so this run's layers form
/// their own cache chain in both engines). Returns the pins naming it (`CUDA_IMAGE`,
/// `CUDA_VERSION`) and taking its Python (`PYTHON_SOURCE=base`).
fn cuda_stand_in(engine: &TestEngine, cleanup: &mut Cleanup, fresh: bool) -> Vec<(String, String)> {
    let python_image = nss_testkit::value(nss_testkit::NSS_TEST_PYTHON_IMAGE)
        .expect("engines publish a Python image");
    let repo = format!("localhost/nss-test-cuda-{}", engine.name());
    let version = nss_testkit::unique("cuda");
    let tag = format!("{repo}:{version}-runtime-ubuntu22.04");
    cleanup.add_image(tag.clone());
    if fresh {
        let dir = tempfile::Builder::new()
            .prefix("nss-test-base-")
            .tempdir()
            .expect("tempdir");
        std::fs::write(
            dir.path().join("Dockerfile"),
            format!("FROM {python_image}\nRUN echo {version} > /nss-test-run\n"),
        )
        .expect("write Dockerfile");
        let out = engine
            .command()
            .args(["build", "--platform", host_platform(), "-t", &tag])
            .arg(dir.path())
            .output()
            .expect("engine runs");
        assert_ok(
            &out,
            &format!("{} build of the CUDA stand-in", engine.name()),
        );
    } else {
        let out = engine
            .command()
            .args(["tag", &python_image, &tag])
            .output()
            .expect("engine runs");
        assert_ok(&out, &format!("{} tag of the CUDA stand-in", engine.name()));
    }
    vec![
        ("CUDA_IMAGE".into(), repo),
        ("CUDA_VERSION".into(), version),
        ("PYTHON_SOURCE".into(), "base".into()),
    ]
}

/// Builds images of one project the way `nss build` does: nss's own plan for this engine
/// ([`plan_build`]), its steps run here with the engine's output captured.
struct Builder<'a> {
    engine: &'a TestEngine,
    /// The engine as nss classifies it.
    planned: Engine,
    dockerfile: PathBuf,
    /// A fresh copy of the miniature project: the build context.
    project: tempfile::TempDir,
    /// `--build-arg` pins, in order.
    build_args: Vec<(String, String)>,
    /// The preflight image: built by the first plan from this workspace (as `nss build`
    /// does), then passed by tag (as `CONTAINER_PREFLIGHT_IMAGE` does).
    preflight: Preflight,
    scratch: tempfile::TempDir,
}

impl<'a> Builder<'a> {
    /// Plans builds of `dockerfile` (a shipped one) on a fresh copy of the miniature
    /// project; with `preflight`, the first build makes the preflight image (tagged, and
    /// removed with `cleanup`).
    fn new(
        engine: &'a TestEngine,
        cleanup: &mut Cleanup,
        dockerfile: &str,
        build_args: Vec<(String, String)>,
        preflight: bool,
    ) -> Self {
        let kind = match engine.kind {
            EngineKind::Podman => nss_cli::EngineKind::Podman,
            EngineKind::Docker => nss_cli::EngineKind::DockerBuiltinBuildkit,
        };
        let scratch = tempfile::Builder::new()
            .prefix("nss-test-plan-")
            .tempdir()
            .expect("tempdir");
        let preflight = if preflight {
            Preflight::Local {
                cargo: option_env!("CARGO").unwrap_or("cargo").to_string(),
                workspace: nss_testkit::workspace_root(),
                target_dir: nss_testkit::target_dir().join("static-preflight"),
                triple: format!("{}-unknown-linux-gnu", std::env::consts::ARCH),
                platform: host_platform().to_string(),
                tag: cleanup.tag("preflight"),
                stage_dir: scratch.path().join("preflight"),
            }
        } else {
            Preflight::DockerfileDefault
        };
        Self {
            engine,
            planned: Engine::new(kind, engine.program.display().to_string()),
            dockerfile: shipped(dockerfile),
            project: mini_project(),
            build_args,
            preflight,
            scratch,
        }
    }

    /// `Dockerfile.cuda` on the miniature project, its CUDA base a stand-in (`fresh`: one
    /// no earlier run built on, see [`cuda_stand_in`]), with `EXTRAS=fancy`,
    /// `APP=nss-mini`, then the `extra` pins; the first build makes the preflight image.
    fn gpu(
        engine: &'a TestEngine,
        cleanup: &mut Cleanup,
        fresh: bool,
        extra: &[(&str, &str)],
    ) -> Self {
        let mut pins = cuda_stand_in(engine, cleanup, fresh);
        pins.extend([
            ("EXTRAS".into(), "fancy".into()),
            ("APP".into(), "nss-mini".into()),
        ]);
        pins.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Self::new(
            engine,
            cleanup,
            nss_buildspec::DEFAULT_GPU_DOCKERFILE,
            pins,
            true,
        )
    }

    /// The build context: the project's copy.
    fn context(&self) -> &Path {
        self.project.path()
    }

    /// Sets the pin `name` (a later build sees the new value).
    fn set_arg(&mut self, name: &str, value: &str) {
        match self.build_args.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value.to_string(),
            None => self.build_args.push((name.into(), value.into())),
        }
    }

    /// `nss build`'s plan for `image`, tagged `tag`.
    fn plan(&self, image: ImageKind, tag: &str) -> Plan {
        plan_build(
            &self.planned,
            &BuildInputs {
                image,
                dockerfile: self.dockerfile.clone(),
                context: self.context().to_path_buf(),
                tag: tag.to_string(),
                platform: host_platform().to_string(),
                build_args: self.build_args.clone(),
                labels: Labels::from_pairs(image, Vec::<(String, String)>::new(), Origin::Caller)
                    .expect("no labels are valid labels"),
                build_ca: nss_testkit::value(nss_testkit::NSS_TEST_CA_BUNDLE).map(PathBuf::from),
                preflight: self.preflight.clone(),
                plain_progress: true,
                scratch_dir: self.scratch.path().to_path_buf(),
                attestations: Default::default(),
                run_id: nss_testkit::unique("run"),
                cache: None,
                builder: None,
            },
        )
    }

    /// Builds `image` as planned, timed, with its steps parsed from the engine's log.
    fn build(&mut self, image: ImageKind, tag: &str) -> Build {
        self.build_with(image, tag, |_| {})
    }

    /// Builds `image` as planned, with `change` applied to the argv of the image's own
    /// build (not the preflight's).
    fn build_with(
        &mut self,
        image: ImageKind,
        tag: &str,
        change: impl FnOnce(&mut Vec<String>),
    ) -> Build {
        let name = self.engine.name();
        let plan = self.plan(image, tag);
        let mut change = Some(change);
        let mut found = None;
        let mut cleanups = Vec::new();
        for step in plan.steps {
            match step {
                Step::Run(mut cmd) if cmd.args.iter().any(|a| a == tag) => {
                    if let Some(change) = change.take() {
                        change(&mut cmd.args);
                    }
                    let start = Instant::now();
                    let out = self.command(&cmd).output().expect("engine runs");
                    let took = start.elapsed();
                    assert_ok(&out, &format!("{name}: {cmd}"));
                    // BuildKit logs on stderr, podman on stdout (steps) and stderr (RUN output).
                    let log = format!(
                        "{}\n{}",
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    );
                    let steps = match self.engine.kind {
                        EngineKind::Docker => parse_buildkit(&log),
                        EngineKind::Podman => parse_podman(&log),
                    };
                    assert!(
                        !steps.is_empty(),
                        "no build steps found in the {name} log:\n{log}"
                    );
                    found = Some(Build { steps, took });
                }
                Step::Run(cmd) => {
                    let out = self.command(&cmd).output().expect("command runs");
                    assert_ok(&out, &format!("{name}: {cmd}"));
                }
                Step::Stage {
                    file,
                    dir,
                    dockerfile,
                } => {
                    std::fs::create_dir_all(&dir).expect("create the staged context");
                    if let Some(file) = file {
                        let to = dir.join(file.file_name().expect("a file name"));
                        std::fs::copy(&file, to).expect("stage the file");
                    }
                    std::fs::write(dir.join("Dockerfile"), dockerfile).expect("stage Dockerfile");
                }
                Step::Cleanup(step) => cleanups.push(*step),
                other => panic!("{name}: a build plan step this test does not run: {other:?}"),
            }
        }
        for step in cleanups {
            if let Step::RemoveDir(dir) = step {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
        if let Preflight::Local { tag, .. } = &self.preflight {
            self.preflight = Preflight::Image(tag.clone());
        }
        found.unwrap_or_else(|| panic!("{name}: the plan builds no {tag}"))
    }

    /// The planned command with the engine's environment.
    fn command(&self, cmd: &Cmd) -> Command {
        let mut c = Command::new(&cmd.program);
        c.args(&cmd.args)
            .envs(self.engine.env.iter().map(|(k, v)| (k, v)))
            .envs(cmd.env.iter().map(|(k, v)| (k, v)));
        c
    }
}

/// `--no-cache` for the planned build (after the build subcommand).
fn no_cache(args: &mut Vec<String>) {
    args.insert(1, "--no-cache".into());
}

/// Another `--target` stage for the planned build.
fn retarget(args: &mut [String], stage: &str) {
    let i = args
        .iter()
        .position(|a| a == "--target")
        .expect("the plan names a --target");
    args[i + 1] = stage.to_string();
}

/// `run --rm OPTIONS... IMAGE ARGS...` through the image's entrypoint: (exit code, stdout, stderr).
fn run_opts(
    engine: &TestEngine,
    options: &[&str],
    image: &str,
    args: &[&str],
) -> (i32, String, String) {
    let out = engine
        .command()
        .args(["run", "--rm"])
        .args(options)
        .arg(image)
        .args(args)
        .output()
        .expect("engine runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `run --rm IMAGE ARGS...`: (exit code, stdout, stderr).
fn run(engine: &TestEngine, image: &str, args: &[&str]) -> (i32, String, String) {
    run_opts(engine, &[], image, args)
}

/// The runtime image `tag` runs the app through its entrypoint (`hello WORD`, both
/// dependencies with the `fancy` extra) and, without arguments, its `--help` (CMD).
fn assert_runs_the_app(engine: &TestEngine, tag: &str, word: &str) {
    let name = engine.name();
    let (code, out, err) = run(engine, tag, &["hello", word]);
    assert_eq!(code, 0, "{name}: run failed: {out}{err}");
    assert!(
        out.contains(&format!("nss-mini v1: hello {word}; six 1.17.0; idna 3.20")),
        "{name}: unexpected app output: {out:?} (stderr {err:?})"
    );
    let (code, out, err) = run(engine, tag, &[]);
    assert_eq!(code, 0, "{name}: default CMD failed: {out}{err}");
    assert!(
        out.contains("usage: nss-mini hello"),
        "{name}: CMD [\"--help\"] printed {out:?}"
    );
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, text.replace(from, to)).expect("write");
}
