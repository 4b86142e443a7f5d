//! The library behind the `nss` command: make-style variables, container-engine detection,
//! build / run / multi-arch plans as data, and the one thin layer that executes them.
//!
//! The flow is one way: variables ([`Vars`]: `NAME=value` arguments > environment >
//! default) and the project ([`Session`]) give inputs; pure functions ([`plan_build`],
//! [`plan_run`], [`plan_multiarch`]) turn them into a [`Plan`] of argv + env for one
//! [`EngineKind`]; `--dry-run` prints the plan ([`Plan::dry_run`]) and [`Executor`] runs it.
//!
//! Planning a build for docker with built-in BuildKit and printing it:
//!
//! ```
//! use std::path::PathBuf;
//! use nss_cli::{plan_build, BuildInputs, Engine, EngineKind, ImageKind, Preflight};
//! use nss_labels::{Labels, Origin};
//!
//! let engine = Engine::new(EngineKind::DockerBuiltinBuildkit, "/usr/bin/docker");
//! let plan = plan_build(&engine, &BuildInputs {
//!     image: ImageKind::Runtime,
//!     dockerfile: PathBuf::from("/src/app/containers/Dockerfile.cuda"),
//!     context: PathBuf::from("/src/app"),
//!     tag: "nss-gpu:latest".into(),
//!     platform: "linux/amd64".into(),
//!     build_args: vec![("CUDA_VERSION".into(), "12.8.1".into()), ("EXTRAS".into(), "cu128 engine".into())],
//!     labels: Labels::from_pairs(
//!         ImageKind::Runtime,
//!         [("org.opencontainers.image.title", "app")],
//!         Origin::Caller,
//!     )?,
//!     build_ca: None,
//!     preflight: Preflight::Image("nss-preflight:0.1.0".into()),
//!     plain_progress: false,
//!     scratch_dir: PathBuf::from("/tmp"),
//!     attestations: Default::default(),
//!     run_id: "nss-run-1-0".into(),
//!     cache: None,
//!     builder: None,
//! });
//! assert_eq!(
//!     plan.dry_run(),
//!     "DOCKER_BUILDKIT=1 /usr/bin/docker build --platform linux/amd64 -t nss-gpu:latest \
//!      -f /src/app/containers/Dockerfile.cuda --target runtime --build-arg CUDA_VERSION=12.8.1 \
//!      --build-arg 'EXTRAS=cu128 engine' --build-arg PREFLIGHT_IMAGE=nss-preflight:0.1.0 \
//!      --label org.opencontainers.image.title=app /src/app\n"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The preflight binary in images
//!
//! Dockerfiles that declare `ARG PREFLIGHT_IMAGE` copy `/nss-preflight` from that image.
//! `CONTAINER_PREFLIGHT_IMAGE` names one; otherwise nss builds one from the preflight
//! sources embedded in it ([`assets::PREFLIGHT`], written to the user's cache): with the
//! host's `cargo` for the host platform (a local FROM-scratch image, no Rust image pulled),
//! else with the engine and `containers/Dockerfile.preflight` for the target platform(s),
//! pushed beside the image for `multiarch`. The project's context never needs nss's sources.

pub mod assets;
pub mod env;

mod bases;
mod builder;
mod cmd;
mod doctor;
mod engine;
mod error;
mod exec;
mod host_gpu;
mod init;
mod inspect;
mod maintain;
mod plan;
mod reference;
mod session;
mod validate;
mod vars;
mod write;

// Inputs: variables, the project, validation.
pub use crate::reference::validate_reference;
pub use crate::session::{DockerfileSource, Session};
pub use crate::validate::{ProjectDirSource, project_dir, refuse_secret_values, validate_mounts};
pub use crate::vars::{SPEC_OVERRIDES, VarSource, Vars};
// Plans as data, for one engine.
pub use crate::bases::check_bases;
pub use crate::cmd::{Cmd, quote};
pub use crate::engine::{Engine, EngineKind, detect, ensure_running};
pub use crate::plan::{
    Attestations, BuildCache, BuildInputs, ImageKind, ImageKindExt, MultiarchInputs, Plan,
    PlatformArgs, Preflight, RunInputs, Step, plan_build, plan_build_all, plan_multiarch, plan_run,
    static_rustflags,
};
// Running them, and the other commands.
pub use crate::doctor::{DoctorItem, doctor, to_json as doctor_json};
pub use crate::error::{CommandError, Error, exit};
pub use crate::exec::{Executor, Outcome};
pub use crate::init::init;
pub use crate::inspect::{SbomWriter, sbom, size};
pub use crate::maintain::{check, sync};
pub use crate::write::{Rewritten, rewrite, write_file};
