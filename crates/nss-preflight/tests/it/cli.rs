//! The binary on the host, no engine needed: its own flags, usage errors, exit codes.

use std::process::Command;

use crate::util::BIN;

/// The binary with a controlled environment: a workspace holding data, a big enough
/// `/dev/shm` is the host's, a CPU image (no CUDA variables).
fn preflight(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let ws = crate::util::data_dir();
    let out = Command::new(BIN)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("NSS_WORKSPACE", ws.path())
        .envs(env.iter().copied())
        .output()
        .expect("run nss-preflight");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

#[test]
fn own_flags_and_usage_errors() {
    // (case, argv, exit code, stdout starts with, stderr starts with)
    let cases: [(&str, &[&str], i32, &str, &str); 6] = [
        ("--version", &["--version"], 0, "nss-preflight 0.", ""),
        ("--help", &["--help"], 0, "nss-preflight: checks", ""),
        (
            "unknown option",
            &["--bogus", "--", "true"],
            2,
            "",
            "nss-preflight: unknown option \"--bogus\"",
        ),
        ("no program", &[], 2, "", "nss-preflight: missing PROGRAM"),
        (
            "-- without program",
            &["--json", "--"],
            2,
            "",
            "nss-preflight: missing PROGRAM after --",
        ),
        ("missing program", &["--", "no-such-app"], 127, "", ""),
    ];
    for (case, argv, code, stdout, stderr) in cases {
        let (got_code, got_out, got_err) = preflight(argv, &[("HF_HOME", "/"), ("HF_TOKEN", "x")]);
        assert_eq!(got_code, code, "{case}: {got_err}");
        assert!(got_out.starts_with(stdout), "{case}: stdout {got_out:?}");
        assert!(got_err.starts_with(stderr), "{case}: stderr {got_err:?}");
        if code == 2 {
            assert_eq!(
                got_err.lines().count(),
                1,
                "{case}: usage errors are one line"
            );
        }
    }
    let (_, _, err) = preflight(
        &["--", "no-such-app"],
        &[("HF_HOME", "/"), ("HF_TOKEN", "x")],
    );
    assert!(
        err.contains("cannot run \"no-such-app\": command not found"),
        "{err}"
    );
}

#[test]
fn a_clean_environment_prints_nothing_and_execs() {
    let clean = [("HF_HOME", "/"), ("HF_TOKEN", "x")];
    let (code, out, err) = preflight(
        &[
            "--strict",
            "--",
            "/bin/sh",
            "-c",
            "echo \"$0 $1\"; exit 3",
            "a b",
            "c",
        ],
        &clean,
    );
    assert_eq!((code, out.as_str(), err.as_str()), (3, "a b c\n", ""));
}

#[test]
fn json_report_on_the_host() {
    let (code, _, err) = preflight(&["--json", "--", "true"], &[("CUDA_VERSION", "12.8.1")]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&err).expect("one JSON object");
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"hf-home-unset") && ids.contains(&"hf-token-missing"),
        "{ids:?}"
    );
}
