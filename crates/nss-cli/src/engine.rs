//! Which container engine runs the plans, and what it can do.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd::Cmd;
use crate::env;
use crate::error::Error;
use crate::vars::Vars;

/// The class of a container engine: it decides the flags of every plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngineKind {
    /// docker with the buildx plugin: `docker buildx build`, multi-platform, `--annotation`.
    DockerBuildx,
    /// A docker client up to 22.x without buildx: `DOCKER_BUILDKIT=1 docker build`
    /// (single platform; no multi-arch).
    DockerBuiltinBuildkit,
    /// podman (buildah inside): `--manifest` + `manifest push --all` for multi-arch.
    Podman,
}

impl EngineKind {
    /// A short name for messages: `docker (buildx)`, `docker (built-in BuildKit)`, `podman`.
    pub fn describe(self) -> &'static str {
        match self {
            EngineKind::DockerBuildx => "docker (buildx)",
            EngineKind::DockerBuiltinBuildkit => "docker (built-in BuildKit)",
            EngineKind::Podman => "podman",
        }
    }
}

/// A container engine client: its class, program and the environment it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// The class.
    pub kind: EngineKind,
    /// The client program, as the user named it (`docker`, `podman`, or a path).
    pub program: String,
    /// Why this client cannot build (a docker client with neither buildx nor built-in
    /// BuildKit; the error names the fix): it still runs containers.
    pub cannot_build: Option<String>,
}

impl Cmd {
    /// A command of `engine`, with its environment.
    pub fn engine(engine: &Engine) -> Self {
        let mut c = Self::new(engine.program.clone());
        c.env = engine.env();
        c
    }
}

impl Engine {
    /// An engine of a known class: tests and callers that already know skip detection.
    pub fn new(kind: EngineKind, program: impl Into<String>) -> Self {
        Self {
            kind,
            program: program.into(),
            cannot_build: None,
        }
    }

    /// Fails with the fix when this client cannot build images (only `run` works with it).
    pub fn require_build(&self) -> Result<(), Error> {
        match &self.cannot_build {
            Some(problem) => Err(Error::engine(problem.clone(), NO_BUILDKIT_FIX)),
            None => Ok(()),
        }
    }

    /// True for docker (either class).
    pub fn is_docker(&self) -> bool {
        !self.is_podman()
    }

    /// True for podman.
    pub fn is_podman(&self) -> bool {
        self.kind == EngineKind::Podman
    }

    /// `--progress=plain` exists (docker); podman has no `--progress`.
    pub fn has_progress_flag(&self) -> bool {
        self.is_docker()
    }

    /// `--gpus` gives GPUs (docker with the NVIDIA runtime); podman accepts and ignores it
    /// (it uses CDI: `--device nvidia.com/gpu=all`).
    pub fn honors_gpus_flag(&self) -> bool {
        self.is_docker()
    }

    /// Multi-platform builds pushed as one index are possible.
    pub fn can_build_multiarch(&self) -> bool {
        matches!(self.kind, EngineKind::DockerBuildx | EngineKind::Podman)
    }

    /// Index annotations are set by the build itself (`--annotation index:...`); podman sets
    /// them per manifest instead (`manifest annotate`).
    pub fn annotates_index_on_build(&self) -> bool {
        self.kind == EngineKind::DockerBuildx
    }

    /// The build can attach BuildKit's SBOM and provenance attestations (`--sbom`,
    /// `--provenance`): buildx only.
    pub fn can_attest(&self) -> bool {
        self.kind == EngineKind::DockerBuildx
    }

    /// A plain-HTTP registry on a loopback address needs `--tls-verify=false` (podman;
    /// dockerd trusts loopback registries).
    pub fn needs_tls_verify_false(&self, registry: &str) -> bool {
        self.is_podman() && is_loopback_registry(registry)
    }

    /// Variables the client needs on top of the inherited environment.
    pub fn env(&self) -> Vec<(String, String)> {
        match self.kind {
            EngineKind::DockerBuiltinBuildkit if self.cannot_build.is_none() => {
                vec![(env::DOCKER_BUILDKIT.into(), "1".into())]
            }
            _ => Vec::new(),
        }
    }

    /// The build subcommand: `buildx build` or `build`.
    pub fn build_subcommand(&self) -> &'static [&'static str] {
        match self.kind {
            EngineKind::DockerBuildx => &["buildx", "build"],
            _ => &["build"],
        }
    }
}

/// What to do about a docker client that cannot build ([`Engine::cannot_build`]).
pub(crate) const NO_BUILDKIT_FIX: &str = "install buildx (apt install docker-buildx, or docker-buildx-plugin from docker's repository) or set CONTAINER_CMD=podman";

/// True for `localhost[:port]`, `127.x.x.x[:port]` and `[::1][:port]` (optionally followed by a path).
pub(crate) fn is_loopback_registry(registry: &str) -> bool {
    let host = registry.split('/').next().unwrap_or("");
    let host = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// How long a reachability probe may take before the engine counts as not running.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// Finds and classifies the engine like cross-rs: `CONTAINER_CMD` (docker, podman or a
/// path), else docker when its daemon answers, else podman. `check_running` also requires
/// the chosen engine to answer (skipped for `--dry-run`).
pub fn detect(vars: &Vars, check_running: bool) -> Result<Engine, Error> {
    let path = vars.env().get(env::PATH).cloned().unwrap_or_default();
    let find = |name: &str| {
        which::which_in(
            name,
            Some(&path),
            std::env::current_dir().unwrap_or_default(),
        )
        .ok()
    };

    if let Some(cmd) = vars.get(env::CONTAINER_CMD).filter(|c| !c.is_empty()) {
        let resolved = if cmd.contains('/') {
            Some(PathBuf::from(cmd)).filter(|p| p.is_file())
        } else {
            find(cmd)
        };
        let Some(resolved) = resolved else {
            return Err(Error::engine(
                format!("CONTAINER_CMD={cmd:?}: no such program"),
                install_hint(),
            ));
        };
        let engine = classify(cmd, &resolved, vars)?;
        if check_running {
            ensure_running(&engine, vars)?;
        }
        return Ok(engine);
    }

    let docker = find("docker");
    let podman = find("podman");
    if let Some(d) = &docker {
        let engine = classify("docker", d, vars);
        if let Ok(engine) = &engine
            && (!check_running || ensure_running(engine, vars).is_ok())
        {
            return Ok(engine.clone());
        }
        if podman.is_none() {
            engine?;
            return Err(not_running("docker", vars));
        }
    }
    if let Some(p) = &podman {
        let engine = classify("podman", p, vars)?;
        if check_running {
            ensure_running(&engine, vars)?;
        }
        return Ok(engine);
    }
    Err(Error::engine(
        "no container engine found on PATH",
        install_hint(),
    ))
}

fn install_hint() -> &'static str {
    "install docker with buildx (https://docs.docker.com/engine/install/) or podman (apt install podman), or set CONTAINER_CMD=/path/to/docker-or-podman"
}

fn not_running(what: &str, vars: &Vars) -> Error {
    let host = vars
        .env()
        .get(env::DOCKER_HOST)
        .map(|h| format!(" at DOCKER_HOST={h}"))
        .unwrap_or_default();
    Error::engine(
        format!("{what} is installed but its daemon does not answer{host}"),
        "start it (sudo systemctl start docker), or use podman with CONTAINER_CMD=podman",
    )
}

/// Classifies a client: podman by its `--version`, docker by buildx presence and client version.
fn classify(name: &str, path: &Path, vars: &Vars) -> Result<Engine, Error> {
    let base = path.file_name().and_then(|f| f.to_str()).unwrap_or(name);
    if base.contains("podman") {
        return Ok(Engine::new(EngineKind::Podman, name));
    }
    let out = probe(Command::new(path).arg("--version"), vars)
        .map_err(|e| Error::engine(format!("{name} --version failed: {e}"), install_hint()))?;
    let text = out.to_lowercase();
    if text.contains("podman") {
        return Ok(Engine::new(EngineKind::Podman, name));
    }
    if !text.contains("docker") {
        return Err(Error::engine(
            format!(
                "CONTAINER_CMD={name:?} is neither docker nor podman ({})",
                text.trim()
            ),
            "set CONTAINER_CMD=docker or CONTAINER_CMD=podman",
        ));
    }
    if has_buildx(path, vars) {
        return Ok(Engine::new(EngineKind::DockerBuildx, name));
    }
    match docker_client_major(&text) {
        Some(major) if major <= 22 => Ok(Engine::new(EngineKind::DockerBuiltinBuildkit, name)),
        // Runs containers; building needs BuildKit (checked where a build is planned).
        _ => Ok(Engine {
            cannot_build: Some(format!(
                "{name} ({}) has no buildx plugin and no built-in BuildKit",
                text.trim()
            )),
            ..Engine::new(EngineKind::DockerBuiltinBuildkit, name)
        }),
    }
}

/// `Docker version 20.10.24+dfsg1, build 297e128` -> 20.
fn docker_client_major(version_text: &str) -> Option<u32> {
    let after = version_text.split("version").nth(1)?.trim_start();
    after.split(['.', ' ', ',']).next()?.parse().ok()
}

/// Looks for the buildx CLI plugin where docker looks for it (no process spawned).
fn has_buildx(docker: &Path, vars: &Vars) -> bool {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(cfg) = vars.env().get(env::DOCKER_CONFIG) {
        dirs.push(Path::new(cfg).join("cli-plugins"));
    } else if let Some(home) = vars.env().get(env::HOME) {
        dirs.push(Path::new(home).join(".docker/cli-plugins"));
    }
    for d in [
        "/usr/local/lib/docker/cli-plugins",
        "/usr/local/libexec/docker/cli-plugins",
        "/usr/lib/docker/cli-plugins",
        "/usr/libexec/docker/cli-plugins",
    ] {
        dirs.push(PathBuf::from(d));
    }
    if let Some(parent) = docker.parent() {
        dirs.push(parent.join("../lib/docker/cli-plugins"));
        dirs.push(parent.join("../libexec/docker/cli-plugins"));
    }
    dirs.iter().any(|d| d.join("docker-buildx").is_file())
}

/// Fails with an actionable message when the engine does not answer.
pub fn ensure_running(engine: &Engine, vars: &Vars) -> Result<(), Error> {
    let mut cmd = Command::new(&engine.program);
    cmd.envs(engine.env());
    if engine.is_podman() {
        cmd.args(["version", "--format", "{{.Client.Version}}"]);
        probe(&mut cmd, vars).map(|_| ()).map_err(|e| {
            Error::engine(
                format!("podman does not work ({e})"),
                "check `podman info` (storage, containers.conf) or use CONTAINER_CMD=docker",
            )
        })
    } else {
        cmd.args(["version", "--format", "{{.Server.Version}}"]);
        probe(&mut cmd, vars)
            .map(|_| ())
            .map_err(|_| not_running("docker", vars))
    }
}

/// Runs a short query with a time bound; its stdout on success, its stderr on failure.
pub(crate) fn probe(cmd: &mut Command, _vars: &Vars) -> Result<String, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > PROBE_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {}s", PROBE_TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(e.to_string()),
        }
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("failed")
            .trim()
            .to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_client_versions() {
        for (text, want) in [
            ("docker version 20.10.24+dfsg1, build 297e128", Some(20)),
            ("docker version 28.2.2, build e6534b4", Some(28)),
            ("docker version 22.06.0-beta.0", Some(22)),
            ("something else", None),
        ] {
            assert_eq!(docker_client_major(text), want, "{text}");
        }
    }

    #[test]
    fn loopback_registries() {
        for (r, want) in [
            ("127.0.0.1:5000", true),
            ("127.0.0.1:5000/org", true),
            ("localhost:5000", true),
            ("[::1]:5000", true),
            ("ghcr.io/org", false),
            ("10.0.0.1:5000", false),
        ] {
            assert_eq!(is_loopback_registry(r), want, "{r}");
        }
    }

    #[test]
    fn capabilities_per_class() {
        let buildx = Engine::new(EngineKind::DockerBuildx, "docker");
        let builtin = Engine::new(EngineKind::DockerBuiltinBuildkit, "/usr/bin/docker");
        let podman = Engine::new(EngineKind::Podman, "podman");
        assert!(
            buildx.has_progress_flag()
                && builtin.has_progress_flag()
                && !podman.has_progress_flag()
        );
        assert!(
            buildx.can_build_multiarch()
                && !builtin.can_build_multiarch()
                && podman.can_build_multiarch()
        );
        assert!(
            podman.needs_tls_verify_false("127.0.0.1:5000")
                && !buildx.needs_tls_verify_false("127.0.0.1:5000")
        );
        assert_eq!(
            builtin.env(),
            vec![("DOCKER_BUILDKIT".to_string(), "1".to_string())]
        );
        assert_eq!(buildx.build_subcommand(), ["buildx", "build"]);
    }
}
