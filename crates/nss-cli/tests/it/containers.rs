//! The Dockerfiles under containers/ built for real: layering and caching.
//!
//! `containers/Dockerfile.cuda`, as shipped, builds the miniature project
//! (`tests/fixtures/mini`) on local stand-ins that the pins name (`CUDA_IMAGE`,
//! `CUDA_VERSION`, `PYTHON_SOURCE=base`). For each engine that
//! `scripts/engines.sh` started, it is built with the argv shape `nss build` uses
//! (`build --platform P -t TAG -f Dockerfile --target runtime --build-arg ...
//! --secret id=build_ca,src=CA CONTEXT`), run, and rebuilt after a source-only change
//! (the dependency layer must stay cached, the project layer must not) and after a
//! lockfile change (the dependency layer must rebuild). The cached steps are read
//! from the engine's own output (BuildKit `#N CACHED`, podman `--> Using cache`), and
//! the full-build and rebuild times are printed with their ratios.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use nss_testkit::{EngineKind, TestEngine};

/// The miniature project, as committed.
fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini")
}

/// The marker line of the app's source; the source change rewrites it.
const MARK_V1: &str = "MARK = \"v1\"";

/// Needles that find the steps the layering claims are about, in both engines' output
/// (BuildKit prints `${EXTRAS}` expanded, podman does not; these avoid it).
const DEPS_SYNC: &str = "uv sync --no-install-project";
const PROJECT_SYNC: &str = "uv sync --no-editable --no-group dev";
const MANIFESTS_COPY: &str = "COPY pyproject.toml uv.lock";
const SOURCE_COPY: &str = "COPY . .";
const VENV_COPY: &str = "COPY --from=deps /opt/venv";
const PROJECT_FILES_COPY: &str = "COPY --from=project /opt/nss-project/";

// ---------------------------------------------------------------------------
// Parsing the engines' build output
// ---------------------------------------------------------------------------

/// One instruction of a build, as the engine reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BuildStep {
    /// The stage name (`deps`, `runtime`, ...).
    stage: String,
    /// The instruction text (`RUN ...`, `COPY ...`).
    text: String,
    /// Whether the engine reused a cached layer for it.
    cached: bool,
}

/// BuildKit `--progress=plain`: `#N [stage i/n] TEXT` introduces step N, `#N CACHED`
/// marks it reused. `FROM` and `[internal]` steps are not instructions that build.
fn parse_buildkit(log: &str) -> Vec<BuildStep> {
    let mut steps: Vec<(String, BuildStep)> = Vec::new();
    for line in log.lines() {
        let Some(rest) = line.strip_prefix('#') else {
            continue;
        };
        let Some((id, rest)) = rest.split_once(' ') else {
            continue;
        };
        if !id.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if rest.trim() == "CACHED" {
            if let Some((_, s)) = steps.iter_mut().find(|(i, _)| i == id) {
                s.cached = true;
            }
            continue;
        }
        let Some(rest) = rest.strip_prefix('[') else {
            continue;
        };
        let Some((head, text)) = rest.split_once("] ") else {
            continue;
        };
        let Some((stage, _)) = head.split_once(' ') else {
            continue;
        };
        if stage == "internal" || text.starts_with("FROM ") || steps.iter().any(|(i, _)| i == id) {
            continue;
        }
        steps.push((
            id.to_string(),
            BuildStep {
                stage: stage.to_string(),
                text: text.to_string(),
                cached: false,
            },
        ));
    }
    steps.into_iter().map(|(_, s)| s).collect()
}

/// podman (buildah): `[k/n] STEP i/m: TEXT`; the first `-->` line after it is
/// `--> Using cache ID` when the layer was reused (then a `--> ID` line follows), else
/// `--> ID`. The stage name comes from the stage's `FROM ... AS name` step.
///
/// buildah builds a stage that a `COPY --from=stage` needs when it reaches that step, so
/// the other stage's steps come between the `COPY` and its `-->` line: open steps form a
/// stack, and a `-->` line closes the innermost one.
fn parse_podman(log: &str) -> Vec<BuildStep> {
    /// An open step: its stage index and, unless it is a `FROM`, its place in `steps`.
    struct Open {
        stage: String,
        step: Option<usize>,
    }
    let mut steps: Vec<BuildStep> = Vec::new();
    let mut names: std::collections::HashMap<String, String> = Default::default();
    let mut open: Vec<Open> = Vec::new();
    let mut skip_id_line = false; // the `--> ID` line after `--> Using cache ID`
    for line in log.lines() {
        // `[k/n] STEP i/m: TEXT` (multi-stage) or `STEP i/m: TEXT`; RUN output never
        // starts that way.
        let (index, bare) = match line.strip_prefix('[').and_then(|r| r.split_once("] ")) {
            Some((k, r)) => (k.split('/').next().unwrap_or("").to_string(), r),
            None => (String::new(), line),
        };
        if bare.starts_with("STEP ") {
            let Some((_, text)) = bare.split_once(": ") else {
                continue;
            };
            skip_id_line = false;
            // A step of the same stage replaces that stage's open FROM.
            if open.last().is_some_and(|o| o.stage == index) {
                open.pop();
            }
            if let Some(from) = text.strip_prefix("FROM ") {
                let name = match from.to_ascii_lowercase().rfind(" as ") {
                    Some(i) => from[i + 4..].trim().to_string(),
                    None => String::new(),
                };
                names.insert(index.clone(), name);
                open.push(Open {
                    stage: index,
                    step: None,
                });
                continue;
            }
            steps.push(BuildStep {
                stage: names.get(&index).cloned().unwrap_or_default(),
                text: text.to_string(),
                cached: false,
            });
            open.push(Open {
                stage: index,
                step: Some(steps.len() - 1),
            });
        } else if line.starts_with("-->") {
            let cached = line.starts_with("--> Using cache");
            if !cached && std::mem::take(&mut skip_id_line) {
                continue;
            }
            if let Some(o) = open.pop() {
                if let Some(i) = o.step {
                    steps[i].cached = cached;
                }
                skip_id_line = cached;
            }
        }
    }
    steps
}

/// The result of one build: its steps, how long it took.
#[derive(Debug)]
struct Build {
    steps: Vec<BuildStep>,
    took: Duration,
}

impl Build {
    /// The one step of `stage` whose text contains `needle`.
    fn step(&self, stage: &str, needle: &str) -> &BuildStep {
        let found: Vec<&BuildStep> = self
            .steps
            .iter()
            .filter(|s| s.stage == stage && s.text.contains(needle))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one `{needle}` step in stage {stage}, got {found:#?}\nall steps: {:#?}",
            self.steps
        );
        found[0]
    }

    /// Every step of `stage` before the one containing `needle`.
    fn before(&self, stage: &str, needle: &str) -> Vec<&BuildStep> {
        self.steps
            .iter()
            .filter(|s| s.stage == stage)
            .take_while(|s| !s.text.contains(needle))
            .collect()
    }

    fn cached_count(&self) -> usize {
        self.steps.iter().filter(|s| s.cached).count()
    }

    fn summary(&self) -> String {
        format!(
            "{:.2} s, {} of {} steps cached",
            self.took.as_secs_f64(),
            self.cached_count(),
            self.steps.len()
        )
    }
}

// ---------------------------------------------------------------------------
// Engines, images and the preflight binary
// ---------------------------------------------------------------------------

/// Removes the images a test tagged, even when it fails.
struct Images<'a> {
    engine: &'a TestEngine,
    tags: Vec<String>,
}

impl<'a> Images<'a> {
    fn new(engine: &'a TestEngine) -> Self {
        Self {
            engine,
            tags: Vec::new(),
        }
    }

    /// A fresh unique tag, removed on drop.
    fn tag(&mut self, what: &str) -> String {
        let tag = format!(
            "localhost/nss-test-{what}-{}-{}:latest",
            self.engine.name(),
            unique()
        );
        self.tags.push(tag.clone());
        tag
    }
}

impl Drop for Images<'_> {
    fn drop(&mut self) {
        for tag in self.tags.iter().rev() {
            let _ = self.engine.command().args(["rmi", "-f", tag]).output();
        }
    }
}

/// A token no earlier run used: process id and clock. Edits made by a test carry it, so a
/// rebuild after an edit can never hit layers that an earlier run cached for the same edit.
fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{}-{nanos}", std::process::id())
}

/// `linux/amd64` or `linux/arm64`: the platform of this host, which `nss` builds by default.
fn host_platform() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "linux/arm64",
        _ => "linux/amd64",
    }
}

/// The static `nss-preflight`, built once per test process in its own target directory
/// (so it never waits on the cargo lock of the `cargo test` that runs us).
fn preflight_binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = nss_testkit::workspace_root();
        let target_dir = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"))
            .join("e2e-preflight");
        let cargo = option_env!("CARGO").unwrap_or("cargo");
        let triple = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
        let out = Command::new(cargo)
            .current_dir(&root)
            .args([
                "build",
                "--locked",
                "-p",
                "nss-preflight",
                "--bin",
                "nss-preflight",
            ])
            // Static, as `nss build` makes it: the host triple named, `+crt-static` for it only.
            .args([
                "--target",
                &triple,
                "--config",
                &nss_cli::static_rustflags(&triple),
            ])
            .args(["--message-format=json-render-diagnostics"])
            .env("CARGO_TARGET_DIR", &target_dir)
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "cargo build -p nss-preflight failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| {
                v["reason"] == "compiler-artifact" && v["target"]["name"] == "nss-preflight"
            })
            .find_map(|v| v["executable"].as_str().map(PathBuf::from))
            .expect("cargo reports the nss-preflight executable")
    })
}

/// A copy of the miniature project in a fresh directory, with the preflight binary
/// beside its Dockerfile (the default `preflight-src` stage copies it from there).
fn mini_project() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("nss-test-mini-")
        .tempdir()
        .expect("tempdir");
    copy_tree(&fixture_dir(), dir.path());
    std::fs::copy(preflight_binary(), dir.path().join("nss-preflight"))
        .expect("copy nss-preflight");
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("dir entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy fixture file");
        }
    }
}

/// Builds the FROM-scratch preflight image (what `nss` does when the project is not
/// this workspace), tagged `tag`.
fn build_preflight_image(engine: &TestEngine, tag: &str) {
    let dir = tempfile::Builder::new()
        .prefix("nss-test-preflight-")
        .tempdir()
        .expect("tempdir");
    std::fs::copy(preflight_binary(), dir.path().join("nss-preflight"))
        .expect("copy nss-preflight");
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY nss-preflight /nss-preflight\n",
    )
    .expect("write Dockerfile");
    let out = engine
        .command()
        // --no-cache: one COPY is cheap, and a cache entry whose image another test
        // removed meanwhile can make podman fail with "layer not known".
        .args([
            "build",
            "--no-cache",
            "--platform",
            host_platform(),
            "-t",
            tag,
            "-f",
        ])
        .arg(dir.path().join("Dockerfile"))
        .arg(dir.path())
        .output()
        .expect("engine runs");
    assert_ok(
        &out,
        &format!("{} build of the preflight image", engine.name()),
    );
}

fn assert_ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One build of the miniature project, timed, with its steps parsed from the log.
fn build(engine: &TestEngine, context: &Path, tag: &str, target: &str, extra: &[&str]) -> Build {
    let ca =
        nss_testkit::value(nss_testkit::NSS_TEST_CA_BUNDLE).expect("engines publish a CA bundle");
    let mut cmd = engine.command();
    cmd.args(["build", "--platform", host_platform(), "-t", tag]);
    if engine.kind == EngineKind::Docker {
        cmd.arg("--progress=plain");
    }
    cmd.arg("-f").arg(context.join("Dockerfile"));
    cmd.args(["--target", target]);
    cmd.args(extra);
    cmd.args(["--secret", &format!("id=build_ca,src={ca}")]);
    cmd.arg(context);
    let start = Instant::now();
    let out = cmd.output().expect("engine runs");
    let took = start.elapsed();
    assert_ok(&out, &format!("{} build {tag}", engine.name()));
    // BuildKit logs on stderr, podman on stdout (steps) and stderr (RUN output).
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let steps = match engine.kind {
        EngineKind::Docker => parse_buildkit(&log),
        EngineKind::Podman => parse_podman(&log),
    };
    assert!(
        !steps.is_empty(),
        "no build steps found in the {} log:\n{log}",
        engine.name()
    );
    Build { steps, took }
}

/// `run --rm IMAGE ARGS...`: (exit code, stdout, stderr).
fn run(engine: &TestEngine, image: &str, args: &[&str]) -> (i32, String, String) {
    let out = engine
        .command()
        .args(["run", "--rm", image])
        .args(args)
        .output()
        .expect("engine runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `run --rm OPTIONS... IMAGE ARGS...`: (exit code, stdout, stderr).
fn run_opts(
    engine: &TestEngine,
    options: &[&str],
    image: &str,
    args: &[&str],
) -> (i32, String, String) {
    let out = engine
        .command()
        .args(["run", "--rm"])
        .args(options)
        .arg(image)
        .args(args)
        .output()
        .expect("engine runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, text.replace(from, to)).expect("write");
}

// ---------------------------------------------------------------------------
// The end-to-end test
// ---------------------------------------------------------------------------

/// A CUDA base stand-in no earlier run built on: the local Debian Python image plus one
/// file unique to this run (a new layer chain, so this run's layers form their own cache
/// chain in both engines), tagged `<repo>:<version>-runtime-ubuntu22.04`. Returns the build args naming
/// it (`CUDA_IMAGE`, `CUDA_VERSION`) and taking its Python (`PYTHON_SOURCE=base`).
fn fresh_cuda_base(engine: &TestEngine, images: &mut Images<'_>) -> Vec<String> {
    let python_image = nss_testkit::value(nss_testkit::NSS_TEST_PYTHON_IMAGE)
        .expect("engines publish a Python image");
    let run = unique();
    let repo = format!("localhost/nss-test-cuda-{}", engine.name());
    let version = format!("nss-test-{run}");
    let tag = format!("{repo}:{version}-runtime-ubuntu22.04");
    images.tags.push(tag.clone());
    let dir = tempfile::Builder::new()
        .prefix("nss-test-base-")
        .tempdir()
        .expect("tempdir");
    std::fs::write(
        dir.path().join("Dockerfile"),
        format!("FROM {python_image}\nRUN echo {run} > /nss-test-run\n"),
    )
    .expect("write Dockerfile");
    let out = engine
        .command()
        .args(["build", "--platform", host_platform(), "-t", &tag])
        .arg(dir.path())
        .output()
        .expect("engine runs");
    assert_ok(
        &out,
        &format!("{} build of the CUDA stand-in", engine.name()),
    );
    vec![
        format!("CUDA_IMAGE={repo}"),
        format!("CUDA_VERSION={version}"),
        "PYTHON_SOURCE=base".into(),
    ]
}

/// Full build, run, then rebuilds proving which layers each kind of change invalidates,
/// on `containers/Dockerfile.cuda` as shipped (the miniature project as the context).
fn layering(engine: &TestEngine) {
    let name = engine.name();
    let mut images = Images::new(engine);
    let preflight = images.tag("preflight");
    build_preflight_image(engine, &preflight);
    let project = mini_project();
    let ctx = project.path();
    std::fs::copy(
        nss_testkit::workspace_root().join(nss_buildspec::DEFAULT_GPU_DOCKERFILE),
        ctx.join("Dockerfile"),
    )
    .expect("copy Dockerfile.cuda");
    let tag = images.tag("mini");
    let mut pins = fresh_cuda_base(engine, &mut images);
    pins.extend([
        format!("PREFLIGHT_IMAGE={preflight}"),
        "EXTRAS=fancy".into(),
        "APP=nss-mini".into(),
    ]);
    let args: Vec<&str> = pins
        .iter()
        .flat_map(|a| ["--build-arg", a.as_str()])
        .collect();

    // 1. Full build: no layer cache (the uv download cache mount may be warm).
    let mut no_cache = vec!["--no-cache"];
    no_cache.extend(&args);
    let full = build(engine, ctx, &tag, "runtime", &no_cache);
    assert_eq!(
        full.cached_count(),
        0,
        "{name}: --no-cache build reused layers: {:#?}",
        full.steps
    );
    let (code, out, err) = run(engine, &tag, &["hello", "e2e"]);
    assert_eq!(code, 0, "{name}: run failed: {out}{err}");
    assert!(
        out.contains("nss-mini v1: hello e2e; six 1.17.0; idna 3.20"),
        "{name}: unexpected app output: {out:?} (stderr {err:?})"
    );
    let (code, out, err) = run(engine, &tag, &[]);
    assert_eq!(code, 0, "{name}: default CMD failed: {out}{err}");
    assert!(
        out.contains("usage: nss-mini hello"),
        "{name}: CMD [\"--help\"] printed {out:?}"
    );
    let (code, out, _) = run(engine, &tag, &["nope"]);
    assert_eq!(
        code, 2,
        "{name}: the app's exit code passes through tini and nss-preflight ({out:?})"
    );

    // The runtime stage takes the project's files apart from the dependencies: the
    // project stage's /opt/nss-project holds the files of nss_mini and its console
    // script, nothing of six or idna.
    let project_tag = images.tag("mini-project");
    build(engine, ctx, &project_tag, "project", &args);
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
    let noop = build(engine, ctx, &tag, "runtime", &args);
    assert_eq!(
        noop.cached_count(),
        noop.steps.len(),
        "{name}: unchanged rebuild: {:#?}",
        noop.steps
    );

    // 3. Source-only change: the dependency layers stay, the project layers rebuild.
    let v2 = format!("v2-{}", unique());
    edit(
        &ctx.join("src/nss_mini/__init__.py"),
        MARK_V1,
        &format!("MARK = \"{v2}\""),
    );
    let src = build(engine, ctx, &tag, "runtime", &args);
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
    text.push_str(&format!("# touched by the layering test {}\n", unique()));
    std::fs::write(&lock, text).expect("write uv.lock");
    let locked = build(engine, ctx, &tag, "runtime", &args);
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
    // The later `--build-arg EXTRAS=` wins over the earlier `EXTRAS=fancy`.
    let mut no_extras = args.clone();
    no_extras.extend(["--build-arg", "EXTRAS="]);
    let extras = build(engine, ctx, &tag, "runtime", &no_extras);
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

/// Runs `test` on `engine` (absent: skipped, or failed under `CI=true`), holding
/// [`nss_testkit::exclusive`] throughout: these tests build, remove and time images.
fn exclusively(engine: Option<TestEngine>, test: fn(&TestEngine)) {
    if let Some(engine) = engine {
        let _one = nss_testkit::exclusive();
        test(&engine);
    }
}

#[test]
fn mini_layering_podman() {
    exclusively(nss_testkit::podman(), layering);
}

#[test]
fn mini_layering_docker() {
    exclusively(nss_testkit::docker(), layering);
}

/// The Dockerfile's own preflight path: `/nss-preflight` from the build context
/// (`PREFLIGHT_IMAGE=preflight-src`), then the dev stage (root, dev group, make).
///
/// podman 4.3 only follows `FROM ${PREFLIGHT_IMAGE}` to a stage when the value is
/// given with `--build-arg` (an ARG default is not expanded when it decides which
/// stages are used), so the argument is passed explicitly, as `nss` does.
fn preflight_from_context_and_dev(engine: &TestEngine) {
    let name = engine.name();
    let mut images = Images::new(engine);
    let project = mini_project();
    let ctx = project.path();
    let args = ["--build-arg", "PREFLIGHT_IMAGE=preflight-src"];

    let runtime = images.tag("mini-ctx");
    build(engine, ctx, &runtime, "runtime", &args);
    let (code, out, err) = run(engine, &runtime, &["hello", "ctx"]);
    assert_eq!(code, 0, "{name}: run failed: {out}{err}");
    assert!(
        out.contains("nss-mini v1: hello ctx"),
        "{name}: unexpected output {out:?}"
    );
    let (_, usage, _) = run(engine, &runtime, &["--help"]);
    assert!(usage.contains("usage: nss-mini"), "{name}: {usage:?}");
    let out = engine
        .command()
        .args(["run", "--rm", "--entrypoint", "id", &runtime, "-u"])
        .output()
        .expect("engine runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1000",
        "{name}: runtime user is not uid 1000"
    );

    let dev = images.tag("mini-dev");
    let b = build(engine, ctx, &dev, "dev", &args);
    assert!(
        b.step("deps", DEPS_SYNC).cached,
        "{name}: the dev build re-ran the dependency sync"
    );
    let out = engine
        .command()
        .args(["run", "--rm", "--entrypoint", "sh", &dev, "-c"])
        .arg("id -u && make --version >/dev/null && /opt/venv/bin/python -c 'import pytest, six, nss_mini'")
        .output()
        .expect("engine runs");
    assert_ok(&out, &format!("{name}: dev image check"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0",
        "{name}: the dev image runs as root"
    );
}

#[test]
fn mini_preflight_from_context_and_dev_podman() {
    exclusively(nss_testkit::podman(), preflight_from_context_and_dev);
}

#[test]
fn mini_preflight_from_context_and_dev_docker() {
    exclusively(nss_testkit::docker(), preflight_from_context_and_dev);
}

/// `containers/Dockerfile.test_ci`, unmodified, built from the miniature and run: its
/// default command runs the project's test suite, as a non-root user; with the checkout
/// mounted at /workspace, `uv run --frozen pytest` (what a Makefile's `test-ci` target
/// runs) works as that user and imports the mounted source. python:X.Y.Z-slim cannot be
/// pulled here: the local Debian Python image is tagged `localhost/nss-test-python-...:
/// <unique>-slim` and named with `PYTHON_IMAGE` and `PYTHON_VERSION=<unique>`.
fn test_ci_image(engine: &TestEngine) {
    let name = engine.name();
    let python_image = nss_testkit::value(nss_testkit::NSS_TEST_PYTHON_IMAGE)
        .expect("engines publish a Python image");
    let mut images = Images::new(engine);
    let version = format!("nss-test-{}", unique());
    let repo = format!("localhost/nss-test-python-{name}");
    let base = format!("{repo}:{version}-slim");
    images.tags.push(base.clone());
    let out = engine
        .command()
        .args(["tag", &python_image, &base])
        .output()
        .expect("engine runs");
    assert_ok(&out, &format!("{name} tag of the python stand-in"));

    let project = mini_project();
    let ctx = project.path();
    let tag = images.tag("test-ci");
    let ca =
        nss_testkit::value(nss_testkit::NSS_TEST_CA_BUNDLE).expect("engines publish a CA bundle");
    let out = engine
        .command()
        .args(["build", "--platform", host_platform(), "-t", &tag, "-f"])
        .arg(nss_testkit::workspace_root().join(nss_buildspec::DEFAULT_CPU_DOCKERFILE))
        .args(["--build-arg", &format!("PYTHON_IMAGE={repo}")])
        .args(["--build-arg", &format!("PYTHON_VERSION={version}")])
        .args(["--build-arg", "EXTRAS=fancy", "--build-arg", "APP=nss-mini"])
        .args(["--secret", &format!("id=build_ca,src={ca}")])
        .arg(ctx)
        .output()
        .expect("engine runs");
    assert_ok(&out, &format!("{name} build of Dockerfile.test_ci"));

    let (code, out, err) = run(engine, &tag, &[]);
    assert_eq!(
        code, 0,
        "{name}: the test image's default command failed:\n{out}{err}"
    );
    assert!(
        out.contains("2 passed"),
        "{name}: pytest did not run the suite: {out:?}"
    );
    // The checkout mounted at /workspace (a marker file only it has), uv run as uid 1000,
    // offline: nothing is downloaded or reinstalled.
    std::fs::write(
        ctx.join("tests/test_mounted.py"),
        "def test_mounted():\n    pass\n",
    )
    .expect("write test");
    let mount = format!("{}:/workspace", ctx.display());
    let (code, out, err) = run_opts(
        engine,
        &["-v", &mount, "-e", "UV_OFFLINE=1"],
        &tag,
        &[
            "sh",
            "-c",
            "id -u; uv run --frozen pytest -q -p no:cacheprovider; python -c 'import nss_mini; print(nss_mini.__file__)'",
        ],
    );
    assert_eq!(code, 0, "{name}: uv run in the test image:\n{out}{err}");
    assert!(
        out.starts_with("1000\n") && out.contains("3 passed"),
        "{name}: expected uid 1000 and the mounted suite (3 tests), got {out:?}"
    );
    assert!(
        out.contains("/workspace/src/nss_mini/"),
        "{name}: the project is not imported from the mounted checkout: {out:?}"
    );
}

#[test]
fn test_ci_dockerfile_runs_the_suite_podman() {
    exclusively(nss_testkit::podman(), test_ci_image);
}

#[test]
fn test_ci_dockerfile_runs_the_suite_docker() {
    exclusively(nss_testkit::docker(), test_ci_image);
}

/// `containers/Dockerfile.cuda`, unmodified, built from the miniature: one cold
/// `--target dev` build (the runtime and dev stages' apt steps in one build: podman 4.3
/// hung there when both locked one cache), then the runtime target. What cannot be
/// fetched here is named by the pins: the CUDA base is the local Debian Python image
/// tagged `localhost/nss-test-cuda-...:<unique>-runtime-ubuntu22.04` (`CUDA_IMAGE`,
/// `CUDA_VERSION=<unique>`), and Python is the base image's (`PYTHON_SOURCE=base`, GitHub
/// being unreachable for `uv python install`). Everything else runs as written: the uv
/// stage, both `uv sync` passes through the build CA, apt with cache mounts and the
/// runtime's compiler, the non-root user, the preflight image, the app launcher, the dev
/// stage's command line, git and uv on the mounted checkout.
fn cuda_dockerfile_with_stand_ins(engine: &TestEngine) {
    let name = engine.name();
    let python_image = nss_testkit::value(nss_testkit::NSS_TEST_PYTHON_IMAGE)
        .expect("engines publish a Python image");
    let mut images = Images::new(engine);
    let cuda_version = format!("nss-test-{}", unique());
    let cuda_repo = format!("localhost/nss-test-cuda-{name}");
    let base = format!("{cuda_repo}:{cuda_version}-runtime-ubuntu22.04");
    images.tags.push(base.clone());
    let out = engine
        .command()
        .args(["tag", &python_image, &base])
        .output()
        .expect("engine runs");
    assert_ok(&out, &format!("{name} tag of the nvidia/cuda stand-in"));
    let preflight = images.tag("preflight");
    build_preflight_image(engine, &preflight);

    let project = mini_project();
    let ctx = project.path();
    let dockerfile = nss_testkit::workspace_root().join(nss_buildspec::DEFAULT_GPU_DOCKERFILE);
    std::fs::copy(&dockerfile, ctx.join("Dockerfile")).expect("copy Dockerfile.cuda");
    let args: Vec<String> = [
        format!("CUDA_IMAGE={cuda_repo}"),
        format!("CUDA_VERSION={cuda_version}"),
        "PYTHON_SOURCE=base".into(),
        // A package of the project's own, in the dev stage.
        "SYSTEM_PACKAGES_DEV=jq".into(),
        "EXTRAS=fancy".into(),
        "APP=nss-mini".into(),
        format!("PREFLIGHT_IMAGE={preflight}"),
    ]
    .into_iter()
    .flat_map(|a| ["--build-arg".to_string(), a])
    .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let dev = images.tag("cuda-dev");
    build(engine, ctx, &dev, "dev", &args);
    let runtime = images.tag("cuda-runtime");
    build(engine, ctx, &runtime, "runtime", &args);

    let (code, out, err) = run(engine, &runtime, &["hello", "cuda"]);
    assert_eq!(code, 0, "{name}: {out}{err}");
    assert!(
        out.contains("nss-mini v1: hello cuda; six 1.17.0; idna 3.20"),
        "{name}: {out:?}"
    );
    let (code, out, err) = run(engine, &runtime, &[]);
    assert_eq!(code, 0, "{name}: CMD [\"--help\"]: {out}{err}");
    assert!(out.contains("usage: nss-mini"), "{name}: {out:?}");
    let labels = engine
        .command()
        .args([
            "image",
            "inspect",
            "--format",
            "{{json .Config.Labels}}",
            &runtime,
        ])
        .output()
        .expect("engine runs");
    assert!(
        String::from_utf8_lossy(&labels.stdout).contains("org.opencontainers.image.title"),
        "{name}: the runtime label block is missing from the image"
    );

    // The dev image runs a command line (here a shell's) through its own entrypoint, as
    // root, in /workspace. The runtime's user, NVIDIA environment and run-time compiler
    // are inherited; git works on a mounted checkout owned by another user; `uv run`
    // runs the mounted project's tests offline against /opt/venv.
    let checkout = project.path().join("checkout");
    copy_tree(&fixture_dir(), &checkout);
    std::fs::write(
        checkout.join("tests/test_mounted.py"),
        "def test_mounted():\n    pass\n",
    )
    .expect("write test");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(&checkout)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .expect("git runs");
        assert_ok(&out, &format!("git {args:?}"));
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "fixture"]);
    // Another owner than the container's root: git's ownership check applies.
    std::os::unix::fs::chown(&checkout, Some(4242), Some(4242)).expect("chown checkout");
    let mount = format!("{}:/workspace", checkout.display());
    let (code, out, err) = run_opts(
        engine,
        &["-v", &mount, "-e", "UV_OFFLINE=1"],
        &dev,
        &[
            "sh",
            "-c",
            "id -u; pwd; echo $NVIDIA_VISIBLE_DEVICES $NVIDIA_DRIVER_CAPABILITIES; \
             gcc --version >/dev/null && echo gcc; \
             git rev-parse --is-inside-work-tree; make --version >/dev/null && echo make; \
             jq --version >/dev/null && echo jq; \
             uv run --frozen pytest -q -p no:cacheprovider; \
             python -c 'import nss_mini; print(nss_mini.__file__)'",
        ],
    );
    assert_eq!(code, 0, "{name}: dev image command line:\n{out}{err}");
    assert_eq!(
        out.lines().take(7).collect::<Vec<_>>(),
        [
            "0",
            "/workspace",
            "all compute,utility",
            "gcc",
            "true",
            "make",
            "jq"
        ],
        "{name}: dev image user, workdir, NVIDIA environment, compiler, git, make, jq:\n{out}{err}"
    );
    assert!(
        out.contains("3 passed"),
        "{name}: uv run pytest: {out}{err}"
    );
    assert!(
        out.contains("/workspace/src/nss_mini/"),
        "{name}: the dev image does not import the mounted source: {out}"
    );
    assert!(
        err.contains("[nss-container]"),
        "{name}: no preflight hints in the dev image: {err}"
    );
    // No command: a shell (`docker run -it IMAGE`), here fed on stdin.
    let mut child = engine
        .command()
        .args(["run", "--rm", "-i", &dev])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("engine runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(b"echo \"shell $((6 * 7)) $0\"\n")
            .expect("write to the shell");
    }
    let out = child.wait_with_output().expect("engine runs");
    assert_ok(&out, &format!("{name}: the dev image's default command"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "shell 42 bash",
        "{name}: the dev image without a command is not a bash shell"
    );
}

#[test]
fn cuda_dockerfile_with_stand_ins_podman() {
    exclusively(nss_testkit::podman(), cuda_dockerfile_with_stand_ins);
}

#[test]
fn cuda_dockerfile_with_stand_ins_docker() {
    exclusively(nss_testkit::docker(), cuda_dockerfile_with_stand_ins);
}

// ---------------------------------------------------------------------------
// Log parsing, checked on real excerpts (no engine needed)
// ---------------------------------------------------------------------------

#[test]
fn parses_buildkit_plain_progress() {
    // Excerpt of docker 20.10 `build --progress=plain` output.
    let log = "\
#1 [internal] load build definition from Dockerfile
#6 [runtime 1/6] FROM localhost/nss-debian-python:bookworm
#14 [deps 4/7] COPY pyproject.toml uv.lock ./
#14 CACHED
#15 [deps 5/7] RUN --mount=type=cache,target=/root/.cache/uv uv sync --no-install-project
#15 0.328 Creating virtual environment at: /opt/venv
#16 [deps 6/7] COPY . .
#16 DONE 0.0s
#15 DONE 0.5s
#18 [runtime 4/6] COPY --from=deps /opt/venv /opt/venv
#18 CACHED
";
    let steps = parse_buildkit(log);
    let got: Vec<(&str, &str, bool)> = steps
        .iter()
        .map(|s| (s.stage.as_str(), s.text.as_str(), s.cached))
        .collect();
    assert_eq!(
        got,
        vec![
            ("deps", "COPY pyproject.toml uv.lock ./", true),
            (
                "deps",
                "RUN --mount=type=cache,target=/root/.cache/uv uv sync --no-install-project",
                false
            ),
            ("deps", "COPY . .", false),
            ("runtime", "COPY --from=deps /opt/venv /opt/venv", true),
        ]
    );
}

#[test]
fn parses_podman_steps_with_a_stage_built_inside_another() {
    // podman 4.3 builds `project` when runtime's `COPY --from=project` needs it.
    let log = "\
[4/6] STEP 1/3: FROM localhost/base AS deps
[4/6] STEP 2/3: COPY a b
--> Using cache 1111111111111111111111111111111111111111111111111111111111111111
--> 1111111111
[4/6] STEP 3/3: RUN x
--> Using cache 2222222222222222222222222222222222222222222222222222222222222222
--> 2222222222
[6/6] STEP 1/3: FROM localhost/base AS runtime
[6/6] STEP 2/3: COPY --from=project /opt/nss-project/ /
[5/6] STEP 1/2: FROM deps AS project
[5/6] STEP 2/2: RUN uv sync --no-editable
Resolved 3 packages
--> 3333333333
--> Using cache 4444444444444444444444444444444444444444444444444444444444444444
--> 4444444444
[6/6] STEP 3/3: CMD [\"--help\"]
--> 5555555555
[6/6] COMMIT localhost/x:latest
";
    let steps = parse_podman(log);
    let got: Vec<(&str, &str, bool)> = steps
        .iter()
        .map(|s| (s.stage.as_str(), s.text.as_str(), s.cached))
        .collect();
    assert_eq!(
        got,
        vec![
            ("deps", "COPY a b", true),
            ("deps", "RUN x", true),
            ("runtime", "COPY --from=project /opt/nss-project/ /", true),
            ("project", "RUN uv sync --no-editable", false),
            ("runtime", "CMD [\"--help\"]", false),
        ]
    );
}

#[test]
fn parses_podman_steps() {
    // Excerpt of podman 4.3 `build` output.
    let log = "\
[1/5] STEP 1/1: FROM ghcr.io/astral-sh/uv:0.9.14 AS uv
--> f9125eb229b
[4/5] STEP 1/9: FROM localhost/nss-debian-python:bookworm AS deps
[4/5] STEP 2/9: COPY --from=uv /uv /uvx /usr/local/bin/
--> Using cache f76317ba2d027091afed29ee10de51d2c530630a8579bb5e5ad8aa53324b2d18
--> f76317ba2d0
[4/5] STEP 3/9: RUN uv sync --no-install-project
Creating virtual environment at: /opt/venv
 + six==1.17.0
--> 97e85e637f4
[5/5] STEP 1/12: FROM localhost/nss-debian-python:bookworm AS runtime
[5/5] STEP 12/12: CMD [\"--help\"]
--> Using cache bd5707edf3f8d876526b6385614f487274ccf4a3ace1b47c0c6560588879e10c
[5/5] COMMIT localhost/nss-test-mini:latest
";
    let steps = parse_podman(log);
    let got: Vec<(&str, &str, bool)> = steps
        .iter()
        .map(|s| (s.stage.as_str(), s.text.as_str(), s.cached))
        .collect();
    assert_eq!(
        got,
        vec![
            ("deps", "COPY --from=uv /uv /uvx /usr/local/bin/", true),
            ("deps", "RUN uv sync --no-install-project", false),
            ("runtime", "CMD [\"--help\"]", true),
        ]
    );
}

// ---------------------------------------------------------------------------
// The project Dockerfiles: contracts checked without an engine
// ---------------------------------------------------------------------------

fn repo_file(path: &str) -> String {
    let full = nss_testkit::workspace_root().join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Every build arg `nss build` passes has a declared default (an argument the
/// Dockerfile does not declare is silently ignored by the engine). The defaults'
/// values are `nss check`'s business.
#[test]
fn dockerfiles_declare_every_build_arg_nss_passes() {
    let mut gpu: Vec<&str> = nss_buildspec::PIN_NAMES.to_vec();
    gpu.extend(["EXTRAS", "APP", "PREFLIGHT_IMAGE"]);
    gpu.extend(["CUDA_IMAGE", "UV_IMAGE", "PYTHON_SOURCE"]);
    gpu.extend([
        "SYSTEM_PACKAGES_DEPS",
        "SYSTEM_PACKAGES_RUNTIME",
        "SYSTEM_PACKAGES_DEV",
    ]);
    let cpu = [
        "PYTHON_VERSION",
        "UV_VERSION",
        "PYTHON_IMAGE",
        "UV_IMAGE",
        "SYSTEM_PACKAGES_RUNTIME",
        "SYSTEM_PACKAGES_DEV",
        "EXTRAS",
        "APP",
    ];
    for (file, names) in [
        (nss_buildspec::DEFAULT_GPU_DOCKERFILE, &gpu[..]),
        (nss_buildspec::DEFAULT_CPU_DOCKERFILE, &cpu[..]),
    ] {
        let declared: Vec<String> = nss_buildspec::arg_defaults(&repo_file(file))
            .into_iter()
            .filter(|a| a.value.is_some())
            .map(|a| a.name)
            .collect();
        for name in names {
            assert!(
                declared.iter().any(|d| d == name),
                "{file}: no `ARG {name}=<default>` (declared: {declared:?})"
            );
        }
    }
}

/// The preflight image: compiled on the build platform for the target one, nothing but
/// the binary in the result, and no file outside a Rust workspace in its context.
#[test]
fn dockerfile_preflight_builds_the_binary_alone() {
    let text = repo_file("containers/Dockerfile.preflight");
    for needle in [
        "FROM --platform=$BUILDPLATFORM ",
        "COPY Cargo.toml Cargo.lock ./",
        "COPY crates/ crates/",
        "FROM scratch\nCOPY --from=build /out/nss-preflight /nss-preflight\n",
    ] {
        assert!(
            text.contains(needle),
            "Dockerfile.preflight lacks {needle:?}"
        );
    }
    let copies: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("COPY ") && !l.contains("--from="))
        .collect();
    assert_eq!(
        copies,
        ["COPY Cargo.toml Cargo.lock ./", "COPY crates/ crates/"]
    );
}

/// The image contract of DESIGN.md, as Dockerfile.cuda writes it: the preflight stage,
/// the entrypoint through tini and nss-preflight, `--help` by default, the label blocks.
#[test]
fn dockerfile_cuda_keeps_the_image_contract() {
    let text = repo_file(nss_buildspec::DEFAULT_GPU_DOCKERFILE);
    for needle in [
        "ARG PREFLIGHT_IMAGE=nss-preflight:local",
        "FROM ${PREFLIGHT_IMAGE} AS preflight",
        "COPY --from=preflight /nss-preflight /usr/local/bin/nss-preflight",
        "FROM ${UV_IMAGE}:${UV_VERSION} AS uv",
        "FROM ${CUDA_IMAGE}:${CUDA_VERSION}-runtime-ubuntu${UBUNTU_VERSION} AS runtime",
        // The dev image runs CMD as a command line behind tini and the preflight, a shell by default.
        "ENTRYPOINT [\"tini\", \"--\", \"nss-preflight\", \"--\"]\nCMD [\"bash\"]",
        "git config --system --add safe.directory /workspace",
        "COPY --from=deps /opt/python /opt/python",
        "COPY --from=deps /opt/venv /opt/venv",
        "ENTRYPOINT [\"tini\", \"--\", \"nss-preflight\", \"--\", \"nss-app\"]",
        "CMD [\"--help\"]",
        "# nss-labels: runtime",
        "# nss-labels: dev",
    ] {
        assert!(
            text.contains(needle),
            "containers/Dockerfile.cuda lost `{needle}`"
        );
    }
    // Forms docker 20.10 and podman 4.3 cannot read.
    for banned in ["# syntax=", "COPY --link", "<<EOF", "--from=ghcr.io"] {
        assert!(
            !text.contains(banned),
            "containers/Dockerfile.cuda uses `{banned}`"
        );
    }
}

/// The miniature follows the same conventions as the project Dockerfiles.
#[test]
fn mini_dockerfile_passes_lint() {
    let path = fixture_dir().join("Dockerfile");
    let findings = nss_lint::lint_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let shown: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert!(
        findings.is_empty(),
        "{}:\n{}",
        path.display(),
        shown.join("\n")
    );
}
