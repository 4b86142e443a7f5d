//! Single-platform builds.

use std::path::PathBuf;

use nss_labels::Labels;

use crate::cmd::{Cmd, path_str};
use crate::engine::Engine;

use super::{BUILD_CA_SECRET_ID, ImageKind, Plan, Preflight, Step, load_flag, preflight_steps};

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
    /// The image's labels (`--label k=v` each).
    pub labels: Labels,
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
    /// The registry cache repository of this image (`CONTAINER_GPU_CACHE` for the runtime
    /// and dev images, `CONTAINER_TEST_CACHE` for the test image); see [`super::BuildCache`].
    pub cache: Option<String>,
    /// buildx: the builder to build with (`CONTAINER_GPU_BUILDER`, `--builder`).
    pub builder: Option<String>,
}

impl BuildInputs {
    /// This image's registry cache, when one is set.
    pub fn build_cache(&self) -> Option<super::BuildCache> {
        self.cache.as_ref().map(|repo| super::BuildCache {
            repo: repo.clone(),
            image: self.image,
        })
    }
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
    pub(super) fn args(self) -> Vec<String> {
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
    pub(super) fn note(self, engine: &Engine) -> Option<String> {
        ((self.sbom || self.provenance) && !engine.can_attest()).then(|| {
            format!(
                "SBOM=1 / PROVENANCE=1: {} cannot attach BuildKit attestations (buildx can); the image is built without them; `nss sbom --output FILE` writes an SBOM read from the built image",
                engine.kind.describe()
            )
        })
    }
}

/// The shared part of single- and multi-platform builds: file, target, args, labels, secret.
pub(crate) fn common_build_args(
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
        a.extend(inputs.labels.to_args());
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
    let (mut steps, preflight_image) = preflight_steps(
        engine,
        &inputs.preflight,
        inputs.build_ca.as_deref(),
        inputs.builder.as_deref(),
    );
    steps.extend(image_steps(engine, inputs, preflight_image.as_deref()));
    Plan {
        steps,
        notes: inputs.attestations.note(engine).into_iter().collect(),
    }
}

/// The steps building one image once its preflight image is there: the build (with the
/// registry cache's flags), podman's label step, the inline cache's push.
pub(super) fn image_steps(
    engine: &Engine,
    inputs: &BuildInputs,
    preflight_image: Option<&str>,
) -> Vec<Step> {
    let mut steps = Vec::new();
    let cache = inputs.build_cache();
    let two_step =
        engine.is_podman() && inputs.image.target().is_some() && !inputs.labels.is_empty();
    let first_tag = if two_step {
        format!("localhost/nss-unlabeled:{}", inputs.run_id)
    } else {
        inputs.tag.clone()
    };
    let mut build = Cmd::engine(engine).args(engine.build_subcommand().iter().copied());
    if let Some(b) = builder_for(engine, inputs) {
        build = build.args(["--builder", b]);
    }
    build = build
        .args(load_flag(engine))
        .args(["--platform", &inputs.platform])
        .args(["-t", &first_tag]);
    let inline_tag = cache.as_ref().and_then(|c| c.inline_tag(engine));
    if let Some(t) = &inline_tag {
        build = build.args(["-t", t]);
    }
    build = build
        .args(common_build_args(
            engine,
            inputs,
            preflight_image,
            !two_step,
        ))
        .args(cache.iter().flat_map(|c| c.build_args(engine)))
        .arg(path_str(&inputs.context));
    steps.push(Step::Run(build));
    if let Some(t) = &inline_tag {
        // The image carries its cache: pushed under the cache tag, then that tag dropped.
        steps.push(Step::Run(Cmd::engine(engine).args(["push", t])));
        steps.push(Step::Cleanup(Box::new(Step::Try(
            Cmd::engine(engine).args(["rmi", t]),
        ))));
    }
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
            .args(inputs.labels.to_args())
            .args(["-f".to_string(), path_str(&dir.join("Dockerfile"))])
            .arg(path_str(&dir));
        steps.push(Step::Run(label));
        steps.push(Step::Cleanup(Box::new(Step::Try(
            Cmd::engine(engine).args(["untag", &first_tag]),
        ))));
        steps.push(Step::Cleanup(Box::new(Step::RemoveDir(dir))));
    }
    steps
}

/// The `--builder` of a build: buildx only (the session refuses the variable elsewhere).
pub(super) fn builder_for<'a>(engine: &Engine, inputs: &'a BuildInputs) -> Option<&'a str> {
    (engine.kind == crate::engine::EngineKind::DockerBuildx)
        .then_some(inputs.builder.as_deref())
        .flatten()
}
