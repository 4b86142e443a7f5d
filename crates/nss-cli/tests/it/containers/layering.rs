//! Layering and caching of `containers/Dockerfile.cuda`: built, run, and rebuilt after a
//! source-only change (the dependency layer must stay cached, the project layer must
//! not), a lockfile change and an extras change (the dependency layer must rebuild). The
//! cached steps are read from the engine's own output (BuildKit `#N CACHED`, podman
//! `--> Using cache`), and the full-build and rebuild times are printed with their ratios.

#![allow(clippy::print_stdout)]

use nss_cli::ImageKind;
use nss_testkit::{Cleanup, TestEngine, assert_ok};

use super::{
    Builder, DEPS_SYNC, MANIFESTS_COPY, MARK_V1, PROJECT_FILES_COPY, PROJECT_SYNC, SOURCE_COPY,
    VENV_COPY, assert_runs_the_app, edit, no_cache, retarget, run,
};

/// Full build, run, then rebuilds proving which layers each kind of change invalidates,
/// on `containers/Dockerfile.cuda` as shipped (the miniature project as the context).
fn layering(engine: &TestEngine) {
    let name = engine.name();
    let mut cleanup = Cleanup::new(engine);
    let tag = cleanup.tag("mini");
    let mut builder = Builder::gpu(engine, &mut cleanup, true, &[]);
    let ctx = builder.context().to_path_buf();
    let ctx = ctx.as_path();

    // 1. Full build: no layer cache (the uv download cache mount may be warm).
    let full = builder.build_with(ImageKind::Runtime, &tag, no_cache);
    assert_eq!(
        full.cached_count(),
        0,
        "{name}: --no-cache build reused layers: {:#?}",
        full.steps
    );
    assert_runs_the_app(engine, &tag, "e2e");
    let (code, out, _) = run(engine, &tag, &["nope"]);
    assert_eq!(
        code, 2,
        "{name}: the app's exit code passes through tini and nss-preflight ({out:?})"
    );

    // The runtime stage takes the project's files apart from the dependencies: the
    // project stage's /opt/nss-project holds the files of nss_mini and its console
    // script, nothing of six or idna.
    let project_tag = cleanup.tag("mini-project");
    builder.build_with(ImageKind::Runtime, &project_tag, |a| retarget(a, "project"));
    let out = engine
        .command()
        .args(["run", "--rm", "--entrypoint", "find", &project_tag])
        .args(["/opt/nss-project", "!", "-type", "d"])
        .output()
        .expect("engine runs");
    assert_ok(&out, &format!("{name}: listing /opt/nss-project"));
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    let files: Vec<&str> = listed.lines().collect();
    let site = "/opt/nss-project/opt/venv/lib/";
    for file in &files {
        assert!(
            (file.starts_with(site) && file.contains("/site-packages/nss_mini"))
                || *file == "/opt/nss-project/opt/venv/bin/nss-mini",
            "{name}: /opt/nss-project holds {file}, not a file of the project:\n{listed}"
        );
    }
    for wanted in [
        "/nss_mini/__init__.py",
        "/nss_mini/__pycache__/__init__.cpython-",
    ] {
        assert!(
            files.iter().any(|f| f.contains(wanted)),
            "{name}: /opt/nss-project lacks {wanted}:\n{listed}"
        );
    }

    // 2. Nothing changed: every step cached.
    let noop = builder.build(ImageKind::Runtime, &tag);
    assert_eq!(
        noop.cached_count(),
        noop.steps.len(),
        "{name}: unchanged rebuild: {:#?}",
        noop.steps
    );

    // 3. Source-only change: the dependency layers stay, the project layers rebuild.
    let v2 = nss_testkit::unique("v2");
    edit(
        &ctx.join("src/nss_mini/__init__.py"),
        MARK_V1,
        &format!("MARK = \"{v2}\""),
    );
    let src = builder.build(ImageKind::Runtime, &tag);
    for s in src.steps.iter().filter(|s| s.stage == "deps") {
        assert!(
            s.cached,
            "{name}: source change rebuilt a dependency step: {s:?}"
        );
    }
    assert!(
        src.step("deps", DEPS_SYNC).cached,
        "{name}: source change re-ran `{DEPS_SYNC}`"
    );
    assert!(
        !src.step("project", SOURCE_COPY).cached,
        "{name}: source change did not reach `{SOURCE_COPY}`"
    );
    assert!(
        !src.step("project", PROJECT_SYNC).cached,
        "{name}: source change did not re-run `{PROJECT_SYNC}`"
    );
    // The runtime keeps its dependency layer (the venv from deps); only the project's
    // files come again.
    for s in src.before("runtime", PROJECT_FILES_COPY) {
        assert!(
            s.cached,
            "{name}: source change rebuilt a runtime step above the project's files: {s:?}"
        );
    }
    assert!(
        src.step("runtime", VENV_COPY).cached,
        "{name}: source change copied the dependencies again (`{VENV_COPY}`)"
    );
    assert!(
        !src.step("runtime", PROJECT_FILES_COPY).cached,
        "{name}: source change did not reach `{PROJECT_FILES_COPY}`"
    );
    let (code, out, err) = run(engine, &tag, &["hello", "e2e"]);
    assert_eq!(
        code, 0,
        "{name}: run after source change failed: {out}{err}"
    );
    assert!(
        out.contains(&format!("nss-mini {v2}: hello e2e")),
        "{name}: the rebuilt image runs old code: {out:?}"
    );

    // 4. Lockfile change: the dependency layer rebuilds.
    let lock = ctx.join("uv.lock");
    let mut text = std::fs::read_to_string(&lock).expect("read uv.lock");
    text.push_str(&format!(
        "# touched by the layering test {}\n",
        nss_testkit::unique("lock")
    ));
    std::fs::write(&lock, text).expect("write uv.lock");
    let locked = builder.build(ImageKind::Runtime, &tag);
    for s in locked.before("deps", MANIFESTS_COPY) {
        assert!(
            s.cached,
            "{name}: lockfile change rebuilt a step above the manifests: {s:?}"
        );
    }
    assert!(
        !locked.step("deps", MANIFESTS_COPY).cached,
        "{name}: lockfile change did not reach `{MANIFESTS_COPY}`"
    );
    assert!(
        !locked.step("deps", DEPS_SYNC).cached,
        "{name}: lockfile change did not re-run `{DEPS_SYNC}`"
    );
    assert!(
        !locked.step("runtime", VENV_COPY).cached,
        "{name}: lockfile change did not reach `{VENV_COPY}`"
    );

    // 5. EXTRAS changed (empty): the dependency layer rebuilds without the extra.
    builder.set_arg("EXTRAS", "");
    let extras = builder.build(ImageKind::Runtime, &tag);
    assert!(
        !extras.step("deps", DEPS_SYNC).cached,
        "{name}: EXTRAS change did not re-run `{DEPS_SYNC}`"
    );
    let (code, out, err) = run(engine, &tag, &["hello", "e2e"]);
    assert_eq!(code, 0, "{name}: run without extras failed: {out}{err}");
    assert!(
        out.contains("idna absent"),
        "{name}: EXTRAS=\"\" still installed the extra: {out:?}"
    );

    let full_s = full.took.as_secs_f64();
    println!("[{name}] full build (--no-cache): {}", full.summary());
    println!(
        "[{name}] unchanged rebuild:        {}  ratio {:.2}",
        noop.summary(),
        noop.took.as_secs_f64() / full_s
    );
    println!(
        "[{name}] source-only rebuild:      {}  ratio {:.2}",
        src.summary(),
        src.took.as_secs_f64() / full_s
    );
    println!(
        "[{name}] lockfile rebuild:         {}  ratio {:.2}",
        locked.summary(),
        locked.took.as_secs_f64() / full_s
    );
    println!(
        "[{name}] EXTRAS change rebuild:    {}  ratio {:.2}",
        extras.summary(),
        extras.took.as_secs_f64() / full_s
    );
}

nss_testkit::engine_test!(mini_layering, layering);
