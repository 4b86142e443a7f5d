//! `containers/Dockerfile.test_ci`, as shipped, on the miniature project: its default
//! command runs the project's suite as a non-root user, and `uv run` works on a mounted
//! checkout.

use nss_cli::ImageKind;
use nss_testkit::{Cleanup, TestEngine, assert_ok};

use super::{Builder, run, run_opts};

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
    let mut cleanup = Cleanup::new(engine);
    let version = nss_testkit::unique("python");
    let repo = format!("localhost/nss-test-python-{name}");
    let base = format!("{repo}:{version}-slim");
    cleanup.add_image(base.clone());
    let out = engine
        .command()
        .args(["tag", &python_image, &base])
        .output()
        .expect("engine runs");
    assert_ok(&out, &format!("{name} tag of the python stand-in"));

    let tag = cleanup.tag("test-ci");
    let mut builder = Builder::new(
        engine,
        &mut cleanup,
        nss_buildspec::DEFAULT_CPU_DOCKERFILE,
        vec![
            ("PYTHON_IMAGE".into(), repo),
            ("PYTHON_VERSION".into(), version),
            ("EXTRAS".into(), "fancy".into()),
            ("APP".into(), "nss-mini".into()),
        ],
        false,
    );
    builder.build(ImageKind::Test, &tag);
    let ctx = builder.context();

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

nss_testkit::engine_test!(test_ci_dockerfile_runs_the_suite, test_ci_image);
