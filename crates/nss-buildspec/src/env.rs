//! Environment variable names this crate reads.
//!
//! [`crate::resolve`] reads them only from the map in [`crate::Inputs::env`];
//! callers pass a snapshot of the process environment (see
//! [`crate::Inputs::from_process_env`]) and tests pass their own map.
//!
//! Build-arg pins are never read from their bare names: `CUDA_VERSION` is set
//! inside every nvidia/cuda and NGC container and would leak in silently.

/// `CUDA_VERSION` pin, `X.Y` or `X.Y.Z` (e.g. `12.8` or `12.8.1`).
pub const NSS_CUDA_VERSION: &str = "NSS_CUDA_VERSION";
/// `UBUNTU_VERSION` pin of the nvidia/cuda base image (e.g. `22.04`).
pub const NSS_UBUNTU_VERSION: &str = "NSS_UBUNTU_VERSION";
/// `CUDA_IMAGE_TYPE` pin: `runtime` or `devel`.
pub const NSS_CUDA_IMAGE_TYPE: &str = "NSS_CUDA_IMAGE_TYPE";
/// `PYTHON_VERSION` pin, `X.Y` or `X.Y.Z`.
pub const NSS_PYTHON_VERSION: &str = "NSS_PYTHON_VERSION";
/// `UV_VERSION` pin, `X.Y.Z`.
pub const NSS_UV_VERSION: &str = "NSS_UV_VERSION";
/// `CUDA_ARCH_FLAGS` pin, `;`-separated SM numbers (e.g. `80;86;90;90a`).
pub const NSS_CUDA_ARCH_FLAGS: &str = "NSS_CUDA_ARCH_FLAGS";
/// Extras of the GPU image, separated by spaces or commas (e.g. `cu128 engine`).
pub const NSS_GPU_EXTRAS: &str = "NSS_GPU_EXTRAS";
/// Extras of the CPU test image, separated by spaces or commas (e.g. `cpu engine`).
pub const NSS_CPU_EXTRAS: &str = "NSS_CPU_EXTRAS";
/// The console script the image runs (e.g. `safe-synthesizer`).
pub const NSS_APP: &str = "NSS_APP";
/// `CUDA_IMAGE`: repository of the CUDA base image (e.g. `nvcr.io/nvidia/cuda`).
pub const NSS_CUDA_IMAGE: &str = "NSS_CUDA_IMAGE";
/// `UV_IMAGE`: repository of uv's image (e.g. a mirror of `ghcr.io/astral-sh/uv`).
pub const NSS_UV_IMAGE: &str = "NSS_UV_IMAGE";
/// `PYTHON_IMAGE`: repository of the CPU test image's Python base.
pub const NSS_PYTHON_IMAGE: &str = "NSS_PYTHON_IMAGE";
/// `PYTHON_SOURCE`: `uv` (`uv python install`) or `base` (the base image's `python3`).
pub const NSS_PYTHON_SOURCE: &str = "NSS_PYTHON_SOURCE";
/// The dev image's default command line (e.g. `make test`).
pub const NSS_DEV_COMMAND: &str = "NSS_DEV_COMMAND";
/// The CPU test image's default command line (e.g. `make test-ci`).
pub const NSS_TEST_COMMAND: &str = "NSS_TEST_COMMAND";
/// apt packages added to the deps stage, separated by spaces or commas.
pub const NSS_SYSTEM_PACKAGES_DEPS: &str = "NSS_SYSTEM_PACKAGES_DEPS";
/// apt packages added to the runtime image, separated by spaces or commas.
pub const NSS_SYSTEM_PACKAGES_RUNTIME: &str = "NSS_SYSTEM_PACKAGES_RUNTIME";
/// apt packages added to the dev image and the CPU test image, separated by spaces or commas.
pub const NSS_SYSTEM_PACKAGES_DEV: &str = "NSS_SYSTEM_PACKAGES_DEV";

/// Every variable above, for documentation and listings.
pub const ALL: [&str; 18] = [
    NSS_CUDA_VERSION,
    NSS_UBUNTU_VERSION,
    NSS_CUDA_IMAGE_TYPE,
    NSS_PYTHON_VERSION,
    NSS_UV_VERSION,
    NSS_CUDA_ARCH_FLAGS,
    NSS_GPU_EXTRAS,
    NSS_CPU_EXTRAS,
    NSS_APP,
    NSS_CUDA_IMAGE,
    NSS_UV_IMAGE,
    NSS_PYTHON_IMAGE,
    NSS_PYTHON_SOURCE,
    NSS_DEV_COMMAND,
    NSS_TEST_COMMAND,
    NSS_SYSTEM_PACKAGES_DEPS,
    NSS_SYSTEM_PACKAGES_RUNTIME,
    NSS_SYSTEM_PACKAGES_DEV,
];
