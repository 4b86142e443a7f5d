#!/usr/bin/env bash
# How long `nss build` takes to stop on a base image tag that does not exist (target:
# under 20 s, before any build step), measured with hyperfine against the loopback
# registry of scripts/engines.sh: a one-file CUDA "mirror" is pushed there and the
# generic containers/Dockerfile.cuda asks it for a tag it lacks (UBUNTU_VERSION=20.04).
# `nss build --dry-run` of the same project is the baseline (nss's own work, no lookup).
#
#   bash scripts/engines.sh up
#   crates/nss-cli/benches/missing_base.sh            # builds nss (release) first
#   NSS_BIN=/path/to/nss crates/nss-cli/benches/missing_base.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../../.." && pwd)"
engines_dir="${NSS_ENGINES_DIR:-$workspace/.nss/engines}"
# shellcheck source=/dev/null
source "$engines_dir/env"
registry="${NSS_TEST_REGISTRY:?no loopback registry: run scripts/engines.sh up first}"
docker="${NSS_TEST_DOCKER:?no docker: run scripts/engines.sh up first}"
export DOCKER_HOST="$NSS_TEST_DOCKER_HOST" DOCKER_BUILDKIT=1

if [[ -z "${NSS_BIN:-}" ]]; then
    cargo build --quiet --release -p nss-cli --bin nss --manifest-path "$workspace/Cargo.toml"
    target_dir="${CARGO_TARGET_DIR:-$workspace/target}"
    NSS_BIN="$target_dir/release/nss"
fi

tmp="$(mktemp -d)"
repo="$registry/nss-bench-bases-$$/cuda"
tags=(12.8.1-runtime-ubuntu22.04 12.8.1-runtime-ubuntu24.04 12.8.0-runtime-ubuntu22.04)
cleanup() {
    for tag in "${tags[@]}"; do
        "$docker" rmi "$repo:$tag" >/dev/null 2>&1 || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$tmp/root"
echo "a CUDA base stand-in" >"$tmp/root/stand-in"
tar -C "$tmp/root" -cf "$tmp/root.tar" .
"$docker" import "$tmp/root.tar" "$repo:${tags[0]}" >/dev/null
for tag in "${tags[@]}"; do
    "$docker" tag "$repo:${tags[0]}" "$repo:$tag"
    "$docker" push "$repo:$tag" >/dev/null
done

# The miniature project without Dockerfiles: nss builds it with its generic ones.
cp -r "$workspace/crates/nss-cli/tests/fixtures/mini" "$tmp/project"
rm "$tmp/project/Dockerfile"
export NSS_PROJECT_DIR="$tmp/project"
export XDG_CACHE_HOME="$tmp/cache"
export CONTAINER_CMD="$docker"
export CONTAINER_PREFLIGHT_IMAGE="$NSS_TEST_BASE_IMAGE"

pins="CUDA_IMAGE=$repo UBUNTU_VERSION=20.04"
# Exit 2 is the expected outcome of every run: -i keeps hyperfine going.
hyperfine --warmup 2 --runs 20 -i --shell=none --export-markdown /dev/stdout \
    "$NSS_BIN build --dry-run $pins" \
    "$NSS_BIN build $pins"
