//! Every variable `nss` reads, by name.
//!
//! Each `CONTAINER_*` / `CMD` / `NSS_*` variable can be given in the environment or as a
//! `NAME=value` argument after the command (the argument wins, as with `make VAR=x`).
//! The defaults are listed in [`crate::Vars::default_of`].

/// The container engine: `docker`, `podman`, or a path to either client.
/// Unset: docker when its daemon answers, else podman.
pub const CONTAINER_CMD: &str = "CONTAINER_CMD";
/// Tag of the runtime image (default `nss-gpu:latest`).
pub const CONTAINER_GPU_IMAGE: &str = "CONTAINER_GPU_IMAGE";
/// Tag of the dev image (default `nss-gpu-dev:latest`).
pub const CONTAINER_GPU_IMAGE_DEV: &str = "CONTAINER_GPU_IMAGE_DEV";
/// Tag of the CPU-only test image (default `nss-test:latest`).
pub const CONTAINER_TEST_IMAGE: &str = "CONTAINER_TEST_IMAGE";
/// Target platform of single-platform builds and runs (default `linux/amd64`).
pub const CONTAINER_GPU_PLATFORM: &str = "CONTAINER_GPU_PLATFORM";
/// Registry the multi-arch image is pushed to, e.g. `ghcr.io/org` (no default; required by `multiarch`).
pub const CONTAINER_GPU_REGISTRY: &str = "CONTAINER_GPU_REGISTRY";
/// Options giving the container GPUs (default `--gpus all`; empty disables), split with shell rules.
pub const CONTAINER_GPU_FLAG: &str = "CONTAINER_GPU_FLAG";
/// Host Hugging Face cache mounted at `/workspace/.hf_cache` (default `$HOME/.cache/huggingface`).
pub const CONTAINER_HF_CACHE: &str = "CONTAINER_HF_CACHE";
/// Extra `-v SRC:DST` / `--mount ...` options for `run`, split with shell rules.
pub const CONTAINER_EXTRA_MOUNTS: &str = "CONTAINER_EXTRA_MOUNTS";
/// The command run in the container (default `--help` for runtime, `make test` for dev).
pub const CMD: &str = "CMD";
/// The GPU Dockerfile (default `containers/Dockerfile.cuda`; relative paths are against the project dir).
pub const CONTAINER_GPU_FILE: &str = "CONTAINER_GPU_FILE";
/// The CPU test Dockerfile (default `containers/Dockerfile.test_ci`; relative to the project dir).
pub const CONTAINER_TEST_FILE: &str = "CONTAINER_TEST_FILE";
/// buildx only: the builder every build runs on (`--builder`), e.g. one with a native node
/// per platform or a remote BuildKit; refused (exit 2) with another engine.
pub const CONTAINER_GPU_BUILDER: &str = "CONTAINER_GPU_BUILDER";
/// A registry repository used as build cache of the runtime and dev images (tags `runtime`,
/// `dev`): buildx `--cache-from/--cache-to type=registry`, docker's inline cache, podman
/// `--layers --cache-from/--cache-to`.
pub const CONTAINER_GPU_CACHE: &str = "CONTAINER_GPU_CACHE";
/// The test image's registry cache repository (tag `test`), as [`CONTAINER_GPU_CACHE`].
pub const CONTAINER_TEST_CACHE: &str = "CONTAINER_TEST_CACHE";
/// A CA bundle for builds behind a TLS-intercepting proxy, passed as the build secret `build_ca`.
pub const CONTAINER_BUILD_CA: &str = "CONTAINER_BUILD_CA";
/// An image holding `/nss-preflight`, passed as `--build-arg PREFLIGHT_IMAGE=...`.
/// Unset: `nss` builds one from this workspace (see the crate docs).
pub const CONTAINER_PREFLIGHT_IMAGE: &str = "CONTAINER_PREFLIGHT_IMAGE";
/// uv's mirror of Python downloads, passed to builds as `--build-arg UV_PYTHON_INSTALL_MIRROR`
/// when set (`PYTHON_SOURCE=uv` installs Python from it).
pub const UV_PYTHON_INSTALL_MIRROR: &str = "UV_PYTHON_INSTALL_MIRROR";
/// The project directory (below `--project`, above the search for `pyproject.toml`).
pub const NSS_PROJECT_DIR: &str = "NSS_PROJECT_DIR";
/// `1`, `true` or `yes`: print the engine commands instead of running them, like `--dry-run`;
/// `0`, `false`, `no` or empty: run them. Any other value is refused (exit 2).
pub const NSS_DRY_RUN: &str = "NSS_DRY_RUN";

/// A switch (`1`/`true`/`yes`): buildx attaches BuildKit's SBOM attestation to the image
/// (`--sbom=true`); other engines cannot, and `nss sbom --output FILE` writes one instead.
pub const SBOM: &str = "SBOM";
/// A switch: buildx attaches BuildKit's provenance attestation (`--provenance=mode=max`).
pub const PROVENANCE: &str = "PROVENANCE";

/// The user's home directory, for `~` in mounts and the default HF cache.
pub const HOME: &str = "HOME";
/// Where temporary files go (`nss sbom` / `nss size` save the image there); default `/tmp`.
pub const TMPDIR: &str = "TMPDIR";
/// The user's cache directory (default `$HOME/.cache`): nss writes its bundled files under
/// `$XDG_CACHE_HOME/nss`, and `nss size` keeps each tag's last report under `nss/size/`.
pub const XDG_CACHE_HOME: &str = "XDG_CACHE_HOME";
/// Read from docker's environment: `1` enables the BuildKit built into docker clients up to 22.x.
pub const DOCKER_BUILDKIT: &str = "DOCKER_BUILDKIT";

/// Secrets passed into `run` containers by name (`-e NAME`) when set; never by value.
/// Any name [`nss_preflight::is_secret_name`] accepts is a secret too: nss refuses its
/// value as an argument and redacts it from everything it prints.
pub const RUN_SECRETS: [&str; 4] = nss_preflight::KNOWN_SECRETS;

/// Every variable `nss` accepts as `NAME=value`, with the build-arg pins of the spec.
pub const VARIABLES: [&str; 22] = [
    CONTAINER_CMD,
    CONTAINER_GPU_IMAGE,
    CONTAINER_GPU_IMAGE_DEV,
    CONTAINER_TEST_IMAGE,
    CONTAINER_GPU_PLATFORM,
    CONTAINER_GPU_REGISTRY,
    CONTAINER_GPU_FLAG,
    CONTAINER_HF_CACHE,
    CONTAINER_EXTRA_MOUNTS,
    CMD,
    CONTAINER_GPU_FILE,
    CONTAINER_TEST_FILE,
    CONTAINER_GPU_BUILDER,
    CONTAINER_GPU_CACHE,
    CONTAINER_TEST_CACHE,
    CONTAINER_BUILD_CA,
    CONTAINER_PREFLIGHT_IMAGE,
    UV_PYTHON_INSTALL_MIRROR,
    NSS_PROJECT_DIR,
    NSS_DRY_RUN,
    SBOM,
    PROVENANCE,
];
