//! The acceptance cases of the preflight, each in a real container on every engine.
//!
//! Engine differences seen here: podman's default `/dev/shm` is `size=64000k` (62 MiB),
//! docker's `65536k` (64 MiB); both are below the 256 MiB threshold. `--ipc=host` gives
//! the host's `/dev/shm` on both.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use nss_testkit::{Cleanup, TestEngine};

use crate::util::{BIN, IN_CONTAINER, data_dir, mount, output, run, unique};

/// Runs `test` once per started engine with the base image; skips without engines.
fn each_engine(test: impl Fn(&TestEngine, &str)) {
    let Some(image) = crate::util::base_image() else {
        return;
    };
    for engine in nss_testkit::engines() {
        eprintln!("engine: {}", engine.name());
        test(&engine, &image);
    }
}

#[test]
fn shm_below_256m_warns_and_1g_or_ipc_host_does_not() {
    each_engine(|engine, image| {
        // (case, engine options, expect shm-small)
        let cases: [(&str, &[&str], bool); 4] = [
            ("engine default", &[], true),
            ("--shm-size=64m", &["--shm-size=64m"], true),
            ("--shm-size=1g", &["--shm-size=1g"], false),
            ("--ipc=host", &["--ipc=host"], false),
        ];
        for (case, opts, warns) in cases {
            let out = run(engine, image, opts, &["--", "/bin/true"]);
            assert_eq!(out.code, 0, "{} {case}: {out:?}", engine.name());
            assert_eq!(
                out.has("shm-small"),
                warns,
                "{} {case}: {}",
                engine.name(),
                out.stderr
            );
            if warns {
                assert!(out.stderr.contains("--shm-size=1g"), "{}", out.stderr);
            }
        }
    });
}

#[test]
fn a_mounted_workspace_silences_the_workspace_hint() {
    each_engine(|engine, image| {
        let out = run(engine, image, &[], &["--", "/bin/true"]);
        assert!(
            out.has("workspace-missing"),
            "{} no mount: {}",
            engine.name(),
            out.stderr
        );

        let data = data_dir();
        let out = run(
            engine,
            image,
            &["-v", &mount(data.path(), "/workspace")],
            &["--", "/bin/true"],
        );
        let workspace: Vec<String> = out
            .ids()
            .into_iter()
            .filter(|id| id.starts_with("workspace-"))
            .collect();
        assert_eq!(
            workspace,
            Vec::<String>::new(),
            "{} mounted: {}",
            engine.name(),
            out.stderr
        );

        let empty = tempfile::Builder::new()
            .prefix("nss-test-preflight-")
            .tempdir()
            .unwrap();
        let out = run(
            engine,
            image,
            &["-v", &mount(empty.path(), "/data")],
            &["--", "/bin/true"],
        );
        assert!(
            out.has("workspace-missing"),
            "{} NSS_WORKSPACE unset: {}",
            engine.name(),
            out.stderr
        );
        let opts = [
            "-v",
            &mount(empty.path(), "/data"),
            "-e",
            "NSS_WORKSPACE=/data",
        ];
        let out = run(engine, image, &opts, &["--", "/bin/true"]);
        assert!(
            out.has("workspace-empty"),
            "{} NSS_WORKSPACE=/data: {}",
            engine.name(),
            out.stderr
        );
    });
}

#[test]
fn another_uid_on_a_root_owned_mount_gets_the_write_hint() {
    each_engine(|engine, image| {
        let data = data_dir(); // owned by root (the tests run as root), mode 0755
        let ws = mount(data.path(), "/workspace");
        let out = run(
            engine,
            image,
            &["--user", "1000:1000", "-v", &ws],
            &["--", "/bin/true"],
        );
        assert!(
            out.has("workspace-not-writable"),
            "{}: {}",
            engine.name(),
            out.stderr
        );
        assert!(out.stderr.contains("uid 1000 (gid 1000)"), "{}", out.stderr);
        assert!(
            out.stderr.contains("--user \"$(id -u):$(id -g)\""),
            "{}",
            out.stderr
        );

        let out = run(engine, image, &["-v", &ws], &["--", "/bin/true"]);
        assert!(
            !out.has("workspace-not-writable"),
            "{} as root: {}",
            engine.name(),
            out.stderr
        );

        let out = run(
            engine,
            image,
            &["-v", &format!("{ws}:ro")],
            &["--", "/bin/true"],
        );
        assert!(
            out.has("workspace-read-only"),
            "{} :ro: {}",
            engine.name(),
            out.stderr
        );
    });
}

#[test]
fn arguments_and_exit_code_pass_through_and_the_process_is_replaced() {
    each_engine(|engine, image| {
        let script = r#"printf '<%s>' "$@"; echo " pid=$$"; exit 7"#;
        let argv = [
            "--",
            "/bin/sh",
            "-c",
            script,
            "sh",
            "a b",
            "it's",
            "say \"hi\"",
            "",
            "--data-source",
            "config",
        ];
        let out = run(engine, image, &[], &argv).exits(engine, 7);
        // pid 1: nss-preflight was the container's PID 1 and exec'd into the shell.
        assert_eq!(
            out.stdout,
            "<a b><it's><say \"hi\"><><--data-source><config> pid=1\n",
            "{}",
            engine.name()
        );
        // `--data-source config` is an option value, not the config command: full checks ran.
        assert!(out.has("shm-small"), "{}: {}", engine.name(), out.stderr);
    });
}

#[test]
fn help_and_version_print_no_hints() {
    each_engine(|engine, image| {
        for flag in ["--help", "-h", "--version", "-V"] {
            let out = run(engine, image, &[], &["--", "/bin/echo", "run", flag]);
            assert_eq!(out.code, 0, "{} {flag}: {out:?}", engine.name());
            assert_eq!(out.stdout, format!("run {flag}\n"));
            assert_eq!(
                out.stderr,
                "",
                "{} {flag}: nothing before help text",
                engine.name()
            );
        }
    });
}

#[test]
fn the_config_command_gets_only_the_workspace_checks() {
    each_engine(|engine, image| {
        let gpu_image = [
            "-e",
            "CUDA_VERSION=12.8.1",
            "-e",
            "NVIDIA_VISIBLE_DEVICES=all",
        ];
        let out = run(engine, image, &gpu_image, &["--", "/bin/true", "run"]);
        assert!(
            out.has("gpu-not-visible") && out.has("shm-small"),
            "{} run: {}",
            engine.name(),
            out.stderr
        );

        let out = run(
            engine,
            image,
            &gpu_image,
            &["--", "/bin/true", "config", "validate"],
        );
        assert_eq!(
            out.ids(),
            ["workspace-missing"],
            "{} config: {}",
            engine.name(),
            out.stderr
        );

        let mut opts = gpu_image.to_vec();
        opts.extend(["-e", "NSS_PREFLIGHT_INFO_COMMANDS=inspect"]);
        let out = run(engine, image, &opts, &["--", "/bin/true", "inspect"]);
        assert_eq!(
            out.ids(),
            ["workspace-missing"],
            "{} custom info command: {}",
            engine.name(),
            out.stderr
        );
    });
}

#[test]
fn missing_program_exits_127_naming_it() {
    each_engine(|engine, image| {
        run(engine, image, &[], &["--", "no-such-app", "run"])
            .exits(engine, 127)
            .says("cannot run \"no-such-app\": command not found");
    });
}

#[test]
fn json_strict_and_off() {
    each_engine(|engine, image| {
        let out = run(engine, image, &[], &["--json", "--", "/bin/true"]).exits(engine, 0);
        assert_eq!(
            out.stderr.lines().count(),
            1,
            "one JSON object: {}",
            out.stderr
        );
        let report: serde_json::Value = serde_json::from_str(&out.stderr).expect("valid JSON");
        assert_eq!(report["scope"], "full");
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["id"] == "shm-small"),
            "{report}"
        );

        let out = run(
            engine,
            image,
            &[],
            &["--strict", "--", "/bin/echo", "started"],
        );
        assert_eq!(
            out.code,
            1,
            "{} strict refuses on a warning: {out:?}",
            engine.name()
        );
        assert_eq!(out.stdout, "", "the app did not run");
        let out = run(
            engine,
            image,
            &["-e", "NSS_PREFLIGHT=strict"],
            &["--", "/bin/echo", "started"],
        );
        assert_eq!(
            out.code,
            1,
            "{} NSS_PREFLIGHT=strict: {out:?}",
            engine.name()
        );

        let data = data_dir();
        let opts = [
            "--shm-size=1g",
            "-v",
            &mount(data.path(), "/workspace"),
            "-e",
            "NSS_PREFLIGHT_IGNORE=hf-home-unset,hf-token-missing",
        ];
        let out = run(
            engine,
            image,
            &opts,
            &["--strict", "--", "/bin/echo", "started"],
        );
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (0, "started\n", ""),
            "{} clean strict run",
            engine.name()
        );

        let out = run(
            engine,
            image,
            &["-e", "NSS_PREFLIGHT=off"],
            &["--", "/bin/echo", "started"],
        );
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (0, "started\n", ""),
            "{} off",
            engine.name()
        );
    });
}

#[test]
fn the_static_binary_runs_from_scratch() {
    let _one = nss_testkit::exclusive();
    each_engine(|engine, _| {
        let context = tempfile::Builder::new()
            .prefix("nss-test-preflight-")
            .tempdir()
            .unwrap();
        std::fs::copy(
            nss_testkit::static_preflight(),
            context.path().join("nss-preflight"),
        )
        .unwrap();
        std::fs::write(
            context.path().join("Dockerfile"),
            "FROM scratch\nCOPY nss-preflight /nss-preflight\n",
        )
        .unwrap();
        let tag = format!("localhost/{}:latest", unique("scratch"));
        let _guard = Cleanup::new(engine).image(&tag);
        let mut build = engine.command();
        build.args(["build", "-q", "-t", &tag]).arg(context.path());
        let built = output(engine, build);
        assert_eq!(built.code, 0, "{} build: {built:?}", engine.name());

        // The image's only program, as its own app: `/nss-preflight -- /nss-preflight ARG`.
        let app = |arg: &str| {
            let mut cmd = engine.command();
            cmd.args(["run", "--rm", "--name", &unique("scratch-run"), &tag])
                .args(["/nss-preflight", "--", "/nss-preflight", arg]);
            output(engine, cmd)
        };
        let out = app("--version");
        assert_eq!(out.code, 0, "{}: {out:?}", engine.name());
        assert_eq!(
            out.stdout,
            format!("nss-preflight {}\n", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(out.stderr, "", "--version of the app: no checks");

        let out = app("--bogus");
        assert_eq!(
            out.code,
            2,
            "{} usage error passes through: {out:?}",
            engine.name()
        );
        assert!(
            out.has("shm-small") && out.has("workspace-missing"),
            "{}: {}",
            engine.name(),
            out.stderr
        );
    });
}

#[test]
fn under_tini_a_signal_reaches_the_app() {
    let Some(image) = nss_testkit::value("NSS_TEST_PYTHON_IMAGE") else {
        return;
    };
    for engine in nss_testkit::engines() {
        let name = unique("signal");
        let _guard = Cleanup::new(&engine).container(&name);
        // The image entrypoint as the Dockerfiles write it: tini -- nss-preflight -- APP.
        let app = r#"trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 0.1; done"#;
        let mut cmd = engine.command();
        cmd.args(["run", "--rm", "--name", &name])
            .arg("-v")
            .arg(format!("{BIN}:{IN_CONTAINER}:ro"))
            .args([
                "--entrypoint",
                "tini",
                &image,
                "--",
                IN_CONTAINER,
                "--",
                "/bin/sh",
                "-c",
                app,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start container");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read");
        assert_eq!(line, "ready\n", "{}: the app started", engine.name());

        let kill = engine
            .command()
            .args(["kill", "--signal", "TERM", &name])
            .output()
            .expect("kill");
        assert!(kill.status.success(), "{}: kill: {kill:?}", engine.name());
        let out = child.wait_with_output().expect("wait");
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).expect("read");
        assert_eq!(
            rest,
            "got TERM\n",
            "{}: the app's own trap ran",
            engine.name()
        );
        assert_eq!(out.status.code(), Some(42), "{}: {out:?}", engine.name());
    }
}
