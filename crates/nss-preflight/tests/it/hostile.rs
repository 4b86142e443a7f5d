//! Hostile and odd environments: the app still starts, every line keeps the prefix, no
//! secret value is printed, and nothing blocks (each run is bounded).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::BIN;

const SECRET: &str = "hf_FAKE_SECRET_preflight_19";

/// Runs `nss-preflight -- sh -c 'echo started'` with `env` under a deadline.
fn preflight(env: &[(&str, &str)]) -> (i32, String, String, Duration) {
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(ws.path().join("data"), "x").unwrap();
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(["--", "sh", "-c", "echo started"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("NSS_WORKSPACE", ws.path())
        .env("HF_TOKEN", SECRET)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let (mut o, mut e) = (String::new(), String::new());
        let _ = out.read_to_string(&mut o);
        let _ = err.read_to_string(&mut e);
        (o, e)
    });
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code().unwrap_or(-1);
        }
        if start.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("nss-preflight ran past 10 s with {env:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let (o, e) = reader.join().unwrap();
    (code, o, e, start.elapsed())
}

#[test]
fn odd_settings_start_the_app_and_keep_every_line_prefixed() {
    // (case, environment, text expected on stderr)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (
            "newline in NSS_WORKSPACE",
            &[("NSS_WORKSPACE", "/nope\nnot-prefixed")],
            "NSS_WORKSPACE=\"/nope\\nnot-prefixed\" holds a control character",
        ),
        (
            "escape in NSS_WORKSPACE",
            &[("NSS_WORKSPACE", "/nope\u{1b}[2J")],
            "(preflight-setting-invalid)",
        ),
        (
            "secret as NSS_WORKSPACE",
            &[("NSS_WORKSPACE", SECRET)],
            "<redacted HF_TOKEN>",
        ),
        (
            "unknown ignore id",
            &[("NSS_PREFLIGHT_IGNORE", "hf-token-mising")],
            "unknown finding id \"hf-token-mising\"",
        ),
        (
            "unknown switch word",
            &[("NSS_PREFLIGHT", "of")],
            "unknown word \"of\"",
        ),
    ];
    for (case, env, says) in cases {
        let (code, stdout, stderr, took) = preflight(env);
        assert_eq!(code, 0, "{case}: {stderr}");
        assert_eq!(stdout, "started\n", "{case}: the app ran");
        assert!(stderr.contains(says), "{case}: {stderr}");
        assert!(!stderr.contains(SECRET), "{case}: {stderr}");
        assert!(!stderr.contains('\u{1b}'), "{case}: {stderr:?}");
        for line in stderr.lines() {
            assert!(line.starts_with("[nss-container] "), "{case}: {line:?}");
        }
        assert!(took < Duration::from_secs(2), "{case}: took {took:?}");
    }
}

/// The driver file is read through `read_small_file`: a FIFO, a device or a huge file in
/// its place costs one non-blocking open and at most one small read; anything but a
/// regular file is refused, naming what it is, and a long file is cut at the cap.
#[test]
fn special_driver_files_never_block() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("version");
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
    )
    .unwrap();
    let big = dir.path().join("big");
    std::fs::write(&big, "NVRM version: x ".repeat(4 << 20)).unwrap();
    // (path, what it is when refused; None: read, cut at the cap)
    for (path, refused) in [
        (fifo.as_path(), Some("a FIFO")),
        (
            std::path::Path::new("/dev/zero"),
            Some("a character device"),
        ),
        (dir.path(), Some("a directory")),
        (big.as_path(), None),
    ] {
        let start = Instant::now();
        let read = nss_preflight::read_small_file(path);
        assert!(
            start.elapsed() < Duration::from_millis(200),
            "{}",
            path.display()
        );
        match refused {
            Some(what) => {
                let err = read.unwrap_err().to_string();
                assert!(err.contains(what), "{}: {err}", path.display());
            }
            None => assert_eq!(read.unwrap().len(), nss_preflight::READ_CAP),
        }
    }
    let small = dir.path().join("small");
    std::fs::write(&small, "NVRM version: 1\n").unwrap();
    assert_eq!(
        nss_preflight::read_small_file(&small).unwrap(),
        "NVRM version: 1\n"
    );
}
