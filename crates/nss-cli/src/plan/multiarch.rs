//! Multi-platform builds pushed as one index.

use nss_labels::Labels;

use crate::cmd::{Cmd, path_str};
use crate::engine::Engine;

use super::{BuildInputs, Plan, Step, common_build_args, preflight_steps};

/// Everything a multi-arch build needs besides [`BuildInputs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiarchInputs {
    /// The single-image inputs; `tag` is the pushed reference `REGISTRY/IMAGE`, `platform` unused.
    pub build: BuildInputs,
    /// The registry (`CONTAINER_GPU_REGISTRY`), for the TLS decision.
    pub registry: String,
    /// The platforms, e.g. `linux/amd64`, `linux/arm64`.
    pub platforms: Vec<String>,
    /// The labels set as index annotations (those of
    /// [`Labels::index_annotations`]): the image's own labels.
    pub annotations: Labels,
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
    match crate::reference::split_tag(reference) {
        (_, Some(_)) => format!("{reference}-{arch}"),
        (_, None) => format!("{reference}:latest-{arch}"),
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
        b.builder.as_deref(),
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
                .args(inputs.annotations.build_annotation_args())
                .arg(path_str(&b.context));
            steps.push(Step::Run(build));
        }
        let annotation_args = inputs.annotations.podman_manifest_annotation_args();
        if !annotation_args.is_empty() {
            steps.push(Step::AnnotateInstances {
                engine: engine.clone(),
                list: b.tag.clone(),
                annotation_args,
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
            if let Some(builder) = &b.builder {
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
                build = build.args(inputs.annotations.buildx_index_annotation_args());
            }
            if let Some(cache) = b.build_cache() {
                // The runtime image's cache tag, one per platform when each has its own build.
                let cache = if single {
                    cache.export()
                } else {
                    platform_tag(&cache.export(), platforms)
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
            if let Some(builder) = &b.builder {
                create = create.args(["--builder", builder]);
            }
            create = create
                .args(["-t", &b.tag])
                .args(inputs.annotations.buildx_index_annotation_args())
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
