//! One invocation: the project, its variables, and the plans and reports built from them.

use std::path::{Path, PathBuf};

use nss_buildspec::{BuildSpec, Platform, Project};
use nss_labels::Labels;

use crate::engine::Engine;
use crate::env;
use crate::error::Error;
use crate::plan::{
    self, BuildInputs, ImageKind, ImageKindExt, MultiarchInputs, Plan, Preflight, RunInputs,
};
use crate::validate::{self, ProjectDirSource};
use crate::vars::Vars;

/// The example project bundled with nss, used when no project is found: its directory in
/// nss's cache (written when the session picks it).
pub(crate) fn bundled_example(vars: &Vars) -> PathBuf {
    crate::assets::cache_root(vars).map_or_else(
        |_| PathBuf::from("(no cache directory: set XDG_CACHE_HOME or HOME)"),
        |root| {
            crate::assets::cache_dir(
                &root,
                crate::assets::EXAMPLE.name,
                &crate::assets::owned(&crate::assets::EXAMPLE),
            )
        },
    )
}

/// Where an image's Dockerfile comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DockerfileSource {
    /// `CONTAINER_GPU_FILE` / `CONTAINER_TEST_FILE` names it.
    Variable(&'static str),
    /// The project's own file at the default path.
    Project,
    /// The project has none: the generic one bundled with nss, written to its cache.
    Bundled,
}

impl DockerfileSource {
    /// Why this file, in words.
    pub fn describe(&self) -> String {
        match self {
            DockerfileSource::Variable(v) => format!("set by {v}"),
            DockerfileSource::Project => "the project's own".into(),
            DockerfileSource::Bundled => {
                "the project has none: the generic one bundled with nss (`nss init` copies it into the project)".into()
            }
        }
    }
}

/// The project, variables and surroundings of one `nss` invocation.
#[derive(Debug, Clone)]
pub struct Session {
    /// The project directory.
    pub project_dir: PathBuf,
    /// Where it was taken from.
    pub project_dir_source: ProjectDirSource,
    /// `NAME=value` arguments over the environment.
    pub vars: Vars,
    /// The current directory (relative paths in variables are against it).
    pub cwd: PathBuf,
    /// The project's git facts, read once per session (`check` and `sync` label every image).
    git: std::cell::OnceCell<nss_labels::GitFacts>,
    /// Unique to this invocation (`nss-run-<pid>-<hex>`): names its container and its
    /// temporary tags and directories.
    run_id: String,
}

impl Session {
    /// A session with the project dir chosen by [`validate::project_dir`].
    pub fn new(flag: Option<&Path>, vars: Vars, cwd: PathBuf) -> Self {
        let (project_dir, project_dir_source) =
            validate::project_dir(flag, &vars, &cwd, &bundled_example(&vars));
        if project_dir_source == ProjectDirSource::Bundled
            && let Ok(root) = crate::assets::cache_root(&vars)
        {
            // A failure shows as the missing pyproject.toml `project()` reports.
            let _ = crate::assets::materialize(
                &root,
                crate::assets::EXAMPLE.name,
                &crate::assets::owned(&crate::assets::EXAMPLE),
            );
        }
        Self {
            project_dir,
            project_dir_source,
            vars,
            cwd,
            git: std::cell::OnceCell::new(),
            run_id: invocation_id(),
        }
    }

    /// Loads `pyproject.toml` (and `.python-version`).
    pub fn project(&self) -> Result<Project, Error> {
        if self.project_dir_source == ProjectDirSource::Bundled {
            // The bundled example lives in nss's cache: say why it is not there.
            crate::assets::cache_root(&self.vars)?;
        }
        if std::fs::symlink_metadata(self.project_dir.join("pyproject.toml")).is_err() {
            return Err(Error::usage(
                format!(
                    "{}: no pyproject.toml (project dir from {})",
                    self.project_dir.display(),
                    self.project_dir_source.describe()
                ),
                "pass --project DIR or set NSS_PROJECT_DIR",
            ));
        }
        Ok(Project::load(&self.project_dir)?)
    }

    /// Resolves the build spec for a platform (default `CONTAINER_GPU_PLATFORM`).
    pub fn spec(&self, project: &Project, platform: Option<&str>) -> Result<BuildSpec, Error> {
        let platform = match platform {
            Some(p) => p.to_string(),
            None => self.platform()?,
        };
        let inputs = nss_buildspec::Inputs {
            overrides: self.vars.spec_overrides(),
            env: self.vars.env().clone(),
            platform: Some(platform),
        };
        Ok(nss_buildspec::resolve(project, &inputs)?)
    }

    /// `CONTAINER_GPU_PLATFORM`, validated.
    pub fn platform(&self) -> Result<String, Error> {
        let p = self
            .vars
            .value(env::CONTAINER_GPU_PLATFORM)
            .unwrap_or_default();
        validate::validate_platform(&p, env::CONTAINER_GPU_PLATFORM)?;
        Ok(p)
    }

    /// The Dockerfile of an image, absolute (relative values are against the project dir).
    /// When the variable is unset and the project has no such file, the generic Dockerfile
    /// bundled with nss (written to its cache directory).
    pub fn dockerfile(&self, kind: ImageKind) -> PathBuf {
        self.dockerfile_choice(kind).0
    }

    /// The Dockerfile of an image and why that one.
    pub fn dockerfile_choice(&self, kind: ImageKind) -> (PathBuf, DockerfileSource) {
        let var = kind.file_var();
        let v = self.vars.value(var).unwrap_or_default();
        let path = self.project_dockerfile(kind);
        if self.vars.source(var) != crate::vars::VarSource::Default {
            return (path, DockerfileSource::Variable(var));
        }
        // Anything at the project's path is the project's (a FIFO or a directory there is
        // reported when it is read, not silently replaced by the bundled file).
        if std::fs::symlink_metadata(&path).is_ok() {
            return (path, DockerfileSource::Project);
        }
        let bundled = crate::assets::DOCKERFILES
            .get(&v)
            .and_then(|_| crate::assets::cache_root(&self.vars).ok())
            .and_then(|root| {
                crate::assets::materialize(
                    &root,
                    crate::assets::DOCKERFILES.name,
                    &crate::assets::owned(&crate::assets::DOCKERFILES),
                )
                .ok()
            });
        match bundled {
            Some(dir) => (dir.join(&v), DockerfileSource::Bundled),
            None => (path, DockerfileSource::Project),
        }
    }

    /// The Dockerfile of an image as the project names it (`CONTAINER_GPU_FILE` /
    /// `CONTAINER_TEST_FILE`, relative to the project dir), without the bundled fallback.
    pub fn project_dockerfile(&self, kind: ImageKind) -> PathBuf {
        let v = self.vars.value(kind.file_var()).unwrap_or_default();
        validate::normalize(&self.project_dir.join(expand_home(&v, &self.vars)))
    }

    /// The image reference of a kind, validated.
    pub fn image(&self, kind: ImageKind) -> Result<String, Error> {
        validate::image_var(&self.vars, kind.image_var())
    }

    /// Every check that must pass before anything runs, whatever the command: platform,
    /// image references, `CMD`, `CONTAINER_GPU_FLAG` and `CONTAINER_EXTRA_MOUNTS` (so that
    /// the build a run task depends on fails as early as the run would).
    pub fn validate(&self) -> Result<(), Error> {
        self.platform()?;
        for kind in [ImageKind::Runtime, ImageKind::Dev, ImageKind::Test] {
            self.image(kind)?;
        }
        self.cmd_var()?;
        self.gpu_flag()?;
        self.extra_mounts()?;
        self.vars.switch(env::CONTAINER_BASE_CHECK)?;
        for name in [
            env::CONTAINER_PREFLIGHT_IMAGE,
            env::CONTAINER_GPU_CACHE,
            env::CONTAINER_TEST_CACHE,
        ] {
            if let Some(r) = self.vars.get(name).filter(|r| !r.is_empty()) {
                crate::reference::validate_reference(r, name)?;
            }
        }
        Ok(())
    }

    /// `CMD` in words, when set.
    fn cmd_var(&self) -> Result<Option<Vec<String>>, Error> {
        self.vars
            .get(env::CMD)
            .filter(|c| !c.trim().is_empty())
            .map(|c| validate::split_var(env::CMD, c))
            .transpose()
    }

    /// The command in the container: `ARGS`, else `CMD`, else the image's own (the dev and
    /// test commands from the spec).
    fn cmd(
        &self,
        kind: ImageKind,
        args: &[String],
        spec: &BuildSpec,
    ) -> Result<Vec<String>, Error> {
        if !args.is_empty() {
            return Ok(args.to_vec());
        }
        if let Some(cmd) = self.cmd_var()? {
            return Ok(cmd);
        }
        match kind {
            ImageKind::Runtime => Ok(kind.default_cmd()),
            ImageKind::Dev => validate::split_var("DEV_COMMAND", &spec.dev_command.value),
            ImageKind::Test => validate::split_var("TEST_COMMAND", &spec.test_command.value),
        }
    }

    fn gpu_flag(&self) -> Result<Vec<String>, Error> {
        let words = validate::split_var(
            env::CONTAINER_GPU_FLAG,
            &self.vars.value(env::CONTAINER_GPU_FLAG).unwrap_or_default(),
        )?;
        validate::refuse_secret_values(env::CONTAINER_GPU_FLAG, &words)?;
        Ok(words)
    }

    fn extra_mounts(&self) -> Result<Vec<String>, Error> {
        let raw = self
            .vars
            .value(env::CONTAINER_EXTRA_MOUNTS)
            .unwrap_or_default();
        let words = validate::split_var(env::CONTAINER_EXTRA_MOUNTS, &raw)?;
        validate::refuse_secret_values(env::CONTAINER_EXTRA_MOUNTS, &words)?;
        validate::validate_mounts(
            &words,
            &self.cwd,
            self.vars.env().get(env::HOME).map(String::as_str),
        )
    }

    /// The labels of an image, with the usage text rendered from its run plan.
    pub fn labels(
        &self,
        project: &Project,
        spec: &BuildSpec,
        kind: ImageKind,
        image: &str,
    ) -> Result<Labels, Error> {
        let metadata =
            nss_labels::Metadata::from_document(project.document(), project.pyproject_path())?;
        let git = self
            .git
            .get_or_init(|| nss_labels::GitFacts::read(project.dir()));
        let usage = plan::usage_text(kind, image);
        let inputs = nss_labels::LabelInputs {
            kind,
            spec,
            metadata: &metadata,
            git,
            env: self.vars.env(),
            usage: &usage,
        };
        Ok(nss_labels::generate(&inputs)?)
    }

    fn build_ca(&self) -> Result<Option<PathBuf>, Error> {
        let Some(ca) = self
            .vars
            .get(env::CONTAINER_BUILD_CA)
            .filter(|c| !c.is_empty())
        else {
            return Ok(None);
        };
        let path = self.cwd.join(expand_home(ca, &self.vars));
        let shown = nss_buildspec::excerpt(ca);
        let fix = "point it at a PEM CA bundle file, e.g. /etc/ssl/certs/ca-certificates.crt";
        let found = match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => None,
            Ok(m) => Some(nss_buildspec::describe_file_type(m.file_type())),
            Err(_) => Some("no such file"),
        };
        if let Some(found) = found {
            let found = found
                .strip_prefix("a ")
                .map_or(found.to_string(), |f| format!("a {f}, not a file"));
            return Err(Error::usage(
                format!(
                    "{}={shown}: {found} ({})",
                    env::CONTAINER_BUILD_CA,
                    path.display()
                ),
                fix,
            ));
        }
        check_option_path(env::CONTAINER_BUILD_CA, &path, "--secret", &[',', '"'])?;
        Ok(Some(path))
    }

    /// Where the image's `/nss-preflight` comes from. `multiarch` names the registry a
    /// multi-platform build pushes to (the preflight image is pushed beside it).
    fn preflight(
        &self,
        dockerfile_text: &str,
        platform: &str,
        multiarch: Option<&str>,
    ) -> Result<Preflight, Error> {
        if let Some(p) = self
            .vars
            .get(env::CONTAINER_PREFLIGHT_IMAGE)
            .filter(|p| !p.is_empty())
        {
            return Ok(Preflight::Image(p.to_string()));
        }
        if !nss_buildspec::arg_defaults(dockerfile_text)
            .iter()
            .any(|a| a.name == "PREFLIGHT_IMAGE")
        {
            return Ok(Preflight::DockerfileDefault);
        }
        // The preflight sources embedded in nss, written to its cache: never the project's
        // build context.
        let root = crate::assets::cache_root(&self.vars)?;
        let files = crate::assets::preflight_files();
        let sources = crate::assets::materialize(&root, crate::assets::PREFLIGHT.name, &files)?;
        let hash = sources
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.rsplit('-').next())
            .unwrap_or("0")
            .to_string();
        let version = format!("{}-{hash}", env!("CARGO_PKG_VERSION"));
        if let Some(registry) = multiarch {
            return Ok(Preflight::Build {
                context: sources,
                platforms: Platform::ALL.map(|p| p.name().to_string()).to_vec(),
                tag: format!("{registry}/nss-preflight:{version}"),
                push: true,
            });
        }
        let arch = platform.rsplit('/').next().unwrap_or("amd64");
        let cargo = self.host_cargo();
        match (Platform::host(), cargo) {
            (Some(host), Some(cargo)) if host.name() == platform => {
                let target_dir = self
                    .vars
                    .env()
                    .get(env::CARGO_TARGET_DIR)
                    .filter(|t| !t.is_empty())
                    .map_or_else(|| root.join("target"), PathBuf::from);
                Ok(Preflight::Local {
                    cargo,
                    workspace: sources,
                    triple: host.rust_triple().to_string(),
                    platform: host.name().to_string(),
                    tag: format!("nss-preflight:{version}-{arch}"),
                    // Per invocation: concurrent builds must not share (and delete) one context.
                    stage_dir: target_dir.join(format!("nss-preflight-image.{}", self.run_id)),
                    target_dir,
                })
            }
            _ => Ok(Preflight::Build {
                context: sources,
                platforms: vec![platform.to_string()],
                tag: format!("nss-preflight:{version}-{arch}"),
                push: false,
            }),
        }
    }

    /// `cargo` on `PATH` (or `$CARGO`), to compile the preflight for the host.
    fn host_cargo(&self) -> Option<String> {
        let path = self.vars.env().get(env::PATH).cloned().unwrap_or_default();
        which::which_in("cargo", Some(path), &self.cwd)
            .ok()
            .map(|p| p.to_string_lossy().into_owned())
            .or_else(|| self.vars.env().get(env::CARGO).cloned())
    }

    fn read_dockerfile(&self, kind: ImageKind) -> Result<(PathBuf, String), Error> {
        let (path, source) = self.dockerfile_choice(kind);
        // The bundled Dockerfile lives in nss's cache, outside the project: read it there.
        let bundled = matches!(source, DockerfileSource::Bundled)
            .then(|| path.parent())
            .flatten();
        let text = self.read_project_dockerfile(kind, &path, bundled)?;
        Ok((path, text))
    }

    /// Reads a Dockerfile through [`nss_buildspec::read_project_file`]: a regular file
    /// inside the project (or inside `bundled`, the cache directory of nss's own
    /// Dockerfiles), size-capped.
    fn read_project_dockerfile(
        &self,
        kind: ImageKind,
        path: &Path,
        bundled: Option<&Path>,
    ) -> Result<String, Error> {
        let looked = || {
            format!(
                "set {} to the Dockerfile to build (relative paths are against {}), or run nss init to give the project its own copies of the generic ones",
                kind.file_var(),
                self.project_dir.display()
            )
        };
        if std::fs::symlink_metadata(path).is_err() {
            return Err(Error::usage(
                format!(
                    "{}: no Dockerfile there ({}={})",
                    path.display(),
                    kind.file_var(),
                    nss_buildspec::excerpt(&self.vars.value(kind.file_var()).unwrap_or_default()),
                ),
                looked(),
            ));
        }
        let root = bundled.unwrap_or(&self.project_dir);
        nss_buildspec::read_project_file(path, nss_buildspec::FileKind::Dockerfile, Some(root))
            .map_err(|source| Error::Dockerfile {
                source: Box::new(source),
                var: kind.file_var(),
            })
    }

    /// The build inputs of one image at one platform, and the project they were read from
    /// (each input is gathered once per invocation; the caller has run [`Session::validate`]).
    pub(crate) fn build_inputs(
        &self,
        kind: ImageKind,
        platform: &str,
        tag: String,
        multiarch: Option<&str>,
    ) -> Result<(BuildInputs, Project), Error> {
        let (dockerfile, text) = self.read_dockerfile(kind)?;
        let project = self.project()?;
        let spec = self.spec(&project, Some(platform))?;
        let labels = self.labels(&project, &spec, kind, &tag)?;
        let inputs = BuildInputs {
            image: kind,
            dockerfile,
            context: self.project_dir.clone(),
            tag,
            platform: platform.to_string(),
            build_args: spec
                .build_args(kind.flavor())
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .chain(
                    self.vars
                        .value(env::UV_PYTHON_INSTALL_MIRROR)
                        .map(|m| (env::UV_PYTHON_INSTALL_MIRROR.to_string(), m)),
                )
                .collect(),
            labels,
            build_ca: self.build_ca()?,
            preflight: self.preflight(&text, platform, multiarch)?,
            plain_progress: !std::io::IsTerminal::is_terminal(&std::io::stdout()),
            scratch_dir: self
                .vars
                .env()
                .get(env::TMPDIR)
                .filter(|t| !t.is_empty())
                .map_or_else(|| PathBuf::from("/tmp"), PathBuf::from),
            attestations: plan::Attestations {
                sbom: self.vars.switch(env::SBOM)?,
                provenance: self.vars.switch(env::PROVENANCE)?,
            },
            run_id: self.run_id.clone(),
            cache: self.nonempty(match kind {
                ImageKind::Runtime | ImageKind::Dev => env::CONTAINER_GPU_CACHE,
                ImageKind::Test => env::CONTAINER_TEST_CACHE,
            }),
            builder: self.nonempty(env::CONTAINER_GPU_BUILDER),
        };
        Ok((inputs, project))
    }

    fn nonempty(&self, name: &str) -> Option<String> {
        self.vars
            .get(name)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }

    /// Plans `nss build --image KIND`.
    pub fn plan_build(&self, engine: &Engine, kind: ImageKind) -> Result<Plan, Error> {
        self.plan_build_all(engine, &[kind])
    }

    /// Plans `nss build --image KIND,KIND...`: one image as [`plan::plan_build`] does,
    /// several as [`plan::plan_build_all`] does (each image once, in the order given).
    pub fn plan_build_all(&self, engine: &Engine, kinds: &[ImageKind]) -> Result<Plan, Error> {
        engine.require_build()?;
        crate::builder::check(engine, &self.vars)?;
        let platform = self.platform()?;
        self.validate()?;
        let mut all = Vec::new();
        let mut seen = Vec::new();
        for &kind in kinds {
            if seen.contains(&kind) {
                continue;
            }
            seen.push(kind);
            let tag = self.image(kind)?;
            all.push(self.build_inputs(kind, &platform, tag, None)?.0);
        }
        Ok(match all.as_slice() {
            [one] => plan::plan_build(engine, one),
            _ => plan::plan_build_all(engine, &all),
        })
    }

    /// Plans `nss run --image KIND [-- ARGS]`.
    pub fn plan_run(
        &self,
        engine: &Engine,
        kind: ImageKind,
        args: &[String],
        stdin_tty: bool,
        stdout_tty: bool,
    ) -> Result<Plan, Error> {
        self.validate()?;
        let project = self.project()?;
        // Validates [tool.nss] (its secrets list included) as a build would.
        let spec = self.spec(&project, None)?;
        let hf = self.vars.value(env::CONTAINER_HF_CACHE).ok_or_else(|| {
            Error::usage(
                "CONTAINER_HF_CACHE is not set and HOME is unknown",
                "set CONTAINER_HF_CACHE=/path/to/hf-cache",
            )
        })?;
        let hf_cache = self.cwd.join(expand_home(&hf, &self.vars));
        if let Ok(m) = std::fs::metadata(&hf_cache)
            && !m.is_dir()
        {
            return Err(Error::usage(
                format!(
                    "{}={}: {} is {}, not a directory",
                    env::CONTAINER_HF_CACHE,
                    nss_buildspec::excerpt(&hf),
                    hf_cache.display(),
                    nss_buildspec::describe_file_type(m.file_type())
                ),
                "point it at the Hugging Face cache directory (created when missing)",
            ));
        }
        for (what, path) in [
            (env::CONTAINER_HF_CACHE, &hf_cache),
            ("the project dir", &self.project_dir),
        ] {
            if path.to_string_lossy().contains(':') {
                check_option_path(what, path, "--mount", &[',', '"'])?;
            }
        }
        let inputs = RunInputs {
            image: self.image(kind)?,
            kind,
            platform: self.platform()?,
            name: self.run_id.clone(),
            project_dir: self.project_dir.clone(),
            hf_cache,
            gpu_flag: self.gpu_flag()?,
            cdi_available: cdi_available(),
            extra_mounts: self.extra_mounts()?,
            secrets: self.secrets(&project),
            cmd: self.cmd(kind, args, &spec)?,
            stdin_tty,
            tty: stdin_tty && stdout_tty,
        };
        Ok(plan::plan_run(engine, &inputs))
    }

    /// Secret names set in the environment: the built-in list plus `[tool.nss] secrets`.
    fn secrets(&self, project: &Project) -> Vec<String> {
        let mut names: Vec<String> = env::RUN_SECRETS.iter().map(|s| s.to_string()).collect();
        if let Some(list) = project
            .tool_nss()
            .and_then(|t| t.get("secrets"))
            .and_then(|s| s.as_array())
        {
            names.extend(list.iter().filter_map(|v| v.as_str().map(str::to_string)));
        }
        names.dedup();
        names
            .into_iter()
            .filter(|n| self.vars.env().get(n).is_some_and(|v| !v.is_empty()))
            .collect()
    }

    /// Plans `nss multiarch`: both platforms, pushed to `CONTAINER_GPU_REGISTRY`, then verified.
    pub fn plan_multiarch(&self, engine: &Engine) -> Result<Plan, Error> {
        self.validate()?;
        let registry = self
            .vars
            .value(env::CONTAINER_GPU_REGISTRY)
            .map(|r| r.trim_end_matches('/').to_string())
            .filter(|r| !r.is_empty())
            .ok_or_else(|| {
                Error::usage(
                    "multiarch pushes to a registry and CONTAINER_GPU_REGISTRY is not set",
                    "set CONTAINER_GPU_REGISTRY, e.g. CONTAINER_GPU_REGISTRY=ghcr.io/org",
                )
            })?;
        let image = self.image(ImageKind::Runtime)?;
        let reference = format!("{registry}/{image}");
        crate::reference::validate_reference(
            &reference,
            "CONTAINER_GPU_REGISTRY/CONTAINER_GPU_IMAGE",
        )?;
        engine.require_build()?;
        crate::builder::check(engine, &self.vars)?;
        if !engine.can_build_multiarch() {
            return Err(no_multiarch(engine));
        }
        // The labels are the same on both platforms (and annotate the index); the build
        // args may differ (`per_platform`).
        let (build, project) = self.build_inputs(
            ImageKind::Runtime,
            Platform::DEFAULT.name(),
            reference,
            Some(&registry),
        )?;
        let annotations = build.labels.clone();
        let path = self.vars.env().get(env::PATH).cloned().unwrap_or_default();
        let skopeo = which::which_in("skopeo", Some(path), &self.cwd)
            .ok()
            .map(|p| p.to_string_lossy().into_owned());
        let inputs = MultiarchInputs {
            build,
            registry,
            platforms: Platform::ALL.map(|p| p.name().to_string()).to_vec(),
            annotations,
            skopeo,
            per_platform: self.per_platform_args(&project)?,
        };
        plan::plan_multiarch(engine, &inputs).ok_or_else(|| no_multiarch(engine))
    }

    /// Each platform's build args when they differ between platforms (each gets the
    /// `CUDA_ARCH_FLAGS` the spec derives for it); empty when they are the same.
    fn per_platform_args(&self, project: &Project) -> Result<Vec<plan::PlatformArgs>, Error> {
        let mut out = Vec::new();
        for p in Platform::ALL.map(Platform::name) {
            let spec = self.spec(project, Some(p))?;
            let args = spec
                .build_args(ImageKind::Runtime.flavor())
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            out.push((p.to_string(), args));
        }
        if out.windows(2).all(|w| w[0].1 == w[1].1) {
            out.clear();
        }
        Ok(out)
    }

    /// The Dockerfiles `check`, `sync` and `lint` look at: the project's GPU one (required:
    /// a check with nothing to look at must not pass) and its test one (when present).
    pub fn checked_dockerfiles(&self) -> Result<Vec<(ImageKind, PathBuf, String)>, Error> {
        let mut out = Vec::new();
        let gpu = self.project_dockerfile(ImageKind::Runtime);
        let text = self.read_project_dockerfile(ImageKind::Runtime, &gpu, None)?;
        out.push((ImageKind::Runtime, gpu, text));
        let test = self.project_dockerfile(ImageKind::Test);
        if std::fs::symlink_metadata(&test).is_ok() {
            let text = self.read_project_dockerfile(ImageKind::Test, &test, None)?;
            out.push((ImageKind::Test, test, text));
        }
        Ok(out)
    }

    /// `nss labels`: the labels of an image.
    pub fn image_labels(&self, kind: ImageKind) -> Result<Labels, Error> {
        self.validate()?;
        let project = self.project()?;
        let spec = self.spec(&project, None)?;
        let image = self.image(kind)?;
        self.labels(&project, &spec, kind, &image)
    }

    /// A path as shown in findings: relative to the current directory when below it.
    pub fn display_path(&self, p: &Path) -> String {
        p.strip_prefix(&self.cwd).unwrap_or(p).display().to_string()
    }
}

fn no_multiarch(engine: &Engine) -> Error {
    Error::engine(
        format!(
            "{} cannot build multi-platform images",
            engine.kind.describe()
        ),
        "install buildx (apt install docker-buildx) or use CONTAINER_CMD=podman",
    )
}

/// Refuses a path an engine option cannot carry: `option` reads its value as
/// comma-separated `key=value` fields, so a path holding one of `bad` would end its field
/// early (and could add fields of its own); control characters are refused everywhere.
fn check_option_path(what: &str, path: &Path, option: &str, bad: &[char]) -> Result<(), Error> {
    let text = path.to_string_lossy();
    let found = text.chars().find(|c| bad.contains(c) || c.is_control());
    match found {
        None => Ok(()),
        Some(c) => Err(Error::usage(
            format!(
                "{what}: the path {} contains {c:?}, which the engine's {option} option cannot carry",
                nss_buildspec::excerpt(&text)
            ),
            "move or link it to a path without it",
        )),
    }
}

fn expand_home(p: &str, vars: &Vars) -> PathBuf {
    match (p.strip_prefix("~/"), vars.env().get(env::HOME)) {
        (Some(rest), Some(home)) => Path::new(home).join(rest),
        _ => PathBuf::from(p),
    }
}

/// A name unique to this invocation: the process id, and the clock's nanoseconds for
/// processes that reuse an id.
fn invocation_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("nss-run-{}-{:08x}", std::process::id(), nanos)
}

/// A CDI spec for NVIDIA GPUs exists (podman's way to `--gpus`).
fn cdi_available() -> bool {
    crate::host_gpu::cdi_spec(&nss_preflight::SystemProbe).is_some()
}
