//! The shipped Dockerfiles' contracts, checked without an engine: every build arg `nss`
//! passes is declared, the preflight image holds the binary alone, `Dockerfile.cuda` keeps
//! the image contract; and the miniature project builds only the shipped Dockerfiles.

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

/// The miniature project has no Dockerfile of its own: the image tests build the shipped
/// `containers/` Dockerfiles on it (a hand-kept copy would drift from them).
#[test]
fn mini_builds_only_the_shipped_dockerfiles() {
    let own: Vec<String> = std::fs::read_dir(super::fixture_dir())
        .expect("read the miniature project")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with("Dockerfile") || name == "containers")
        .collect();
    assert!(
        own.is_empty(),
        "tests/fixtures/mini holds {own:?}: build containers/Dockerfile.* instead"
    );
}
