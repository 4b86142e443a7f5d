//! `containers/Dockerfile.cuda`'s images as the image contract says: the runtime runs the
//! app behind tini and the preflight as a non-root user; the dev image runs a command line
//! as root in /workspace, with git, make, the dev group and the project's own packages.

use std::process::Command;

use nss_cli::ImageKind;
use nss_testkit::{Cleanup, TestEngine, assert_ok, inspect_labels};

use super::{Builder, DEPS_SYNC, assert_runs_the_app, copy_tree, fixture_dir, run, run_opts};

/// The runtime image first (the app behind the preflight, its `--help`, uid 1000), then
/// the dev image on the same dependency layer (root, the dev group, make), each as
/// `nss build` plans it; the preflight image is passed by `PREFLIGHT_IMAGE`, as `nss`
/// does (podman 4.3 only follows `FROM ${PREFLIGHT_IMAGE}` to an image or stage when the
/// value is given with `--build-arg`).
fn runtime_then_dev(engine: &TestEngine) {
    let name = engine.name();
    let mut cleanup = Cleanup::new(engine);
    let mut builder = Builder::gpu(engine, &mut cleanup, false, &[]);
    let runtime = cleanup.tag("mini-ctx");
    builder.build(ImageKind::Runtime, &runtime);
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

    let dev = cleanup.tag("mini-dev");
    let b = builder.build(ImageKind::Dev, &dev);
    assert!(
        b.step("deps", DEPS_SYNC).cached,
        "{name}: the dev build re-ran the dependency sync"
    );
    // Through the dev image's own entrypoint, which runs a command line.
    let (code, out, err) = run(
        engine,
        &dev,
        &[
            "sh",
            "-c",
            "id -u && make --version >/dev/null && /opt/venv/bin/python -c 'import pytest, six, nss_mini'",
        ],
    );
    assert_eq!(code, 0, "{name}: dev image check:\n{out}{err}");
    assert_eq!(out.trim(), "0", "{name}: the dev image runs as root");
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
fn cuda_image(engine: &TestEngine) {
    let name = engine.name();
    let mut cleanup = Cleanup::new(engine);
    // A package of the project's own, in the dev stage.
    let mut builder = Builder::gpu(
        engine,
        &mut cleanup,
        false,
        &[("SYSTEM_PACKAGES_DEV", "jq")],
    );
    let dev = cleanup.tag("cuda-dev");
    builder.build(ImageKind::Dev, &dev);
    let runtime = cleanup.tag("cuda-runtime");
    builder.build(ImageKind::Runtime, &runtime);

    assert_runs_the_app(engine, &runtime, "cuda");
    assert!(
        inspect_labels(engine, &runtime).contains_key("org.opencontainers.image.title"),
        "{name}: the runtime label block is missing from the image"
    );

    // The dev image runs a command line (here a shell's) through its own entrypoint, as
    // root, in /workspace. The runtime's user, NVIDIA environment and run-time compiler
    // are inherited; git works on a mounted checkout owned by another user; `uv run`
    // runs the mounted project's tests offline against /opt/venv.
    let checkout = builder.context().join("checkout");
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

nss_testkit::engine_test!(cuda_dockerfile_with_stand_ins, cuda_image);

nss_testkit::engine_test!(mini_runtime_then_dev, runtime_then_dev);
