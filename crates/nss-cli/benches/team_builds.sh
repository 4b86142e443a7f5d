#!/usr/bin/env bash
# Builds at team scale, measured through `nss` on the engines `scripts/engines.sh up`
# started (run it under their lock; it removes the images it builds and, for docker, the
# daemon's whole build cache):
#
#   crates/nss-cli/benches/team_builds.sh ENGINE VARIANT [SECTION...]
#     ENGINE   docker | podman
#     VARIANT  mini (the miniature's own Dockerfile) | cuda (containers/Dockerfile.cuda on
#              the stand-in bases: the local Debian Python image as the CUDA base,
#              PYTHON_SOURCE=base)
#     SECTION  cache push all (default: all three)
#
# cache  a cold build that writes the registry cache (CONTAINER_GPU_CACHE), then a second
#        machine building the same commit from that cache: docker after removing the
#        built images and `docker builder prune -af`; podman on a storage of its own
#        (--root/--runroot) holding only the stand-in bases. Prints both times and the ratio.
# push   the bytes the loopback registry receives (growth of its storage directory) when
#        the runtime image is pushed: first push, no change, a source-only change, a
#        lockfile change (each rebuilt through nss first).
# all    `nss build --image runtime,dev,test` against three `nss build` invocations,
#        each from a cold cache and again warm.
set -euo pipefail

engine="${1:?usage: team_builds.sh docker|podman mini|cuda [cache push all]}"
variant="${2:?usage: team_builds.sh docker|podman mini|cuda [cache push all]}"
shift 2
sections=("$@")
[[ ${#sections[@]} -gt 0 ]] || sections=(cache push all)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../../.." && pwd)"
engines_dir="${NSS_ENGINES_DIR:-$workspace/.nss/engines}"
# shellcheck disable=SC1091
source "$engines_dir/env"
registry="$NSS_TEST_REGISTRY"
registry_data="$engines_dir/registry/data"

if [[ -z "${NSS_BIN:-}" ]]; then
    cargo build --quiet --release -p nss-cli --bin nss --manifest-path "$workspace/Cargo.toml"
    NSS_BIN="${CARGO_TARGET_DIR:-$workspace/target}/release/nss"
fi

work="$(mktemp -d /tmp/nss-bench-team.XXXXXX)"
log="$work/build.log"
id="nss-bench-$engine-$variant-$$"
stores=()
cleanup() {
    for s in "${stores[@]}"; do
        "$s/podman" system reset -f >/dev/null 2>&1 || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

export CONTAINER_HF_CACHE="$work/hf"
export CONTAINER_BUILD_CA="$NSS_TEST_CA_BUNDLE"
export CONTAINER_GPU_FLAG=
export CONTAINER_GPU_IMAGE="$id-gpu:1"
export CONTAINER_GPU_IMAGE_DEV="$id-dev:1"
export CONTAINER_TEST_IMAGE="$id-test:1"
project="$work/project"
cp -r "$workspace/crates/nss-cli/tests/fixtures/mini" "$project"
export NSS_PROJECT_DIR="$project"
# nss reads Dockerfiles inside the project only: the shipped ones, copied unmodified.
mkdir -p "$project/containers"
cp "$workspace/containers/Dockerfile.cuda" "$workspace/containers/Dockerfile.test_ci" "$project/containers/"
export CONTAINER_TEST_FILE="$project/containers/Dockerfile.test_ci"

# The engine's own client and the stand-in bases (tagged where the pins point).
case "$engine" in
docker)
    export DOCKER_HOST="$NSS_TEST_DOCKER_HOST" DOCKER_BUILDKIT=1
    client="$NSS_TEST_DOCKER"
    ;;
podman)
    export CONTAINERS_CONF="$NSS_TEST_CONTAINERS_CONF"
    export CONTAINERS_REGISTRIES_CONF="$NSS_TEST_REGISTRIES_CONF"
    client="$NSS_TEST_PODMAN"
    ;;
*)
    echo "ENGINE must be docker or podman, not $engine" >&2
    exit 2
    ;;
esac
pins=(
    "CUDA_IMAGE=localhost/nss-bench-cuda" "CUDA_VERSION=12.8.1" "UBUNTU_VERSION=22.04"
    "PYTHON_SOURCE=base" "GPU_EXTRAS=fancy" "CPU_EXTRAS=fancy" "APP=nss-mini"
    "PYTHON_IMAGE=localhost/nss-bench-python" "PYTHON_VERSION=3.11.14"
)
standins=(
    "$NSS_TEST_PYTHON_IMAGE=localhost/nss-bench-cuda:12.8.1-runtime-ubuntu22.04"
    "$NSS_TEST_PYTHON_IMAGE=localhost/nss-bench-python:3.11.14-slim"
)
case "$variant" in
mini) export CONTAINER_GPU_FILE="$project/Dockerfile" ;;
cuda) export CONTAINER_GPU_FILE="$project/containers/Dockerfile.cuda" ;;
*)
    echo "VARIANT must be mini or cuda, not $variant" >&2
    exit 2
    ;;
esac

# A fresh engine: `CLIENT` and `CONTAINER_CMD` point at it.
fresh() {
    if [[ "$engine" == docker ]]; then
        "$client" rmi -f "$CONTAINER_GPU_IMAGE" "$CONTAINER_GPU_IMAGE_DEV" "$CONTAINER_TEST_IMAGE" \
            "$registry/$id-gpu:1" >/dev/null 2>&1 || true
        "$client" builder prune -af >/dev/null
        CLIENT="$client"
    else
        local s
        s="$(mktemp -d "$work/store.XXXXXX")"
        stores+=("$s")
        printf '#!/bin/sh\nexec %s --root %s/root --runroot %s/run "$@"\n' "$client" "$s" "$s" >"$s/podman"
        chmod 0755 "$s/podman"
        CLIENT="$s/podman"
        [[ -f "$work/bases.tar" ]] ||
            "$client" save -q -m -o "$work/bases.tar" "$NSS_TEST_PYTHON_IMAGE" "$NSS_TEST_UV_IMAGE"
        "$CLIENT" load -q -i "$work/bases.tar" >/dev/null
    fi
    local pair
    for pair in "${standins[@]}"; do
        "$CLIENT" tag "${pair%%=*}" "${pair#*=}"
    done
    export CONTAINER_CMD="$CLIENT"
}

# Seconds `nss ARGS...` takes (its output goes to the log).
timed() {
    local start end
    start="$(date +%s.%N)"
    if ! "$NSS_BIN" "$@" "${pins[@]}" >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "failed: nss $*" >&2
        exit 1
    fi
    end="$(date +%s.%N)"
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

bytes() { du -sb "$registry_data" | cut -f1; }

# Bytes the registry gained while the runtime image was pushed.
pushed() {
    local before
    before="$(bytes)"
    if [[ "$engine" == docker ]]; then
        "$CLIENT" tag "$CONTAINER_GPU_IMAGE" "$registry/$id-gpu:1"
        "$CLIENT" push -q "$registry/$id-gpu:1" >>"$log" 2>&1
    else
        "$CLIENT" push -q --tls-verify=false "$CONTAINER_GPU_IMAGE" "$registry/$id-gpu:1" >>"$log" 2>&1
    fi
    echo $(($(bytes) - before))
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

for section in "${sections[@]}"; do
    case "$section" in
    cache)
        cache="$registry/$id-cache"
        fresh
        cold="$(timed build "CONTAINER_GPU_CACHE=$cache")"
        fresh
        warm="$(timed build "CONTAINER_GPU_CACHE=$cache")"
        echo "$engine $variant cache: cold ${cold} s (writing the cache), second machine from the registry cache ${warm} s, ratio $(ratio "$cold" "$warm")"
        ;;
    push)
        fresh
        timed build >/dev/null
        first="$(pushed)"
        again="$(pushed)"
        printf '\n# a source-only change\n' >>"$project/src/nss_mini/__init__.py"
        timed build >/dev/null
        source_only="$(pushed)"
        printf '\n# a lockfile change\n' >>"$project/uv.lock"
        timed build >/dev/null
        lock="$(pushed)"
        own="$(du -sb "$project/src" | cut -f1)"
        echo "$engine $variant push bytes: first $first, no change $again, source-only $source_only (project sources $own), lockfile $lock"
        ;;
    all)
        fresh
        all_cold="$(timed build --image runtime,dev,test)"
        all_warm="$(timed build --image runtime,dev,test)"
        fresh
        three_cold=0
        for image in runtime dev test; do
            t="$(timed build --image "$image")"
            three_cold="$(awk -v a="$three_cold" -v b="$t" 'BEGIN { printf "%.1f", a + b }')"
        done
        three_warm=0
        for image in runtime dev test; do
            t="$(timed build --image "$image")"
            three_warm="$(awk -v a="$three_warm" -v b="$t" 'BEGIN { printf "%.1f", a + b }')"
        done
        echo "$engine $variant build all: one call cold ${all_cold} s / warm ${all_warm} s; three calls cold ${three_cold} s / warm ${three_warm} s"
        ;;
    *)
        echo "SECTION must be cache, push or all, not $section" >&2
        exit 2
        ;;
    esac
done
