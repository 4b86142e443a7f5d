//! `nss --dry-run` through the binary, on fake clients of the three engine classes
//! (detected by the binary itself) with an injected environment.

use std::collections::BTreeMap;

use crate::util::{FakeEngine, TempProject, base_env, fake_engine_env, nss, scrub};

/// (name, client name, `--version` line, buildx plugin present)
const CLASSES: [(&str, &str, &str, bool); 3] = [
    (
        "docker_buildx",
        "docker",
        "Docker version 28.2.2, build e6534b4",
        true,
    ),
    (
        "docker_builtin",
        "docker",
        "Docker version 20.10.24+dfsg1, build 297e128",
        false,
    ),
    ("podman", "podman", "podman version 4.3.1", false),
];

fn env_for(project: &TempProject, fake: &FakeEngine) -> BTreeMap<String, String> {
    let mut env = fake_engine_env(project, fake);
    env.insert("PATH".into(), "/nonexistent".into());
    env
}

/// The probe project with a fake podman, and the environment `nss` gets for them.
fn probe_on_podman() -> (TempProject, FakeEngine, BTreeMap<String, String>) {
    let project = TempProject::new("probe", None);
    let fake = FakeEngine::podman().write(project.tmp.path());
    let env = env_for(&project, &fake);
    (project, fake, env)
}

#[test]
fn every_task_on_every_engine_class() {
    for (name, client, version, buildx) in CLASSES {
        let project = TempProject::new("probe", None);
        let fake = FakeEngine::client(client, version)
            .buildx_if(buildx)
            .write(project.tmp.path());
        let env = env_for(&project, &fake);
        let tasks: [(&str, &[&str]); 10] = [
            ("build_runtime", &["--dry-run", "build"]),
            ("build_dev", &["--dry-run", "build", "--image", "dev"]),
            ("build_test", &["--dry-run", "build", "--image", "test"]),
            (
                "run_runtime",
                &["--dry-run", "run", "CMD=show 'two words' x"],
            ),
            ("run_dev", &["--dry-run", "run", "--image", "dev"]),
            (
                "run_test",
                &["--dry-run", "run", "--image", "test", "--", "build-args"],
            ),
            (
                "multiarch",
                &[
                    "--dry-run",
                    "multiarch",
                    "CONTAINER_GPU_REGISTRY=127.0.0.1:5000/nss-test",
                ],
            ),
            // Every image in one call, each with its registry cache.
            (
                "build_all_cached",
                &[
                    "--dry-run",
                    "build",
                    "--image",
                    "runtime,dev,test",
                    "CONTAINER_GPU_CACHE=127.0.0.1:5000/nss-cache",
                    "CONTAINER_TEST_CACHE=127.0.0.1:5000/nss-cache",
                ],
            ),
            (
                "build_builder",
                &["--dry-run", "build", "CONTAINER_GPU_BUILDER=nss-native"],
            ),
            (
                "multiarch_builder_cache",
                &[
                    "--dry-run",
                    "multiarch",
                    "CONTAINER_GPU_REGISTRY=127.0.0.1:5000/nss-test",
                    "CONTAINER_GPU_BUILDER=nss-native",
                    "CONTAINER_GPU_CACHE=127.0.0.1:5000/nss-cache",
                ],
            ),
        ];
        for (task, args) in tasks {
            let out = nss(project.tmp.path(), &env, args);
            if task == "multiarch" && name == "docker_builtin" {
                assert_eq!(out.code, 2, "{out:?}");
                assert!(out.stderr.contains("install buildx"), "{}", out.stderr);
                continue;
            }
            // Builders are buildx's: one line naming the variable, nothing run.
            if task.contains("builder") && name != "docker_buildx" {
                assert_eq!(out.code, 2, "{name} {task}: {out:?}");
                assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
                assert!(
                    out.stderr.contains("CONTAINER_GPU_BUILDER=nss-native"),
                    "{}",
                    out.stderr
                );
                assert_eq!(out.stdout, "", "{name} {task}");
                continue;
            }
            assert_eq!(out.code, 0, "{name} {task}: {}", out.stderr);
            insta::assert_snapshot!(
                format!("dry_run_{task}_{name}"),
                scrub(&out.stdout, &project, Some(&fake))
            );
        }
        // Dry runs run nothing: the fake client saw no command besides `--version`.
        assert_eq!(fake.calls(), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn nss_dry_run_variable_equals_the_flag() {
    let (project, fake, mut env) = probe_on_podman();
    let flag = nss(project.tmp.path(), &env, &["--dry-run", "build"]);
    env.insert("NSS_DRY_RUN".into(), "1".into());
    let var = nss(project.tmp.path(), &env, &["build"]);
    assert_eq!(flag.code, 0, "{}", flag.stderr);
    // The same plan; each invocation names its own temporary tag and directory.
    assert_eq!(
        scrub(&flag.stdout, &project, None),
        scrub(&var.stdout, &project, None)
    );
    assert!(fake.calls().is_empty());
}

#[test]
fn arguments_override_the_environment_and_reach_the_build() {
    let (project, _fake, mut env) = probe_on_podman();
    env.insert("CONTAINER_GPU_IMAGE".into(), "from-env:1".into());
    // As with `cargo make container-run-gpu-dev CMD="make test"`: the build accepts CMD too.
    let out = nss(
        project.tmp.path(),
        &env,
        &[
            "--dry-run",
            "build",
            "CONTAINER_GPU_IMAGE=from-arg:2",
            "CMD=make test",
            "CUDA_VERSION=12.6.3",
        ],
    );
    out.success()
        .prints(" -t from-arg:2 ")
        .prints("--build-arg CUDA_VERSION=12.6.3");
    assert!(!out.stdout.contains("from-env"), "{}", out.stdout);
}

#[test]
fn relative_dockerfile_is_against_the_project_dir() {
    let (project, _fake, env) = probe_on_podman();
    let out = nss(
        project.tmp.path(),
        &env,
        &[
            "--dry-run",
            "build",
            "CONTAINER_GPU_FILE=containers/Dockerfile.multiarch",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let want = format!(
        "-f {}/containers/Dockerfile.multiarch ",
        project.dir().display()
    );
    assert!(out.stdout.contains(&want), "{}", out.stdout);
}

#[test]
fn preflight_image_is_built_here_when_not_given() {
    let (project, _fake, mut env) = probe_on_podman();
    env.remove("CONTAINER_PREFLIGHT_IMAGE");
    env.insert("PATH".into(), std::env::var("PATH").unwrap_or_default());
    let out = nss(project.tmp.path(), &env, &["--dry-run", "build"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    if lines.len() == 1 {
        // No cargo on PATH: the Dockerfile's own default applies.
        assert!(!lines[0].contains("PREFLIGHT_IMAGE="), "{}", out.stdout);
        return;
    }
    // cargo, the preflight image, the image (podman: then its label build and untag).
    assert_eq!(lines.len(), 5, "{}", out.stdout);
    assert!(
        lines[0].contains(" build --quiet --release -p nss-preflight "),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains(" build --platform linux/amd64 -t nss-preflight:"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("--build-arg PREFLIGHT_IMAGE=nss-preflight:"),
        "{}",
        lines[2]
    );
}

#[test]
fn secrets_are_passed_by_name_when_set() {
    let (project, _fake, mut env) = probe_on_podman();
    env.insert("HF_TOKEN".into(), "hf_secret_value".into());
    env.insert("WANDB_API_KEY".into(), "".into());
    let out = nss(project.tmp.path(), &env, &["--dry-run", "run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(" -e HF_TOKEN "), "{}", out.stdout);
    assert!(
        !out.stdout.contains("WANDB_API_KEY"),
        "empty: not passed: {}",
        out.stdout
    );
    assert!(!out.stdout.contains("hf_secret_value") && !out.stderr.contains("hf_secret_value"));
}

#[test]
fn bundled_example_is_the_last_resort_and_help_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let mut env = base_env();
    env.insert("CONTAINER_CMD".into(), "podman".into());
    let help = nss(tmp.path(), &env, &["--help"]);
    assert_eq!(help.code, 0);
    assert!(
        help.stdout.contains("(from the bundled example project)"),
        "{}",
        help.stdout
    );
    nss(tmp.path(), &env, &["spec"])
        .success()
        .prints("APP=hello-gpu")
        .prints("CUDA_VERSION=12.8.");
    // The example's `[tool.nss] secrets` list is passed by name, like HF_TOKEN.
    env.insert("HELLO_GPU_API_KEY".into(), "not-on-the-command-line".into());
    env.insert(
        "CONTAINER_HF_CACHE".into(),
        tmp.path().join("hf").display().to_string(),
    );
    let run = nss(tmp.path(), &env, &["--dry-run", "run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(" -e HELLO_GPU_API_KEY "),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("not-on-the-command-line"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_docker_client_without_buildkit_runs_but_does_not_build() {
    let project = TempProject::new("probe", None);
    let fake = FakeEngine::docker()
        .version("Docker version 28.2.2, build e6534b4")
        .write(project.tmp.path());
    let env = env_for(&project, &fake);
    let run = nss(project.tmp.path(), &env, &["--dry-run", "run"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(" run --rm "), "{}", run.stdout);
    assert!(!run.stdout.contains("DOCKER_BUILDKIT"), "{}", run.stdout);
    for args in [
        &["--dry-run", "build"][..],
        &[
            "--dry-run",
            "multiarch",
            "CONTAINER_GPU_REGISTRY=r.example.com/o",
        ],
    ] {
        let out = nss(project.tmp.path(), &env, args);
        assert_eq!(out.code, 2, "{args:?}: {}{}", out.stdout, out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
        assert!(
            out.stderr
                .contains("has no buildx plugin and no built-in BuildKit; install buildx"),
            "{args:?}: {}",
            out.stderr
        );
    }
}
