//! Every build pin of a CUDA image for a uv-managed Python project, derived from
//! `pyproject.toml` with the place each value came from.
//!
//! [`Project::load`] reads `pyproject.toml` (kept as an editable
//! [`toml_edit::DocumentMut`]) and `.python-version`; [`resolve`] turns them,
//! plus `NAME=value` arguments and `NSS_*` variables ([`Inputs`]), into a
//! [`BuildSpec`]: `CUDA_VERSION`, `UBUNTU_VERSION`, `CUDA_IMAGE_TYPE`,
//! `PYTHON_VERSION`, `UV_VERSION`, `CUDA_ARCH_FLAGS`, the extras of the GPU and
//! CPU images and the app, each a [`Resolved`] value with its [`Source`].
//! [`arg_defaults`], [`drift`] and [`sync_args`] compare and rewrite the `ARG`
//! defaults of a Dockerfile without touching anything else in it.
//!
//! | pin / value | `NAME=value` | environment | `[tool.nss]` key | derived from |
//! | --- | --- | --- | --- | --- |
//! | `CUDA_VERSION` | `CUDA_VERSION` | `NSS_CUDA_VERSION` | `cuda-version` | the torch index in `[tool.uv.sources]`, a `+cuXYZ` torch pin, a `cuXYZ` extra |
//! | `UBUNTU_VERSION` | `UBUNTU_VERSION` | `NSS_UBUNTU_VERSION` | `ubuntu-version` | default `22.04` |
//! | `CUDA_IMAGE_TYPE` | `CUDA_IMAGE_TYPE` | `NSS_CUDA_IMAGE_TYPE` | `cuda-image-type` | default `runtime` |
//! | `PYTHON_VERSION` | `PYTHON_VERSION` | `NSS_PYTHON_VERSION` | `python-version` | `.python-version`, `requires-python` |
//! | `UV_VERSION` | `UV_VERSION` | `NSS_UV_VERSION` | `uv-version` | `[tool.uv] required-version` |
//! | `CUDA_ARCH_FLAGS` | `CUDA_ARCH_FLAGS` | `NSS_CUDA_ARCH_FLAGS` | `cuda-arch-flags` | the platform |
//! | GPU extras | `GPU_EXTRAS` | `NSS_GPU_EXTRAS` | `gpu-extras` | `[project.optional-dependencies]` |
//! | CPU extras | `CPU_EXTRAS` | `NSS_CPU_EXTRAS` | `cpu-extras` | `[project.optional-dependencies]` |
//! | app | `APP` | `NSS_APP` | `app` | `[project.scripts]` |
//!
//! Versions are completed and validated against tables embedded from
//! `data/versions.toml` (CPython releases with the first uv release that can
//! install each, nvidia/cuda tags with their Ubuntu versions); see
//! [`versions_checked`] for the day they were last compared with upstream.
//! The environment variables read are documented constants in [`env`](mod@env).
//!
//! Precedence, highest first: a `NAME=value` argument, then an `NSS_<NAME>`
//! environment variable, then `[tool.nss]`, then what `pyproject.toml` implies,
//! then a built-in default. Bare `CUDA_VERSION` in the environment is never
//! read: every CUDA container sets it.
//!
//! ```
//! use nss_buildspec::{Inputs, Project, resolve};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(
//!     dir.path().join("pyproject.toml"),
//!     r#"
//! [project]
//! name = "demo"
//! requires-python = ">=3.11"
//!
//! [project.optional-dependencies]
//! cpu = ["torch==2.9.1+cpu"]
//! cu128 = ["torch==2.9.1+cu128"]
//! web = ["fastapi"]
//!
//! [project.scripts]
//! demo = "demo:main"
//!
//! [tool.uv]
//! required-version = ">=0.9.14, <0.11"
//! "#,
//! )?;
//! let project = Project::load(dir.path())?;
//! let mut inputs = Inputs::default();
//! inputs.overrides.insert("CUDA_IMAGE_TYPE".into(), "devel".into());
//! // Ignored: build pins are never read from bare environment variables.
//! inputs.env.insert("CUDA_VERSION".into(), "11.8.0".into());
//! let spec = resolve(&project, &inputs)?;
//!
//! assert_eq!(spec.uv_version.value, "0.9.14");
//! assert_eq!(spec.cuda_version.value, "12.8.1");
//! assert_eq!(spec.gpu_extras.value, ["cu128", "web"]);
//! assert_eq!(spec.cpu_extras.value, ["cpu", "web"]);
//! assert_eq!(spec.app.value, "demo");
//! for (name, value, source) in spec.pins() {
//!     println!("{name}={value}  <- {source}");
//! }
//! assert_eq!(spec.cuda_image_type.source.to_string(), "command line (CUDA_IMAGE_TYPE=...)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod env;

mod dockerfile;
mod error;
mod file;
mod pep;
mod platform;
mod project;
mod resolve;
mod source;
mod spec;
mod versions;
mod workflow;

pub use crate::dockerfile::{
    ArgDefault, ArgDrift, DEFAULT_CPU_DOCKERFILE, DEFAULT_GPU_DOCKERFILE, arg_defaults, drift,
    sync_args,
};
pub use crate::error::{Error, Result, excerpt};
pub use crate::file::{FileKind, describe_file_type, read_project_file};
pub use crate::platform::Platform;
pub use crate::project::{Project, PythonVersionFile};
pub use crate::resolve::{
    DEFAULT_APP, DEFAULT_PLATFORM, DEFAULT_UBUNTU_VERSION, Inputs, OVERRIDE_NAMES, TOOL_NSS_KEYS,
    resolve,
};
pub use crate::source::{Resolved, Source};
pub use crate::spec::{BuildSpec, CudaImageType, ImageFlavor, PIN_NAMES};
pub use crate::versions::{known_cuda_tags, versions_checked};
pub use crate::workflow::{
    BASE_PIN_NAMES, DEFAULT_CUDA_IMAGE, DEFAULT_DEV_COMMAND, DEFAULT_PYTHON_IMAGE,
    DEFAULT_TEST_COMMAND, DEFAULT_UV_IMAGE, MAKE_TEST_CI, PythonSource, SYSTEM_PACKAGE_STAGES,
    SystemPackages,
};
