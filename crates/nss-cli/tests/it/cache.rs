//! Builds at team scale on the real engines: every image in one call, the registry build
//! cache read on a machine that has never built the project, and a source-only change
//! re-pushing only its own layer.

use std::path::{Path, PathBuf};
use std::process::Command;

use nss_testkit::{Cleanup, EngineKind, TestEngine};

use crate::engines::nss_env;
use crate::util::{TempProject, nss};

/// Bytes under the loopback registry's storage directory (what it has received).
fn registry_bytes() -> u64 {
    fn walk(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => walk(&e.path()),
                Ok(_) => e.metadata().map_or(0, |m| m.len()),
                Err(_) => 0,
            })
            .sum()
    }
    let dir = std::env::var_os(nss_testkit::NSS_ENGINES_DIR)
        .map(PathBuf::from)
        .unwrap_or_else(|| nss_testkit::workspace_root().join(".nss/engines"));
    walk(&dir.join("registry/data"))
}

fn skopeo(args: &[&str]) -> String {
    let out = Command::new("skopeo")
        .args(args)
        .output()
        .expect("skopeo runs");
    assert!(out.status.success(), "skopeo {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The tags of a repository in the loopback registry.
fn registry_tags(repo: &str) -> Vec<String> {
    let raw = skopeo(&[
        "list-tags",
        "--tls-verify=false",
        &format!("docker://{repo}"),
    ]);
    let v: serde_json::Value = serde_json::from_str(&raw).expect("list-tags prints JSON");
    v["Tags"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn push(engine: &TestEngine, local: &str, remote: &str) {
    let mut c = engine.command();
    c.arg("push");
    if engine.kind == EngineKind::Podman {
        c.args(["--tls-verify=false", local, remote]);
    } else {
        let out = engine
            .command()
            .args(["tag", local, remote])
            .output()
            .unwrap();
        assert!(out.status.success(), "tag: {out:?}");
        c.arg(remote);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{} push {remote}: {}",
        engine.name(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The bytes the registry gained while `push` ran.
fn pushed_bytes(engine: &TestEngine, local: &str, remote: &str) -> u64 {
    let before = registry_bytes();
    push(engine, local, remote);
    registry_bytes().saturating_sub(before)
}

fn layers(engine: &TestEngine, tag: &str) -> Vec<String> {
    let out = engine
        .command()
        .args([
            "image",
            "inspect",
            "--format",
            "{{json .RootFS.Layers}}",
            tag,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "inspect {tag}: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A podman client on a storage of its own (`--root`, `--runroot`): a machine that has
/// never built anything, holding only the base image.
struct FreshPodman {
    dir: tempfile::TempDir,
    engine: TestEngine,
}

impl FreshPodman {
    fn new(engine: &TestEngine, base_archive: &Path) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("nss-test-store-")
            .tempdir()
            .unwrap();
        let client = dir.path().join("podman");
        std::fs::write(
            &client,
            format!(
                "#!/bin/sh\nexec {} --root {} --runroot {} \"$@\"\n",
                engine.program.display(),
                dir.path().join("root").display(),
                dir.path().join("run").display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&client, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let engine = TestEngine {
            kind: EngineKind::Podman,
            program: client,
            env: engine.env.clone(),
        };
        let out = engine
            .command()
            .args(["load", "-q", "-i"])
            .arg(base_archive)
            .output()
            .unwrap();
        assert!(out.status.success(), "load the base: {out:?}");
        Self { dir, engine }
    }
}

impl Drop for FreshPodman {
    fn drop(&mut self) {
        // Unmounts what the storage still has mounted before the directory goes.
        let _ = self
            .engine
            .command()
            .args(["system", "reset", "-f"])
            .output();
        let _ = &self.dir;
    }
}

/// `nss build --image runtime,dev,test` with `CONTAINER_GPU_CACHE` and
/// `CONTAINER_TEST_CACHE`: each image keeps its own labels, the cache lands in the
/// registry; then a source-only change re-pushes the runtime image's one changed layer.
fn build_all_with_cache(engine: &TestEngine) {
    let Some((base, registry)) = base_and_registry() else {
        return;
    };
    let name = engine.name();
    let project = TempProject::new("probe", Some(&base));
    let id = engine.unique("cache");
    let runtime = format!("{id}-gpu:1");
    let dev = format!("{id}-dev:1");
    let test = format!("{id}-test:1");
    let cache = format!("{registry}/{id}-cache");
    let remote = format!("{registry}/{id}-gpu:1");
    let _guard = Cleanup::new(engine)
        .image(&runtime)
        .image(&dev)
        .image(&test)
        .image(&remote);
    let mut env = nss_env(
        engine,
        &project,
        &[
            ("CONTAINER_GPU_IMAGE", &runtime),
            ("CONTAINER_GPU_IMAGE_DEV", &dev),
            ("CONTAINER_TEST_IMAGE", &test),
            ("CONTAINER_GPU_CACHE", &cache),
            ("CONTAINER_TEST_CACHE", &cache),
        ],
    );
    let cwd = project.dir();
    let out = nss(&cwd, &env, &["build", "--image", "runtime,dev,test"]);
    assert_eq!(out.code, 0, "{name} build all: {}", out.stderr);
    for (kind, tag) in [("runtime", &runtime), ("dev", &dev), ("test", &test)] {
        let want = nss(&cwd, &env, &["labels", "--image", kind, "--format", "json"]);
        assert_eq!(want.code, 0, "{}", want.stderr);
        let want: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&want.stdout).unwrap();
        let got = nss_testkit::inspect_labels(engine, tag);
        for (k, v) in &want {
            assert_eq!(got.get(k), Some(v), "{name} {kind}: label {k}");
        }
    }
    let tags = registry_tags(&cache);
    if engine.kind == EngineKind::Podman {
        // buildah's own tags, one per cached step.
        assert!(tags.len() >= 3, "{name}: cache tags {tags:?}");
    } else {
        let mut t = tags.clone();
        t.sort();
        assert_eq!(t, ["dev", "runtime", "test"], "{name}: cache tags");
        // Inline cache: the cache metadata travels in the image's config.
        let config = skopeo(&[
            "inspect",
            "--config",
            "--raw",
            "--tls-verify=false",
            &format!("docker://{cache}:runtime"),
        ]);
        assert!(
            config.contains("moby.buildkit.cache.v0"),
            "{name}: no inline cache in {cache}:runtime"
        );
        // The next build reads it.
        let out = nss(&cwd, &env, &["build"]);
        assert_eq!(out.code, 0, "{name} rebuild: {}", out.stderr);
        let log = format!("{}{}", out.stdout, out.stderr);
        assert!(
            log.contains(&format!("importing cache manifest from {cache}:runtime")),
            "{name}: the rebuild does not read the cache:\n{log}"
        );
    }

    // Push only what changed: no change re-pushes nothing but the manifest; a change of
    // the project's own file re-pushes that layer.
    let first = pushed_bytes(engine, &runtime, &remote);
    let again = pushed_bytes(engine, &runtime, &remote);
    let probe = cwd.join("probe.sh");
    let text = std::fs::read_to_string(&probe).unwrap();
    std::fs::write(&probe, format!("{text}\n# a source-only change\n")).unwrap();
    // Without the cache, which would have sent the new layer to the registry already.
    env.remove("CONTAINER_GPU_CACHE");
    env.remove("CONTAINER_TEST_CACHE");
    let out = nss(&cwd, &env, &["build"]);
    assert_eq!(out.code, 0, "{name} rebuild: {}", out.stderr);
    let source = pushed_bytes(engine, &runtime, &remote);
    let own = std::fs::metadata(&probe).unwrap().len();
    // The first push finds the layers the cache already sent (the registry stores each
    // blob once): it is reported, not bounded.
    println!(
        "[{name}] registry bytes received: first push {first}, no change {again}, source-only change {source} (project file {own} B)"
    );
    assert!(
        again < 20_000,
        "{name}: an unchanged re-push sent {again} B"
    );
    assert!(
        source < 1_000_000 + own,
        "{name}: a source-only re-push sent {source} B"
    );
}

nss_testkit::engine_test!(
    builds_every_image_with_a_registry_cache,
    build_all_with_cache
);

/// The test image's Dockerfile of the second-machine test: a step worth caching before
/// any `ARG` of its stage (podman 4.3 looks an `ARG` step up in its local store only, and
/// after the first step it did not find it looks up nothing remotely).
const SECOND_MACHINE_DOCKERFILE: &str = "\
FROM BASE
RUN echo built once > /built.txt && sleep 2
COPY probe.sh /usr/local/bin/nss-probe
ARG EXTRAS
ENTRYPOINT [\"/usr/local/bin/nss-probe\"]
";

/// podman: a second machine (a storage of its own holding only the base image) builds
/// the same commit from the registry cache the first one wrote: its layer steps are
/// pulled from the cache, not run, and the image has the first machine's layers.
#[test]
fn podman_second_machine_builds_from_the_registry_cache() {
    let Some(podman) = nss_testkit::podman() else {
        return;
    };
    let _one = nss_testkit::exclusive();
    let Some((base, registry)) = base_and_registry() else {
        return;
    };
    let project = TempProject::new("probe", Some(&base));
    let dockerfile = project.dir().join("Dockerfile.cached");
    std::fs::write(
        &dockerfile,
        SECOND_MACHINE_DOCKERFILE.replace("BASE", &base),
    )
    .unwrap();
    let archive = project.path("base.tar");
    let out = podman
        .command()
        .args(["save", "-q", "-o"])
        .arg(&archive)
        .arg(&base)
        .output()
        .unwrap();
    assert!(out.status.success(), "save the base: {out:?}");
    let id = podman.unique("cache2");
    let tag = format!("{id}:1");
    let cache = format!("{registry}/{id}-cache");
    let file = dockerfile.display().to_string();
    let mut built = Vec::new();
    for machine in ["first", "second"] {
        let fresh = FreshPodman::new(&podman, &archive);
        let env = nss_env(
            &fresh.engine,
            &project,
            &[
                ("CONTAINER_TEST_IMAGE", &tag),
                ("CONTAINER_TEST_FILE", &file),
                ("CONTAINER_TEST_CACHE", &cache),
            ],
        );
        let out = nss(&project.dir(), &env, &["build", "--image", "test"]);
        assert_eq!(out.code, 0, "{machine} machine: {}", out.stderr);
        let log = format!("{}{}", out.stdout, out.stderr);
        let pulled = log.matches("Cache pulled from remote").count();
        if machine == "second" {
            assert_eq!(
                pulled, 2,
                "the second machine did not pull its RUN and COPY steps:\n{log}"
            );
        } else {
            assert_eq!(pulled, 0, "{log}");
            assert!(log.contains(&format!("Pushing cache {cache}:")), "{log}");
        }
        built.push(layers(&fresh.engine, &tag));
    }
    assert_eq!(built[0], built[1], "the second machine's layers differ");
}

/// The stand-in base image and the loopback registry, or `None` (the test is skipped,
/// or fails when engines are required).
fn base_and_registry() -> Option<(String, String)> {
    Some((
        nss_testkit::value(nss_testkit::NSS_TEST_BASE_IMAGE)?,
        nss_testkit::registry()?,
    ))
}
