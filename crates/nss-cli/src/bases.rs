//! Fail fast on a base image that does not exist.
//!
//! Before a build runs, every external image it pulls (each `FROM` of the stages the
//! target needs, and `COPY --from=<image>`, with build arguments substituted as the build
//! substitutes them) is looked up: images the engine already has are taken as they are;
//! the others get a manifest lookup in their registry through the OCI distribution
//! client [`oci_client`] (anonymous, bearer tokens as public registries hand them out;
//! plain HTTP for loopback registries, as engines treat them), bounded to a few seconds.
//!
//! - A tag the registry does not know (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, 404) is an
//!   error naming the full reference, before any build step; for the CUDA base (the
//!   repository of the `CUDA_IMAGE` pin) it lists the nearest published tags.
//! - A registry that cannot be reached (refused, no DNS, no answer in time) or that
//!   answers otherwise (401 for a private image: nss looks up anonymously) is a warning:
//!   the build goes on with what the engine has or can pull (air gaps keep working).
//! - `CONTAINER_BASE_CHECK=0` turns the check off; `--dry-run` never contacts a registry.

use std::collections::{BTreeMap, HashSet};
use std::process::Command;
use std::time::{Duration, Instant};

use nss_dockerfile::{Dockerfile, Instruction};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use crate::engine::{Engine, is_loopback_registry};
use crate::env;
use crate::error::Error;
use crate::plan::{ImageKind, Preflight};
use crate::session::Session;

/// How long connecting to a registry may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one manifest lookup (token, HEAD, GET) may take in all.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);
/// How long reading the CUDA base's tag list (all its pages) may take.
const TAGS_TIMEOUT: Duration = Duration::from_secs(8);
/// Tags asked for per page of a tag list.
const TAGS_PAGE: usize = 1000;
/// The nearest tags shown for a missing CUDA base.
const NEAREST: usize = 5;

/// One external image a build pulls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Base {
    /// The image as the build names it, build arguments substituted.
    pub image: String,
    /// 1-based line of the instruction naming it.
    pub line: usize,
}

/// The external images a build of `target` (default: the last stage) pulls: the bases of
/// the stages it needs (through `FROM <stage>`, `COPY --from` and `RUN --mount=from=`)
/// that are neither a stage nor `scratch`, and images named by `COPY --from=<image>`, in
/// file order, each once. `build_args` are the `--build-arg` values; `platform` (e.g.
/// `linux/amd64`) gives BuildKit's automatic `TARGETPLATFORM`, `TARGETARCH`, ... A base
/// naming an argument that has no value is left out (the build reports it).
pub(crate) fn external_bases(
    dockerfile: &Dockerfile,
    build_args: &BTreeMap<String, String>,
    platform: &str,
    target: Option<&str>,
) -> Vec<Base> {
    let mut vars = dockerfile.global_args(build_args);
    for (name, value) in platform_args(platform) {
        vars.entry(name).or_insert(Some(value));
    }
    let stages = dockerfile.stages();
    // A stage is named by its `AS` name (any case) or, in `--from`, by its index.
    let stage_of = |name: &str, before: usize, by_index: bool| -> Option<usize> {
        let lower = name.to_ascii_lowercase();
        stages[..before]
            .iter()
            .position(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| {
                by_index
                    .then(|| name.parse::<usize>().ok().filter(|i| *i < before))
                    .flatten()
            })
    };
    let wanted = target
        .and_then(|t| stages.iter().position(|s| s.name.as_deref() == Some(t)))
        .or(stages.len().checked_sub(1));
    let mut needed = vec![false; stages.len()];
    let mut todo: Vec<usize> = wanted.into_iter().collect();
    let mut found: Vec<(usize, usize, String)> = Vec::new();
    while let Some(i) = todo.pop() {
        if needed[i] {
            continue;
        }
        needed[i] = true;
        let stage = &stages[i];
        let from = &dockerfile.instructions[stage.from];
        if let Ok(image) = nss_dockerfile::expand(&stage.base, &vars) {
            match stage_of(&image, i, false) {
                Some(parent) => todo.push(parent),
                None if image.eq_ignore_ascii_case("scratch") => {}
                None => found.push((from.line, i, image)),
            }
        }
        for ins in &dockerfile.instructions[stage.body.clone()] {
            for source in from_sources(ins) {
                let Ok(source) = nss_dockerfile::expand(&source, &vars) else {
                    continue;
                };
                match stage_of(&source, i, true) {
                    Some(other) => todo.push(other),
                    None if ins.is("COPY") => found.push((ins.line, i, source)),
                    None => {}
                }
            }
        }
    }
    found.sort();
    let mut seen = HashSet::new();
    found
        .into_iter()
        .filter(|(_, _, image)| seen.insert(image.clone()))
        .map(|(line, _, image)| Base { image, line })
        .collect()
}

/// The `--from` sources of an instruction: `COPY --from=X`, `RUN --mount=...,from=X`.
fn from_sources(ins: &Instruction) -> Vec<String> {
    let mut out = Vec::new();
    if ins.is("COPY")
        && let Some(v) = ins.flag("from").and_then(|f| f.value.clone())
    {
        out.push(v);
    }
    if ins.is("RUN") {
        for mount in ins.flags.iter().filter(|f| f.name == "mount") {
            let fields = mount.value.as_deref().unwrap_or_default().split(',');
            out.extend(
                fields
                    .filter_map(|f| f.strip_prefix("from="))
                    .map(str::to_string),
            );
        }
    }
    out
}

/// BuildKit's automatic platform arguments for a build of `platform` on this host.
fn platform_args(platform: &str) -> Vec<(String, String)> {
    let host_arch = nss_buildspec::Platform::host().map_or(std::env::consts::ARCH, |p| p.arch());
    let mut parts = platform.split('/');
    let os = parts.next().unwrap_or("linux");
    let arch = parts.next().unwrap_or(host_arch);
    let variant = parts.next().unwrap_or("");
    [
        ("TARGETPLATFORM", platform.to_string()),
        ("TARGETOS", os.to_string()),
        ("TARGETARCH", arch.to_string()),
        ("TARGETVARIANT", variant.to_string()),
        ("BUILDPLATFORM", format!("linux/{host_arch}")),
        ("BUILDOS", "linux".to_string()),
        ("BUILDARCH", host_arch.to_string()),
        ("BUILDVARIANT", String::new()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The published tags nearest to `wanted` (e.g. `12.8.9-runtime-ubuntu22.04`), at most
/// `max`: tags of the same CUDA major version only, those sharing more of the version
/// first (`12.8.x` before `12.6.x`), then those with the same rest (variant and OS), then
/// the nearest version numbers. A tag that does not start with a version is never near.
pub(crate) fn nearest_tags(wanted: &str, published: &[String], max: usize) -> Vec<String> {
    let Some((want_version, want_rest)) = split_version_tag(wanted) else {
        return Vec::new();
    };
    let want_parts: HashSet<&str> = want_rest.split('-').collect();
    // (common version parts, same rest, rest parts shared, rest parts extra, distance, tag)
    type Score<'a> = (usize, bool, usize, usize, Vec<u64>, &'a String);
    let mut scored: Vec<Score> = published
        .iter()
        .filter(|t| t.as_str() != wanted)
        .filter_map(|tag| {
            let (version, rest) = split_version_tag(tag)?;
            let common = want_version
                .iter()
                .zip(&version)
                .take_while(|(a, b)| a == b)
                .count();
            if common == 0 {
                return None;
            }
            let parts = rest.split('-').filter(|p| !p.is_empty()).count();
            let shared = rest.split('-').filter(|p| want_parts.contains(p)).count();
            // Distance in each version component after the common ones.
            let distance = want_version
                .iter()
                .zip(version.iter().chain(std::iter::repeat(&0)))
                .skip(common)
                .map(|(a, b)| a.abs_diff(*b))
                .collect();
            Some((
                common,
                rest == want_rest,
                shared,
                parts - shared,
                distance,
                tag,
            ))
        })
        .collect();
    scored.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(b.2.cmp(&a.2))
            .then(a.3.cmp(&b.3))
            .then(a.4.cmp(&b.4))
            .then(a.5.cmp(b.5))
    });
    scored.into_iter().take(max).map(|s| s.5.clone()).collect()
}

/// `12.8.1-runtime-ubuntu22.04` as `([12, 8, 1], "runtime-ubuntu22.04")`.
fn split_version_tag(tag: &str) -> Option<(Vec<u64>, &str)> {
    let (version, rest) = tag.split_once('-').unwrap_or((tag, ""));
    let numbers: Option<Vec<u64>> = version.split('.').map(|p| p.parse().ok()).collect();
    numbers.filter(|n| !n.is_empty()).map(|n| (n, rest))
}

/// `CONTAINER_BASE_CHECK`: on when unset, else a [switch](crate::Vars::switch) (`0`, `false`,
/// `no` or empty: off).
fn enabled(session: &Session) -> Result<bool, Error> {
    match session.vars.get(env::CONTAINER_BASE_CHECK) {
        None => Ok(true),
        Some(_) => session.vars.switch(env::CONTAINER_BASE_CHECK),
    }
}

/// An external image of this build, with where it is named and whether it is the CUDA base.
#[derive(Debug)]
struct Wanted {
    reference: Reference,
    image: String,
    at: String,
    cuda: bool,
}

/// Checks that the external images a build of `kind` for each of `platforms` pulls exist
/// (see the module docs). Returns the warnings to print; a missing image is an
/// [`Error::Usage`] naming it (exit 2). Call it before any build step, never for
/// `--dry-run`.
pub fn check_bases(
    session: &Session,
    engine: &Engine,
    kind: ImageKind,
    platforms: &[String],
) -> Result<Vec<String>, Error> {
    if !enabled(session)? {
        return Ok(Vec::new());
    }
    let project = session.project()?;
    let mut wanted: Vec<Wanted> = Vec::new();
    for platform in platforms {
        let (inputs, _) = session.build_inputs(kind, platform, session.image(kind)?, None)?;
        let spec = session.spec(&project, Some(platform))?;
        let cuda_repo = Reference::try_from(format!("{}:0", spec.cuda_image.value))
            .ok()
            .map(|r| (r.registry().to_string(), r.repository().to_string()));
        let mut args: BTreeMap<String, String> = inputs.build_args.iter().cloned().collect();
        let mut files = vec![(inputs.dockerfile.clone(), kind.target())];
        match &inputs.preflight {
            Preflight::DockerfileDefault => {}
            Preflight::Image(image) => {
                args.insert("PREFLIGHT_IMAGE".into(), image.clone());
            }
            // Made by this build's first steps: the image is not pulled, but its own
            // Dockerfile's bases are when the engine builds it.
            Preflight::Local { tag, .. } => {
                args.insert("PREFLIGHT_IMAGE".into(), tag.clone());
            }
            Preflight::Build { tag, context, .. } => {
                args.insert("PREFLIGHT_IMAGE".into(), tag.clone());
                files.push((context.join("Dockerfile"), None));
            }
        }
        let made_here = match &inputs.preflight {
            Preflight::Local { tag, .. } | Preflight::Build { tag, .. } => Some(tag.clone()),
            _ => None,
        };
        for (file, target) in files {
            // The build reads the file again and reports what is wrong with it.
            let Ok(text) =
                nss_buildspec::read_project_file(&file, nss_buildspec::FileKind::Dockerfile, None)
            else {
                continue;
            };
            let Ok(dockerfile) = Dockerfile::parse(&text) else {
                continue;
            };
            let shown = session.display_path(&file);
            for base in external_bases(&dockerfile, &args, platform, target) {
                if made_here.as_deref() == Some(base.image.as_str()) {
                    continue;
                }
                let Ok(reference) = Reference::try_from(base.image.as_str()) else {
                    continue;
                };
                if wanted.iter().any(|w| w.reference == reference) {
                    continue;
                }
                let cuda = cuda_repo.as_ref().is_some_and(|(registry, repository)| {
                    reference.registry() == registry && reference.repository() == repository
                });
                wanted.push(Wanted {
                    reference,
                    image: base.image,
                    at: format!("{shown}:{}", base.line),
                    cuda,
                });
            }
        }
    }
    wanted.retain(|w| !is_local(engine, session, &w.image));
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let results = match lookup_all(&wanted) {
        Ok(results) => results,
        Err(e) => {
            return Ok(vec![format!(
                "could not check the base images ({e}); building anyway"
            )]);
        }
    };
    let mut warnings = Vec::new();
    let mut missing = Vec::new();
    for (w, result) in wanted.iter().zip(results) {
        let whole = w.reference.whole();
        match result {
            Lookup::Found => {}
            Lookup::Unreachable(why) => warnings.push(format!(
                "cannot reach the registry of {whole} ({why}); building with what the engine has or can pull ({}=0 skips this check)",
                env::CONTAINER_BASE_CHECK
            )),
            Lookup::Unknown(why) => warnings.push(format!(
                "could not check that {whole} exists ({why}); building anyway"
            )),
            Lookup::Missing(nearest) => {
                let mut line = format!(
                    "base image {whole} ({}) does not exist: its registry has no such tag",
                    w.at
                );
                if w.cuda {
                    match nearest {
                        Some(tags) if !tags.is_empty() => {
                            line.push_str(&format!(
                                "; nearest published tags: {}",
                                tags.join(", ")
                            ));
                        }
                        Some(_) => line.push_str(
                            "; the registry publishes no tag of that CUDA major version",
                        ),
                        None => {}
                    }
                }
                missing.push(line);
            }
        }
    }
    if missing.is_empty() {
        return Ok(warnings);
    }
    Err(Error::usage(
        missing.join("; "),
        "fix the pins the reference is made of (nss spec --explain shows each and its source)",
    ))
}

/// Whether the engine has `image` already (a cheap local query, time-bounded).
fn is_local(engine: &Engine, session: &Session, image: &str) -> bool {
    let mut cmd = Command::new(&engine.program);
    cmd.envs(engine.env());
    if engine.is_podman() {
        cmd.args(["image", "exists", image]);
    } else {
        cmd.args(["image", "inspect", "--format", "{{.Id}}", image]);
    }
    crate::engine::probe(&mut cmd, &session.vars).is_ok()
}

/// What a registry said about one reference.
#[derive(Debug)]
enum Lookup {
    Found,
    /// No such manifest; for a CUDA base, the nearest published tags when the tag list
    /// could be read.
    Missing(Option<Vec<String>>),
    Unreachable(String),
    Unknown(String),
}

/// Looks every reference up: the registries at once, each one's references in turn (a
/// registry found unreachable is not asked again). Results are in the order of `wanted`.
fn lookup_all(wanted: &[Wanted]) -> std::io::Result<Vec<Lookup>> {
    let mut plain_http: Vec<String> = wanted
        .iter()
        .map(|w| w.reference.resolve_registry().to_string())
        .filter(|r| is_loopback_registry(r))
        .collect();
    plain_http.dedup();
    let client = Client::new(oci_client::client::ClientConfig {
        protocol: oci_client::client::ClientProtocol::HttpsExcept(plain_http),
        connect_timeout: Some(CONNECT_TIMEOUT),
        read_timeout: Some(LOOKUP_TIMEOUT),
        ..Default::default()
    });
    // (index in `wanted`, reference, is the CUDA base), per registry.
    let mut by_registry: BTreeMap<String, Vec<(usize, Reference, bool)>> = BTreeMap::new();
    for (i, w) in wanted.iter().enumerate() {
        by_registry
            .entry(w.reference.resolve_registry().to_string())
            .or_default()
            .push((i, w.reference.clone(), w.cuda));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let results = runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for references in by_registry.into_values() {
            tasks.spawn(lookup_registry(client.clone(), references));
        }
        let mut results: Vec<(usize, Lookup)> = Vec::new();
        while let Some(done) = tasks.join_next().await {
            results.extend(done.unwrap_or_default());
        }
        results
    });
    // A name lookup the resolver still holds must not hold nss up.
    runtime.shutdown_background();
    let mut out: Vec<Option<Lookup>> = wanted.iter().map(|_| None).collect();
    for (i, lookup) in results {
        out[i] = Some(lookup);
    }
    Ok(out
        .into_iter()
        .map(|l| l.unwrap_or_else(|| Lookup::Unknown("the lookup did not finish".into())))
        .collect())
}

/// The references of one registry, in turn.
async fn lookup_registry(
    client: Client,
    references: Vec<(usize, Reference, bool)>,
) -> Vec<(usize, Lookup)> {
    let mut out = Vec::new();
    let mut unreachable: Option<String> = None;
    for (i, reference, cuda) in references {
        if let Some(why) = &unreachable {
            out.push((i, Lookup::Unreachable(why.clone())));
            continue;
        }
        let mut result = lookup(&client, &reference).await;
        if let Lookup::Unreachable(why) = &result {
            unreachable = Some(why.clone());
        }
        if let (Lookup::Missing(nearest), true, Some(tag)) = (&mut result, cuda, reference.tag()) {
            *nearest = published_tags(&client, &reference)
                .await
                .map(|tags| nearest_tags(tag, &tags, NEAREST));
        }
        out.push((i, result));
    }
    out
}

async fn lookup(client: &Client, reference: &Reference) -> Lookup {
    let started = Instant::now();
    let fetch = client.fetch_manifest_digest(reference, &RegistryAuth::Anonymous);
    match tokio::time::timeout(LOOKUP_TIMEOUT, fetch).await {
        Ok(Ok(_)) => Lookup::Found,
        Ok(Err(e)) => classify(&e),
        Err(_) => Lookup::Unreachable(format!("no answer within {}s", started.elapsed().as_secs())),
    }
}

/// Only a definite "no such manifest" is [`Lookup::Missing`].
fn classify(e: &OciDistributionError) -> Lookup {
    match e {
        OciDistributionError::RegistryError { envelope, .. }
            if envelope.errors.iter().any(|e| {
                matches!(e.code, OciErrorCode::ManifestUnknown | OciErrorCode::NameUnknown)
            }) =>
        {
            Lookup::Missing(None)
        }
        OciDistributionError::ServerError { code: 404, .. }
        | OciDistributionError::ImageManifestNotFoundError(_) => Lookup::Missing(None),
        OciDistributionError::RequestError(r) if r.is_connect() || r.is_timeout() => {
            Lookup::Unreachable(root_cause(r))
        }
        OciDistributionError::UnauthorizedError { .. }
        | OciDistributionError::AuthenticationFailure(_) => Lookup::Unknown(
            "the registry refused an anonymous lookup: a private image? nss looks up without credentials".into(),
        ),
        other => Lookup::Unknown(root_cause(other)),
    }
}

/// The innermost message of an error chain ("Connection refused (os error 111)").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut e = e;
    while let Some(source) = e.source() {
        e = source;
    }
    e.to_string()
}

/// The repository's tags, every page read within [`TAGS_TIMEOUT`]; `None` when the list
/// cannot be read. Pages continue after the greatest tag seen (the distribution spec
/// orders them lexically; a registry that does not repeats tags, which ends the loop).
async fn published_tags(client: &Client, reference: &Reference) -> Option<Vec<String>> {
    let read = async {
        let mut tags: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut last: Option<String> = None;
        loop {
            let page = client
                .list_tags(
                    reference,
                    &RegistryAuth::Anonymous,
                    Some(TAGS_PAGE),
                    last.as_deref(),
                )
                .await
                .ok()?;
            let before = tags.len();
            for tag in page.tags {
                if seen.insert(tag.clone()) {
                    tags.push(tag);
                }
            }
            if tags.len() == before {
                return Some(tags);
            }
            last = tags[before..].iter().max().cloned();
        }
    };
    tokio::time::timeout(TAGS_TIMEOUT, read)
        .await
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Dockerfile {
        Dockerfile::parse(text).unwrap()
    }

    fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn images(text: &str, build_args: &[(&str, &str)], target: Option<&str>) -> Vec<String> {
        external_bases(&parse(text), &args(build_args), "linux/arm64", target)
            .into_iter()
            .map(|b| b.image)
            .collect()
    }

    const CUDA: &str = "\
ARG CUDA_IMAGE=docker.io/nvidia/cuda
ARG CUDA_VERSION=12.8.1
ARG UV_IMAGE=ghcr.io/astral-sh/uv
ARG UV_VERSION=0.9.14
ARG PREFLIGHT_IMAGE=nss-preflight:local
FROM ${UV_IMAGE}:${UV_VERSION} AS uv
FROM ${PREFLIGHT_IMAGE} AS preflight
FROM ${CUDA_IMAGE}:${CUDA_VERSION}-devel-ubuntu22.04 AS deps
COPY --from=uv /uv /bin/uv
FROM deps AS project
FROM ${CUDA_IMAGE}:${CUDA_VERSION}-runtime-ubuntu22.04 AS runtime
COPY --from=project /opt/venv /opt/venv
COPY --from=preflight /nss-preflight /nss-preflight
FROM runtime AS dev
COPY --from=docker.io/library/busybox:1.36 /bin/busybox /bin/
FROM scratch AS unused
FROM python:3.11-slim AS other
";

    #[test]
    fn externals_are_the_bases_the_target_needs_with_build_args_substituted() {
        // (target, build args, expected images in file order)
        type Case<'a> = (Option<&'a str>, &'a [(&'a str, &'a str)], &'a [&'a str]);
        let cases: &[Case] = &[
            (
                Some("runtime"),
                &[("CUDA_VERSION", "12.6.3")],
                &[
                    "ghcr.io/astral-sh/uv:0.9.14",
                    "nss-preflight:local",
                    "docker.io/nvidia/cuda:12.6.3-devel-ubuntu22.04",
                    "docker.io/nvidia/cuda:12.6.3-runtime-ubuntu22.04",
                ],
            ),
            // dev adds the image it copies from; the unused stages are never pulled.
            (
                Some("dev"),
                &[("PREFLIGHT_IMAGE", "reg.example/pf:1")],
                &[
                    "ghcr.io/astral-sh/uv:0.9.14",
                    "reg.example/pf:1",
                    "docker.io/nvidia/cuda:12.8.1-devel-ubuntu22.04",
                    "docker.io/nvidia/cuda:12.8.1-runtime-ubuntu22.04",
                    "docker.io/library/busybox:1.36",
                ],
            ),
            // No target: the last stage.
            (None, &[], &["python:3.11-slim"]),
            (
                Some("uv"),
                &[("UV_VERSION", "0.9.20")],
                &["ghcr.io/astral-sh/uv:0.9.20"],
            ),
        ];
        for (target, build_args, want) in cases {
            assert_eq!(images(CUDA, build_args, *target), *want, "{target:?}");
        }
    }

    #[test]
    fn stages_scratch_indices_mounts_and_platform_args() {
        let text = "\
ARG BASE
FROM --platform=$BUILDPLATFORM debian:12 AS Build
FROM scratch AS files
FROM example.org/tools:${TARGETARCH} AS tools
FROM ${BASE} AS unknown
FROM build
COPY --from=1 /a /a
RUN --mount=type=bind,from=tools,target=/t --mount=type=cache,target=/c true
COPY --from=BUILD /b /b
";
        assert_eq!(
            images(text, &[], None),
            ["debian:12", "example.org/tools:arm64"],
            "stage names match in any case, `${{BASE}}` has no value"
        );
        assert_eq!(
            images(text, &[("BASE", "alpine:3")], Some("unknown")),
            ["alpine:3"]
        );
    }

    #[test]
    fn full_references_as_engines_read_them() {
        let cases = [
            (
                "python:3.11-slim",
                Some("docker.io/library/python:3.11-slim"),
            ),
            (
                "nvidia/cuda:12.8.1-runtime-ubuntu22.04",
                Some("docker.io/nvidia/cuda:12.8.1-runtime-ubuntu22.04"),
            ),
            (
                "index.docker.io/library/debian:12",
                Some("docker.io/library/debian:12"),
            ),
            ("ghcr.io/astral-sh/uv", Some("ghcr.io/astral-sh/uv:latest")),
            (
                "127.0.0.1:5000/mirror/cuda:12.8.1",
                Some("127.0.0.1:5000/mirror/cuda:12.8.1"),
            ),
            (
                "localhost/nss-debian:bookworm",
                Some("localhost/nss-debian:bookworm"),
            ),
            ("Not A Reference", None),
        ];
        for (image, want) in cases {
            // What the messages name: the reference as engines read it (`python:3.11` is
            // `docker.io/library/python:3.11`; no tag means `latest`).
            let whole = Reference::try_from(image).ok().map(|r| r.whole());
            assert_eq!(whole.as_deref(), want, "{image}");
        }
    }

    #[test]
    fn nearest_tags_prefer_the_same_version_then_the_same_variant() {
        let published: Vec<String> = [
            "12.8.1-runtime-ubuntu22.04",
            "12.8.1-runtime-ubuntu24.04",
            "12.8.1-devel-ubuntu22.04",
            "12.8.1-cudnn-runtime-ubuntu22.04",
            "12.8.0-runtime-ubuntu22.04",
            "12.6.3-runtime-ubuntu22.04",
            "12.9.1-runtime-ubuntu22.04",
            "11.8.0-runtime-ubuntu22.04",
            "13.0.0-runtime-ubuntu22.04",
            "latest",
        ]
        .map(String::from)
        .to_vec();
        // (wanted, nearest first)
        let cases: &[(&str, &[&str])] = &[
            // Same version, another OS or variant first.
            (
                "12.8.1-runtime-ubuntu20.04",
                &[
                    "12.8.1-runtime-ubuntu22.04",
                    "12.8.1-runtime-ubuntu24.04",
                    "12.8.1-cudnn-runtime-ubuntu22.04",
                    "12.8.1-devel-ubuntu22.04",
                    "12.8.0-runtime-ubuntu22.04",
                ],
            ),
            // A patch that does not exist: the same minor, same variant, nearest patch.
            (
                "12.8.9-runtime-ubuntu22.04",
                &[
                    "12.8.1-runtime-ubuntu22.04",
                    "12.8.0-runtime-ubuntu22.04",
                    "12.8.1-cudnn-runtime-ubuntu22.04",
                    "12.8.1-devel-ubuntu22.04",
                    "12.8.1-runtime-ubuntu24.04",
                ],
            ),
            // A minor that does not exist: the same major, nearest minor.
            (
                "12.7.0-runtime-ubuntu22.04",
                &[
                    "12.8.0-runtime-ubuntu22.04",
                    "12.8.1-runtime-ubuntu22.04",
                    "12.6.3-runtime-ubuntu22.04",
                    "12.9.1-runtime-ubuntu22.04",
                    "12.8.1-cudnn-runtime-ubuntu22.04",
                ],
            ),
            // Another major version is never near; a tag without a version has none.
            ("14.0.0-runtime-ubuntu22.04", &[]),
            ("latest-ubuntu", &[]),
        ];
        for (wanted, want) in cases {
            assert_eq!(nearest_tags(wanted, &published, 5), *want, "{wanted}");
        }
    }
}
