//! Plans: the engine commands of `build`, `run` and `multiarch` as data (pure functions).

use std::path::{Path, PathBuf};

use crate::cmd::{Cmd, path_str};
use crate::engine::Engine;

mod bake;
mod build;
mod cache;
mod multiarch;
mod run;

pub use bake::plan_build_all;
pub(crate) use build::common_build_args;
pub use build::{Attestations, BuildInputs, plan_build};
pub use cache::BuildCache;
pub use multiarch::{MultiarchInputs, PlatformArgs, plan_multiarch};
pub(crate) use run::usage_text;
pub use run::{RunInputs, plan_run};

/// Where the project directory is mounted in `run` containers.
pub(crate) const WORKSPACE: &str = "/workspace";
/// Where the Hugging Face cache is mounted (and `HF_HOME` points).
pub(crate) const HF_CACHE_MOUNT: &str = "/workspace/.hf_cache";
/// The id of the build secret holding `CONTAINER_BUILD_CA`.
pub(crate) const BUILD_CA_SECRET_ID: &str = "build_ca";

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Run a command; its output streams through; failure stops the plan.
    Run(Cmd),
    /// Run a command whose failure is expected and harmless (removing a stale manifest list).
    Try(Cmd),
    /// Run a container (named, so it can be removed on Ctrl-C); its exit code is the result.
    Container {
        /// The `run` command.
        cmd: Cmd,
        /// The `--name` it was given.
        name: String,
        /// The engine, for the cleanup `rm -f`.
        engine: Engine,
    },
    /// Create a directory (and parents) when missing.
    CreateDir(PathBuf),
    /// Remove a directory made by an earlier step (failure is harmless).
    RemoveDir(PathBuf),
    /// Make a build context holding a Dockerfile (and a file, if given).
    Stage {
        /// The file copied into the context.
        file: Option<PathBuf>,
        /// The context directory: created exclusively (mode 0700); it must not exist.
        dir: PathBuf,
        /// The Dockerfile written there.
        dockerfile: String,
    },
    /// Write a file into a directory of this invocation's own (created exclusively, mode
    /// 0700; it must not exist): the bake definition of `nss build --image A,B`.
    WriteFile {
        /// The directory.
        dir: PathBuf,
        /// The file name.
        name: String,
        /// The contents (one line: `--dry-run` shows it as a comment).
        contents: String,
    },
    /// podman: annotate every instance of a local manifest list.
    AnnotateInstances {
        /// The engine.
        engine: Engine,
        /// The manifest list.
        list: String,
        /// `--annotation KEY=VALUE` arguments
        /// ([`Labels::podman_manifest_annotation_args`](nss_labels::Labels::podman_manifest_annotation_args)).
        annotation_args: Vec<String>,
    },
    /// A step that runs whatever happened before it (a failure or Ctrl-C included), and whose
    /// own failure is harmless: removing this invocation's temporary tags and directories.
    Cleanup(Box<Step>),
    /// Read a pushed index (the command prints its raw JSON) and check it lists every platform.
    VerifyPlatforms {
        /// The inspect command.
        cmd: Cmd,
        /// The image checked.
        reference: String,
        /// `os/arch` values that must be present.
        platforms: Vec<String>,
    },
}

impl Step {
    /// The line `--dry-run` prints for this step, or `None` for steps that run no program.
    pub fn dry_run_line(&self) -> Option<String> {
        match self {
            Step::Run(c)
            | Step::Try(c)
            | Step::Container { cmd: c, .. }
            | Step::VerifyPlatforms { cmd: c, .. } => Some(c.to_string()),
            Step::AnnotateInstances {
                engine,
                list,
                annotation_args,
            } => {
                let c = Cmd::engine(engine)
                    .args(["manifest", "annotate"])
                    .args(annotation_args.iter().cloned())
                    .arg(list.clone())
                    .arg("<each instance digest>");
                Some(c.to_string())
            }
            Step::Cleanup(inner) => inner.dry_run_line(),
            Step::WriteFile {
                dir,
                name,
                contents,
            } => Some(format!("# {}: {contents}", path_str(&dir.join(name)))),
            Step::CreateDir(_) | Step::RemoveDir(_) | Step::Stage { .. } => None,
        }
    }
}

/// An ordered list of steps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Notes for the user (printed on stderr before running).
    pub notes: Vec<String>,
}

impl Plan {
    /// The `--dry-run` output: one shell-quoted command per line.
    pub fn dry_run(&self) -> String {
        self.steps
            .iter()
            .filter_map(Step::dry_run_line)
            .map(|l| l + "\n")
            .collect()
    }
}

pub use nss_labels::ImageKind;

/// What `nss` reads and runs for each image kind: its variables and its default command.
pub trait ImageKindExt {
    /// The variable naming this image's tag.
    fn image_var(self) -> &'static str;
    /// The variable naming this image's Dockerfile.
    fn file_var(self) -> &'static str;
    /// The built-in command when `CMD` is not given: `--help` (runtime), `make test` (dev),
    /// the image's own (test), as the usage label shows them. `nss run` takes the dev and
    /// test commands from the spec (`[tool.nss] dev-command` / `test-command`, a Makefile
    /// `test-ci` target).
    fn default_cmd(self) -> Vec<String>;
}

impl ImageKindExt for ImageKind {
    fn image_var(self) -> &'static str {
        match self {
            ImageKind::Runtime => crate::env::CONTAINER_GPU_IMAGE,
            ImageKind::Dev => crate::env::CONTAINER_GPU_IMAGE_DEV,
            ImageKind::Test => crate::env::CONTAINER_TEST_IMAGE,
        }
    }

    fn file_var(self) -> &'static str {
        match self {
            ImageKind::Runtime | ImageKind::Dev => crate::env::CONTAINER_GPU_FILE,
            ImageKind::Test => crate::env::CONTAINER_TEST_FILE,
        }
    }

    fn default_cmd(self) -> Vec<String> {
        match self {
            ImageKind::Runtime => vec!["--help".into()],
            ImageKind::Dev => vec!["make".into(), "test".into()],
            ImageKind::Test => Vec::new(),
        }
    }
}

/// Where the `/nss-preflight` binary of an image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preflight {
    /// The Dockerfile does not take `PREFLIGHT_IMAGE`, or its own default is used.
    DockerfileDefault,
    /// A given image (`CONTAINER_PREFLIGHT_IMAGE`).
    Image(String),
    /// Built here: `cargo build` of the static binary, then a FROM-scratch image tagged `tag`.
    Local {
        /// The cargo program.
        cargo: String,
        /// The workspace holding `crates/nss-preflight`.
        workspace: PathBuf,
        /// cargo's target directory.
        target_dir: PathBuf,
        /// The Rust target triple of the build platform, e.g. `x86_64-unknown-linux-gnu`.
        triple: String,
        /// The platform of the image, e.g. `linux/amd64`.
        platform: String,
        /// The image tag, e.g. `nss-preflight:0.1.0`.
        tag: String,
        /// The build context made for the image (unique per invocation, removed afterwards).
        stage_dir: PathBuf,
    },
    /// Built by the engine from the preflight sources nss embeds (a Rust workspace with
    /// `Dockerfile`, written to nss's cache): compiled on the build platform for each
    /// target platform, whatever the host and whether or not cargo is installed.
    Build {
        /// The directory holding the sources and `Dockerfile`.
        context: PathBuf,
        /// The platforms, e.g. `linux/arm64`, or both for a multi-platform image.
        platforms: Vec<String>,
        /// The tag, e.g. `nss-preflight:0.1.0-<hash>-arm64` or `REGISTRY/nss-preflight:...`.
        tag: String,
        /// Pushed to the registry of `tag` (a multi-platform build reads it from there).
        push: bool,
    },
}

/// The steps building the preflight image, and the `PREFLIGHT_IMAGE` value to pass.
pub(crate) fn preflight_steps(
    engine: &Engine,
    preflight: &Preflight,
    build_ca: Option<&Path>,
    builder: Option<&str>,
) -> (Vec<Step>, Option<String>) {
    match preflight {
        Preflight::DockerfileDefault => (Vec::new(), None),
        Preflight::Image(image) => (Vec::new(), Some(image.clone())),
        Preflight::Build {
            context,
            platforms,
            tag,
            push,
        } => {
            let platforms = platforms.join(",");
            let secret = build_ca
                .map(|ca| {
                    vec![
                        "--secret".to_string(),
                        format!("id={BUILD_CA_SECRET_ID},src={}", path_str(ca)),
                    ]
                })
                .unwrap_or_default();
            let file = ["-f".to_string(), path_str(&context.join("Dockerfile"))];
            let mut steps = Vec::new();
            if engine.is_podman() && *push {
                steps.push(Step::Try(Cmd::engine(engine).args(["manifest", "rm", tag])));
                steps.push(Step::Run(
                    Cmd::engine(engine)
                        .args(["build", "--platform", &platforms, "--manifest", tag])
                        .args(file)
                        .args(secret)
                        .arg(path_str(context)),
                ));
                let mut p = Cmd::engine(engine).args(["manifest", "push", "--all"]);
                if engine.needs_tls_verify_false(tag) {
                    p = p.arg("--tls-verify=false");
                }
                steps.push(Step::Run(p.arg(tag.clone()).arg(format!("docker://{tag}"))));
            } else {
                let mut b = Cmd::engine(engine).args(engine.build_subcommand().iter().copied());
                if let Some(builder) =
                    builder.filter(|_| engine.kind == crate::engine::EngineKind::DockerBuildx)
                {
                    b = b.args(["--builder", builder]);
                }
                if !*push {
                    b = b.args(load_flag(engine));
                }
                b = b
                    .args(["--platform", &platforms, "-t", tag])
                    .args(file)
                    .args(secret);
                if *push {
                    b = b.arg("--push");
                }
                steps.push(Step::Run(b.arg(path_str(context))));
            }
            (steps, Some(tag.clone()))
        }
        Preflight::Local {
            cargo,
            workspace,
            target_dir,
            triple,
            platform,
            tag,
            stage_dir,
        } => {
            let manifest = workspace.join("Cargo.toml");
            let cargo_build = Cmd::new(cargo.clone()).args([
                "build".to_string(),
                "--quiet".into(),
                "--release".into(),
                "-p".into(),
                "nss-preflight".into(),
                "--target".into(),
                triple.clone(),
                // Static only for this named target: host artifacts (proc-macros) stay dynamic.
                "--config".into(),
                static_rustflags(triple),
                "--manifest-path".into(),
                path_str(&manifest),
                "--target-dir".into(),
                path_str(target_dir),
            ]);
            let binary = target_dir
                .join(triple)
                .join("release")
                .join("nss-preflight");
            let dir = stage_dir.clone();
            let stage = Step::Stage {
                file: Some(binary),
                dir: dir.clone(),
                dockerfile: "FROM scratch\nCOPY nss-preflight /nss-preflight\n".into(),
            };
            let build = Cmd::engine(engine)
                .args(engine.build_subcommand().iter().copied())
                .args(load_flag(engine))
                .args(["--platform", platform])
                .args(["-t", tag])
                .args(["-f".to_string(), path_str(&dir.join("Dockerfile"))])
                .arg(path_str(&dir));
            (
                vec![
                    Step::Run(cargo_build),
                    stage,
                    Step::Run(build),
                    Step::Cleanup(Box::new(Step::RemoveDir(dir))),
                ],
                Some(tag.clone()),
            )
        }
    }
}

pub use nss_preflight::static_rustflags;

pub(crate) fn load_flag(engine: &Engine) -> Vec<&'static str> {
    // buildx keeps results in the builder unless told to load them into the image store.
    if engine.kind == crate::engine::EngineKind::DockerBuildx {
        vec!["--load"]
    } else {
        Vec::new()
    }
}
