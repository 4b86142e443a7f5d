//! The planned argv of every task on the three engine classes, with the engine class
//! constructed directly (no detection).

use std::path::PathBuf;

use nss_labels::{Labels, Origin};

use nss_cli::{
    Attestations, BuildInputs, Engine, EngineKind, ImageKind, ImageKindExt, MultiarchInputs,
    Preflight, RunInputs, Step, plan_build, plan_multiarch, plan_run,
};

const CLASSES: [(EngineKind, &str, &str); 3] = [
    (EngineKind::DockerBuildx, "docker", "docker_buildx"),
    (
        EngineKind::DockerBuiltinBuildkit,
        "/usr/bin/docker",
        "docker_builtin",
    ),
    (EngineKind::Podman, "podman", "podman"),
];

fn build_inputs(image: ImageKind) -> BuildInputs {
    BuildInputs {
        image,
        dockerfile: PathBuf::from("/src/app/containers/Dockerfile.cuda"),
        context: PathBuf::from("/src/app"),
        tag: "nss-gpu:latest".into(),
        platform: "linux/amd64".into(),
        build_args: vec![
            ("CUDA_VERSION".into(), "12.8.1".into()),
            ("CUDA_ARCH_FLAGS".into(), "80;86;90;90a".into()),
            ("EXTRAS".into(), "cu128 engine".into()),
            ("APP".into(), "safe-synthesizer".into()),
        ],
        labels: Labels::from_pairs(
            image,
            [
                ("org.opencontainers.image.title", "app"),
                (
                    "org.opencontainers.image.usage",
                    "docker run --rm \"$PWD\":/workspace",
                ),
            ],
            Origin::Caller,
        )
        .unwrap(),
        build_ca: Some(PathBuf::from("/etc/ssl/ca.pem")),
        preflight: Preflight::Image("nss-preflight:0.1.0".into()),
        plain_progress: true,
        scratch_dir: PathBuf::from("/tmp"),
        attestations: Default::default(),
        run_id: "nss-run-1-0".into(),
        cache: None,
        builder: None,
    }
}

fn run_inputs(kind: ImageKind) -> RunInputs {
    RunInputs {
        image: "nss-gpu:latest".into(),
        kind,
        platform: "linux/amd64".into(),
        name: "nss-run-1".into(),
        project_dir: PathBuf::from("/src/app"),
        hf_cache: PathBuf::from("/home/u/.cache/huggingface"),
        gpu_flag: vec!["--gpus".into(), "all".into()],
        cdi_available: false,
        extra_mounts: vec!["-v".into(), "/data:/workspace/data".into()],
        secrets: vec!["HF_TOKEN".into()],
        cmd: kind.default_cmd(),
        stdin_tty: false,
        tty: false,
    }
}

#[test]
fn build_runtime_dev_and_test_on_every_engine_class() {
    for (kind, program, name) in CLASSES {
        let engine = Engine::new(kind, program);
        for image in [ImageKind::Runtime, ImageKind::Dev, ImageKind::Test] {
            let plan = plan_build(&engine, &build_inputs(image));
            insta::assert_snapshot!(format!("build_{}_{name}", image.as_str()), plan.dry_run());
        }
    }
}

#[test]
fn build_flags_differ_per_engine_class() {
    let inputs = build_inputs(ImageKind::Runtime);
    let argv = |kind, program| plan_build(&Engine::new(kind, program), &inputs).dry_run();
    let buildx = argv(EngineKind::DockerBuildx, "docker");
    let builtin = argv(EngineKind::DockerBuiltinBuildkit, "/usr/bin/docker");
    let podman = argv(EngineKind::Podman, "podman");
    // buildx loads the result into the image store; the other two store it anyway.
    assert!(
        buildx.starts_with("docker buildx build --load "),
        "{buildx}"
    );
    assert!(
        builtin.starts_with("DOCKER_BUILDKIT=1 /usr/bin/docker build "),
        "{builtin}"
    );
    assert!(podman.starts_with("podman build "), "{podman}");
    // podman puts the labels on in a second build (buildah 1.28 ignores changed --label
    // values of a cached non-final --target stage), then drops the temporary tag.
    let podman_lines: Vec<&str> = podman.lines().collect();
    assert_eq!(podman_lines.len(), 3, "{podman}");
    assert!(
        podman_lines[0].contains("-t localhost/nss-unlabeled:nss-run-1-0 ")
            && !podman_lines[0].contains("--label"),
        "{podman}"
    );
    assert!(
        podman_lines[1].contains("-t nss-gpu:latest --label org.opencontainers.image.title=app"),
        "{podman}"
    );
    assert_eq!(
        podman_lines[2],
        "podman untag localhost/nss-unlabeled:nss-run-1-0"
    );
    // podman has no --progress.
    assert!(buildx.contains("--progress=plain") && builtin.contains("--progress=plain"));
    assert!(!podman.contains("--progress"));
    // The CA is a secret by path on every engine, never a build arg.
    for argv in [&buildx, &builtin, &podman] {
        // The image build is the first line (podman adds its label step after it).
        let argv = argv.lines().next().unwrap();
        assert!(
            argv.contains("--secret id=build_ca,src=/etc/ssl/ca.pem"),
            "{argv}"
        );
        assert!(argv.contains("--build-arg 'EXTRAS=cu128 engine'"), "{argv}");
        assert!(
            argv.trim_end().ends_with(" /src/app"),
            "context last: {argv}"
        );
    }
}

#[test]
fn run_runtime_dev_and_test_on_every_engine_class() {
    for (kind, program, name) in CLASSES {
        let engine = Engine::new(kind, program);
        for image in [ImageKind::Runtime, ImageKind::Dev, ImageKind::Test] {
            let plan = plan_run(&engine, &run_inputs(image));
            insta::assert_snapshot!(format!("run_{}_{name}", image.as_str()), plan.dry_run());
        }
    }
}

#[test]
fn podman_gets_gpus_through_cdi_or_not_at_all() {
    let podman = Engine::new(EngineKind::Podman, "podman");
    let without = plan_run(&podman, &run_inputs(ImageKind::Runtime));
    assert!(
        !without.dry_run().contains("--gpus"),
        "{}",
        without.dry_run()
    );
    assert_eq!(
        without.notes.len(),
        1,
        "a note says the container gets no GPU"
    );
    let with = plan_run(
        &podman,
        &RunInputs {
            cdi_available: true,
            ..run_inputs(ImageKind::Runtime)
        },
    );
    assert!(
        with.dry_run().contains("--device nvidia.com/gpu=all"),
        "{}",
        with.dry_run()
    );
    let docker = plan_run(
        &Engine::new(EngineKind::DockerBuildx, "docker"),
        &run_inputs(ImageKind::Runtime),
    );
    assert!(docker.dry_run().contains("--gpus all"));
}

#[test]
fn run_uses_terminal_flags_only_with_terminals() {
    let engine = Engine::new(EngineKind::DockerBuildx, "docker");
    // (stdin tty, stdout tty -> tty flag, expected flags)
    for (stdin_tty, tty, want_i, want_t) in [
        (false, false, false, false),
        (true, false, true, false),
        (true, true, true, true),
    ] {
        let plan = plan_run(
            &engine,
            &RunInputs {
                stdin_tty,
                tty,
                ..run_inputs(ImageKind::Dev)
            },
        );
        let argv = plan.dry_run();
        assert_eq!(argv.contains(" -i "), want_i, "{argv}");
        assert_eq!(argv.contains(" -t "), want_t, "{argv}");
    }
}

#[test]
fn secrets_pass_by_name_only() {
    let engine = Engine::new(EngineKind::Podman, "podman");
    let argv = plan_run(&engine, &run_inputs(ImageKind::Runtime)).dry_run();
    assert!(argv.contains(" -e HF_TOKEN "), "{argv}");
    assert!(!argv.contains("HF_TOKEN="), "{argv}");
}

fn multiarch_inputs(skopeo: Option<&str>) -> MultiarchInputs {
    MultiarchInputs {
        build: BuildInputs {
            tag: "127.0.0.1:5000/org/nss-gpu:latest".into(),
            build_ca: None,
            preflight: Preflight::DockerfileDefault,
            plain_progress: false,
            builder: Some("multi".into()),
            cache: Some("127.0.0.1:5000/org/cache:gpu".into()),
            ..build_inputs(ImageKind::Runtime)
        },
        registry: "127.0.0.1:5000/org".into(),
        platforms: vec!["linux/amd64".into(), "linux/arm64".into()],
        annotations: Labels::from_pairs(
            ImageKind::Runtime,
            [("org.opencontainers.image.title", "app")],
            Origin::Caller,
        )
        .unwrap(),
        skopeo: skopeo.map(str::to_string),
        per_platform: Vec::new(),
    }
}

#[test]
fn multiarch_on_every_engine_class() {
    for (kind, program, name) in CLASSES {
        let engine = Engine::new(kind, program);
        let plan = plan_multiarch(&engine, &multiarch_inputs(Some("skopeo")));
        match kind {
            EngineKind::DockerBuiltinBuildkit => {
                assert!(plan.is_none(), "no multi-arch without buildx")
            }
            _ => insta::assert_snapshot!(format!("multiarch_{name}"), plan.unwrap().dry_run()),
        }
    }
}

#[test]
fn multiarch_flags_per_engine() {
    let buildx = plan_multiarch(
        &Engine::new(EngineKind::DockerBuildx, "docker"),
        &multiarch_inputs(None),
    )
    .unwrap()
    .dry_run();
    assert!(buildx.contains("--builder multi"), "{buildx}");
    assert!(
        buildx.contains("--annotation index:org.opencontainers.image.title=app"),
        "{buildx}"
    );
    assert!(
        buildx.contains("--cache-from type=registry,ref=127.0.0.1:5000/org/cache:gpu-runtime"),
        "{buildx}"
    );
    assert!(buildx.contains("--push"), "{buildx}");
    assert!(
        buildx.contains("docker buildx imagetools inspect --raw"),
        "{buildx}"
    );
    let podman = plan_multiarch(
        &Engine::new(EngineKind::Podman, "podman"),
        &multiarch_inputs(None),
    )
    .unwrap()
    .dry_run();
    assert!(
        podman.contains("--manifest 127.0.0.1:5000/org/nss-gpu:latest"),
        "{podman}"
    );
    assert!(
        podman.contains("podman manifest push --all --tls-verify=false"),
        "{podman}"
    );
    assert!(
        !podman.contains("--builder") && !podman.contains("--cache-from"),
        "docker-only options: {podman}"
    );
}

/// Each platform of a multi-platform image gets its own build args (its CUDA_ARCH_FLAGS):
/// podman adds one build per platform to the list; docker pushes one image per platform
/// and joins them in one index carrying the annotations.
#[test]
fn multiarch_builds_each_platform_with_its_own_flags() {
    let args = |flags: &str| {
        vec![
            ("CUDA_VERSION".to_string(), "12.8.1".to_string()),
            ("CUDA_ARCH_FLAGS".to_string(), flags.to_string()),
        ]
    };
    let inputs = MultiarchInputs {
        per_platform: vec![
            ("linux/amd64".into(), args("80;86;90;90a")),
            ("linux/arm64".into(), args("90;90a;120;120a")),
        ],
        ..multiarch_inputs(None)
    };
    let podman = plan_multiarch(&Engine::new(EngineKind::Podman, "podman"), &inputs)
        .unwrap()
        .dry_run();
    let builds: Vec<&str> = podman
        .lines()
        .filter(|l| l.starts_with("podman build "))
        .collect();
    assert_eq!(builds.len(), 2, "{podman}");
    assert!(
        builds[0].contains("--platform linux/amd64 --manifest 127.0.0.1:5000/org/nss-gpu:latest "),
        "{podman}"
    );
    assert!(
        builds[0].contains("'CUDA_ARCH_FLAGS=80;86;90;90a'"),
        "{podman}"
    );
    assert!(
        builds[1].contains("--platform linux/arm64 --manifest 127.0.0.1:5000/org/nss-gpu:latest "),
        "{podman}"
    );
    assert!(
        builds[1].contains("'CUDA_ARCH_FLAGS=90;90a;120;120a'"),
        "{podman}"
    );

    let buildx = plan_multiarch(&Engine::new(EngineKind::DockerBuildx, "docker"), &inputs)
        .unwrap()
        .dry_run();
    let lines: Vec<&str> = buildx.lines().collect();
    assert!(
        lines[0].contains("--platform linux/amd64 -t 127.0.0.1:5000/org/nss-gpu:latest-amd64 "),
        "{buildx}"
    );
    assert!(
        lines[0].contains("'CUDA_ARCH_FLAGS=80;86;90;90a'"),
        "{buildx}"
    );
    assert!(
        lines[0].contains("ref=127.0.0.1:5000/org/cache:gpu-runtime-amd64"),
        "{buildx}"
    );
    assert!(
        lines[1].contains("--platform linux/arm64 -t 127.0.0.1:5000/org/nss-gpu:latest-arm64 "),
        "{buildx}"
    );
    assert!(
        lines[1].contains("'CUDA_ARCH_FLAGS=90;90a;120;120a'"),
        "{buildx}"
    );
    assert_eq!(
        lines[2],
        "docker buildx imagetools create --builder multi -t 127.0.0.1:5000/org/nss-gpu:latest --annotation index:org.opencontainers.image.title=app 127.0.0.1:5000/org/nss-gpu:latest-amd64 127.0.0.1:5000/org/nss-gpu:latest-arm64"
    );
    assert!(
        lines[3].contains("imagetools inspect --raw 127.0.0.1:5000/org/nss-gpu:latest"),
        "{buildx}"
    );
}

#[test]
fn attestations_reach_buildx_and_are_noted_elsewhere() {
    let asked = Attestations {
        sbom: true,
        provenance: true,
    };
    for (kind, program, name) in CLASSES {
        let engine = Engine::new(kind, program);
        let single = plan_build(
            &engine,
            &BuildInputs {
                attestations: asked,
                ..build_inputs(ImageKind::Runtime)
            },
        );
        let multi = plan_multiarch(
            &engine,
            &MultiarchInputs {
                build: BuildInputs {
                    attestations: asked,
                    ..multiarch_inputs(None).build
                },
                ..multiarch_inputs(None)
            },
        );
        for plan in [Some(single), multi].into_iter().flatten() {
            let argv = plan.dry_run();
            if kind == EngineKind::DockerBuildx {
                assert!(
                    argv.contains(" --sbom=true --provenance=mode=max "),
                    "{name}: {argv}"
                );
                assert!(plan.notes.is_empty(), "{name}: {:?}", plan.notes);
            } else {
                assert!(!argv.contains("--sbom"), "{name}: {argv}");
                assert!(!argv.contains("--provenance"), "{name}: {argv}");
                assert!(
                    plan.notes
                        .iter()
                        .any(|n| n.contains("nss sbom --output FILE")),
                    "{name}: {:?}",
                    plan.notes
                );
            }
        }
        // Not asked: no flags, no note.
        let plain = plan_build(&engine, &build_inputs(ImageKind::Runtime));
        assert!(!plain.dry_run().contains("--sbom"), "{name}");
        assert!(plain.notes.is_empty(), "{name}: {:?}", plain.notes);
    }
}

#[test]
fn podman_label_steps_are_the_invocations_own_and_always_cleaned_up() {
    let engine = Engine::new(EngineKind::Podman, "podman");
    let plan = |run_id: &str| {
        plan_build(
            &engine,
            &BuildInputs {
                run_id: run_id.into(),
                ..build_inputs(ImageKind::Runtime)
            },
        )
    };
    let (a, b) = (plan("nss-run-1-aa"), plan("nss-run-2-bb"));
    let text = a.dry_run();
    assert!(
        text.contains(" -t localhost/nss-unlabeled:nss-run-1-aa "),
        "{text}"
    );
    assert!(
        text.contains("/tmp/nss-labels.nss-run-1-aa/Dockerfile"),
        "{text}"
    );
    assert!(
        !b.dry_run().contains("nss-run-1-aa"),
        "two invocations share a name"
    );
    // The untag and the context's removal run whatever happens before them.
    let cleanups: Vec<&Step> = a
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Cleanup(inner) => Some(inner.as_ref()),
            _ => None,
        })
        .collect();
    assert!(
        matches!(cleanups.as_slice(), [Step::Try(c), Step::RemoveDir(d)]
            if c.args == ["untag", "localhost/nss-unlabeled:nss-run-1-aa"]
                && d.ends_with("nss-labels.nss-run-1-aa")),
        "{cleanups:?}"
    );
}
