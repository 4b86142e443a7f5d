//! The first user's workflow end to end, the way they run it: through `cargo make` on
//! the bundled example (its Makefile has `test` and `test-ci` targets calling
//! `uv run --frozen pytest`), with this workspace's Dockerfiles unmodified.
//!
//! `cargo make container-build-gpu-dev` from a cold layer cache (one build of runtime
//! and dev stages together), `cargo make container-run-gpu-dev CMD="make test"` runs the
//! suite in the container, a failing target's status comes back through cargo make, and
//! `cargo make test-ci-container` runs `make test-ci` in the CPU test image. What cannot
//! be fetched here is named by pins, as a user behind a mirror or an air gap would:
//! `NSS_CUDA_IMAGE` / `NSS_PYTHON_IMAGE` name local stand-ins (fresh images, so no layer
//! of an earlier run is reused) and `NSS_PYTHON_SOURCE=base` takes their Python. The
//! cold and warm build times and the image sizes are printed.

#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use nss_testkit::{Cleanup, TestEngine, assert_ok};

use crate::util::base_env;

/// A new image `tag` on top of `from` with one file unique to this run: a new layer
/// chain, so a build on it reuses no cached layer (BuildKit keys its cache on layer
/// content: a LABEL alone would not do).
fn fresh_image(engine: &TestEngine, from: &str, tag: &str, dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM {from}\nRUN echo {} > /nss-test-run\n",
            nss_testkit::unique("run")
        ),
    )
    .expect("write Dockerfile");
    let out = engine
        .command()
        .args(["build", "-t", tag])
        .arg(dir)
        .output()
        .expect("engine runs");
    assert_ok(&out, &format!("{} build of {tag}", engine.name()));
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let name = entry.file_name();
        if [".venv", "__pycache__", ".pytest_cache"].contains(&name.to_string_lossy().as_ref()) {
            continue;
        }
        let dest = to.join(&name);
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

/// The size of image `tag` in MB.
fn megabytes(engine: &TestEngine, tag: &str) -> f64 {
    nss_testkit::image_size(engine, tag) as f64 / 1e6
}

fn workflow(engine: &TestEngine) {
    let name = engine.name();
    let Some(python_image) = nss_testkit::value(nss_testkit::NSS_TEST_PYTHON_IMAGE) else {
        return;
    };
    let Some(ca) = nss_testkit::value(nss_testkit::NSS_TEST_CA_BUNDLE) else {
        return;
    };
    let root = nss_testkit::workspace_root();
    let has_cargo_make = Command::new("cargo")
        .args(["make", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_cargo_make {
        nss_testkit::skip::<()>(
            "cargo-make",
            "`cargo make` is not installed (scripts/engines.sh install installs it)",
        );
        return;
    }
    let tmp = tempfile::Builder::new()
        .prefix("nss-test-workflow-")
        .tempdir()
        .expect("tempdir");
    let project = tmp.path().join("hello-gpu");
    copy_tree(&root.join("examples/hello-gpu"), &project);

    // Stand-ins under the tags the example's pins ask for (CUDA 12.8.1 on Ubuntu 22.04,
    // Python 3.11.14), in repositories of their own.
    let run = nss_testkit::unique("wf");
    let cuda_repo = format!("localhost/nss-test-cuda-{name}-{run}");
    let python_repo = format!("localhost/nss-test-python-{name}-{run}");
    let (dev, test) = (
        format!("localhost/nss-test-wf-dev-{name}-{run}:1"),
        format!("localhost/nss-test-wf-test-{name}-{run}:1"),
    );
    let runtime = format!("localhost/nss-test-wf-gpu-{name}-{run}:1");
    let cuda_base = format!("{cuda_repo}:12.8.1-runtime-ubuntu22.04");
    let python_base = format!("{python_repo}:3.11.14-slim");
    let _guard = Cleanup::new(engine)
        .image(&cuda_base)
        .image(&python_base)
        .image(&runtime)
        .image(&dev)
        .image(&test);
    fresh_image(engine, &python_image, &cuda_base, &tmp.path().join("cuda"));
    fresh_image(engine, &python_image, &python_base, &tmp.path().join("py"));

    let mut env: BTreeMap<String, String> = base_env();
    env.extend(engine.env.iter().cloned());
    for (k, v) in [
        ("CONTAINER_CMD", engine.program.display().to_string()),
        ("NSS_PROJECT_DIR", project.display().to_string()),
        (
            "CONTAINER_HF_CACHE",
            tmp.path().join("hf").display().to_string(),
        ),
        // No NVIDIA runtime here: docker would refuse --gpus.
        ("CONTAINER_GPU_FLAG", String::new()),
        ("CONTAINER_BUILD_CA", ca.clone()),
        ("CONTAINER_GPU_IMAGE", runtime.clone()),
        ("CONTAINER_GPU_IMAGE_DEV", dev.clone()),
        ("CONTAINER_TEST_IMAGE", test.clone()),
        ("NSS_CUDA_IMAGE", cuda_repo.clone()),
        ("NSS_PYTHON_IMAGE", python_repo.clone()),
        ("NSS_PYTHON_SOURCE", "base".into()),
    ] {
        env.insert(k.into(), v);
    }
    let cargo_make = |args: &[&str]| -> (Output, f64) {
        let start = Instant::now();
        let out = Command::new("cargo")
            .current_dir(&root)
            .env_clear()
            .envs(&env)
            .arg("make")
            .args(args)
            .output()
            .expect("cargo make runs");
        (out, start.elapsed().as_secs_f64())
    };

    let (out, cold) = cargo_make(&["container-build-gpu-dev"]);
    assert_ok(
        &out,
        &format!("{name}: cargo make container-build-gpu-dev (cold)"),
    );
    let (out, warm) = cargo_make(&["container-build-gpu-dev"]);
    assert_ok(
        &out,
        &format!("{name}: cargo make container-build-gpu-dev (warm)"),
    );

    let (out, _) = cargo_make(&["container-run-gpu-dev", "CMD=make test"]);
    assert_ok(
        &out,
        &format!("{name}: container-run-gpu-dev CMD=\"make test\""),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2 passed"),
        "{name}: make test did not run the suite through uv run:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A failing target: its non-zero status fails the cargo-make task.
    std::fs::write(
        project.join("tests/test_fails.py"),
        "def test_fails():\n    assert False\n",
    )
    .expect("write failing test");
    let (out, _) = cargo_make(&["container-run-gpu-dev", "CMD=make test"]);
    assert!(
        !out.status.success(),
        "{name}: a failing `make test` passed through cargo make:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 failed"),
        "{name}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    std::fs::remove_file(project.join("tests/test_fails.py")).expect("remove failing test");

    let (out, _) = cargo_make(&["test-ci-container"]);
    assert_ok(&out, &format!("{name}: cargo make test-ci-container"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("uv run --frozen pytest") && stdout.contains("2 passed"),
        "{name}: test-ci-container did not run `make test-ci`:\n{stdout}"
    );

    let (out, _) = cargo_make(&["container-build-gpu"]);
    assert_ok(&out, &format!("{name}: cargo make container-build-gpu"));
    crate::inspect::example_runtime_contents(engine, &project, &env, &runtime);
    println!(
        "[{name}] container-build-gpu-dev: cold {cold:.1} s, warm {warm:.1} s; sizes: runtime {:.0} MB, dev {:.0} MB, test {:.0} MB (stand-in base {:.0} MB)",
        megabytes(engine, &runtime),
        megabytes(engine, &dev),
        megabytes(engine, &test),
        megabytes(engine, &cuda_base),
    );
}

nss_testkit::engine_test!(example_workflow_through_cargo_make, workflow);
