//! The pins of where an image comes from and what it runs: the base images
//! (`CUDA_IMAGE`, `UV_IMAGE`, `PYTHON_IMAGE`), where Python comes from
//! (`PYTHON_SOURCE`), the apt packages a project adds per stage
//! (`SYSTEM_PACKAGES_*`) and the default commands of the dev and CPU test images.
//!
//! Each goes through the one precedence chain of [`crate::resolve`]:
//! `NAME=value` > `NSS_<NAME>` > `[tool.nss]` > derived > default.

use std::fmt;

use crate::source::Resolved;

/// Repository of the CUDA base image when nothing names one.
pub const DEFAULT_CUDA_IMAGE: &str = "docker.io/nvidia/cuda";
/// Repository of uv's image when nothing names one.
pub const DEFAULT_UV_IMAGE: &str = "ghcr.io/astral-sh/uv";
/// Repository of the CPU test image's Python base when nothing names one.
pub const DEFAULT_PYTHON_IMAGE: &str = "docker.io/library/python";
/// What the dev image runs when neither `CMD` nor `[tool.nss] dev-command` says.
pub const DEFAULT_DEV_COMMAND: &str = "make test";
/// What the CPU test image runs when neither `CMD`, `[tool.nss] test-command` nor a
/// `test-ci` target of the project's Makefile says.
pub const DEFAULT_TEST_COMMAND: &str = "python -m pytest";
/// The test command when the project's Makefile has a `test-ci` target.
pub const MAKE_TEST_CI: &str = "make test-ci";

/// The build-arg names of the base-image pins, in the order `nss spec` prints them
/// (after [`crate::PIN_NAMES`]).
pub const BASE_PIN_NAMES: [&str; 4] = ["CUDA_IMAGE", "UV_IMAGE", "PYTHON_IMAGE", "PYTHON_SOURCE"];

/// The stages `[tool.nss] system-packages` may name.
pub const SYSTEM_PACKAGE_STAGES: [&str; 3] = ["deps", "runtime", "dev"];

/// Where the image's Python interpreter comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PythonSource {
    /// `uv python install PYTHON_VERSION` (downloads a managed build; honours
    /// `UV_PYTHON_INSTALL_MIRROR`).
    Uv,
    /// The base image's own `python3` (NGC PyTorch images, air gaps).
    Base,
}

impl PythonSource {
    /// `uv` or `base`.
    pub fn as_str(self) -> &'static str {
        match self {
            PythonSource::Uv => "uv",
            PythonSource::Base => "base",
        }
    }
}

impl fmt::Display for PythonSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// apt packages a project adds to the stages of the CUDA image (the CPU test image
/// installs `runtime` and `dev`), on top of what the Dockerfile installs itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SystemPackages {
    /// Added to the deps stage (what source builds of dependencies need).
    pub deps: Resolved<Vec<String>>,
    /// Added to the runtime image.
    pub runtime: Resolved<Vec<String>>,
    /// Added to the dev image (and the CPU test image).
    pub dev: Resolved<Vec<String>>,
}
