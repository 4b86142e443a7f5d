//! The workflow pins: base images, Python's source, apt packages per stage and the dev
//! and test commands, through the one precedence chain.

use nss_buildspec::{ImageFlavor, PythonSource, Source};

use crate::util::{append_pyproject, inputs, reference_copy, spec_of};

#[test]
fn defaults() {
    let dir = reference_copy();
    let spec = spec_of(dir.path(), &inputs(&[], &[])).expect("resolves");
    assert_eq!(spec.cuda_image.value, "docker.io/nvidia/cuda");
    assert_eq!(spec.uv_image.value, "ghcr.io/astral-sh/uv");
    assert_eq!(spec.python_image.value, "docker.io/library/python");
    assert_eq!(spec.python_source.value, PythonSource::Uv);
    assert_eq!(spec.dev_command.value, "make test");
    // No Makefile in the copy: the built-in test command.
    assert_eq!(spec.test_command.value, "python -m pytest");
    assert_eq!(spec.test_command.source, Source::Default);
    assert!(spec.system_packages.runtime.value.is_empty());
}

#[test]
fn a_test_ci_target_in_the_makefile_makes_the_test_command() {
    let dir = reference_copy();
    // The rule shape of the first user's Makefile (a target with a `##` help comment).
    std::fs::write(
        dir.path().join("Makefile"),
        ".PHONY: test-ci\ntest-ci: ## Run CI unit tests\n\tuv run --frozen pytest\n",
    )
    .unwrap();
    let spec = spec_of(dir.path(), &inputs(&[], &[])).expect("resolves");
    assert_eq!(spec.test_command.value, "make test-ci");
    assert_eq!(
        spec.test_command.source.to_string(),
        "derived: Makefile has a test-ci target"
    );
    // `.PHONY: test-ci` alone is no rule.
    std::fs::write(dir.path().join("Makefile"), ".PHONY: test-ci\n").unwrap();
    let spec = spec_of(dir.path(), &inputs(&[], &[])).expect("resolves");
    assert_eq!(spec.test_command.value, "python -m pytest");
    // [tool.nss] beats the Makefile; NSS_TEST_COMMAND beats [tool.nss]; TEST_COMMAND= beats both.
    std::fs::write(dir.path().join("Makefile"), "test-ci:\n\ttrue\n").unwrap();
    append_pyproject(
        dir.path(),
        "\n[tool.nss]\ntest-command = \"make unit\"\ndev-command = \"uv run pytest -x\"\n",
    );
    let spec = spec_of(dir.path(), &inputs(&[], &[])).expect("resolves");
    assert_eq!(spec.test_command.value, "make unit");
    assert_eq!(spec.dev_command.value, "uv run pytest -x");
    let spec = spec_of(
        dir.path(),
        &inputs(&[], &[("NSS_TEST_COMMAND", "pytest -m smoke")]),
    )
    .expect("resolves");
    assert_eq!(spec.test_command.value, "pytest -m smoke");
    let spec = spec_of(
        dir.path(),
        &inputs(
            &[("TEST_COMMAND", "true")],
            &[("NSS_TEST_COMMAND", "pytest -m smoke")],
        ),
    )
    .expect("resolves");
    assert_eq!(spec.test_command.value, "true");
}

#[test]
fn base_images_and_python_source_are_pins() {
    let dir = reference_copy();
    append_pyproject(
        dir.path(),
        "\n[tool.nss]\ncuda-image = \"nvcr.io/nvidia/cuda\"\npython-source = \"base\"\n",
    );
    let spec = spec_of(
        dir.path(),
        &inputs(
            &[("UV_IMAGE", "mirror.example:5000/astral-sh/uv")],
            &[("NSS_PYTHON_IMAGE", "mirror.example/library/python")],
        ),
    )
    .expect("resolves");
    let gpu = spec.build_args(ImageFlavor::Gpu);
    let get = |args: &[(&str, String)], k: &str| {
        args.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{k} in {args:?}"))
    };
    assert_eq!(get(&gpu, "CUDA_IMAGE"), "nvcr.io/nvidia/cuda");
    assert_eq!(get(&gpu, "UV_IMAGE"), "mirror.example:5000/astral-sh/uv");
    assert_eq!(get(&gpu, "PYTHON_SOURCE"), "base");
    let cpu = spec.build_args(ImageFlavor::Cpu);
    assert_eq!(get(&cpu, "PYTHON_IMAGE"), "mirror.example/library/python");
    assert!(spec.cuda_base_image().starts_with("nvcr.io/nvidia/cuda:"));
}

#[test]
fn system_packages_per_stage() {
    let dir = reference_copy();
    append_pyproject(
        dir.path(),
        "\n[tool.nss.system-packages]\nruntime = [\"libpq5\", \"ffmpeg\"]\ndev = [\"gdb\"]\n",
    );
    let spec = spec_of(
        dir.path(),
        &inputs(
            &[],
            &[("NSS_SYSTEM_PACKAGES_DEPS", "libpq-dev, pkg-config")],
        ),
    )
    .expect("resolves");
    let gpu = spec.build_args(ImageFlavor::Gpu);
    assert!(gpu.contains(&("SYSTEM_PACKAGES_RUNTIME", "libpq5 ffmpeg".into())));
    assert!(gpu.contains(&("SYSTEM_PACKAGES_DEV", "gdb".into())));
    assert!(gpu.contains(&("SYSTEM_PACKAGES_DEPS", "libpq-dev pkg-config".into())));
    assert!(spec.explain().contains("SYSTEM_PACKAGES_RUNTIME"));
}

#[test]
fn bad_values_name_the_field_and_the_fix() {
    for (append, overrides, want) in [
        (
            "\n[tool.nss.system-packages]\nruntime = [\"libpq5; rm -rf /\"]\n",
            vec![],
            "SYSTEM_PACKAGES_RUNTIME=\"libpq5; rm -rf /\" from <p>/pyproject.toml [tool.nss] system-packages.runtime: has \"libpq5; rm -rf /\", which is not a Debian package name",
        ),
        (
            "\n[tool.nss.system-packages]\nbuild = [\"x\"]\n",
            vec![],
            "[tool.nss] system-packages.build is not a stage nss installs packages in; use one of: deps, runtime, dev",
        ),
        (
            "\n[tool.nss]\nsystem-packages = \"gcc\"\n",
            vec![],
            "[tool.nss] system-packages must be a table of stage = [packages]",
        ),
        (
            "",
            vec![("PYTHON_SOURCE", "conda")],
            "PYTHON_SOURCE=\"conda\" from command line (PYTHON_SOURCE=...): is not a Python source; use uv",
        ),
        (
            "",
            vec![("CUDA_IMAGE", "nvidia/cuda:12.8.1-runtime-ubuntu22.04")],
            "carries a tag or digest; give the repository only",
        ),
    ] {
        let dir = reference_copy();
        append_pyproject(dir.path(), append);
        let err = spec_of(dir.path(), &inputs(&overrides, &[]))
            .expect_err(want)
            .to_string()
            .replace(&dir.path().display().to_string(), "<p>");
        assert!(err.contains(want), "{err}\nwant: {want}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
