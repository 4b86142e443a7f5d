//! Integration tests: the static `nss-preflight` binary as the entrypoint of real
//! containers on podman and dockerd (started by `scripts/engines.sh`; skipped without
//! them, failing under `CI=true`).

#![allow(clippy::print_stderr, clippy::print_stdout)]

mod cli;
mod containers;
mod hostile;
mod util;
