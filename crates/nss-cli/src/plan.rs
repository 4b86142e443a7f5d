//! Plans: the engine commands of `build`, `run` and `multiarch` as data (pure functions).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::engine::Engine;

/// The platforms `nss` builds and runs.
pub const SUPPORTED_PLATFORMS: [&str; 2] = ["linux/amd64", "linux/arm64"];

/// Where the project directory is mounted in `run` containers.
pub const WORKSPACE: &str = "/workspace";
/// Where the Hugging Face cache is mounted (and `HF_HOME` points).
pub const HF_CACHE_MOUNT: &str = "/workspace/.hf_cache";
/// The id of the build secret holding `CONTAINER_BUILD_CA`.
pub const BUILD_CA_SECRET_ID: &str = "build_ca";

/// One program invocation: argv and extra environment, never through a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    /// The program (`docker`, `podman`, a path, `cargo`, `skopeo`).
    pub program: String,
    /// The arguments.
    pub args: Vec<String>,
    /// Variables set for this command on top of the inherited environment (no secrets here).
    pub env: Vec<(String, String)>,
}

impl Cmd {
    /// A command with no arguments yet.
    pub fn new(program: impl Into<String>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Appends one argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// A command of `engine`, with its environment.
    pub fn engine(engine: &Engine) -> Self {
        let mut c = Self::new(engine.program.clone());
        c.env = engine.env();
        c
    }
}

impl fmt::Display for Cmd {
    /// The shell-quoted form: `NAME=value ... program arg ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={}", quote(v)))
            .collect();
        words.push(quote(&self.program));
        words.extend(self.args.iter().map(|a| quote(a)));
        f.write_str(&words.join(" "))
    }
}

/// Quotes one word for a POSIX shell: bare when it holds only characters no shell treats
/// specially (`KEY=value` stays readable), else single-quoted (as `shell_words::quote` does).
/// A word holding control characters (a newline, an escape) is written in bash's `$'...'`
/// form with those characters escaped, so one command always stays on one line and
/// nothing printed can move the terminal's cursor.
pub fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:=,@+%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else if word.chars().any(char::is_control) {
        let mut out = String::from("$'");
        for c in word.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    } else {
        shell_words::quote(word).into_owned()
    }
}

/// The options binding host directory `src` at `dst`: `-v SRC:DST`, or `--mount
/// type=bind,src=SRC,dst=DST` when SRC holds a `:` (which `-v` reads as a separator).
/// The session refuses a source holding both `:` and `,` before planning.
pub(crate) fn bind_args(src: &Path, dst: &str) -> [String; 2] {
    let src = path_str(src);
    if src.contains(':') {
        ["--mount".into(), format!("type=bind,src={src},dst={dst}")]
    } else {
        ["-v".into(), format!("{src}:{dst}")]
    }
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Run a command; its output streams through; failure stops the plan.
    Run(Cmd),
    /// Run a command whose failure is expected and harmless (removing a stale manifest list).
    Try(Cmd),
    /// Run a container (named, so it can be removed on Ctrl-C); its exit code is the result.
    Container {
        /// The `run` command.
        cmd: Cmd,
        /// The `--name` it was given.
        name: String,
        /// The engine, for the cleanup `rm -f`.
        engine: Engine,
    },
    /// Create a directory (and parents) when missing.
    CreateDir(PathBuf),
    /// Remove a directory made by an earlier step (failure is harmless).
    RemoveDir(PathBuf),
    /// Make a build context holding a Dockerfile (and a file, if given).
    Stage {
        /// The file copied into the context.
        file: Option<PathBuf>,
        /// The context directory: created exclusively (mode 0700); it must not exist.
        dir: PathBuf,
        /// The Dockerfile written there.
        dockerfile: String,
    },
    /// podman: annotate every instance of a local manifest list.
    AnnotateInstances {
        /// The engine.
        engine: Engine,
        /// The manifest list.
        list: String,
        /// `KEY=VALUE` annotations.
        annotations: Vec<(String, String)>,
    },
    /// A step that runs whatever happened before it (a failure or Ctrl-C included), and whose
    /// own failure is harmless: removing this invocation's temporary tags and directories.
    Cleanup(Box<Step>),
    /// Read a pushed index (the command prints its raw JSON) and check it lists every platform.
    VerifyPlatforms {
        /// The inspect command.
        cmd: Cmd,
        /// The image checked.
        reference: String,
        /// `os/arch` values that must be present.
        platforms: Vec<String>,
    },
}

impl Step {
    /// The line `--dry-run` prints for this step, or `None` for steps that run no program.
    pub fn dry_run_line(&self) -> Option<String> {
        match self {
            Step::Run(c)
            | Step::Try(c)
            | Step::Container { cmd: c, .. }
            | Step::VerifyPlatforms { cmd: c, .. } => Some(c.to_string()),
            Step::AnnotateInstances {
                engine,
                list,
                annotations,
            } => {
                let c = Cmd::engine(engine)
                    .args(["manifest", "annotate"])
                    .args(manifest_annotation_args(annotations))
                    .arg(list.clone())
                    .arg("<each instance digest>");
                Some(c.to_string())
            }
            Step::Cleanup(inner) => inner.dry_run_line(),
            Step::CreateDir(_) | Step::RemoveDir(_) | Step::Stage { .. } => None,
        }
    }
}

/// `--annotation k=v` pairs for `podman manifest annotate`, which reads each value as a
/// CSV record: a pair holding `"`, `,` or a line break is CSV-quoted (`"k=a ""b"", c"`).
pub(crate) fn manifest_annotation_args(annotations: &[(String, String)]) -> Vec<String> {
    annotations
        .iter()
        .flat_map(|(k, v)| {
            let pair = format!("{k}={v}");
            let field = if pair.contains(['"', ',', '\n', '\r']) {
                format!("\"{}\"", pair.replace('"', "\"\""))
            } else {
                pair
            };
            ["--annotation".to_string(), field]
        })
        .collect()
}

/// An ordered list of steps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Notes for the user (printed on stderr before running).
    pub notes: Vec<String>,
}

impl Plan {
    /// The `--dry-run` output: one shell-quoted command per line.
    pub fn dry_run(&self) -> String {
        self.steps
            .iter()
            .filter_map(Step::dry_run_line)
            .map(|l| l + "\n")
            .collect()
    }
}

/// The image a command is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageKind {
    /// The CUDA runtime image (`--target runtime`).
    Runtime,
    /// The dev image (`--target dev`).
    Dev,
    /// The CPU-only test image (its own Dockerfile, single stage).
    Test,
}

impl ImageKind {
    /// `runtime`, `dev` or `test`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageKind::Runtime => "runtime",
            ImageKind::Dev => "dev",
            ImageKind::Test => "test",
        }
    }

    /// The `--target` stage, `None` for the test image.
    pub fn target(self) -> Option<&'static str> {
        match self {
            ImageKind::Runtime => Some("runtime"),
            ImageKind::Dev => Some("dev"),
            ImageKind::Test => None,
        }
    }

    /// The variable naming this image's tag.
    pub fn image_var(self) -> &'static str {
        match self {
            ImageKind::Runtime => crate::env::CONTAINER_GPU_IMAGE,
            ImageKind::Dev => crate::env::CONTAINER_GPU_IMAGE_DEV,
            ImageKind::Test => crate::env::CONTAINER_TEST_IMAGE,
        }
    }

    /// The variable naming this image's Dockerfile.
    pub fn file_var(self) -> &'static str {
        match self {
            ImageKind::Runtime | ImageKind::Dev => crate::env::CONTAINER_GPU_FILE,
            ImageKind::Test => crate::env::CONTAINER_TEST_FILE,
        }
    }

    /// The build-spec flavor of its build args.
    pub fn flavor(self) -> nss_buildspec::ImageFlavor {
        match self {
            ImageKind::Runtime | ImageKind::Dev => nss_buildspec::ImageFlavor::Gpu,
            ImageKind::Test => nss_buildspec::ImageFlavor::Cpu,
        }
    }

    /// The built-in command when `CMD` is not given: `--help` (runtime), `make test` (dev),
    /// the image's own (test), as the usage label shows them. `nss run` takes the dev and test commands from the spec
    /// (`[tool.nss] dev-command` / `test-command`, a Makefile `test-ci` target).
    pub fn default_cmd(self) -> Vec<String> {
        match self {
            ImageKind::Runtime => vec!["--help".into()],
            ImageKind::Dev => vec!["make".into(), "test".into()],
            ImageKind::Test => Vec::new(),
        }
    }
}

/// Where the `/nss-preflight` binary of an image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preflight {
    /// The Dockerfile does not take `PREFLIGHT_IMAGE`, or its own default is used.
    DockerfileDefault,
    /// A given image (`CONTAINER_PREFLIGHT_IMAGE`).
    Image(String),
    /// Built here: `cargo build` of the static binary, then a FROM-scratch image tagged `tag`.
    Local {
        /// The cargo program.
        cargo: String,
        /// The workspace holding `crates/nss-preflight`.
        workspace: PathBuf,
        /// cargo's target directory.
        target_dir: PathBuf,
        /// The Rust target triple of the build platform, e.g. `x86_64-unknown-linux-gnu`.
        triple: String,
        /// The platform of the image, e.g. `linux/amd64`.
        platform: String,
        /// The image tag, e.g. `nss-preflight:0.1.0`.
        tag: String,
        /// The build context made for the image (unique per invocation, removed afterwards).
        stage_dir: PathBuf,
    },
    /// Built by the engine from the preflight sources nss embeds (a Rust workspace with
    /// `Dockerfile`, written to nss's cache): compiled on the build platform for each
    /// target platform, whatever the host and whether or not cargo is installed.
    Build {
        /// The directory holding the sources and `Dockerfile`.
        context: PathBuf,
        /// The platforms, e.g. `linux/arm64`, or both for a multi-platform image.
        platforms: Vec<String>,
        /// The tag, e.g. `nss-preflight:0.1.0-<hash>-arm64` or `REGISTRY/nss-preflight:...`.
        tag: String,
        /// Pushed to the registry of `tag` (a multi-platform build reads it from there).
        push: bool,
    },
}

/// Everything one image build needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInputs {
    /// Which image.
    pub image: ImageKind,
    /// The Dockerfile (absolute).
    pub dockerfile: PathBuf,
    /// The build context: the project directory.
    pub context: PathBuf,
    /// The tag (`CONTAINER_GPU_IMAGE`, ...).
    pub tag: String,
    /// The platform, e.g. `linux/amd64`.
    pub platform: String,
    /// `--build-arg` pairs, in order (pins, `EXTRAS`, `APP`).
    pub build_args: Vec<(String, String)>,
    /// `--label` pairs.
    pub labels: Vec<(String, String)>,
    /// `CONTAINER_BUILD_CA`, absolute.
    pub build_ca: Option<PathBuf>,
    /// The preflight source.
    pub preflight: Preflight,
    /// docker: `--progress=plain` (logs that read well when output is not a terminal).
    pub plain_progress: bool,
    /// Where temporary build contexts go (podman's label step), e.g. `/tmp`.
    pub scratch_dir: PathBuf,
    /// BuildKit attestations to attach (`SBOM=1`, `PROVENANCE=1`; buildx only).
    pub attestations: Attestations,
    /// Unique to this invocation (`nss-run-<pid>-<hex>`): names its temporary tags and
    /// directories, so concurrent builds of one tag never share them.
    pub run_id: String,
}

/// The BuildKit attestations a build attaches to its image (buildx only: `--sbom`,
/// `--provenance`); kept where the image is pushed with its index, or loaded into an image
/// store that keeps them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attestations {
    /// BuildKit's SBOM attestation (`--sbom=true`).
    pub sbom: bool,
    /// BuildKit's provenance attestation (`--provenance=mode=max`).
    pub provenance: bool,
}

impl Attestations {
    /// The buildx flags.
    fn args(self) -> Vec<String> {
        let mut a = Vec::new();
        if self.sbom {
            a.push("--sbom=true".to_string());
        }
        if self.provenance {
            a.push("--provenance=mode=max".to_string());
        }
        a
    }

    /// Why `engine` drops them, when it does and they were asked for.
    fn note(self, engine: &Engine) -> Option<String> {
        ((self.sbom || self.provenance) && !engine.can_attest()).then(|| {
            format!(
                "SBOM=1 / PROVENANCE=1: {} cannot attach BuildKit attestations (buildx can); the image is built without them; `nss sbom --output FILE` writes an SBOM read from the built image",
                engine.kind.describe()
            )
        })
    }
}

/// The steps building the preflight image, and the `PREFLIGHT_IMAGE` value to pass.
fn preflight_steps(
    engine: &Engine,
    preflight: &Preflight,
    build_ca: Option<&Path>,
    builder: Option<&str>,
) -> (Vec<Step>, Option<String>) {
    match preflight {
        Preflight::DockerfileDefault => (Vec::new(), None),
        Preflight::Image(image) => (Vec::new(), Some(image.clone())),
        Preflight::Build {
            context,
            platforms,
            tag,
            push,
        } => {
            let platforms = platforms.join(",");
            let secret = build_ca
                .map(|ca| {
                    vec![
                        "--secret".to_string(),
                        format!("id={BUILD_CA_SECRET_ID},src={}", path_str(ca)),
                    ]
                })
                .unwrap_or_default();
            let file = ["-f".to_string(), path_str(&context.join("Dockerfile"))];
            let mut steps = Vec::new();
            if engine.is_podman() && *push {
                steps.push(Step::Try(Cmd::engine(engine).args(["manifest", "rm", tag])));
                steps.push(Step::Run(
                    Cmd::engine(engine)
                        .args(["build", "--platform", &platforms, "--manifest", tag])
                        .args(file)
                        .args(secret)
                        .arg(path_str(context)),
                ));
                let mut p = Cmd::engine(engine).args(["manifest", "push", "--all"]);
                if engine.needs_tls_verify_false(tag) {
                    p = p.arg("--tls-verify=false");
                }
                steps.push(Step::Run(p.arg(tag.clone()).arg(format!("docker://{tag}"))));
            } else {
                let mut b = Cmd::engine(engine).args(engine.build_subcommand().iter().copied());
                if let (Some(builder), true) = (builder, *push) {
                    b = b.args(["--builder", builder]);
                }
                if !*push {
                    b = b.args(load_flag(engine));
                }
                b = b
                    .args(["--platform", &platforms, "-t", tag])
                    .args(file)
                    .args(secret);
                if *push {
                    b = b.arg("--push");
                }
                steps.push(Step::Run(b.arg(path_str(context))));
            }
            (steps, Some(tag.clone()))
        }
        Preflight::Local {
            cargo,
            workspace,
            target_dir,
            triple,
            platform,
            tag,
            stage_dir,
        } => {
            let manifest = workspace.join("Cargo.toml");
            let cargo_build = Cmd::new(cargo.clone()).args([
                "build".to_string(),
                "--quiet".into(),
                "--release".into(),
                "-p".into(),
                "nss-preflight".into(),
                "--target".into(),
                triple.clone(),
                // Static only for this named target: host artifacts (proc-macros) stay dynamic.
                "--config".into(),
                static_rustflags(triple),
                "--manifest-path".into(),
                path_str(&manifest),
                "--target-dir".into(),
                path_str(target_dir),
            ]);
            let binary = target_dir
                .join(triple)
                .join("release")
                .join("nss-preflight");
            let dir = stage_dir.clone();
            let stage = Step::Stage {
                file: Some(binary),
                dir: dir.clone(),
                dockerfile: "FROM scratch\nCOPY nss-preflight /nss-preflight\n".into(),
            };
            let build = Cmd::engine(engine)
                .args(engine.build_subcommand().iter().copied())
                .args(load_flag(engine))
                .args(["--platform", platform])
                .args(["-t", tag])
                .args(["-f".to_string(), path_str(&dir.join("Dockerfile"))])
                .arg(path_str(&dir));
            (
                vec![
                    Step::Run(cargo_build),
                    stage,
                    Step::Run(build),
                    Step::Cleanup(Box::new(Step::RemoveDir(dir))),
                ],
                Some(tag.clone()),
            )
        }
    }
}

/// The `--config` value that links `triple`'s artifacts statically (`+crt-static`).
pub fn static_rustflags(triple: &str) -> String {
    format!(r#"target.{triple}.rustflags=["-C", "target-feature=+crt-static"]"#)
}

fn load_flag(engine: &Engine) -> Vec<&'static str> {
    // buildx keeps results in the builder unless told to load them into the image store.
    if engine.kind == crate::engine::EngineKind::DockerBuildx {
        vec!["--load"]
    } else {
        Vec::new()
    }
}

/// The shared part of single- and multi-platform builds: file, target, args, labels, secret.
fn common_build_args(
    engine: &Engine,
    inputs: &BuildInputs,
    preflight_image: Option<&str>,
    labels: bool,
) -> Vec<String> {
    let mut a: Vec<String> = Vec::new();
    if engine.has_progress_flag() && inputs.plain_progress {
        a.push("--progress=plain".into());
    }
    a.push("-f".into());
    a.push(path_str(&inputs.dockerfile));
    if let Some(t) = inputs.image.target() {
        a.extend(["--target".into(), t.into()]);
    }
    for (k, v) in &inputs.build_args {
        a.extend(["--build-arg".into(), format!("{k}={v}")]);
    }
    if let Some(p) = preflight_image {
        a.extend(["--build-arg".into(), format!("PREFLIGHT_IMAGE={p}")]);
    }
    if labels {
        a.extend(label_args(inputs));
    }
    if let Some(ca) = &inputs.build_ca {
        a.extend([
            "--secret".into(),
            format!("id={BUILD_CA_SECRET_ID},src={}", path_str(ca)),
        ]);
    }
    if engine.can_attest() {
        a.extend(inputs.attestations.args());
    }
    a
}

fn label_args(inputs: &BuildInputs) -> Vec<String> {
    inputs
        .labels
        .iter()
        .flat_map(|(k, v)| ["--label".to_string(), format!("{k}={v}")])
        .collect()
}

/// Plans a single-platform build: the preflight image when built here, then the image.
///
/// podman 4.3 (buildah 1.28) ignores changed `--label` values when the `--target` stage
/// is not the Dockerfile's last one: the cached image keeps its old labels. So podman
/// builds the target under a temporary tag and puts the labels on in a second,
/// one-line build (`FROM <temporary>`), whose LABEL steps are cached by value; the
/// temporary tag is then dropped. The final tag is only written by that last build. The
/// temporary tag and context are this invocation's own ([`BuildInputs::run_id`]), so two
/// builds of one tag at once never label each other's image, and both are removed
/// whether the build succeeds, fails or is interrupted ([`Step::Cleanup`]).
pub fn plan_build(engine: &Engine, inputs: &BuildInputs) -> Plan {
    let (mut steps, preflight_image) =
        preflight_steps(engine, &inputs.preflight, inputs.build_ca.as_deref(), None);
    let two_step =
        engine.is_podman() && inputs.image.target().is_some() && !inputs.labels.is_empty();
    let first_tag = if two_step {
        format!("localhost/nss-unlabeled:{}", inputs.run_id)
    } else {
        inputs.tag.clone()
    };
    let build = Cmd::engine(engine)
        .args(engine.build_subcommand().iter().copied())
        .args(load_flag(engine))
        .args(["--platform", &inputs.platform])
        .args(["-t", &first_tag])
        .args(common_build_args(
            engine,
            inputs,
            preflight_image.as_deref(),
            !two_step,
        ))
        .arg(path_str(&inputs.context));
    steps.push(Step::Run(build));
    if two_step {
        let dir = inputs
            .scratch_dir
            .join(format!("nss-labels.{}", inputs.run_id));
        steps.push(Step::Stage {
            file: None,
            dir: dir.clone(),
            dockerfile: format!("FROM {first_tag}\n"),
        });
        let label = Cmd::engine(engine)
            .arg("build")
            .args(["--platform", &inputs.platform])
            .args(["-t", &inputs.tag])
            .args(label_args(inputs))
            .args(["-f".to_string(), path_str(&dir.join("Dockerfile"))])
            .arg(path_str(&dir));
        steps.push(Step::Run(label));
        steps.push(Step::Cleanup(Box::new(Step::Try(
            Cmd::engine(engine).args(["untag", &first_tag]),
        ))));
        steps.push(Step::Cleanup(Box::new(Step::RemoveDir(dir))));
    }
    Plan {
        steps,
        notes: inputs.attestations.note(engine).into_iter().collect(),
    }
}

/// Everything a multi-arch build needs besides [`BuildInputs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiarchInputs {
    /// The single-image inputs; `tag` is the pushed reference `REGISTRY/IMAGE`, `platform` unused.
    pub build: BuildInputs,
    /// The registry (`CONTAINER_GPU_REGISTRY`), for the TLS decision.
    pub registry: String,
    /// The platforms, e.g. `linux/amd64`, `linux/arm64`.
    pub platforms: Vec<String>,
    /// Index annotations.
    pub annotations: Vec<(String, String)>,
    /// docker: `CONTAINER_GPU_BUILDER`.
    pub builder: Option<String>,
    /// docker: `CONTAINER_GPU_CACHE` (a registry ref).
    pub cache: Option<String>,
    /// `skopeo` to verify the pushed index with, else the engine's `manifest inspect`.
    pub skopeo: Option<String>,
    /// Per-platform build args (e.g. each platform's `CUDA_ARCH_FLAGS`): one build per
    /// platform instead of one for all. Empty: `build.build_args` for every platform.
    pub per_platform: Vec<PlatformArgs>,
}

/// A platform and its build args.
pub type PlatformArgs = (String, Vec<(String, String)>);

/// The per-platform tag a docker multi-platform build pushes before joining the
/// platforms in one index: `REPO:TAG-ARCH` (`REPO:latest-ARCH` without a tag).
fn platform_tag(reference: &str, platform: &str) -> String {
    let arch = platform.rsplit('/').next().unwrap_or(platform);
    let slash = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[slash..].rfind(':') {
        Some(_) => format!("{reference}-{arch}"),
        None => format!("{reference}:latest-{arch}"),
    }
}

/// Plans a multi-platform build pushed as one index, then the check of the pushed index.
/// `None` when the engine cannot build multi-platform images (docker without buildx).
pub fn plan_multiarch(engine: &Engine, inputs: &MultiarchInputs) -> Option<Plan> {
    if !engine.can_build_multiarch() {
        return None;
    }
    let b = &inputs.build;
    let platforms = inputs.platforms.join(",");
    let (mut steps, preflight_image) = preflight_steps(
        engine,
        &b.preflight,
        b.build_ca.as_deref(),
        inputs.builder.as_deref(),
    );
    let insecure = engine.needs_tls_verify_false(&inputs.registry);
    // One build for all platforms, or one per platform when their build args differ
    // (CUDA_ARCH_FLAGS): `(platform list, build inputs, tag)`.
    let builds: Vec<(String, BuildInputs, String)> = if inputs.per_platform.is_empty() {
        vec![(platforms.clone(), b.clone(), b.tag.clone())]
    } else {
        inputs
            .per_platform
            .iter()
            .map(|(p, args)| {
                let tag = if engine.is_podman() {
                    b.tag.clone()
                } else {
                    platform_tag(&b.tag, p)
                };
                let bi = BuildInputs {
                    build_args: args.clone(),
                    ..b.clone()
                };
                (p.clone(), bi, tag)
            })
            .collect()
    };
    if engine.is_podman() {
        // A list left by an earlier run would gain duplicate instances: start from none.
        steps.push(Step::Try(
            Cmd::engine(engine).args(["manifest", "rm", &b.tag]),
        ));
        // --no-cache: podman 4.3 reuses one platform's cached layers for the other when
        // their inputs match (FROM scratch content), leaving one platform in the list.
        // Every build adds its platform's image to the same list.
        for (platforms, bi, _) in &builds {
            let build = Cmd::engine(engine)
                .arg("build")
                .arg("--no-cache")
                .args(["--platform", platforms])
                .args(["--manifest", &b.tag])
                .args(common_build_args(
                    engine,
                    bi,
                    preflight_image.as_deref(),
                    true,
                ))
                .args(
                    inputs
                        .annotations
                        .iter()
                        .flat_map(|(k, v)| ["--annotation".to_string(), format!("{k}={v}")]),
                )
                .arg(path_str(&b.context));
            steps.push(Step::Run(build));
        }
        if !inputs.annotations.is_empty() {
            steps.push(Step::AnnotateInstances {
                engine: engine.clone(),
                list: b.tag.clone(),
                annotations: inputs.annotations.clone(),
            });
        }
        let mut push = Cmd::engine(engine).args(["manifest", "push", "--all"]);
        if insecure {
            push = push.arg("--tls-verify=false");
        }
        push = push.arg(b.tag.clone()).arg(format!("docker://{}", b.tag));
        steps.push(Step::Run(push));
    } else {
        let single = builds.len() == 1;
        for (platforms, bi, tag) in &builds {
            let mut build = Cmd::engine(engine).args(["buildx", "build"]);
            if let Some(builder) = &inputs.builder {
                build = build.args(["--builder", builder]);
            }
            build = build
                .args(["--platform", platforms])
                .args(["-t", tag])
                .args(common_build_args(
                    engine,
                    bi,
                    preflight_image.as_deref(),
                    true,
                ));
            if single {
                build = build.args(
                    inputs
                        .annotations
                        .iter()
                        .flat_map(|(k, v)| ["--annotation".to_string(), format!("index:{k}={v}")]),
                );
            }
            if let Some(cache) = &inputs.cache {
                let cache = if single {
                    cache.clone()
                } else {
                    platform_tag(cache, platforms)
                };
                build = build
                    .args([
                        "--cache-from".to_string(),
                        format!("type=registry,ref={cache}"),
                    ])
                    .args([
                        "--cache-to".to_string(),
                        format!("type=registry,ref={cache},mode=max"),
                    ]);
            }
            build = build.arg("--push").arg(path_str(&b.context));
            steps.push(Step::Run(build));
        }
        if !single {
            // One index over the per-platform images, with the index annotations.
            let mut create = Cmd::engine(engine).args(["buildx", "imagetools", "create"]);
            if let Some(builder) = &inputs.builder {
                create = create.args(["--builder", builder]);
            }
            create = create
                .args(["-t", &b.tag])
                .args(
                    inputs
                        .annotations
                        .iter()
                        .flat_map(|(k, v)| ["--annotation".to_string(), format!("index:{k}={v}")]),
                )
                .args(builds.iter().map(|(_, _, tag)| tag.clone()));
            steps.push(Step::Run(create));
        }
    }
    let verify = match &inputs.skopeo {
        Some(skopeo) => {
            let mut c = Cmd::new(skopeo.clone()).args(["inspect", "--raw"]);
            if is_loopback(&inputs.registry) {
                c = c.arg("--tls-verify=false");
            }
            c.arg(format!("docker://{}", b.tag))
        }
        None if engine.is_podman() => {
            // podman 4.3's `manifest inspect` reads a local list first and has no
            // --tls-verify: drop the local list so the registry's index is read (a plain-HTTP
            // registry then needs an `insecure = true` entry in registries.conf; skopeo does not).
            steps.push(Step::Try(
                Cmd::engine(engine).args(["manifest", "rm", &b.tag]),
            ));
            Cmd::engine(engine).args(["manifest", "inspect", &b.tag])
        }
        None => Cmd::engine(engine).args(["buildx", "imagetools", "inspect", "--raw", &b.tag]),
    };
    steps.push(Step::VerifyPlatforms {
        cmd: verify,
        reference: b.tag.clone(),
        platforms: inputs.platforms.clone(),
    });
    if engine.is_podman() && inputs.skopeo.is_some() {
        // The pushed index is the result; a local list left behind breaks podman 4.3's
        // `podman images` ("reading manifest for image instance ...").
        steps.push(Step::Try(
            Cmd::engine(engine).args(["manifest", "rm", &b.tag]),
        ));
    }
    Some(Plan {
        steps,
        notes: b.attestations.note(engine).into_iter().collect(),
    })
}

fn is_loopback(registry: &str) -> bool {
    crate::engine::is_loopback_registry(registry)
}

/// Everything one `run` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInputs {
    /// The image to run.
    pub image: String,
    /// Which image it is (the test image gets no GPU options).
    pub kind: ImageKind,
    /// The platform.
    pub platform: String,
    /// The container name (unique per invocation).
    pub name: String,
    /// The project directory, mounted at [`WORKSPACE`].
    pub project_dir: PathBuf,
    /// The host HF cache, mounted at [`HF_CACHE_MOUNT`].
    pub hf_cache: PathBuf,
    /// `CONTAINER_GPU_FLAG`, split.
    pub gpu_flag: Vec<String>,
    /// podman: a CDI spec for `nvidia.com/gpu` exists, so `--gpus X` becomes `--device nvidia.com/gpu=X`.
    pub cdi_available: bool,
    /// `CONTAINER_EXTRA_MOUNTS`, split and validated.
    pub extra_mounts: Vec<String>,
    /// Names of secrets set in the environment, passed as `-e NAME`.
    pub secrets: Vec<String>,
    /// The command, split.
    pub cmd: Vec<String>,
    /// stdin is a terminal (`-i`).
    pub stdin_tty: bool,
    /// stdin and stdout are terminals (`-t`).
    pub tty: bool,
}

/// Plans a `run`: the HF cache directory, then one named, removed-on-exit container.
pub fn plan_run(engine: &Engine, r: &RunInputs) -> Plan {
    let mut notes = Vec::new();
    let mut c = Cmd::engine(engine).args(["run", "--rm", "--name", &r.name]);
    if r.stdin_tty {
        c = c.arg("-i");
    }
    if r.tty {
        c = c.arg("-t");
    }
    c = c.args(["--platform", &r.platform]).arg("--shm-size=1g");
    if r.kind != ImageKind::Test {
        c = c.args(gpu_args(engine, &r.gpu_flag, r.cdi_available, &mut notes));
    }
    c = c
        .args(bind_args(&r.project_dir, WORKSPACE))
        .args(bind_args(&r.hf_cache, HF_CACHE_MOUNT))
        .args(["-e".to_string(), format!("HF_HOME={HF_CACHE_MOUNT}")])
        .args(["-e", "DEBIAN_FRONTEND=noninteractive"])
        .args(r.extra_mounts.iter().cloned())
        .args(["-w", WORKSPACE]);
    for s in &r.secrets {
        c = c.args(["-e", s]);
    }
    c = c.arg(r.image.clone()).args(r.cmd.iter().cloned());
    Plan {
        steps: vec![
            Step::CreateDir(r.hf_cache.clone()),
            Step::Container {
                cmd: c,
                name: r.name.clone(),
                engine: engine.clone(),
            },
        ],
        notes,
    }
}

/// `CONTAINER_GPU_FLAG` for this engine: podman ignores `--gpus`, so it becomes CDI's
/// `--device nvidia.com/gpu=...` when a CDI spec exists, and is dropped (with a note) otherwise.
fn gpu_args(engine: &Engine, flag: &[String], cdi: bool, notes: &mut Vec<String>) -> Vec<String> {
    if engine.honors_gpus_flag() {
        return flag.to_vec();
    }
    let mut out = Vec::new();
    let mut it = flag.iter();
    while let Some(a) = it.next() {
        let value = if a == "--gpus" {
            it.next().cloned()
        } else {
            a.strip_prefix("--gpus=").map(str::to_string)
        };
        match value {
            Some(v) if cdi => {
                let v = if v == "all" { "all".to_string() } else { v.trim_start_matches("device=").to_string() };
                out.extend(["--device".to_string(), format!("nvidia.com/gpu={v}")]);
            }
            Some(_) => notes.push(
                "podman ignores --gpus and no CDI spec for nvidia.com/gpu was found (/etc/cdi, /var/run/cdi): the container gets no GPU; run `nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml`, or set CONTAINER_GPU_FLAG= to silence this".into(),
            ),
            None => out.push(a.clone()),
        }
    }
    out
}

/// A path as a string argument.
pub(crate) fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
