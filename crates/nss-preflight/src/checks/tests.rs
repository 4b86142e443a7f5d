//! Table-driven tests of each check, over an injected environment. Every table starts
//! from `healthy()`, a GPU container with nothing to report, and changes one thing.

use std::io::ErrorKind;

use super::*;
use crate::probe::Snapshot;

const DRIVER_570: &str =
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  570.86.10  Thu Jan 16 2025\n";
const DRIVER_535: &str =
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 2023\n";
const DRIVER_520: &str =
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  520.61.05  Thu Sep 29 2022\n";

fn healthy() -> Snapshot {
    Snapshot::new()
        .env(env::CUDA_VERSION, "12.8.1")
        .env(env::NVIDIA_VISIBLE_DEVICES, "all")
        .env(env::HOME, "/home/app")
        .env(env::PATH, "/usr/local/bin:/usr/bin:/bin")
        .env(env::HF_HOME, "/workspace/.hf_cache")
        .env(env::HF_TOKEN, "hf_secret")
        .file("/workspace/data.csv", "a,b\n")
        .dir("/workspace/.hf_cache/hub/models--org--model")
        .device("/dev/nvidiactl")
        .file(DRIVER_VERSION_PATH, DRIVER_570)
        .fs_size(SHM_PATH, 1 << 30)
        .user(1000, 1000)
}

type Case = (
    &'static str,
    fn(Snapshot) -> Snapshot,
    &'static [(&'static str, Level)],
);

fn check_table(check: Check, cases: &[Case]) {
    for (case, change, want) in cases {
        let snap = change(healthy());
        let settings = Settings::from_env(&snap);
        let got: Vec<(&str, Level)> = check
            .run(&snap, &settings)
            .iter()
            .map(|f| (f.id, f.level))
            .collect();
        assert_eq!(got, *want, "{check:?}, case: {case}");
    }
}

fn messages(check: Check, change: fn(Snapshot) -> Snapshot) -> String {
    let snap = change(healthy());
    let settings = Settings::from_env(&snap);
    check
        .run(&snap, &settings)
        .iter()
        .map(|f| format!("{} | {}\n", f.message, f.fix))
        .collect()
}

#[test]
fn healthy_container_has_no_findings() {
    let snap = healthy();
    let report = preflight(&snap, &Settings::from_env(&snap), &["run"]);
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.scope, Scope::Full);
}

#[rustfmt::skip] // one row a line: the table reads as a table
#[test]
fn workspace() {
    use Level::*;
    check_table(
        Check::Workspace,
        &[
            ("has data", |s| s, &[]),
            ("NSS_WORKSPACE points nowhere", |s| s.env(env::NSS_WORKSPACE, "/nowhere"), &[("workspace-missing", Hint)]),
            ("default /workspace missing", |s| s.remove("/workspace").unset(env::HF_HOME), &[("workspace-missing", Hint)]),
            ("empty", |s| s.env(env::NSS_WORKSPACE, "/empty").dir("/empty"), &[("workspace-empty", Hint)]),
            ("only a hidden cache mount", |s| s.env(env::NSS_WORKSPACE, "/w").dir("/w/.hf_cache"), &[("workspace-empty", Hint)]),
            ("a file", |s| s.env(env::NSS_WORKSPACE, "/f").file("/f", ""), &[("workspace-not-a-directory", Warning)]),
            ("unlistable", |s| s.fail("/workspace", ErrorKind::PermissionDenied), &[("workspace-unreadable", Warning)]),
            ("empty NSS_WORKSPACE keeps the default", |s| s.env(env::NSS_WORKSPACE, ""), &[]),
        ],
    );
    let text = messages(Check::Workspace, |s| s.env(env::NSS_WORKSPACE, "/nowhere"));
    assert!(text.contains("-v \"$PWD/data:/nowhere\""), "{text}");
    assert!(
        text.contains("named volume"),
        "explains relative -v sources: {text}"
    );
}

#[rustfmt::skip] // one row a line: the table reads as a table
#[test]
fn writable() {
    use Level::*;
    check_table(
        Check::Writable,
        &[
            ("writable", |s| s, &[]),
            ("denied", |s| s.writability("/workspace", Writability::Denied), &[("workspace-not-writable", Warning)]),
            ("read-only mount", |s| s.writability("/workspace", Writability::ReadOnly), &[("workspace-read-only", Hint)]),
            ("missing workspace is not also unwritable", |s| s.env(env::NSS_WORKSPACE, "/nowhere"), &[]),
            ("empty workspace is still checked", |s| s.env(env::NSS_WORKSPACE, "/e").dir("/e").writability("/e", Writability::Denied), &[("workspace-not-writable", Warning)]),
            ("artifacts writable", |s| s.env(env::NSS_ARTIFACTS_DIR, "/out").dir("/out"), &[]),
            ("artifacts denied", |s| s.env(env::NSS_ARTIFACTS_DIR, "/out").dir("/out").writability("/out", Writability::Denied), &[("artifacts-not-writable", Warning)]),
            ("missing artifacts: its parent is checked", |s| s.env(env::NSS_ARTIFACTS_DIR, "/ro/out").dir("/ro").writability("/ro", Writability::Denied), &[("artifacts-not-writable", Warning)]),
            ("read-only artifacts", |s| s.env(env::NSS_ARTIFACTS_DIR, "/out").dir("/out").writability("/out", Writability::ReadOnly), &[("artifacts-read-only", Hint)]),
            ("both", |s| s.writability("/workspace", Writability::Denied).env(env::NSS_ARTIFACTS_DIR, "/out").dir("/out").writability("/out", Writability::Denied), &[("workspace-not-writable", Warning), ("artifacts-not-writable", Warning),]),
        ],
    );
    let text = messages(Check::Writable, |s| {
        s.writability("/workspace", Writability::Denied)
    });
    assert!(text.contains("uid 1000 (gid 1000)"), "{text}");
    assert!(text.contains("--user \"$(id -u):$(id -g)\""), "{text}");
}

#[rustfmt::skip] // one row a line: the table reads as a table
#[test]
fn hf_home() {
    use Level::*;
    check_table(
        Check::HfHome,
        &[
            ("set and present", |s| s, &[]),
            ("unset, default location absent", |s| s.unset(env::HF_HOME), &[("hf-home-unset", Hint)]),
            ("unset, empty string", |s| s.env(env::HF_HOME, ""), &[("hf-home-unset", Hint)]),
            ("unset, but a cache is mounted at the default", |s| s.unset(env::HF_HOME).dir("/home/app/.cache/huggingface/hub"), &[]),
            ("unset, but a cache is mounted under XDG_CACHE_HOME", |s| s.unset(env::HF_HOME).env(env::XDG_CACHE_HOME, "/xdg").dir("/xdg/huggingface/hub"), &[]),
            ("set but missing", |s| s.env(env::HF_HOME, "/missing"), &[("hf-home-missing", Warning)]),
            ("set to a file", |s| s.env(env::HF_HOME, "/workspace/data.csv"), &[("hf-home-missing", Warning)]),
            ("set but unreadable", |s| s.fail("/workspace/.hf_cache", ErrorKind::PermissionDenied), &[("hf-home-missing", Warning)]),
        ],
    );
    let text = messages(Check::HfHome, |s| s.unset(env::HF_HOME));
    assert!(
        text.contains("/home/app/.cache/huggingface"),
        "names the default: {text}"
    );
}

#[rustfmt::skip] // one row a line: the table reads as a table
#[test]
fn hf_token() {
    use Level::*;
    check_table(
        Check::HfToken,
        &[
            ("HF_TOKEN set", |s| s, &[]),
            ("legacy HUGGING_FACE_HUB_TOKEN", |s| s.unset(env::HF_TOKEN).env(env::HUGGING_FACE_HUB_TOKEN, "x"), &[]),
            ("no token anywhere", |s| s.unset(env::HF_TOKEN), &[("hf-token-missing", Hint)]),
            ("empty HF_TOKEN", |s| s.env(env::HF_TOKEN, ""), &[("hf-token-missing", Hint)]),
            ("token file in HF_HOME", |s| s.unset(env::HF_TOKEN).file("/workspace/.hf_cache/token", "x"), &[]),
            ("token file at HF_TOKEN_PATH", |s| s.unset(env::HF_TOKEN).env(env::HF_TOKEN_PATH, "/run/secrets/hf").file("/run/secrets/hf", "x"), &[]),
            ("HF_TOKEN_PATH wins over HF_HOME", |s| s.unset(env::HF_TOKEN).env(env::HF_TOKEN_PATH, "/nope").file("/workspace/.hf_cache/token", "x"), &[("hf-token-missing", Hint)]),
            ("token file at the default home", |s| s.unset(env::HF_TOKEN).unset(env::HF_HOME).file("/home/app/.cache/huggingface/token", "x"), &[]),
            ("offline needs no token", |s| s.unset(env::HF_TOKEN).env(env::HF_HUB_OFFLINE, "1"), &[]),
        ],
    );
    let text = messages(Check::HfToken, |s| s.unset(env::HF_TOKEN));
    assert!(
        text.contains("/workspace/.hf_cache/token"),
        "names the file: {text}"
    );
    assert!(
        text.contains("-e HF_TOKEN "),
        "passes the token by name: {text}"
    );
}

#[rustfmt::skip] // one row a line: the table reads as a table
#[test]
fn hf_offline() {
    use Level::*;
    check_table(
        Check::HfOffline,
        &[
            ("online", |s| s, &[]),
            ("offline with a populated cache", |s| s.env(env::HF_HUB_OFFLINE, "1"), &[]),
            ("offline, cache missing", |s| s.env(env::HF_HUB_OFFLINE, "1").env(env::HF_HOME, "/h").dir("/h"), &[("hf-offline-cache-empty", Warning)]),
            ("offline (TRUE), cache empty", |s| s.env(env::HF_HUB_OFFLINE, "TRUE").env(env::HF_HOME, "/h").dir("/h/hub"), &[("hf-offline-cache-empty", Warning)]),
            ("offline (yes), cache holds only .locks", |s| s.env(env::HF_HUB_OFFLINE, "yes").env(env::HF_HOME, "/h").dir("/h/hub/.locks"), &[("hf-offline-cache-empty", Warning)]),
            ("HF_HUB_CACHE overrides HF_HOME/hub", |s| s.env(env::HF_HUB_OFFLINE, "1").env(env::HF_HUB_CACHE, "/hc").dir("/hc"), &[("hf-offline-cache-empty", Warning)]),
            ("HF_HUB_OFFLINE=0 is online", |s| s.env(env::HF_HUB_OFFLINE, "0").env(env::HF_HOME, "/h"), &[]),
        ],
    );
}

#[rustfmt::skip] // one row a line: the table reads as a table
#[test]
fn gpu() {
    use Level::*;
    check_table(
        Check::Gpu,
        &[
            ("device node present", |s| s, &[]),
            ("no device, nvidia-smi on PATH", |s| s.remove("/dev/nvidiactl").executable("/usr/bin/nvidia-smi"), &[]),
            ("no device, no nvidia-smi", |s| s.remove("/dev/nvidiactl"), &[("gpu-not-visible", Warning)]),
            ("nvidia-smi present but not executable", |s| s.remove("/dev/nvidiactl").file("/usr/bin/nvidia-smi", ""), &[("gpu-not-visible", Warning)]),
            ("WSL2 /dev/dxg", |s| s.remove("/dev/nvidiactl").device("/dev/dxg"), &[]),
            ("NVIDIA_VISIBLE_DEVICES=void", |s| s.env(env::NVIDIA_VISIBLE_DEVICES, "void"), &[("gpu-disabled", Warning)]),
            ("NVIDIA_VISIBLE_DEVICES=none", |s| s.env(env::NVIDIA_VISIBLE_DEVICES, "none"), &[("gpu-disabled", Warning)]),
            ("CPU image: no CUDA variables", |s| s.remove("/dev/nvidiactl").unset(env::CUDA_VERSION).unset(env::NVIDIA_VISIBLE_DEVICES), &[]),
            ("NVIDIA_REQUIRE_CUDA alone marks a GPU image", |s| s.remove("/dev/nvidiactl").unset(env::CUDA_VERSION).unset(env::NVIDIA_VISIBLE_DEVICES).env(env::NVIDIA_REQUIRE_CUDA, "cuda>=12.8"), &[("gpu-not-visible", Warning)]),
        ],
    );
    let text = messages(Check::Gpu, |s| s.remove("/dev/nvidiactl"));
    assert!(text.contains("--gpus all"), "{text}");
}

#[rustfmt::skip] // one row a line: the table reads as a table
#[test]
fn driver() {
    use Level::*;
    check_table(
        Check::Driver,
        &[
            ("R570 runs CUDA 12.8", |s| s, &[]),
            ("R580 runs CUDA 12.8", |s| s.file(DRIVER_VERSION_PATH, "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  Release Build\n"), &[]),
            ("R535 runs 12.8 only by minor-version compatibility", |s| s.file(DRIVER_VERSION_PATH, DRIVER_535), &[("driver-minor-version-compat", Warning)]),
            ("R520 is CUDA 11.8: a 12.x image does not run", |s| s.file(DRIVER_VERSION_PATH, DRIVER_520), &[("driver-too-old", Error)]),
            ("R570 cannot run a CUDA 13 image", |s| s.env(env::CUDA_VERSION, "13.0.0"), &[("driver-too-old", Error)]),
            ("no driver visible", |s| s.remove(DRIVER_VERSION_PATH), &[]),
            ("unparseable driver file", |s| s.file(DRIVER_VERSION_PATH, "hello"), &[("driver-version-unreadable", Hint)]),
            ("unreadable driver file", |s| s.fail(DRIVER_VERSION_PATH, ErrorKind::PermissionDenied), &[("driver-version-unreadable", Hint)]),
            ("CUDA_VERSION not a version", |s| s.env(env::CUDA_VERSION, "twelve"), &[("cuda-version-invalid", Hint)]),
            ("CPU image: no CUDA_VERSION", |s| s.unset(env::CUDA_VERSION).file(DRIVER_VERSION_PATH, DRIVER_520), &[]),
        ],
    );
    let text = messages(Check::Driver, |s| s.file(DRIVER_VERSION_PATH, DRIVER_535));
    assert!(
        text.contains("supports CUDA 12.2") && text.contains("CUDA 12.8"),
        "{text}"
    );
    assert!(text.contains("minor-version compatibility"), "{text}");
    assert!(
        text.contains("570.26.00 or newer"),
        "names the driver to install: {text}"
    );
    let text = messages(Check::Driver, |s| s.file(DRIVER_VERSION_PATH, DRIVER_520));
    assert!(text.contains("520.61.05 supports CUDA 11.8"), "{text}");
}

#[rustfmt::skip] // one row a line: the table reads as a table
#[test]
fn shm() {
    use Level::*;
    check_table(
        Check::Shm,
        &[
            ("1 GiB", |s| s, &[]),
            ("docker/podman default 64 MiB", |s| s.fs_size(SHM_PATH, 64 << 20), &[("shm-small", Warning)]),
            ("just below 256 MiB", |s| s.fs_size(SHM_PATH, (256 << 20) - 1), &[("shm-small", Warning)]),
            ("exactly 256 MiB", |s| s.fs_size(SHM_PATH, 256 << 20), &[]),
            ("statvfs fails", |s| s.fail(SHM_PATH, ErrorKind::PermissionDenied), &[("shm-unreadable", Hint)]),
        ],
    );
    let text = messages(Check::Shm, |s| s.fs_size(SHM_PATH, 64 << 20));
    assert!(
        text.contains("64 MiB") && text.contains("--shm-size=1g") && text.contains("--ipc=host"),
        "{text}"
    );
}

/// A container where every check has something to say.
fn broken() -> Snapshot {
    healthy()
        .env(env::NSS_WORKSPACE, "/empty")
        .dir("/empty")
        .writability("/empty", Writability::Denied)
        .unset(env::HF_HOME)
        .unset(env::HF_TOKEN)
        .remove("/dev/nvidiactl")
        .file(DRIVER_VERSION_PATH, DRIVER_520)
        .fs_size(SHM_PATH, 64 << 20)
}

#[test]
fn skip_rules_choose_the_checks() {
    let snap = broken();
    let settings = Settings::from_env(&snap);
    // (case, app args, expected scope, expected ids in report order)
    #[rustfmt::skip] // one row a line
    let cases: [(&str, &[&str], Scope, &[&str]); 6] = [
        ("full run, most serious first", &["run", "--config", "c.yaml"], Scope::Full, &["driver-too-old", "workspace-not-writable", "gpu-not-visible", "shm-small", "workspace-empty", "hf-home-unset", "hf-token-missing",]),
        ("--help: nothing", &["--help"], Scope::HelpOrVersion, &[]),
        ("subcommand -h: nothing", &["run", "-h"], Scope::HelpOrVersion, &[]),
        ("--version: nothing", &["--version"], Scope::HelpOrVersion, &[]),
        ("config validate: workspace only", &["config", "validate"], Scope::InfoCommand, &["workspace-not-writable", "workspace-empty"]),
        ("option value 'config' is not the config command", &["run", "--data-source", "config"], Scope::Full, &["driver-too-old", "workspace-not-writable", "gpu-not-visible", "shm-small", "workspace-empty", "hf-home-unset", "hf-token-missing",]),
    ];
    for (case, args, scope, ids) in cases {
        let report = preflight(&snap, &settings, args);
        assert_eq!(report.scope, scope, "case: {case}");
        assert_eq!(report.ids(), ids, "case: {case}");
    }
}

#[test]
fn settings_from_env() {
    let off = broken().env(env::NSS_PREFLIGHT, "off");
    let report = preflight(&off, &Settings::from_env(&off), &["run"]);
    assert_eq!(
        (report.scope, report.findings.len()),
        (Scope::Off, 0),
        "NSS_PREFLIGHT=off"
    );

    let custom = broken().env(env::NSS_PREFLIGHT_INFO_COMMANDS, "inspect, models list");
    let settings = Settings::from_env(&custom);
    assert_eq!(
        preflight(&custom, &settings, &["models", "list"]).scope,
        Scope::InfoCommand
    );
    assert_eq!(
        preflight(&custom, &settings, &["config", "validate"]).scope,
        Scope::Full,
        "config no longer listed"
    );

    let ignored = broken().env(
        env::NSS_PREFLIGHT_IGNORE,
        "hf-token-missing, hf-home-unset,shm-small",
    );
    let ids = preflight(&ignored, &Settings::from_env(&ignored), &["run"]).ids();
    assert!(
        !ids.contains(&"hf-token-missing") && !ids.contains(&"shm-small"),
        "{ids:?}"
    );
    assert!(ids.contains(&"driver-too-old"), "{ids:?}");

    // (NSS_PREFLIGHT, enabled, strict, json, unknown words)
    #[rustfmt::skip] // one row a line
    let cases: [(&str, bool, bool, bool, &[&str]); 7] = [
        ("", true, false, false, &[]),
        ("on", true, false, false, &[]),
        ("OFF", false, false, false, &[]),
        ("0", false, false, false, &[]),
        ("strict", true, true, false, &[]),
        ("strict, json", true, true, true, &[]),
        ("strikt", true, false, false, &["strikt"]),
    ];
    for (value, enabled, strict, json, unknown) in cases {
        let s = Settings::from_env(&Snapshot::new().env(env::NSS_PREFLIGHT, value));
        assert_eq!(
            (s.enabled, s.strict, s.json),
            (enabled, strict, json),
            "{value:?}"
        );
        assert_eq!(s.unknown_words, unknown, "{value:?}");
    }
    let typo = healthy().env(env::NSS_PREFLIGHT, "strikt");
    assert_eq!(
        preflight(&typo, &Settings::from_env(&typo), &["run"]).ids(),
        ["preflight-setting-unknown"]
    );
}
