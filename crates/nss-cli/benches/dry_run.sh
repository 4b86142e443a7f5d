#!/usr/bin/env bash
# Process time of `nss build --dry-run` (and `nss run --dry-run`) on the Safe Synthesizer
# reference project, measured with hyperfine. The engine is named (CONTAINER_CMD=podman:
# classified by name, nothing spawned) and the preflight image given, so the figure is
# nss's own work: read pyproject, resolve the spec, read git facts, generate labels, plan.
#
#   crates/nss-cli/benches/dry_run.sh            # builds nss (release) first
#   NSS_BIN=/path/to/nss crates/nss-cli/benches/dry_run.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../../.." && pwd)"
project="$workspace/crates/nss-buildspec/tests/fixtures/safe-synthesizer"

if [[ -z "${NSS_BIN:-}" ]]; then
    cargo build --quiet --release -p nss-cli --bin nss --manifest-path "$workspace/Cargo.toml"
    target_dir="${CARGO_TARGET_DIR:-$workspace/target}"
    NSS_BIN="$target_dir/release/nss"
fi

export NSS_PROJECT_DIR="$project"
export CONTAINER_CMD=podman
export CONTAINER_PREFLIGHT_IMAGE=nss-preflight:bench
export CONTAINER_GPU_FILE="$workspace/containers/Dockerfile.cuda"
export CONTAINER_HF_CACHE=/tmp/nss-bench-hf

# The same files outside any git checkout: the difference is the git queries behind the
# revision/created labels.
nogit="$(mktemp -d)"
trap 'rm -rf "$nogit"' EXIT
cp -r "$project/." "$nogit/"

hyperfine --warmup 10 --min-runs 200 --shell=none --export-markdown /dev/stdout \
    "$NSS_BIN build --dry-run" \
    "$NSS_BIN build --dry-run --project $nogit" \
    "$NSS_BIN run --dry-run" \
    "$NSS_BIN spec"
