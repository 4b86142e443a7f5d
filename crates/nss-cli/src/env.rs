//! Every variable `nss` reads, by name, and the one table of those a user sets.
//!
//! Each `CONTAINER_*` / `CMD` / `NSS_*` variable can be given in the environment or as a
//! `NAME=value` argument after the command (the argument wins, as with `make VAR=x`).
//! [`VARIABLES`] declares each of them once (name, default, help, commands): `nss --help`
//! lists them from it ([`help`]), [`crate::Vars::default_of`] takes the defaults from it,
//! and a test holds the developer guide's table to it. The other names below are read
//! from the environment nss runs in (`PATH`, `HOME`, docker's own variables).
//!
//! ```
//! use nss_cli::env::{self, VarDefault};
//!
//! let image = env::variable(env::CONTAINER_GPU_IMAGE).unwrap();
//! assert_eq!(image.default, VarDefault::Value("nss-gpu:latest"));
//! assert!(image.commands.contains(&"build"));
//! assert!(env::help().contains("CONTAINER_GPU_IMAGE"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
/// Read by nss-cli for `build`, `check`, `sync` and the others; the build spec never reads it.
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
/// Before a build, look up every base image it pulls that the engine does not have
/// (default on): a tag the registry does not know fails at once (exit 2); an unreachable
/// registry is a warning. A [switch](crate::Vars::switch) once set: `0`, `false`, `no` or
/// empty turns it off (air gaps).
pub const CONTAINER_BASE_CHECK: &str = "CONTAINER_BASE_CHECK";
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
/// Directories searched for `docker`, `podman`, `cargo` and `skopeo`.
pub const PATH: &str = "PATH";
/// The `cargo` that runs nss (set by cargo for `cargo run` / cargo-make); used when `cargo`
/// is not on `PATH`, to compile the preflight for the host.
pub const CARGO: &str = "CARGO";
/// cargo's target directory, where the preflight compiled for the host goes (default
/// `target/` of the preflight sources).
pub const CARGO_TARGET_DIR: &str = "CARGO_TARGET_DIR";
/// docker's daemon address, named when the daemon does not answer.
pub const DOCKER_HOST: &str = "DOCKER_HOST";
/// docker's configuration directory, searched for the buildx plugin (`cli-plugins/`).
pub const DOCKER_CONFIG: &str = "DOCKER_CONFIG";

/// Secrets passed into `run` containers by name (`-e NAME`) when set; never by value.
/// Any name [`nss_preflight::is_secret_name`] accepts is a secret too: nss refuses its
/// value as an argument and redacts it from everything it prints.
pub const RUN_SECRETS: [&str; 4] = nss_preflight::KNOWN_SECRETS;

/// A variable's built-in default, as `nss --help` and the developer guide show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarDefault {
    /// None: unset means the feature is not used (the guide writes `(none)`).
    None,
    /// A switch that is off unless set to `1`, `true` or `yes` (the guide writes `(off)`).
    Off,
    /// A switch that is on unless set to `0`, `false`, `no` or empty (the guide writes `(on)`).
    On,
    /// This value ([`crate::Vars::value`] falls back to it).
    Value(&'static str),
    /// Worked out when needed (from `HOME`, the daemon, the current directory...); the text
    /// says how.
    Derived(&'static str),
}

/// One variable a user sets: what it is called, its default, one line of help, and the
/// `nss` commands that read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variable {
    /// The name, in the environment and as `NAME=value`.
    pub name: &'static str,
    /// The built-in default.
    pub default: VarDefault,
    /// What it sets, for `nss --help` (the default is appended there).
    pub help: &'static str,
    /// The `nss` commands that read it.
    pub commands: &'static [&'static str],
}

const fn var(
    name: &'static str,
    default: VarDefault,
    commands: &'static [&'static str],
    help: &'static str,
) -> Variable {
    Variable {
        name,
        default,
        help,
        commands,
    }
}

/// The commands that build an image (and so read the build inputs).
const BUILDS: &[&str] = &["build", "multiarch"];
/// The commands that name an image by its tag.
const TAGGED: &[&str] = &["build", "run", "check", "sync", "labels", "sbom", "size"];
/// The commands that read the project's Dockerfiles.
const DOCKERFILES: &[&str] = &["build", "multiarch", "spec", "check", "sync", "lint"];
/// The commands that run the engine.
const ENGINE: &[&str] = &["build", "run", "multiarch", "doctor", "sbom", "size"];
/// Every command that reads a project.
const ALL: &[&str] = &[
    "build",
    "run",
    "multiarch",
    "doctor",
    "spec",
    "check",
    "sync",
    "labels",
    "sbom",
    "size",
    "init",
    "lint",
];

/// Every variable `nss` accepts as `NAME=value` (besides the build-spec pins of
/// [`crate::SPEC_OVERRIDES`]), in the order `nss --help` lists them.
pub const VARIABLES: &[Variable] = &[
    var(
        CONTAINER_CMD,
        VarDefault::Derived("docker if its daemon answers, else podman"),
        ENGINE,
        "docker | podman | /path/to/client",
    ),
    var(
        CONTAINER_GPU_IMAGE,
        VarDefault::Value("nss-gpu:latest"),
        &[
            "build",
            "run",
            "multiarch",
            "check",
            "sync",
            "labels",
            "sbom",
            "size",
        ],
        "runtime image tag",
    ),
    var(
        CONTAINER_GPU_IMAGE_DEV,
        VarDefault::Value("nss-gpu-dev:latest"),
        TAGGED,
        "dev image tag",
    ),
    var(
        CONTAINER_TEST_IMAGE,
        VarDefault::Value("nss-test:latest"),
        TAGGED,
        "CPU test image tag",
    ),
    var(
        CONTAINER_GPU_PLATFORM,
        VarDefault::Value(nss_buildspec::DEFAULT_PLATFORM),
        &["build", "run", "doctor", "spec", "check", "sync", "labels"],
        "linux/amd64 | linux/arm64",
    ),
    var(
        CONTAINER_GPU_REGISTRY,
        VarDefault::None,
        &["multiarch", "doctor"],
        "registry for multiarch pushes, e.g. ghcr.io/org",
    ),
    var(
        CONTAINER_GPU_FLAG,
        VarDefault::Value("--gpus all"),
        &["run"],
        "GPU options for run; empty disables",
    ),
    var(
        CONTAINER_HF_CACHE,
        VarDefault::Derived("$HOME/.cache/huggingface"),
        &["run"],
        "host Hugging Face cache",
    ),
    var(
        CONTAINER_EXTRA_MOUNTS,
        VarDefault::None,
        &["run"],
        "extra -v/--mount options for run",
    ),
    var(
        CMD,
        VarDefault::Derived(
            "runtime: --help; dev: DEV_COMMAND, else make test; test: TEST_COMMAND, else make \
             test-ci when the Makefile has it, else python -m pytest",
        ),
        &["run"],
        "command in the container",
    ),
    var(
        CONTAINER_GPU_FILE,
        VarDefault::Value(nss_buildspec::DEFAULT_GPU_DOCKERFILE),
        DOCKERFILES,
        "GPU Dockerfile, relative to the project",
    ),
    var(
        CONTAINER_TEST_FILE,
        VarDefault::Value(nss_buildspec::DEFAULT_CPU_DOCKERFILE),
        DOCKERFILES,
        "test Dockerfile",
    ),
    var(
        CONTAINER_GPU_BUILDER,
        VarDefault::None,
        BUILDS,
        "docker buildx builder for every build (--builder; buildx only)",
    ),
    var(
        CONTAINER_GPU_CACHE,
        VarDefault::None,
        BUILDS,
        "registry repository used as build cache of runtime and dev (tags runtime, dev)",
    ),
    var(
        CONTAINER_TEST_CACHE,
        VarDefault::None,
        &["build"],
        "registry repository used as build cache of the test image (tag test)",
    ),
    var(
        CONTAINER_BUILD_CA,
        VarDefault::None,
        BUILDS,
        "CA bundle passed as the build secret build_ca",
    ),
    var(
        CONTAINER_PREFLIGHT_IMAGE,
        VarDefault::Derived("built by nss from its embedded sources"),
        BUILDS,
        "image holding /nss-preflight",
    ),
    var(
        UV_PYTHON_INSTALL_MIRROR,
        VarDefault::None,
        BUILDS,
        "mirror of Python downloads, passed to builds when set",
    ),
    var(
        CONTAINER_BASE_CHECK,
        VarDefault::On,
        BUILDS,
        "look up each base image in its registry before a build; 0 skips it (air gaps)",
    ),
    var(
        NSS_PROJECT_DIR,
        VarDefault::Derived(
            "nearest pyproject.toml above the current directory, else the bundled example",
        ),
        ALL,
        "the project directory",
    ),
    var(
        NSS_DRY_RUN,
        VarDefault::Off,
        &["build", "run", "multiarch"],
        "1|true|yes: print the engine commands instead of running them; 0|false|no|empty: run",
    ),
    var(
        SBOM,
        VarDefault::Off,
        BUILDS,
        "1: buildx attaches BuildKit's SBOM attestation to the image",
    ),
    var(
        PROVENANCE,
        VarDefault::Off,
        BUILDS,
        "1: buildx attaches BuildKit's provenance attestation to the image",
    ),
];

/// The row of [`VARIABLES`] named `name`.
pub fn variable(name: &str) -> Option<&'static Variable> {
    VARIABLES.iter().find(|v| v.name == name)
}

/// The variables section of `nss --help`: one aligned entry per row of [`VARIABLES`], its
/// default in parentheses, wrapped to 100 columns.
pub fn help() -> String {
    const WIDTH: usize = 100;
    let column = VARIABLES.iter().map(|v| v.name.len()).max().unwrap_or(0) + 3;
    let mut out = String::from(
        "Variables (NAME=value after the command, or the environment; the argument wins):\n",
    );
    for v in VARIABLES {
        let text = match v.default {
            VarDefault::Value(d) | VarDefault::Derived(d) => format!("{} ({d})", v.help),
            VarDefault::On => format!("{} (on)", v.help),
            VarDefault::None | VarDefault::Off => v.help.to_string(),
        };
        let mut line = format!("  {:<width$}", v.name, width = column - 2);
        let mut fresh = true;
        for word in text.split(' ') {
            if !fresh && line.len() + 1 + word.len() > WIDTH {
                out.push_str(line.trim_end());
                out.push('\n');
                line = " ".repeat(column);
                fresh = true;
            }
            if !fresh {
                line.push(' ');
            }
            line.push_str(word);
            fresh = false;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_help_lists_each_aligned_within_100_columns() {
        let help = help();
        for (i, v) in VARIABLES.iter().enumerate() {
            assert!(
                VARIABLES[..i].iter().all(|w| w.name != v.name),
                "{} twice",
                v.name
            );
            let line = help
                .lines()
                .find(|l| l.starts_with(&format!("  {} ", v.name)))
                .unwrap_or_else(|| panic!("{} is not in the help", v.name));
            // Every help text starts in one column, past the longest name.
            let first = v.help.split(' ').next().unwrap_or_default();
            assert!(line[28..].starts_with(first), "{line}");
            assert!(!v.commands.is_empty(), "{} is read by no command", v.name);
        }
        assert!(help.lines().all(|l| l.len() <= 100), "{help}");
    }
}
