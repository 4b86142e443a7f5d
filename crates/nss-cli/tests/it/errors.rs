//! Bad input: exit 2, one line on stderr naming the variable/file and the fix, nothing run.

use std::collections::BTreeMap;

use crate::util::{FakeEngine, TempProject, base_env, fake_engine_env, nss};

struct Case {
    /// What the case covers.
    what: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    /// Text the one stderr line must contain.
    says: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        what: "bare-name volume source",
        args: &["run"],
        env: &[("CONTAINER_EXTRA_MOUNTS", "-v data:/workspace/data")],
        says: &[
            "CONTAINER_EXTRA_MOUNTS",
            "named volume",
            "/project/data:/workspace/data",
            "--mount type=volume",
        ],
    },
    Case {
        what: "CMD with an unterminated quote",
        args: &["run", "CMD=run --config 'my file"],
        env: &[],
        says: &["CMD=", "quote"],
    },
    Case {
        what: "CMD with an unterminated quote fails the build a run depends on too",
        args: &["build", "CMD=run 'oops"],
        env: &[],
        says: &["CMD="],
    },
    Case {
        what: "CONTAINER_EXTRA_MOUNTS with an unterminated quote",
        args: &["run"],
        env: &[("CONTAINER_EXTRA_MOUNTS", "-v '/a:/b")],
        says: &["CONTAINER_EXTRA_MOUNTS", "quote"],
    },
    Case {
        what: "unknown platform",
        args: &["build", "CONTAINER_GPU_PLATFORM=linux/s390x"],
        env: &[],
        says: &["CONTAINER_GPU_PLATFORM", "linux/amd64, linux/arm64"],
    },
    Case {
        what: "invalid image reference",
        args: &["build"],
        env: &[("CONTAINER_GPU_IMAGE", "NSS GPU:latest")],
        says: &["CONTAINER_GPU_IMAGE", "not a valid image reference"],
    },
    Case {
        what: "invalid tag",
        args: &[
            "run",
            "--image",
            "dev",
            "CONTAINER_GPU_IMAGE_DEV=nss-gpu-dev:-bad",
        ],
        env: &[],
        says: &["CONTAINER_GPU_IMAGE_DEV", "tag"],
    },
    Case {
        what: "invalid cache reference",
        args: &[
            "multiarch",
            "CONTAINER_GPU_REGISTRY=127.0.0.1:5000/org",
            "CONTAINER_GPU_CACHE=Bad Cache",
        ],
        env: &[],
        says: &["CONTAINER_GPU_CACHE"],
    },
    Case {
        what: "multiarch without a registry",
        args: &["multiarch"],
        env: &[],
        says: &["CONTAINER_GPU_REGISTRY"],
    },
    Case {
        what: "missing build CA",
        args: &["build"],
        env: &[("CONTAINER_BUILD_CA", "/nonexistent/ca.pem")],
        says: &["CONTAINER_BUILD_CA", "no such file"],
    },
    Case {
        what: "unknown NAME=value",
        args: &["build", "CONTAINER_GPU_IMGE=x:1"],
        env: &[],
        says: &["unknown variable", "CONTAINER_GPU_IMGE"],
    },
    Case {
        what: "no command (clap)",
        args: &[],
        env: &[],
        says: &["a command is required"],
    },
    Case {
        what: "unknown option (clap)",
        args: &["build", "--imag", "dev"],
        env: &[],
        says: &["--imag"],
    },
    Case {
        what: "unknown image kind (clap)",
        args: &["build", "--image", "gpu"],
        env: &[],
        says: &["gpu"],
    },
    Case {
        what: "engine program missing",
        args: &["build"],
        env: &[("CONTAINER_CMD", "/nonexistent/docker")],
        says: &["CONTAINER_CMD", "install"],
    },
    Case {
        what: "missing Dockerfile",
        args: &[
            "build",
            "--image",
            "test",
            "CONTAINER_TEST_FILE=containers/nope",
        ],
        env: &[],
        says: &["CONTAINER_TEST_FILE", "containers/nope"],
    },
];

fn env(
    project: &TempProject,
    fake: &FakeEngine,
    extra: &[(&str, &str)],
) -> BTreeMap<String, String> {
    let mut env = fake_engine_env(project, fake);
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    env
}

fn assert_one_line_exit_2(what: &str, out: &crate::util::Out, says: &[&str]) {
    assert_eq!(out.code, 2, "{what}: {out:?}");
    assert_eq!(out.stdout, "", "{what}: nothing on stdout");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "{what}: one line on stderr: {:?}",
        out.stderr
    );
    for s in says {
        assert!(
            lines[0].contains(s),
            "{what}: {:?} should mention {s:?}",
            lines[0]
        );
    }
    assert!(
        !out.stderr.contains("panicked") && !out.stderr.contains("backtrace"),
        "{what}"
    );
}

#[test]
fn bad_input_exits_2_with_one_line_and_runs_nothing() {
    for case in CASES {
        let project = TempProject::new("probe", None);
        let fake = FakeEngine::podman().write(project.tmp.path());
        let env = env(&project, &fake, case.env);
        let out = nss(&project.dir(), &env, case.args);
        assert_one_line_exit_2(case.what, &out, case.says);
        assert_eq!(
            fake.calls(),
            Vec::<String>::new(),
            "{}: no engine command ran",
            case.what
        );
        assert!(
            !project.path("hf").exists(),
            "{}: no HF cache created",
            case.what
        );
    }
}

#[test]
fn docker_daemon_not_running() {
    let project = TempProject::new("probe", None);
    let fake = FakeEngine::docker().daemon_down().write(project.tmp.path());
    let out = nss(&project.dir(), &env(&project, &fake, &[]), &["build"]);
    assert_one_line_exit_2("daemon down", &out, &["daemon does not answer", "start it"]);
    assert_eq!(
        fake.calls(),
        vec!["version --format {{.Server.Version}}".to_string()],
        "only the probe ran"
    );
}

#[test]
fn docker_without_buildx_or_builtin_buildkit() {
    let project = TempProject::new("probe", None);
    let fake = FakeEngine::docker()
        .version("Docker version 28.2.2, build e6534b4")
        .write(project.tmp.path());
    let out = nss(
        &project.dir(),
        &env(&project, &fake, &[]),
        &["--dry-run", "build"],
    );
    assert_one_line_exit_2("no buildx", &out, &["install buildx"]);
}

#[test]
fn no_engine_at_all() {
    let project = TempProject::new("probe", None);
    let mut env = base_env();
    env.insert(
        "PATH".into(),
        project.path("empty-bin").display().to_string(),
    );
    env.insert(
        "NSS_PROJECT_DIR".into(),
        project.dir().display().to_string(),
    );
    let out = nss(&project.dir(), &env, &["build"]);
    assert_one_line_exit_2("no engine", &out, &["no container engine found", "podman"]);
}

#[test]
fn gpus_refused_names_the_flag_and_the_toolkit() {
    let project = TempProject::new("probe", None);
    let refusal = "docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].";
    let fake = FakeEngine::docker()
        .run_exits(125, refusal)
        .write(project.tmp.path());
    let out = nss(&project.dir(), &env(&project, &fake, &[]), &["run"]);
    assert_eq!(out.code, 2, "{out:?}");
    let last = out.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("CONTAINER_GPU_FLAG=") && last.contains("NVIDIA Container Toolkit"),
        "{last}"
    );
}

#[test]
fn run_passes_the_exit_code_through() {
    let project = TempProject::new("probe", None);
    let fake = FakeEngine::podman()
        .run_exits(42, "")
        .write(project.tmp.path());
    let out = nss(
        &project.dir(),
        &env(&project, &fake, &[]),
        &["run", "CMD=exit 42"],
    );
    assert_eq!(out.code, 42, "{out:?}");
    let calls = fake.calls();
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("run --rm --name nss-run-")),
        "{calls:?}"
    );
    assert!(
        project.path("hf").is_dir(),
        "the HF cache is created before the run"
    );
}

#[test]
fn malformed_pyproject_exits_2() {
    let project = TempProject::new("probe", None);
    std::fs::write(project.dir().join("pyproject.toml"), "[project\nname = 1\n").unwrap();
    let fake = FakeEngine::podman().write(project.tmp.path());
    let out = nss(&project.dir(), &env(&project, &fake, &[]), &["spec"]);
    assert_one_line_exit_2("malformed pyproject", &out, &["pyproject.toml"]);
}

#[test]
fn missing_image_says_to_build_first() {
    let project = TempProject::new("probe", None);
    let refusal = "Error: nss-gpu:latest: image not known";
    let fake = FakeEngine::podman()
        .run_exits(125, refusal)
        .write(project.tmp.path());
    let out = nss(&project.dir(), &env(&project, &fake, &[]), &["run"]);
    assert_eq!(out.code, 2, "{out:?}");
    let last = out.stderr.lines().last().unwrap_or_default();
    assert!(last.contains("nss build"), "{last}");
}

/// Every variable `nss` accepts is in `nss --help` and in the developer guide's table of
/// variables, so neither falls behind the list the code reads; the guide's table says what
/// the code's table says (name, default, the commands that read it), and those commands are
/// nss's own.
#[test]
fn every_variable_is_in_the_help_and_the_developer_guide() {
    use nss_cli::env::{VARIABLES, VarDefault};

    let tmp = tempfile::tempdir().unwrap();
    let help = nss(tmp.path(), &base_env(), &["--help"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    let commands: Vec<&str> = help
        .stdout
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.contains(&"build"), "{}", help.stdout);

    let guide =
        std::fs::read_to_string(nss_testkit::workspace_root().join("docs/developer-guide.md"))
            .unwrap();
    let table = &guide[guide.find("\n## Variables").expect("the Variables section")..];
    let table = &table[..table[1..].find("\n## ").map_or(table.len(), |i| i + 1)];
    // `| `NAME` | default | commands | meaning |`, backticks dropped.
    let rows: BTreeMap<String, (String, String)> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().replace('`', ""))
                .collect();
            assert!(cells.len() >= 4, "a row of the Variables table: {l}");
            (cells[0].clone(), (cells[1].clone(), cells[2].clone()))
        })
        .collect();

    for v in VARIABLES {
        let name = v.name;
        assert!(
            help.stdout
                .lines()
                .any(|l| l.starts_with(&format!("  {name} "))),
            "{name} is not in nss --help"
        );
        let Some((default, read_by)) = rows.get(name) else {
            panic!("{name} has no row in the developer guide's Variables table")
        };
        let want = match v.default {
            VarDefault::None => "(none)",
            VarDefault::Off => "(off)",
            VarDefault::On => "(on)",
            VarDefault::Value(d) | VarDefault::Derived(d) => d,
        };
        assert_eq!(default, want, "{name}: the guide's default");
        let read_by: Vec<&str> = if read_by == "all" {
            commands.clone()
        } else {
            read_by.split(", ").collect()
        };
        assert_eq!(read_by, v.commands, "{name}: the guide's commands");
        for c in v.commands {
            assert!(commands.contains(c), "{name}: {c} is not an nss command");
        }
    }
    let names: Vec<&str> = VARIABLES.iter().map(|v| v.name).collect();
    for name in rows.keys() {
        assert!(
            names.contains(&name.as_str()),
            "the guide's Variables table has {name}, which nss does not read"
        );
    }
}
