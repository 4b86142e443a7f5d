//! Fake engine clients that record their argv, for tests of what `nss` would run.

use std::path::{Path, PathBuf};

/// Variable the fake engine clients append their argv to.
pub const NSS_FAKE_LOG: &str = "NSS_FAKE_LOG";

/// A fake engine client: a shell script named `docker` or `podman` that appends its argv
/// to `$NSS_FAKE_LOG`, prints its version line for `--version`, and succeeds otherwise
/// (see [`FakeEngineBuilder`] for what can differ). A `DOCKER_CONFIG` of its own goes
/// into [`FakeEngine::env`], with a `docker-buildx` plugin when asked for.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let fake = nss_testkit::FakeEngine::docker().buildx().run_exits(125, "refused").write(dir.path());
/// let out = std::process::Command::new(&fake.program)
///     .envs(fake.env.iter().cloned())
///     .args(["run", "x"])
///     .output()?;
/// assert_eq!(out.status.code(), Some(125));
/// assert_eq!(fake.calls(), ["run x"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FakeEngine {
    /// The client program.
    pub program: PathBuf,
    /// The log of invocations.
    pub log: PathBuf,
    /// Variables to add to the environment (`NSS_FAKE_LOG`, `DOCKER_CONFIG`).
    pub env: Vec<(String, String)>,
}

/// How a [`FakeEngine`] behaves; [`FakeEngineBuilder::write`] makes it.
#[derive(Debug, Clone)]
pub struct FakeEngineBuilder {
    name: String,
    version: String,
    buildx: bool,
    daemon_up: bool,
    run_code: i32,
    run_stderr: String,
}

impl FakeEngine {
    /// A fake `podman` 4.3.1.
    pub fn podman() -> FakeEngineBuilder {
        Self::client("podman", "podman version 4.3.1")
    }

    /// A fake `docker` 20.10 client without buildx, its daemon up.
    pub fn docker() -> FakeEngineBuilder {
        Self::client("docker", "Docker version 20.10.24+dfsg1, build 297e128")
    }

    /// A fake client called `name` (`docker` or `podman`) printing `version_line` for `--version`.
    pub fn client(name: &str, version_line: &str) -> FakeEngineBuilder {
        FakeEngineBuilder {
            name: name.to_string(),
            version: version_line.to_string(),
            buildx: false,
            daemon_up: true,
            run_code: 0,
            run_stderr: String::new(),
        }
    }

    /// The invocations so far, one argv line each (excluding classification `--version`).
    pub fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| *l != "--version")
            .map(str::to_string)
            .collect()
    }
}

impl FakeEngineBuilder {
    /// Prints `line` for `--version`.
    pub fn version(mut self, line: &str) -> Self {
        self.version = line.to_string();
        self
    }

    /// With a `docker-buildx` plugin under its `DOCKER_CONFIG`.
    pub fn buildx(self) -> Self {
        self.buildx_if(true)
    }

    /// With a `docker-buildx` plugin when `present`.
    pub fn buildx_if(mut self, present: bool) -> Self {
        self.buildx = present;
        self
    }

    /// `version` and `info` fail as with no daemon to talk to.
    pub fn daemon_down(mut self) -> Self {
        self.daemon_up = false;
        self
    }

    /// `run` prints `stderr` and exits `code`.
    pub fn run_exits(mut self, code: i32, stderr: &str) -> Self {
        self.run_code = code;
        self.run_stderr = stderr.to_string();
        self
    }

    /// Writes the fake client (and its log and config) into `dir`.
    pub fn write(self, dir: &Path) -> FakeEngine {
        let name = &self.name;
        let bin = dir.join(format!("fake-{name}-bin"));
        std::fs::create_dir_all(&bin).expect("create the fake client's directory");
        let program = bin.join(name);
        let log = dir.join(format!("fake-{name}.log"));
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"${NSS_FAKE_LOG}\"\ncase \"$1\" in\n  --version) echo '{}' ;;\n  version|info) {} ;;\n  run) printf '%s\\n' '{}' >&2; exit {} ;;\nesac\nexit 0\n",
            self.version,
            if self.daemon_up {
                "exit 0"
            } else {
                "echo 'Cannot connect to the Docker daemon' >&2; exit 1"
            },
            self.run_stderr,
            self.run_code
        );
        std::fs::write(&program, script).expect("write the fake client");
        std::fs::set_permissions(
            &program,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .expect("make the fake client executable");
        let mut env = vec![(NSS_FAKE_LOG.to_string(), log.display().to_string())];
        let config = dir.join(format!("fake-{name}-config"));
        std::fs::create_dir_all(config.join("cli-plugins")).expect("create DOCKER_CONFIG");
        if self.buildx {
            std::fs::write(config.join("cli-plugins/docker-buildx"), "#!/bin/sh\n")
                .expect("write the buildx plugin");
        }
        env.push(("DOCKER_CONFIG".into(), config.display().to_string()));
        FakeEngine { program, log, env }
    }
}
