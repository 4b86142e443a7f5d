//! The preflight binary as images ship it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// `nss-preflight` built as images ship it: for the host triple named explicitly, with
/// `+crt-static` for that target alone ([`nss_preflight::static_rustflags`]), so it runs
/// `FROM scratch`. Built once per test process, in a target directory of its own (so it
/// never waits on the lock of the `cargo test` that runs the tests).
pub fn static_preflight() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let root = crate::workspace_root();
        let target_dir = crate::target_dir().join("static-preflight");
        let triple = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
        let out = Command::new(option_env!("CARGO").unwrap_or("cargo"))
            .current_dir(&root)
            .args([
                "build",
                "--locked",
                "-p",
                "nss-preflight",
                "--bin",
                "nss-preflight",
            ])
            .args(["--target", &triple, "--config"])
            .arg(nss_preflight::static_rustflags(&triple))
            .env("CARGO_TARGET_DIR", &target_dir)
            .output()
            .expect("cargo runs");
        crate::assert_ok(&out, "cargo build -p nss-preflight (static)");
        target_dir.join(&triple).join("debug").join("nss-preflight")
    })
}
