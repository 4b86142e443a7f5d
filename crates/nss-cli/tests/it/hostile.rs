//! Hostile and odd inputs: a repository nss did not write (symlinks to secrets, FIFOs,
//! devices, huge files), secrets in the environment, switches with unexpected values,
//! paths an engine option cannot carry. Every case ends in one clear line and exit 2,
//! prints no secret value, touches nothing outside the project and ends within seconds
//! (each `nss` runs under a deadline, so a regression fails instead of hanging).

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use crate::util::{FakeEngine, Out, TempProject, base_env, nss_command};

/// A fake secret every `nss` in this file sees in its environment.
const SECRET: &str = "hf_FAKE_SECRET_7f3a9c";
/// A second one, under a name that is secret by its ending.
const OTHER_SECRET: &str = "zz-other-secret-value-41";

/// No case may take longer than this.
const DEADLINE: Duration = Duration::from_secs(20);

/// The environment of a hostile case: the base one, the project, two secrets.
fn env_for(dir: &Path) -> BTreeMap<String, String> {
    let mut env = base_env();
    env.insert("NSS_PROJECT_DIR".into(), dir.display().to_string());
    env.insert("HF_TOKEN".into(), SECRET.into());
    env.insert("DEPLOY_PASSWORD".into(), OTHER_SECRET.into());
    env.insert("CONTAINER_CMD".into(), "podman".into());
    env
}

/// Runs `nss` under [`DEADLINE`]; a run past it is killed and fails the test.
fn nss(cwd: &Path, env: &BTreeMap<String, String>, args: &[&str]) -> (Out, Duration) {
    let start = Instant::now();
    let mut child = nss_command(cwd, env, args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nss starts");
    let mut pipes = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let (mut o, mut e) = (String::new(), String::new());
        let _ = pipes.0.read_to_string(&mut o);
        let _ = pipes.1.read_to_string(&mut e);
        (o, e)
    });
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nss {args:?} ran past {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let (stdout, stderr) = reader.join().unwrap();
    (
        Out {
            code,
            stdout,
            stderr,
        },
        start.elapsed(),
    )
}

/// The common assertions: exit 2, one `nss: error:` line naming `says`, no secret value.
#[track_caller]
fn refused(out: &Out, case: &str, says: &[&str]) {
    assert_eq!(out.code, 2, "{case}: {out:?}");
    let lines: Vec<&str> = out.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1, "{case}: one line: {:?}", out.stderr);
    assert!(lines[0].starts_with("nss: error: "), "{case}: {}", lines[0]);
    assert!(lines[0].len() < 600, "{case}: a short line: {}", lines[0]);
    for s in says {
        assert!(lines[0].contains(s), "{case}: names {s:?}: {}", lines[0]);
    }
    no_secret(out, case);
}

#[track_caller]
fn no_secret(out: &Out, case: &str) {
    for secret in [SECRET, OTHER_SECRET] {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "{case}: a secret value was printed: {out:?}"
        );
    }
}

fn mkfifo(path: &Path) {
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        path,
        rustix::fs::Mode::from_raw_mode(0o600),
    )
    .expect("mkfifo");
}

fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

/// The nss workspace's own Dockerfiles, which no `sync` of another project may touch.
fn own_dockerfiles() -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../containers");
    ["Dockerfile.cuda", "Dockerfile.test_ci"]
        .iter()
        .map(|f| root.join(f))
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

#[test]
fn sync_writes_only_inside_the_project() {
    let before = own_dockerfiles();
    // A project without containers/: sync must not fall back to nss's own Dockerfiles.
    let project = TempProject::new("mini", None);
    let dir = project.dir();
    let env = env_for(&dir);
    for cmd in ["sync", "check", "lint"] {
        let (out, _) = nss(&dir, &env, &[cmd]);
        refused(
            &out,
            &format!("{cmd} without containers/"),
            &["containers/Dockerfile.cuda", "CONTAINER_GPU_FILE"],
        );
    }
    // A Dockerfile outside the project, named by the variable or through a symlink.
    let outside = project.path("Dockerfile.outside");
    std::fs::copy(
        TempProject::new("probe", None)
            .dir()
            .join("containers/Dockerfile.cuda"),
        &outside,
    )
    .unwrap();
    let outside_before = std::fs::read(&outside).unwrap();
    let mut by_var = env.clone();
    by_var.insert("CONTAINER_GPU_FILE".into(), outside.display().to_string());
    let (out, _) = nss(&dir, &by_var, &["sync"]);
    refused(
        &out,
        "CONTAINER_GPU_FILE outside",
        &["outside the project dir"],
    );
    std::fs::create_dir_all(dir.join("containers")).unwrap();
    symlink(&outside, &dir.join("containers/Dockerfile.cuda"));
    let (out, _) = nss(&dir, &env, &["sync"]);
    refused(&out, "symlink outside", &["outside the project dir"]);
    assert_eq!(std::fs::read(&outside).unwrap(), outside_before);
    assert_eq!(own_dockerfiles(), before, "nss's own Dockerfiles changed");
}

#[test]
fn sync_writes_through_a_symlink_inside_and_keeps_the_mode() {
    let project = TempProject::new("probe", None);
    let dir = project.dir();
    let file = dir.join("containers/Dockerfile.cuda");
    let real = dir.join("containers/real.Dockerfile");
    std::fs::rename(&file, &real).unwrap();
    symlink("real.Dockerfile", &file);
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let hard = dir.join("hard.Dockerfile");
    std::fs::hard_link(&real, &hard).unwrap();
    let old = std::fs::read_to_string(&real).unwrap();

    let (out, _) = nss(&dir, &env_for(&dir), &["sync"]);
    assert_eq!(out.code, 0, "{out:?}");
    no_secret(&out, "sync");
    assert!(out.stderr.contains("through the symlink"), "{}", out.stderr);
    assert!(out.stderr.contains("hard link"), "{}", out.stderr);
    assert!(std::fs::symlink_metadata(&file).unwrap().is_symlink());
    assert_ne!(std::fs::read_to_string(&real).unwrap(), old, "synced");
    assert_eq!(std::fs::read_to_string(&hard).unwrap(), old, "split link");
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

/// A tmpfs of `size`, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| e.to_string())?;
        if status.status.success() {
            Ok(Self(dir.to_path_buf()))
        } else {
            Err(String::from_utf8_lossy(&status.stderr).trim().to_string())
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn sync_on_a_full_disk_leaves_the_old_file_whole() {
    if !rustix::process::geteuid().is_root() {
        println!("skipped: mounting a small tmpfs needs root (CI runs as root)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let fs = match Tmpfs::mount(&tmp.path().join("disk"), "256k") {
        Ok(fs) => fs,
        Err(why) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI runs as root and must mount a tmpfs: {why}"
            );
            println!("skipped: cannot mount a tmpfs here: {why}");
            return;
        }
    };
    let probe = TempProject::new("probe", None);
    let dir = fs.0.join("project");
    std::fs::create_dir_all(dir.join("containers")).unwrap();
    for f in ["pyproject.toml", "containers/Dockerfile.cuda"] {
        std::fs::copy(probe.dir().join(f), dir.join(f)).unwrap();
    }
    let before = std::fs::read(dir.join("containers/Dockerfile.cuda")).unwrap();
    // Fill the disk.
    let filler = fs.0.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0u8; 4096];
    while std::io::Write::write_all(&mut f, &chunk).is_ok() {}
    drop(f);

    let (out, _) = nss(&dir, &env_for(&dir), &["sync"]);
    refused(&out, "full disk", &["Dockerfile.cuda"]);
    assert_eq!(
        std::fs::read(dir.join("containers/Dockerfile.cuda")).unwrap(),
        before,
        "the old file is whole"
    );
    let left: Vec<_> = std::fs::read_dir(dir.join("containers"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "no temporary file left: {left:?}");
}

#[test]
fn secrets_are_refused_by_value_and_never_printed() {
    let project = TempProject::new("probe", None);
    let dir = project.dir();
    let env = env_for(&dir);
    // (case, extra environment, args, named in the line)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str], &'a str);
    let cases: &[Case] = &[
        (
            "NAME=value",
            &[],
            &["run", "HF_TOKEN=hf_FAKE_SECRET_7f3a9c"],
            "HF_TOKEN",
        ),
        (
            "by suffix",
            &[],
            &["run", "GITHUB_TOKEN=zz-other-secret-value-41"],
            "GITHUB_TOKEN",
        ),
        (
            "-e in mounts",
            &[(
                "CONTAINER_EXTRA_MOUNTS",
                "-e HF_TOKEN=hf_FAKE_SECRET_7f3a9c",
            )],
            &["--dry-run", "run"],
            "pass it by name",
        ),
        (
            "--env= in mounts",
            &[(
                "CONTAINER_EXTRA_MOUNTS",
                "--env=WANDB_API_KEY=zz-other-secret-value-41",
            )],
            &["--dry-run", "run"],
            "WANDB_API_KEY",
        ),
        (
            "-eNAME= in the GPU flag",
            &[(
                "CONTAINER_GPU_FLAG",
                "-eDEPLOY_PASSWORD=zz-other-secret-value-41",
            )],
            &["--dry-run", "run"],
            "DEPLOY_PASSWORD",
        ),
        // The last line of defence: a secret value echoed in any message is redacted.
        (
            "redacted",
            &[("CONTAINER_GPU_PLATFORM", "hf_FAKE_SECRET_7f3a9c")],
            &["--dry-run", "build"],
            "<redacted HF_TOKEN>",
        ),
    ];
    for (case, extra, args, says) in cases {
        let mut env = env.clone();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let (out, _) = nss(&dir, &env, args);
        refused(&out, case, &[says]);
    }
}

#[test]
fn symlinks_to_secrets_are_not_followed_out_of_the_project() {
    // (case, link in the project, target, command, named in the line)
    let cases: &[(&str, &str, &str, &[&str], &str)] = &[
        (
            ".python-version",
            ".python-version",
            "/proc/self/environ",
            &["spec"],
            "outside the project",
        ),
        (
            "Dockerfile check",
            "containers/Dockerfile.cuda",
            "/proc/self/environ",
            &["check"],
            "outside the project",
        ),
        (
            "Dockerfile lint",
            "containers/Dockerfile.cuda",
            "/proc/self/environ",
            &["lint"],
            "outside the project",
        ),
        (
            "Dockerfile sync",
            "containers/Dockerfile.cuda",
            "/proc/self/environ",
            &["sync"],
            "outside the project",
        ),
        (
            "pyproject",
            "pyproject.toml",
            "/proc/self/environ",
            &["spec"],
            "outside the project",
        ),
        (
            ".python-version /dev/zero",
            ".python-version",
            "/dev/zero",
            &["spec"],
            ".python-version",
        ),
    ];
    for (case, link, target, args, says) in cases {
        let project = TempProject::new("probe", None);
        let dir = project.dir();
        let _ = std::fs::remove_file(dir.join(link));
        symlink(target, &dir.join(link));
        let (out, took) = nss(&dir, &env_for(&dir), args);
        refused(&out, case, &[says, link]);
        assert!(took < Duration::from_secs(5), "{case}: took {took:?}");
    }
    // A file outside named by the variable: not quoted.
    let project = TempProject::new("probe", None);
    let dir = project.dir();
    let mut env = env_for(&dir);
    env.insert("CONTAINER_GPU_FILE".into(), "/etc/passwd".into());
    let (out, _) = nss(&dir, &env, &["check"]);
    refused(
        &out,
        "CONTAINER_GPU_FILE=/etc/passwd",
        &["outside the project"],
    );
    assert!(!out.stderr.contains("root:"), "{}", out.stderr);
}

#[test]
fn special_files_are_named_and_never_block() {
    // (case, file in the project, what to put there, command, named in the line)
    type Make = fn(&Path);
    let cases: &[(&str, &str, Make, &[&str], &str)] = &[
        (
            ".python-version FIFO",
            ".python-version",
            mkfifo,
            &["spec"],
            "is a FIFO",
        ),
        (
            ".python-version dir",
            ".python-version",
            |p| std::fs::create_dir(p).unwrap(),
            &["spec"],
            "is a directory",
        ),
        (
            ".python-version 5 MB",
            ".python-version",
            |p| std::fs::write(p, "3".repeat(5 << 20)).unwrap(),
            &["spec"],
            "too large",
        ),
        (
            "pyproject FIFO",
            "pyproject.toml",
            mkfifo,
            &["spec"],
            "is a FIFO",
        ),
        (
            "Dockerfile FIFO check",
            "containers/Dockerfile.cuda",
            mkfifo,
            &["check"],
            "is a FIFO",
        ),
        (
            "Dockerfile FIFO lint",
            "containers/Dockerfile.cuda",
            mkfifo,
            &["lint"],
            "is a FIFO",
        ),
        (
            "Dockerfile FIFO sync",
            "containers/Dockerfile.cuda",
            mkfifo,
            &["sync"],
            "is a FIFO",
        ),
        (
            "Dockerfile dir",
            "containers/Dockerfile.cuda",
            |p| std::fs::create_dir(p).unwrap(),
            &["check"],
            "is a directory",
        ),
        (
            "test Dockerfile FIFO",
            "containers/Dockerfile.test_ci",
            mkfifo,
            &["check"],
            "is a FIFO",
        ),
        (
            "Dockerfile 2 MB",
            "containers/Dockerfile.cuda",
            |p| std::fs::write(p, "#".repeat(2 << 20)).unwrap(),
            &["lint"],
            "too large",
        ),
    ];
    for (case, file, make, args, says) in cases {
        let project = TempProject::new("probe", None);
        let dir = project.dir();
        let _ = std::fs::remove_file(dir.join(file));
        make(&dir.join(file));
        let (out, took) = nss(&dir, &env_for(&dir), args);
        refused(&out, case, &[says, file]);
        assert!(took < Duration::from_secs(5), "{case}: took {took:?}");
    }
    // A FIFO named on the command line.
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("Dockerfile");
    mkfifo(&fifo);
    let (out, _) = nss(
        tmp.path(),
        &env_for(tmp.path()),
        &["lint", fifo.to_str().unwrap()],
    );
    refused(&out, "lint FIFO", &["is a FIFO"]);
}

#[test]
fn a_fifo_under_git_does_not_hang_labels() {
    if which::which("git").is_err() {
        println!("skipped: no git on PATH");
        return;
    }
    let project = TempProject::new("probe", None);
    let dir = project.dir();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(args)
            .output()
            .unwrap()
    };
    git(&["init", "-q"]);
    git(&[
        "-c",
        "user.email=t@e",
        "-c",
        "user.name=t",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    ]);
    std::fs::remove_file(dir.join(".git/HEAD")).unwrap();
    mkfifo(&dir.join(".git/HEAD"));
    let (out, took) = nss(&dir, &env_for(&dir), &["labels"]);
    assert_eq!(out.code, 0, "{out:?}");
    no_secret(&out, "labels");
    assert!(
        took < nss_labels::GIT_TIMEOUT + Duration::from_secs(3),
        "took {took:?}"
    );
}

#[test]
fn switches_take_only_their_documented_values() {
    let project = TempProject::new("probe", None);
    let dir = project.dir();
    let fake = FakeEngine::podman().write(&project.path("fake"));
    for value in ["on", "y", "2", " 1", "1 ", "dry\nrun"] {
        let mut env = env_for(&dir);
        env.insert("CONTAINER_CMD".into(), fake.program.display().to_string());
        env.extend(fake.env.iter().cloned());
        env.insert("NSS_DRY_RUN".into(), value.into());
        let (out, _) = nss(&dir, &env, &["build"]);
        refused(
            &out,
            &format!("NSS_DRY_RUN={value:?}"),
            &["NSS_DRY_RUN", "1, true or yes"],
        );
        assert!(
            fake.calls().is_empty(),
            "the engine ran: {:?}",
            fake.calls()
        );
    }
}

#[test]
fn values_are_validated_by_shape() {
    // (case, pyproject addition or edit, extra environment, args, named in the line)
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a [(&'a str, &'a str)],
        &'a [&'a str],
        &'a str,
    );
    let cases: &[Case] = &[
        (
            "secrets a string",
            "[tool.nss]\nsecrets = \"X\"\n",
            &[],
            &["--dry-run", "run"],
            "[tool.nss] secrets",
        ),
        (
            "secrets a number",
            "[tool.nss]\nsecrets = [5]\n",
            &[],
            &["--dry-run", "run"],
            "[tool.nss] secrets",
        ),
        (
            "secrets with a space",
            "[tool.nss]\nsecrets = [\"A B\"]\n",
            &[],
            &["--dry-run", "run"],
            "environment-variable name",
        ),
        (
            "secrets an option",
            "[tool.nss]\nsecrets = [\"-e X\"]\n",
            &[],
            &["--dry-run", "run"],
            "environment-variable name",
        ),
        (
            "app empty",
            "[tool.nss]\napp = \"\"\n",
            &[],
            &["spec"],
            "[tool.nss] app",
        ),
        (
            "app a path",
            "[tool.nss]\napp = \"../x\"\n",
            &[],
            &["spec"],
            "APP",
        ),
        (
            "app an option",
            "[tool.nss]\napp = \"--help\"\n",
            &[],
            &["spec"],
            "APP",
        ),
        (
            "script key",
            "[project.scripts]\n\"a b;$(id)\" = \"m:f\"\n",
            &[],
            &["sync"],
            "[project.scripts]",
        ),
        (
            "python patch",
            "[tool.nss]\npython-version = \"3.11.99\"\n",
            &[],
            &["spec"],
            "version table",
        ),
        (
            "empty extras",
            "[tool.nss]\ngpu-extras = []\n",
            &[],
            &["spec"],
            "names no extra",
        ),
        (
            "-vNAME",
            "",
            &[("CONTAINER_EXTRA_MOUNTS", "-vdata:/x")],
            &["--dry-run", "run"],
            "named volume",
        ),
        (
            "-v=NAME",
            "",
            &[("CONTAINER_EXTRA_MOUNTS", "-v=data:/x")],
            &["--dry-run", "run"],
            "named volume",
        ),
        (
            "--mount src=NAME",
            "",
            &[(
                "CONTAINER_EXTRA_MOUNTS",
                "--mount type=bind,src=data,dst=/x",
            )],
            &["--dry-run", "run"],
            "named volume",
        ),
        (
            "dangling --mount",
            "",
            &[("CONTAINER_EXTRA_MOUNTS", "--mount")],
            &["--dry-run", "run"],
            "no value",
        ),
        (
            "CA injection",
            "",
            &[("CONTAINER_BUILD_CA", "CA_PATH_COMMA")],
            &["--dry-run", "build"],
            "cannot carry",
        ),
        (
            "CA a directory",
            "",
            &[("CONTAINER_BUILD_CA", "/tmp")],
            &["--dry-run", "build"],
            "a directory",
        ),
        (
            "HF cache a file",
            "",
            &[("CONTAINER_HF_CACHE", "/etc/passwd")],
            &["--dry-run", "run"],
            "CONTAINER_HF_CACHE",
        ),
    ];
    for (case, addition, extra, args, says) in cases {
        let project = TempProject::new("probe", None);
        let dir = project.dir();
        let ca = project.path("c=d,id=evil");
        std::fs::write(&ca, "").unwrap();
        if !addition.is_empty() {
            let path = dir.join("pyproject.toml");
            let mut text = std::fs::read_to_string(&path).unwrap();
            match addition.strip_prefix("[project.scripts]\n") {
                Some(script) => text = text.replace("nss-probe = \"probe:main\"\n", script),
                // The fixture has a [tool.nss] table already: the keys go into it.
                None if addition.starts_with("[tool.nss]\n") && text.contains("[tool.nss]\n") => {
                    text = text.replacen("[tool.nss]\n", addition, 1);
                }
                None => text.push_str(addition),
            }
            std::fs::write(&path, text).unwrap();
        }
        let mut env = env_for(&dir);
        for (k, v) in *extra {
            let v = v.replace("CA_PATH_COMMA", &ca.display().to_string());
            env.insert(k.to_string(), v);
        }
        let (out, _) = nss(&dir, &env, args);
        refused(&out, case, &[says]);
        assert!(!out.stderr.contains("id=evil,"), "{case}: {}", out.stderr);
    }
}

#[test]
fn dry_run_keeps_one_command_per_line() {
    let project = TempProject::new("probe", None);
    let dir = project.dir();
    let (out, _) = nss(
        &dir,
        &env_for(&dir),
        &["--dry-run", "run", "--", "a\nb", "c\u{1b}[2Jd"],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(out.stdout.contains("$'a\\nb'"), "{}", out.stdout);
    assert!(!out.stdout.contains('\u{1b}'), "{}", out.stdout);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any word is quoted onto one line without control characters.
    #[test]
    fn quoted_words_stay_on_one_line(word in any::<String>()) {
        let q = nss_cli::quote(&word);
        prop_assert!(!q.chars().any(char::is_control), "{q:?}");
        if !word.chars().any(char::is_control) {
            prop_assert_eq!(shell_words::split(&q).unwrap(), vec![word]);
        }
    }

    /// A secret passed as NAME=value is refused naming the name, never the value.
    #[test]
    fn secret_arguments_never_echo_the_value(
        stem in "[A-Z][A-Z0-9_]{0,12}",
        suffix in prop::sample::select(vec!["_TOKEN", "_KEY", "_SECRET", "_PASSWORD"]),
        value in "[ -~]{4,40}",
    ) {
        let name = format!("{stem}{suffix}");
        let err = nss_cli::Vars::default()
            .with_args([format!("{name}={value}")])
            .unwrap_err()
            .to_string();
        prop_assert!(err.contains(&name));
        prop_assert!(!err.contains(&value) || name.contains(&value), "{err}");
    }

    /// Option strings never panic the mount check, and a secret set by value is refused.
    #[test]
    fn mount_words_never_panic(words in prop::collection::vec("[-a-z=:/.,~]{0,12}", 0..6)) {
        let words: Vec<String> = words;
        let _ = nss_cli::validate_mounts(&words, Path::new("/p"), Some("/home/u"));
        let mut with_secret = words.clone();
        with_secret.extend(["-e".to_string(), "HF_TOKEN=abcd".to_string()]);
        prop_assert!(nss_cli::refuse_secret_values("CONTAINER_EXTRA_MOUNTS", &with_secret).is_err());
    }

    /// Whatever `.python-version` holds, resolving gives a value or one short line.
    #[test]
    fn python_version_content_gives_one_short_line(text in any::<String>()) {
        let pyproject = "[project]\nname = \"p\"\nrequires-python = \">=3.11\"\n[tool.uv]\nrequired-version = \">=0.9.14\"\n";
        let project = nss_buildspec::Project::from_parts(Path::new("p"), pyproject, Some(&text)).unwrap();
        if let Err(e) = nss_buildspec::resolve(&project, &nss_buildspec::Inputs::default()) {
            let line = e.to_string();
            prop_assert!(!line.contains('\n'), "{line:?}");
            prop_assert!(line.len() < 800, "{} bytes", line.len());
        }
    }
}

#[test]
fn long_and_multiline_values_give_one_short_line() {
    let project = TempProject::new("probe", None);
    let dir = project.dir();
    let long = "x".repeat(100_000);
    // (case, variable, value, named in the line)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "100 kB platform",
            "CONTAINER_GPU_PLATFORM",
            &long,
            "CONTAINER_GPU_PLATFORM",
        ),
        (
            "100 kB image",
            "CONTAINER_GPU_IMAGE",
            &long,
            "CONTAINER_GPU_IMAGE",
        ),
        (
            "newline in the image",
            "CONTAINER_GPU_IMAGE",
            "a\nb",
            "CONTAINER_GPU_IMAGE",
        ),
        (
            "newline in the project dir",
            "NSS_PROJECT_DIR",
            "/nope\nnss: error: forged",
            "/nope\\n",
        ),
        (
            "100 kB python pin",
            "NSS_PYTHON_VERSION",
            &long,
            "PYTHON_VERSION",
        ),
    ];
    for (case, name, value, says) in cases {
        let mut env = env_for(&dir);
        env.insert(name.to_string(), value.to_string());
        let (out, _) = nss(&dir, &env, &["--dry-run", "build"]);
        refused(&out, case, &[says]);
    }
}
