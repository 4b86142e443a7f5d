//! Test support for the nss workspace: the container engines, registry and base
//! images that `scripts/engines.sh up` started, found through the variables it
//! writes.
//!
//! A test that needs an engine asks for it and skips (with a printed reason) when
//! it is absent; when engines are required (`CI=true` or
//! `NSS_TEST_ENGINES=required`) an absent engine fails the test instead.
//!
//! The helpers engine tests share live here, once each: [`unique`] names, the one
//! clean-up guard [`Cleanup`], the cross-process engine lock [`exclusive`], the
//! both-engines runner [`engine_test!`] / [`on_engine`], fake clients ([`FakeEngine`]),
//! the static preflight binary ([`static_preflight`]) and what an engine says about an
//! image ([`inspect_labels`], [`layers_of`], [`image_size`]).
//!
//! ```
//! // Under `CI=true` without engines this would panic, which is the point.
//! if std::env::var("CI").is_err() && std::env::var("NSS_TEST_ENGINES").is_err() {
//!     if let Some(engine) = nss_testkit::podman() {
//!         let out = engine.command().arg("--version").output()?;
//!         assert!(out.status.success());
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![allow(clippy::print_stderr)] // skip reasons are the point of this crate

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod cleanup;
mod fake;
mod image;
mod lock;
mod names;
mod preflight;

pub use crate::cleanup::Cleanup;
pub use crate::fake::{FakeEngine, FakeEngineBuilder, NSS_FAKE_LOG};
pub use crate::image::{assert_ok, host_platform, image_size, inspect_labels, layers_of, ok};
pub use crate::lock::{EngineLock, exclusive};
pub use crate::names::unique;
pub use crate::preflight::static_preflight;

/// Path of the podman binary, set once podman is configured.
pub const NSS_TEST_PODMAN: &str = "NSS_TEST_PODMAN";
/// The `containers.conf` podman must use (passed to it as `CONTAINERS_CONF`).
pub const NSS_TEST_CONTAINERS_CONF: &str = "NSS_TEST_CONTAINERS_CONF";
/// The `registries.conf` podman (and skopeo) should use (passed as
/// `CONTAINERS_REGISTRIES_CONF`): it marks the loopback registry as plain HTTP.
pub const NSS_TEST_REGISTRIES_CONF: &str = "NSS_TEST_REGISTRIES_CONF";
/// Path of a docker client that speaks to the test dockerd.
pub const NSS_TEST_DOCKER: &str = "NSS_TEST_DOCKER";
/// `DOCKER_HOST` of the test dockerd, e.g. `unix:///.../docker.sock`.
pub const NSS_TEST_DOCKER_HOST: &str = "NSS_TEST_DOCKER_HOST";
/// Address of the loopback registry, e.g. `127.0.0.1:5000`.
pub const NSS_TEST_REGISTRY: &str = "NSS_TEST_REGISTRY";
/// A local Debian image present in every started engine.
pub const NSS_TEST_BASE_IMAGE: &str = "NSS_TEST_BASE_IMAGE";
/// A local Debian image with `python3`, `python3-venv`, `ca-certificates` and
/// `tini`, present in every started engine.
pub const NSS_TEST_PYTHON_IMAGE: &str = "NSS_TEST_PYTHON_IMAGE";
/// A multi-platform (linux/amd64 + linux/arm64) Debian image in the loopback
/// registry, e.g. `127.0.0.1:5000/nss/debian:bookworm`: podman pulls the
/// platform each build asks for (`--platform`, `--manifest`).
pub const NSS_TEST_MULTIARCH_BASE_IMAGE: &str = "NSS_TEST_MULTIARCH_BASE_IMAGE";
/// Platforms podman can build and run, comma separated (`linux/amd64,linux/arm64`
/// once qemu's binfmt is enabled and uv's image resolves for both: podman's
/// registries.conf sends `ghcr.io/astral-sh/uv` to an index in the loopback
/// registry; locally the tag holds whichever platform was pulled last).
pub const NSS_TEST_PLATFORMS: &str = "NSS_TEST_PLATFORMS";
/// uv's image, made locally from the PyPI wheel, present in every started engine.
pub const NSS_TEST_UV_IMAGE: &str = "NSS_TEST_UV_IMAGE";
/// A CA bundle for HTTPS from inside containers (build secret / mount).
pub const NSS_TEST_CA_BUNDLE: &str = "NSS_TEST_CA_BUNDLE";
/// `required` makes a missing engine a failure instead of a skip.
pub const NSS_TEST_ENGINES: &str = "NSS_TEST_ENGINES";
/// Where `scripts/engines.sh` keeps its state (default `<workspace>/.nss/engines`).
pub const NSS_ENGINES_DIR: &str = "NSS_ENGINES_DIR";
/// Set (`true` or `1`) by CI: engine tests must run, not skip.
pub const CI: &str = "CI";
/// cargo's target directory, when not `<workspace>/target`.
pub const CARGO_TARGET_DIR: &str = "CARGO_TARGET_DIR";

/// Which engine a [`TestEngine`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    /// podman (builds with buildah, `--manifest` for multi-arch).
    Podman,
    /// docker talking to the test dockerd (BuildKit through `DOCKER_BUILDKIT=1`).
    Docker,
}

/// A started container engine: its program and the environment it needs.
#[derive(Debug, Clone)]
pub struct TestEngine {
    /// Which engine.
    pub kind: EngineKind,
    /// The client program.
    pub program: PathBuf,
    /// Variables the client needs (`CONTAINERS_CONF`, `CONTAINERS_REGISTRIES_CONF`,
    /// `DOCKER_HOST`, `DOCKER_BUILDKIT`).
    pub env: Vec<(String, String)>,
}

impl TestEngine {
    /// A `Command` for the client with its environment applied.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// `podman` or `docker`.
    pub fn name(&self) -> &'static str {
        match self.kind {
            EngineKind::Podman => "podman",
            EngineKind::Docker => "docker",
        }
    }

    /// A [`unique`] name for `what` on this engine: `nss-test-<what>-<engine>-...`.
    pub fn unique(&self, what: &str) -> String {
        unique(&format!("{what}-{}", self.name()))
    }
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crate sits two levels below the workspace root")
        .to_path_buf()
}

/// Where `scripts/engines.sh` keeps its state: `NSS_ENGINES_DIR`, else
/// `<workspace>/.nss/engines`.
pub fn engines_dir() -> PathBuf {
    std::env::var_os(NSS_ENGINES_DIR)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".nss/engines"))
}

/// Cargo's target directory of this workspace: `CARGO_TARGET_DIR`, else `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os(CARGO_TARGET_DIR)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The variables `scripts/engines.sh` published: the process environment first,
/// then the `env` file in its state directory.
pub fn published() -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(engines_dir().join("env")) {
        for line in text.lines() {
            let line = line.trim().trim_start_matches("export ");
            if let Some((k, v)) = line.split_once('=') {
                vars.insert(k.to_string(), unquote(v));
            }
        }
    }
    for (k, v) in std::env::vars() {
        if k.starts_with("NSS_TEST_") {
            vars.insert(k, v);
        }
    }
    vars
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    v.strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| v.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
        .unwrap_or(v)
        .to_string()
}

/// True when a missing engine must fail the test (`CI=true` or `NSS_TEST_ENGINES=required`).
pub fn engines_required() -> bool {
    std::env::var(CI).is_ok_and(|v| v == "true" || v == "1")
        || std::env::var(NSS_TEST_ENGINES).is_ok_and(|v| v == "required")
}

/// Skips (prints the reason, returns `None`) or, when engines are required, panics.
pub fn skip<T>(what: &str, reason: &str) -> Option<T> {
    if engines_required() {
        panic!(
            "{what} is required (CI=true or NSS_TEST_ENGINES=required) but {reason}; run `scripts/engines.sh up`"
        );
    }
    eprintln!("skipped: {what}: {reason}; run `scripts/engines.sh up` to enable");
    None
}

fn var(vars: &BTreeMap<String, String>, name: &str) -> Option<String> {
    vars.get(name).filter(|v| !v.is_empty()).cloned()
}

/// The test podman, or `None` (skip) when `scripts/engines.sh` did not start it.
pub fn podman() -> Option<TestEngine> {
    let vars = published();
    let Some(program) = var(&vars, NSS_TEST_PODMAN) else {
        return skip("podman", &format!("{NSS_TEST_PODMAN} is not set"));
    };
    let mut env = Vec::new();
    if let Some(conf) = var(&vars, NSS_TEST_CONTAINERS_CONF) {
        env.push(("CONTAINERS_CONF".to_string(), conf));
    }
    if let Some(conf) = var(&vars, NSS_TEST_REGISTRIES_CONF) {
        env.push(("CONTAINERS_REGISTRIES_CONF".to_string(), conf));
    }
    Some(TestEngine {
        kind: EngineKind::Podman,
        program: program.into(),
        env,
    })
}

/// The test dockerd's client, or `None` (skip) when `scripts/engines.sh` did not start it.
pub fn docker() -> Option<TestEngine> {
    let vars = published();
    let (Some(program), Some(host)) = (
        var(&vars, NSS_TEST_DOCKER),
        var(&vars, NSS_TEST_DOCKER_HOST),
    ) else {
        return skip(
            "docker",
            &format!("{NSS_TEST_DOCKER} or {NSS_TEST_DOCKER_HOST} is not set"),
        );
    };
    let env = vec![
        ("DOCKER_HOST".to_string(), host),
        ("DOCKER_BUILDKIT".to_string(), "1".to_string()),
    ];
    Some(TestEngine {
        kind: EngineKind::Docker,
        program: program.into(),
        env,
    })
}

/// Every started engine; each absent one is skipped (or fails when required).
pub fn engines() -> Vec<TestEngine> {
    [podman(), docker()].into_iter().flatten().collect()
}

/// The loopback registry address, or `None` (skip).
pub fn registry() -> Option<String> {
    var(&published(), NSS_TEST_REGISTRY)
        .or_else(|| skip("registry", &format!("{NSS_TEST_REGISTRY} is not set")))
}

/// A published value such as [`NSS_TEST_BASE_IMAGE`], or `None` (skip).
pub fn value(name: &str) -> Option<String> {
    var(&published(), name).or_else(|| skip(name, "it is not set"))
}

/// Runs `test` on `engine` when it was started (absent: skipped, or failed when engines
/// are required), holding [`exclusive`] throughout: for tests that build, remove or time
/// images. [`engine_test!`] declares the usual pair of tests over it.
pub fn on_engine(engine: Option<TestEngine>, test: impl FnOnce(&TestEngine)) {
    if let Some(engine) = engine {
        let _lock = exclusive();
        test(&engine);
    }
}

/// Declares a module `NAME` with two tests, `podman` and `docker`, each running the
/// function `BODY(&TestEngine)` on that engine through [`on_engine`]: the one way a test
/// runs on both engines.
///
/// ```
/// fn answers(engine: &nss_testkit::TestEngine) {
///     assert!(engine.command().arg("--version").status().unwrap().success());
/// }
/// nss_testkit::engine_test!(engine_answers, answers);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! engine_test {
    ($(#[$meta:meta])* $name:ident, $body:ident) => {
        $(#[$meta])*
        mod $name {
            #[test]
            fn podman() {
                $crate::on_engine($crate::podman(), super::$body);
            }

            #[test]
            fn docker() {
                $crate::on_engine($crate::docker(), super::$body);
            }
        }
    };
}
