//! Proves the engines `scripts/engines.sh up` started do what the other tests
//! rely on: each engine answers, the base images are in each engine, builds have
//! network (plain-HTTP apt; HTTPS with the CA bundle), the loopback registry takes a push that skopeo reads,
//! and podman runs arm64 RUN steps through qemu.
//!
//! Without engines every test skips with a printed reason; under `CI=true` or
//! `NSS_TEST_ENGINES=required` a missing engine fails it.

#![allow(clippy::print_stderr, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use nss_testkit::{
    Cleanup, EngineKind, NSS_TEST_BASE_IMAGE, NSS_TEST_CA_BUNDLE, NSS_TEST_MULTIARCH_BASE_IMAGE,
    NSS_TEST_PLATFORMS, NSS_TEST_PYTHON_IMAGE, NSS_TEST_UV_IMAGE, TestEngine,
};

/// A name no other test (or concurrent run) uses.
fn unique(what: &str) -> String {
    nss_testkit::unique(&format!("testkit-{what}"))
}

/// Runs a command, panicking with its output when it fails.
fn run(mut cmd: Command) -> Output {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    assert!(
        out.status.success(),
        "{shown} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A fresh build context holding `Dockerfile`, removed with `cleanup`.
fn context(cleanup: &mut Cleanup, dockerfile: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique("ctx"));
    std::fs::create_dir_all(&dir).expect("create build context");
    cleanup.add_dir(dir.clone());
    std::fs::write(dir.join("Dockerfile"), dockerfile).expect("write Dockerfile");
    dir
}

fn build(engine: &TestEngine, tag: &str, context: &Path, platform: Option<&str>) -> Output {
    let mut cmd = engine.command();
    cmd.arg("build").args(["-t", tag]);
    if let Some(platform) = platform {
        cmd.args(["--platform", platform]);
    }
    cmd.arg(context);
    run(cmd)
}

#[test]
fn every_engine_answers() {
    for engine in nss_testkit::engines() {
        let out = run({
            let mut cmd = engine.command();
            cmd.args(["version", "--format", "{{.Server.Version}}"]);
            cmd
        });
        let version = stdout(&out);
        assert!(
            !version.is_empty(),
            "{} reported no server version",
            engine.name()
        );
        // The docker client must be the 20.10 one: newer clients refuse BuildKit without buildx.
        if engine.kind == EngineKind::Docker {
            let client = run({
                let mut cmd = engine.command();
                cmd.args(["version", "--format", "{{.Client.Version}}"]);
                cmd
            });
            assert!(
                stdout(&client).starts_with("20.10"),
                "docker client {}",
                stdout(&client)
            );
        }
    }
}

#[test]
fn base_python_and_uv_images_are_in_every_engine() {
    let names = [
        NSS_TEST_BASE_IMAGE,
        NSS_TEST_PYTHON_IMAGE,
        NSS_TEST_UV_IMAGE,
    ];
    let images: Vec<String> = names
        .iter()
        .filter_map(|name| nss_testkit::value(name))
        .collect();
    for engine in nss_testkit::engines() {
        for image in &images {
            let out = engine
                .command()
                .args(["image", "inspect", image])
                .output()
                .expect("inspect");
            assert!(
                out.status.success(),
                "{image} is missing from {}",
                engine.name()
            );
        }
    }
}

#[test]
fn python_image_has_python_venv_and_tini() {
    let Some(image) = nss_testkit::value(NSS_TEST_PYTHON_IMAGE) else {
        return;
    };
    for engine in nss_testkit::engines() {
        let out = run({
            let mut cmd = engine.command();
            cmd.args([
                "run",
                "--rm",
                &image,
                "sh",
                "-c",
                "python3 -m venv /tmp/v && tini --version",
            ]);
            cmd
        });
        assert!(
            stdout(&out).contains("tini version"),
            "{}: {}",
            engine.name(),
            stdout(&out)
        );
    }
}

#[test]
fn uv_image_holds_uv_and_uvx() {
    let Some(image) = nss_testkit::value(NSS_TEST_UV_IMAGE) else {
        return;
    };
    let Some(tag) = image.rsplit(':').next().map(str::to_string) else {
        return;
    };
    for engine in nss_testkit::engines() {
        for binary in ["/uv", "/uvx"] {
            let out = run({
                let mut cmd = engine.command();
                cmd.args(["run", "--rm", "--entrypoint", binary, &image, "--version"]);
                cmd
            });
            assert!(
                stdout(&out).contains(&tag),
                "{} {binary}: {}",
                engine.name(),
                stdout(&out)
            );
        }
    }
}

#[test]
fn https_from_containers_works_with_the_ca_bundle() {
    let Some(image) = nss_testkit::value(NSS_TEST_PYTHON_IMAGE) else {
        return;
    };
    let Some(ca) = nss_testkit::value(NSS_TEST_CA_BUNDLE) else {
        return;
    };
    let fetch =
        "import urllib.request as u; print(u.urlopen('https://pypi.org/simple/uv/').status)";
    for engine in nss_testkit::engines() {
        let out = run({
            let mut cmd = engine.command();
            cmd.args(["run", "--rm", "-v", &format!("{ca}:/run/nss-ca.crt:ro")]);
            cmd.args([
                "-e",
                "SSL_CERT_FILE=/run/nss-ca.crt",
                &image,
                "python3",
                "-c",
                fetch,
            ]);
            cmd
        });
        assert_eq!(stdout(&out), "200", "{}", engine.name());
    }
}

#[test]
fn builds_and_runs_have_plain_http_apt() {
    let Some(base) = nss_testkit::value(NSS_TEST_BASE_IMAGE) else {
        return;
    };
    let _one = nss_testkit::exclusive();
    for engine in nss_testkit::engines() {
        let mut cleanup = Cleanup::new(&engine);
        let tag = format!("localhost/{}:latest", unique(engine.name()));
        let context = context(
            &mut cleanup,
            &format!(
                "FROM {base}\nRUN apt-get update -q && apt-get install -y -q --no-install-recommends less\n"
            ),
        );
        cleanup.add_image(tag.clone());
        build(&engine, &tag, &context, None);
        let out = run({
            let mut cmd = engine.command();
            cmd.args([
                "run",
                "--rm",
                &tag,
                "sh",
                "-c",
                "apt-get update -q >/dev/null && command -v less",
            ]);
            cmd
        });
        assert_eq!(stdout(&out), "/usr/bin/less", "{}", engine.name());
    }
}

#[test]
fn registry_takes_a_push_that_skopeo_reads() {
    let Some(registry) = nss_testkit::registry() else {
        return;
    };
    let Some(base) = nss_testkit::value(NSS_TEST_BASE_IMAGE) else {
        return;
    };
    let _one = nss_testkit::exclusive();
    for engine in nss_testkit::engines() {
        let mut cleanup = Cleanup::new(&engine);
        let reference = format!("{registry}/{}:latest", unique(engine.name()));
        let mut delete = Command::new("skopeo");
        delete.args([
            "delete",
            "--tls-verify=false",
            &format!("docker://{reference}"),
        ]);
        cleanup.run(delete);
        cleanup.add_image(reference.clone());
        run({
            let mut cmd = engine.command();
            cmd.args(["tag", &base, &reference]);
            cmd
        });
        run({
            let mut cmd = engine.command();
            cmd.arg("push");
            if engine.kind == EngineKind::Podman {
                cmd.arg("--tls-verify=false");
            }
            cmd.arg(&reference);
            cmd
        });
        let out = run({
            let mut cmd = Command::new("skopeo");
            cmd.args([
                "inspect",
                "--tls-verify=false",
                "--format",
                "{{.Architecture}} {{.Os}}",
            ]);
            cmd.arg(format!("docker://{reference}"));
            cmd
        });
        assert_eq!(
            stdout(&out),
            "amd64 linux",
            "{} pushed {reference}",
            engine.name()
        );
    }
}

/// ELF `e_machine` of a file: 0x3e x86-64, 0xb7 aarch64.
fn elf_machine(path: &Path) -> u16 {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(
        bytes.len() > 20 && bytes.starts_with(b"\x7fELF"),
        "{} is not ELF",
        path.display()
    );
    u16::from_le_bytes([bytes[18], bytes[19]])
}

#[test]
fn podman_runs_arm64_build_steps_through_qemu() {
    let Some(engine) = nss_testkit::podman() else {
        return;
    };
    let Some(platforms) = nss_testkit::value(NSS_TEST_PLATFORMS) else {
        return;
    };
    let Some(uv) = nss_testkit::value(NSS_TEST_UV_IMAGE) else {
        return;
    };
    if !platforms.split(',').any(|p| p == "linux/arm64") {
        let _: Option<()> =
            nss_testkit::skip("arm64", &format!("{NSS_TEST_PLATFORMS}={platforms}"));
        return;
    }
    let _one = nss_testkit::exclusive();
    let mut cleanup = Cleanup::new(&engine);
    let tag = format!("localhost/{}:latest", unique("arm64"));
    // podman resolves uv's image for arm64 through registries.conf (an index in
    // the loopback registry): the arm64 build must pick the aarch64 binary and
    // the RUN step then executes it under qemu. Pulling re-points the local tag.
    let mut pull_amd64 = engine.command();
    pull_amd64.args(["pull", "-q", "--platform", "linux/amd64", &uv]);
    cleanup.run(pull_amd64);
    let context = context(
        &mut cleanup,
        &format!(
            "FROM {uv} AS uv\nFROM scratch\nCOPY --from=uv /uv /uv\nRUN [\"/uv\", \"--version\"]\n"
        ),
    );
    cleanup.add_image(tag.clone());
    build(&engine, &tag, &context, Some("linux/arm64"));
    let arch = run({
        let mut cmd = engine.command();
        cmd.args(["image", "inspect", "--format", "{{.Architecture}}", &tag]);
        cmd
    });
    assert_eq!(stdout(&arch), "arm64");

    let container = unique("arm64-ctr");
    let out_dir = std::env::temp_dir().join(unique("arm64-out"));
    std::fs::create_dir_all(&out_dir).expect("create output dir");
    cleanup.add_dir(out_dir.clone());
    run({
        let mut cmd = engine.command();
        cmd.args([
            "create",
            "--platform",
            "linux/arm64",
            "--name",
            &container,
            &tag,
            "/uv",
        ]);
        cmd
    });
    let copied = engine
        .command()
        .args(["cp", &format!("{container}:/uv")])
        .arg(out_dir.join("uv"))
        .output();
    let _ = engine.command().args(["rm", "-f", &container]).output();
    let copied = copied.expect("podman cp");
    assert!(
        copied.status.success(),
        "podman cp: {}",
        String::from_utf8_lossy(&copied.stderr)
    );
    assert_eq!(
        elf_machine(&out_dir.join("uv")),
        0xb7,
        "the arm64 image holds a non-aarch64 uv"
    );
}

#[test]
fn podman_builds_each_platform_from_the_multiarch_base() {
    let Some(engine) = nss_testkit::podman() else {
        return;
    };
    let Some(base) = nss_testkit::value(NSS_TEST_MULTIARCH_BASE_IMAGE) else {
        return;
    };
    let _one = nss_testkit::exclusive();
    let mut cleanup = Cleanup::new(&engine);
    let context = context(
        &mut cleanup,
        &format!("FROM {base}\nRUN dpkg --print-architecture > /arch && uname -m >> /arch\n"),
    );
    for (platform, expected) in [
        ("linux/amd64", "amd64\nx86_64"),
        ("linux/arm64", "arm64\naarch64"),
    ] {
        let tag = format!("localhost/{}:latest", unique("multiarch"));
        cleanup.add_image(tag.clone());
        build(&engine, &tag, &context, Some(platform));
        // The RUN step ran on the platform asked for (arm64: through qemu).
        let out = run({
            let mut cmd = engine.command();
            cmd.args(["run", "--rm", "--platform", platform, &tag, "cat", "/arch"]);
            cmd
        });
        assert_eq!(stdout(&out), expected, "{platform}");
    }
}
