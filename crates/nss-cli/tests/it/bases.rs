//! Fail fast on a missing base: `nss build` looks up the base images it would pull in
//! their registry before any build step, on both engines, against the loopback registry
//! (a CUDA "mirror" pushed there, named by the `CUDA_IMAGE` pin of the generic
//! `containers/Dockerfile.cuda`).

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Instant;

use nss_testkit::{Cleanup, TestEngine};

use crate::util::{FakeEngine, TempProject, fake_engine_env, nss};

/// Tags of the CUDA mirror pushed for these tests.
const MIRROR_TAGS: [&str; 5] = [
    "12.8.1-runtime-ubuntu22.04",
    "12.8.1-runtime-ubuntu24.04",
    "12.8.0-runtime-ubuntu22.04",
    "12.6.3-runtime-ubuntu22.04",
    "11.8.0-runtime-ubuntu22.04",
];

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("nss-test-{prefix}-{}-{nanos:x}", std::process::id())
}

fn assert_ok(out: &std::process::Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Pushes a one-file image under every tag of [`MIRROR_TAGS`] to `<registry>/<unique>/cuda`
/// with `engine`; returns the repository. The local tags are removed by `cleanup`.
fn push_cuda_mirror(engine: &TestEngine, registry: &str, cleanup: &mut Vec<String>) -> String {
    let repo = format!("{registry}/{}/cuda", unique("bases"));
    let dir = tempfile::Builder::new()
        .prefix("nss-test-mirror-")
        .tempdir()
        .unwrap();
    std::fs::create_dir(dir.path().join("root")).unwrap();
    std::fs::write(dir.path().join("root/stand-in"), "a CUDA base stand-in\n").unwrap();
    let tar = dir.path().join("root.tar");
    let out = Command::new("tar")
        .arg("-C")
        .arg(dir.path().join("root"))
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .output()
        .unwrap();
    assert_ok(&out, "tar");
    let first = format!("{repo}:{}", MIRROR_TAGS[0]);
    let out = engine
        .command()
        .arg("import")
        .arg(&tar)
        .arg(&first)
        .output()
        .unwrap();
    assert_ok(&out, "import");
    for tag in MIRROR_TAGS {
        let reference = format!("{repo}:{tag}");
        cleanup.push(reference.clone());
        let out = engine
            .command()
            .args(["tag", &first, &reference])
            .output()
            .unwrap();
        assert_ok(&out, "tag");
        let mut push = engine.command();
        push.arg("push");
        if engine.name() == "podman" {
            push.arg("--tls-verify=false");
        }
        let out = push.arg(&reference).output().unwrap();
        assert_ok(&out, &format!("push {reference}"));
    }
    repo
}

/// The miniature project, which has no Dockerfiles of its own: `nss` builds it with the
/// generic `containers/Dockerfile.cuda` it bundles, whose CUDA base is `${CUDA_IMAGE}:...`.
fn project() -> TempProject {
    let project = TempProject::new("mini", None);
    assert!(
        !project.dir().join("containers").exists(),
        "the bundled Dockerfiles are used"
    );
    project
}

/// The environment `nss` gets to build `project` on `engine`: uv's image and the preflight
/// image are local stand-ins (skipped by the check: the engine has them).
fn env(engine: &TestEngine, project: &TempProject, tag: &str) -> BTreeMap<String, String> {
    let mut env = crate::engines::nss_env(engine, project, &[("CONTAINER_GPU_IMAGE", tag)]);
    env.insert(
        "XDG_CACHE_HOME".into(),
        project.path("cache").display().to_string(),
    );
    if let Some(base) = nss_testkit::value(nss_testkit::NSS_TEST_BASE_IMAGE) {
        env.insert("CONTAINER_PREFLIGHT_IMAGE".into(), base);
    }
    env
}

fn image_exists(engine: &TestEngine, tag: &str) -> bool {
    engine
        .command()
        .args(["image", "inspect", tag])
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn a_missing_cuda_tag_fails_before_any_build_step_with_the_nearest_tags() {
    let engines = nss_testkit::engines();
    let Some(registry) = nss_testkit::registry() else {
        return;
    };
    let Some(pusher) = engines.first() else {
        return;
    };
    let _one = nss_testkit::exclusive();
    let mut pushed = Vec::new();
    let repo = push_cuda_mirror(pusher, &registry, &mut pushed);
    let _pushed = pushed
        .iter()
        .fold(Cleanup::new(pusher), |c, t| c.image(t.clone()));
    let missing = format!("{repo}:12.8.1-runtime-ubuntu20.04");
    for engine in &engines {
        let name = engine.name();
        let project = project();
        let tag = format!("{}:1", unique("never-built"));
        let _guard = Cleanup::new(engine).image(&tag);
        let env = env(engine, &project, &tag);
        let pins = [
            format!("CUDA_IMAGE={repo}"),
            "CUDA_VERSION=12.8.1".to_string(),
            "UBUNTU_VERSION=20.04".to_string(),
        ];
        let mut args = vec!["build"];
        args.extend(pins.iter().map(String::as_str));

        let started = Instant::now();
        let out = nss(&project.dir(), &env, &args);
        let took = started.elapsed();
        println!(
            "{name}: missing base reported in {:.2} s (target: under 20 s)",
            took.as_secs_f64()
        );
        assert_eq!(out.code, 2, "{name}: {out:?}");
        assert_eq!(out.stdout, "", "{name}: no build output");
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "{name}: one line, no build step: {lines:#?}"
        );
        let line = lines[0];
        assert!(
            line.starts_with(&format!("nss: error: base image {missing} (")),
            "{name}: {line}"
        );
        assert!(
            line.contains("containers/Dockerfile.cuda:"),
            "{name}: names the FROM line: {line}"
        );
        assert!(
            line.contains(
                "nearest published tags: 12.8.1-runtime-ubuntu22.04, 12.8.1-runtime-ubuntu24.04, 12.8.0-runtime-ubuntu22.04, 12.6.3-runtime-ubuntu22.04;"
            ),
            "{name}: {line}"
        );
        assert!(!image_exists(engine, &tag), "{name}: no image was built");

        // --dry-run asks no registry: it prints the plan.
        let mut dry = vec!["--dry-run"];
        dry.extend(&args);
        let out = nss(&project.dir(), &env, &dry);
        assert_eq!(out.code, 0, "{name}: {out:?}");
        assert!(
            out.stdout
                .contains(&format!("--build-arg CUDA_IMAGE={repo} "))
                && out.stdout.contains("--build-arg UBUNTU_VERSION=20.04 "),
            "{name}: {}",
            out.stdout
        );

        // CONTAINER_BASE_CHECK=0: no lookup; the engine's own pull fails instead.
        let mut off = args.clone();
        off.push("CONTAINER_BASE_CHECK=0");
        let out = nss(&project.dir(), &env, &off);
        assert_eq!(out.code, 1, "{name}: the build ran and failed: {out:?}");
        assert!(
            !out.stderr.contains("nss: error: base image"),
            "{name}: {}",
            out.stderr
        );
        assert!(!image_exists(engine, &tag), "{name}: no image was built");
    }
}

#[test]
fn an_unreachable_registry_warns_and_the_build_goes_on() {
    // A port nothing listens on: connection refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let repo = format!("127.0.0.1:{port}/nss-test/cuda");
    for engine in nss_testkit::engines() {
        let _one = nss_testkit::exclusive();
        let name = engine.name();
        let project = project();
        let tag = format!("{}:1", unique("never-built"));
        let _guard = Cleanup::new(&engine).image(&tag);
        let env = env(&engine, &project, &tag);
        let out = nss(
            &project.dir(),
            &env,
            &["build", &format!("CUDA_IMAGE={repo}")],
        );
        let lines: Vec<&str> = out.stderr.lines().collect();
        let warning = lines
            .iter()
            .position(|l| {
                l.starts_with(&format!(
                    "nss: warning: cannot reach the registry of {repo}:"
                )) && l.contains("CONTAINER_BASE_CHECK=0")
            })
            .unwrap_or_else(|| panic!("{name}: a warning: {lines:#?}"));
        // The build went on: the engine tried to pull the base itself and failed.
        let failed = lines
            .iter()
            .position(|l| l.starts_with("nss: error: `") && l.contains(" build "))
            .unwrap_or_else(|| panic!("{name}: the build ran: {lines:#?}"));
        assert!(warning < failed, "{name}: {lines:#?}");
        assert_eq!(out.code, 1, "{name}: {out:?}");
        assert!(!image_exists(&engine, &tag), "{name}: no image was built");
    }
}

#[test]
fn a_switch_value_that_is_not_one_is_refused_before_the_engine_is_asked() {
    let project = project();
    let fake = FakeEngine::podman().write(project.tmp.path());
    let env = fake_engine_env(&project, &fake);
    let out = nss(&project.dir(), &env, &["build", "CONTAINER_BASE_CHECK=off"]);
    assert_eq!(out.code, 2, "{out:?}");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "nss: error: CONTAINER_BASE_CHECK=\"off\" is not a switch value; use 1, true or yes to turn it on, or 0, false, no or empty for off"
        ],
    );
    assert_eq!(fake.calls(), Vec::<String>::new(), "no engine command ran");
}
