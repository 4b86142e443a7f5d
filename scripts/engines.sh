#!/usr/bin/env bash
# Container engines for the nss tests, on one machine, owned by this checkout:
#   podman        configured through a project containers.conf (CONTAINERS_CONF)
#   dockerd       Debian's 20.10, started by hand on its own socket and data root
#   registry      Debian's docker-registry on 127.0.0.1:5000
#   binfmt        qemu-aarch64, so arm64 RUN steps work
#   images        a debootstrapped Debian, the same with Python, and uv's image
#                 made from the PyPI wheel, in both engines (linux/amd64)
#   multi-arch    for podman, amd64+arm64 indexes in the registry: the Debian
#                 image, and uv's, which registries.conf substitutes for
#                 ghcr.io/astral-sh/uv so `--platform` builds pull each platform
# The variables the tests read (nss-testkit) are written to <state>/env.
#
# Usage: scripts/engines.sh install | prepare | up | down | status | env | run -- CMD...
#   state dir: ${NSS_ENGINES_DIR:-<repo>/.nss/engines}
#   `prepare` only fills the cache (rootfs tarballs, uv binaries): no daemons.
#   `up` keeps the engines running until `down`; `run` starts what is missing,
#   runs CMD with the variables exported and, unless an `up` asked for them to
#   stay, stops them again when the last concurrent `run` ends.
#   NSS_TEST_ENGINES=required (or CI=true) makes a failed start fatal for `run`.
#   NSS_ENGINES_ARM64_BASE=0 skips the arm64 Debian image (its first build runs
#   debootstrap under qemu: about 8 minutes).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${NSS_ENGINES_DIR:-$ROOT/.nss/engines}"

SUITE=bookworm
UV_VERSION=0.9.14
MATURIN_VERSION=1.16.0
MATURIN_VENV="$ROOT/.nss/tools/maturin"
REGISTRY_ADDR=127.0.0.1:5000
DOCKER=/usr/bin/docker   # 20.10 client: the first docker on PATH may lack BuildKit support
DOCKERD=/usr/sbin/dockerd
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
BASE_IMAGE="localhost/nss-debian:$SUITE"
PYTHON_IMAGE="localhost/nss-debian-python:$SUITE"
PYTHON_INCLUDE=python3,python3-venv,ca-certificates,tini
UV_IMAGE="ghcr.io/astral-sh/uv:$UV_VERSION"
# Bump when a recipe changes: cached files and images are keyed on these.
RECIPE=1    # the Debian rootfs images
UV_RECIPE=2 # uv's image (2: static musl binaries)

PACKAGES=(
  podman runc conmon containernetworking-plugins slirp4netns fuse-overlayfs uidmap
  docker.io containerd tini iptables
  docker-registry skopeo
  qemu-user-static binfmt-support
  debootstrap debian-archive-keyring gpgv wget busybox-static hyperfine
  curl ca-certificates python3 python3-pip python3-venv util-linux xz-utils
  shellcheck
  chromium
)
# Python packages the tests use, for the python3 on PATH: the CycloneDX and SPDX reference
# libraries validate `nss sbom` output (CycloneDX 1.5 JSON schema, SPDX 2.3 rules).
PIP_PACKAGES=("cyclonedx-python-lib[json-validation]==11.12.0" "spdx-tools==0.8.5")

PODMAN_CONF="$STATE/podman/containers.conf"
REGISTRIES_CONF="$STATE/podman/registries.conf"
DOCKER_DIR="$STATE/docker"
# Unix socket paths are limited to 107 bytes: a long state dir puts the
# sockets (dockerd's and, under --exec-root, containerd's) in a short one.
SOCK_DIR="$STATE"
if ((${#STATE} > 60)); then
  SOCK_DIR="/run/nss-engines-$(printf '%s' "$STATE" | md5sum | cut -c1-12)"
fi
DOCKER_SOCK="$SOCK_DIR/docker.sock"
DOCKER_EXEC="$SOCK_DIR/docker/exec"
DOCKER_PID="$DOCKER_DIR/dockerd.pid"
REGISTRY_DIR="$STATE/registry"
REGISTRY_PID="$REGISTRY_DIR/registry.pid"
CACHE="$STATE/cache"
UV_CACHE="$CACHE/uv-$UV_VERSION-r$UV_RECIPE"
ENV_FILE="$STATE/env"

log() { printf 'engines: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now_ms() { date +%s%3N; }
# step NAME START MESSAGE: one line per step, with how long it took.
step() {
  local ms=$(($(now_ms) - $2))
  printf 'engines: %-9s %s (%d.%01d s)\n' "$1" "$3" $((ms / 1000)) $((ms % 1000 / 100)) >&2
}

# Missing tools print how to get them instead of a raw "command not found".
need() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1 && [[ ! -x $tool ]]; then
      log "missing $tool: run \`bash scripts/engines.sh install\` (as root)"
      return 1
    fi
  done
}

lock() {
  mkdir -p "$STATE"
  exec 9>"$STATE/lock"
  flock 9
}
unlock() { exec 9>&-; }

alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

pm() { CONTAINERS_CONF="$PODMAN_CONF" CONTAINERS_REGISTRIES_CONF="$REGISTRIES_CONF" podman "$@" 9>&-; }
dk() { DOCKER_HOST="unix://$DOCKER_SOCK" DOCKER_BUILDKIT=1 "$DOCKER" "$@" 9>&-; }

docker_up() { alive "$DOCKER_PID" && dk info >/dev/null 2>&1; }
registry_up() { alive "$REGISTRY_PID" && curl -fsS -o /dev/null "http://$REGISTRY_ADDR/v2/"; }
podman_up() { [[ -f $PODMAN_CONF ]] && command -v podman >/dev/null && pm info >/dev/null 2>&1; }
binfmt_up() { grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; }

# ---------------------------------------------------------------- install
cmd_install() {
  [[ $(id -u) == 0 ]] || die "install needs root (apt-get)"
  local started missing=() pkg
  started=$(now_ms)
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    # A failing third-party source must not stop the Debian packages.
    DEBIAN_FRONTEND=noninteractive apt-get update -q ||
      log "apt-get update reported errors; trying the install anyway"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    step install "$started" "apt-get installed ${missing[*]}"
  else
    step install "$started" "all ${#PACKAGES[@]} Debian packages already installed"
  fi
  started=$(now_ms)
  if command -v cargo-make >/dev/null 2>&1; then
    step cargo-make "$started" "already installed ($(command -v cargo-make))"
  else
    need cargo
    cargo install --locked cargo-make
    step cargo-make "$started" "cargo install --locked cargo-make"
  fi
  # maturin (PyPI) in a project-owned venv, for the wheel test (crates/nss-cli/tests/it/wheel.rs).
  started=$(now_ms)
  if [[ -x $MATURIN_VENV/bin/maturin ]]; then
    step maturin "$started" "already installed ($MATURIN_VENV)"
  else
    python3 -m venv "$MATURIN_VENV"
    "$MATURIN_VENV/bin/pip" install --quiet "maturin==$MATURIN_VERSION"
    step maturin "$started" "pip install maturin==$MATURIN_VERSION into $MATURIN_VENV"
  fi
  started=$(now_ms)
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "${PIP_PACKAGES[@]}"
  step pip "$started" "pip installed ${PIP_PACKAGES[*]}"
}

# ---------------------------------------------------------------- podman
podman_setup() {
  local started
  started=$(now_ms)
  need podman runc || return 1
  mkdir -p "$STATE/podman"
  cat >"$PODMAN_CONF.tmp" <<'EOF'
# Project-owned podman settings (used through CONTAINERS_CONF; /etc is left alone).
[containers]
default_ulimits = []

[engine]
runtime = "runc"
EOF
  mv "$PODMAN_CONF.tmp" "$PODMAN_CONF"
  cat >"$REGISTRIES_CONF.tmp" <<EOF
# Project-owned registries.conf (CONTAINERS_REGISTRIES_CONF): the loopback test
# registry speaks plain HTTP.
unqualified-search-registries = []

[[registry]]
location = "$REGISTRY_ADDR"
insecure = true

# uv's image for every platform, from the index engines.sh publishes there.
[[registry]]
prefix = "ghcr.io/astral-sh/uv"
location = "$REGISTRY_ADDR/astral-sh/uv"
insecure = true
EOF
  mv "$REGISTRIES_CONF.tmp" "$REGISTRIES_CONF"
  if ! pm info >/dev/null 2>&1; then
    log "podman info failed:"
    pm info 2>&1 | tail -5 >&2 || true
    return 1
  fi
  step podman "$started" "configured ($PODMAN_CONF)"
}

# ---------------------------------------------------------------- dockerd
docker_start() {
  local started i
  started=$(now_ms)
  need "$DOCKERD" "$DOCKER" iptables || return 1
  if docker_up; then
    step dockerd "$started" "already running (pid $(cat "$DOCKER_PID"))"
    return 0
  fi
  if alive "$DOCKER_PID"; then
    log "dockerd pid $(cat "$DOCKER_PID") does not answer; stopping it"
    stop_pid dockerd "$DOCKER_PID" 30
  fi
  rm -f "$DOCKER_PID" "$DOCKER_SOCK"
  mkdir -p "$DOCKER_DIR/data" "$DOCKER_EXEC"
  # Our own daemon.json keeps /etc/docker/daemon.json out of the picture.
  printf '{\n  "features": { "buildkit": true }\n}\n' >"$DOCKER_DIR/daemon.json"
  # dockerd forwards container traffic through the docker0 bridge (iptables NAT).
  setsid "$DOCKERD" \
    --config-file "$DOCKER_DIR/daemon.json" \
    --data-root "$DOCKER_DIR/data" \
    --exec-root "$DOCKER_EXEC" \
    --pidfile "$DOCKER_PID" \
    --host "unix://$DOCKER_SOCK" \
    </dev/null >"$DOCKER_DIR/dockerd.log" 2>&1 9>&- &
  for ((i = 0; i < 600; i++)); do
    if dk info >/dev/null 2>&1; then
      step dockerd "$started" "started (pid $(cat "$DOCKER_PID"), unix://$DOCKER_SOCK)"
      return 0
    fi
    if ! kill -0 $! 2>/dev/null; then break; fi
    sleep 0.1
  done
  log "dockerd did not come up; last lines of $DOCKER_DIR/dockerd.log:"
  tail -n 15 "$DOCKER_DIR/dockerd.log" >&2 || true
  return 1
}

# ---------------------------------------------------------------- registry
registry_start() {
  local started i pid
  started=$(now_ms)
  need docker-registry curl || return 1
  if registry_up; then
    step registry "$started" "already running (pid $(cat "$REGISTRY_PID"), $REGISTRY_ADDR)"
    return 0
  fi
  if curl -fsS -o /dev/null "http://$REGISTRY_ADDR/v2/" 2>/dev/null; then
    log "another process already serves $REGISTRY_ADDR; not starting a registry"
    return 1
  fi
  mkdir -p "$REGISTRY_DIR/data"
  cat >"$REGISTRY_DIR/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
  setsid docker-registry serve "$REGISTRY_DIR/config.yml" \
    </dev/null >"$REGISTRY_DIR/registry.log" 2>&1 9>&- &
  pid=$!
  echo "$pid" >"$REGISTRY_PID"
  for ((i = 0; i < 300; i++)); do
    if curl -fsS -o /dev/null "http://$REGISTRY_ADDR/v2/" 2>/dev/null; then
      step registry "$started" "started (pid $pid, $REGISTRY_ADDR)"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  log "registry did not come up; last lines of $REGISTRY_DIR/registry.log:"
  tail -n 15 "$REGISTRY_DIR/registry.log" >&2 || true
  rm -f "$REGISTRY_PID"
  return 1
}

# ---------------------------------------------------------------- binfmt
binfmt_setup() {
  local started
  started=$(now_ms)
  if binfmt_up; then
    step binfmt "$started" "qemu-aarch64 already enabled"
    return 0
  fi
  need update-binfmts || return 1
  [[ -x /usr/libexec/qemu-binfmt/aarch64-binfmt-P || -x /usr/bin/qemu-aarch64-static ]] ||
    { log "missing qemu-user-static: run \`bash scripts/engines.sh install\`"; return 1; }
  if [[ ! -e /proc/sys/fs/binfmt_misc/register ]]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    touch "$STATE/binfmt-mounted"
  fi
  [[ -e /var/lib/binfmts/qemu-aarch64 ]] || update-binfmts --import qemu-aarch64
  update-binfmts --enable qemu-aarch64 2>/dev/null || true
  if binfmt_up; then
    step binfmt "$started" "qemu-aarch64 enabled"
  else
    log "could not enable qemu-aarch64 in /proc/sys/fs/binfmt_misc"
    return 1
  fi
}

# ---------------------------------------------------------------- base images
# The host's Debian mirror, as plain HTTP (containers have no CA bundle).
host_mirror() {
  local suffix=$1 uri
  uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -v '^[[:space:]]*#' | grep -oE 'https?://[^ ]+' | grep -E "/debian${suffix}/?\$" | head -n1 || true)
  uri=${uri%/}
  uri=${uri/#https:/http:}
  echo "${uri:-http://deb.debian.org/debian$suffix}"
}

# rootfs_tar NAME ARCH: where the rootfs tarball of NAME for ARCH is cached.
rootfs_tar() {
  if [[ $2 == amd64 ]]; then echo "$CACHE/$1-$SUITE-r$RECIPE.tar"; else echo "$CACHE/$1-$SUITE-$2-r$RECIPE.tar"; fi
}

# rootfs NAME INCLUDE [ARCH]: a cached tarball of a debootstrapped $SUITE
# (arm64 runs debootstrap's second stage through qemu: a few minutes).
rootfs() {
  local name=$1 include=$2 arch=${3:-amd64} tar started dir mirror security
  tar=$(rootfs_tar "$name" "$arch")
  [[ -s $tar ]] && return 0
  started=$(now_ms)
  need debootstrap || return 1
  mkdir -p "$CACHE"
  mirror=$(host_mirror "")
  security=$(host_mirror "-security")
  dir=$(mktemp -d "$CACHE/$name.XXXXXX")
  if ! debootstrap --arch="$arch" --variant=minbase ${include:+--include=$include} "$SUITE" "$dir/rootfs" "$mirror" \
    >"$dir.log" 2>&1 9>&-; then
    log "debootstrap $name failed; last lines of $dir.log:"
    tail -n 15 "$dir.log" >&2 || true
    rm -rf "$dir"
    return 1
  fi
  cat >"$dir/rootfs/etc/apt/sources.list" <<EOF
deb $mirror $SUITE main
deb $mirror $SUITE-updates main
deb $security $SUITE-security main
EOF
  rm -rf "$dir/rootfs/var/lib/apt/lists/"* "$dir/rootfs/var/cache/apt/archives/"*.deb
  tar --numeric-owner -C "$dir/rootfs" -cf "$tar.tmp" . || return 1
  mv "$tar.tmp" "$tar" || return 1
  rm -rf "$dir" "$dir.log"
  step rootfs "$started" "debootstrap $name ($SUITE $arch, $mirror${include:+, +$include}) -> $(du -h "$tar" | cut -f1)"
}

# import_image ENGINE NAME TAR [ARCH]
import_image() {
  local engine=$1 image=$2 tar=$3 arch=${4:-amd64} started
  started=$(now_ms)
  local change=(--change 'CMD ["bash"]' --change "LABEL org.nss.recipe=$RECIPE")
  if [[ $engine == podman ]]; then
    if [[ $(pm image inspect --format '{{index .Labels "org.nss.recipe"}}' "$image" 2>/dev/null) == "$RECIPE" ]]; then
      step image "$started" "$image already in podman"
      return 0
    fi
    pm import -q --os linux --arch "$arch" "${change[@]}" "$tar" "$image" >/dev/null || return 1
  else
    if [[ $(dk image inspect --format '{{index .Config.Labels "org.nss.recipe"}}' "$image" 2>/dev/null) == "$RECIPE" ]]; then
      step image "$started" "$image already in docker"
      return 0
    fi
    dk import "${change[@]}" "$tar" "$image" >/dev/null || return 1
  fi
  step image "$started" "imported $image into $engine"
}

# ---------------------------------------------------------------- uv image
# uv_binaries ARCH (x86_64|aarch64): extracts uv and uvx from the PyPI wheel.
# The musllinux wheels hold static binaries, which run FROM scratch (the
# x86_64 manylinux one is linked against glibc).
uv_binaries() {
  local arch=$1 dir="$UV_CACHE/$1" started py
  [[ -x $dir/uv && -x $dir/uvx ]] && return 0
  started=$(now_ms)
  py=python3
  $py -m pip --version >/dev/null 2>&1 || py=/usr/bin/python3
  $py -m pip --version >/dev/null 2>&1 ||
    { log "missing pip: run \`bash scripts/engines.sh install\`"; return 1; }
  mkdir -p "$dir/wheel"
  $py -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    --platform "musllinux_1_1_$arch" --dest "$dir/wheel" "uv==$UV_VERSION" 9>&- >&2 || return 1
  $py - "$dir" <<'EOF'
import glob, os, sys, zipfile
out = sys.argv[1]
(wheel,) = glob.glob(os.path.join(out, "wheel", "*.whl"))
with zipfile.ZipFile(wheel) as zf:
    for name in zf.namelist():
        base = os.path.basename(name)
        if "/scripts/" in name and base in ("uv", "uvx"):
            with open(os.path.join(out, base), "wb") as f:
                f.write(zf.read(name))
            os.chmod(os.path.join(out, base), 0o755)
EOF
  [[ -x $dir/uv && -x $dir/uvx ]] || { log "uv wheel for $arch held no uv/uvx"; return 1; }
  rm -rf "$dir/wheel"
  step uv "$started" "pip download uv==$UV_VERSION (musllinux $arch wheel), extracted uv and uvx"
}

# uv's image in podman: the amd64 image under its real name, and both
# platforms as an index in the loopback registry, which registries.conf
# substitutes for ghcr.io/astral-sh/uv. (podman 4.3 cannot list images while
# a local manifest list exists, so none is kept.)
uv_podman() {
  local started arch wheel_arch
  started=$(now_ms)
  # A local manifest list left by an earlier version of this script.
  if pm manifest inspect "$UV_IMAGE" >/dev/null 2>&1; then
    pm manifest rm "$UV_IMAGE" >/dev/null 2>&1 || pm rmi -f "$UV_IMAGE" >/dev/null 2>&1 || true
  fi
  for arch in amd64 arm64; do
    [[ $(pm image inspect --format '{{index .Labels "org.nss.recipe"}}' "localhost/nss-uv:$UV_VERSION-$arch" 2>/dev/null) == "$UV_RECIPE" ]] &&
      continue
    wheel_arch=x86_64
    [[ $arch == arm64 ]] && wheel_arch=aarch64
    uv_binaries "$wheel_arch" || return 1
    tar -C "$UV_CACHE/$wheel_arch" -cf "$UV_CACHE/$wheel_arch.tar" uv uvx || return 1
    pm import -q --os linux --arch "$arch" --change 'ENTRYPOINT ["/uv"]' \
      --change "LABEL org.nss.recipe=$UV_RECIPE" \
      "$UV_CACHE/$wheel_arch.tar" "localhost/nss-uv:$UV_VERSION-$arch" >/dev/null || return 1
  done
  # Multi-platform builds pull the tag per platform: put amd64 back under it.
  if [[ $(pm image inspect --format '{{.Id}}' "$UV_IMAGE" 2>/dev/null) == \
    "$(pm image inspect --format '{{.Id}}' "localhost/nss-uv:$UV_VERSION-amd64")" ]]; then
    step uv-image "$started" "$UV_IMAGE already in podman (linux/amd64)"
  else
    pm tag "localhost/nss-uv:$UV_VERSION-amd64" "$UV_IMAGE" || return 1
    step uv-image "$started" "$UV_IMAGE in podman (linux/amd64)"
  fi
}

# registry_index REPO TAG ARCH...: an OCI index at REPO:TAG over the manifests
# already pushed as REPO:TAG-ARCH.
registry_index() {
  python3 - "$REGISTRY_ADDR" "$@" <<'EOF'
import hashlib, json, sys, urllib.request

addr, repo, tag, *arches = sys.argv[1:]
http = urllib.request.build_opener(urllib.request.ProxyHandler({}))
accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
manifests = []
for arch in arches:
    req = urllib.request.Request(f"http://{addr}/v2/{repo}/manifests/{tag}-{arch}", headers={"Accept": accept})
    with http.open(req) as resp:
        raw, ctype = resp.read(), resp.headers["Content-Type"]
    manifests.append({
        "mediaType": ctype,
        "digest": "sha256:" + hashlib.sha256(raw).hexdigest(),
        "size": len(raw),
        "platform": {"architecture": arch, "os": "linux"},
    })
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests}
req = urllib.request.Request(
    f"http://{addr}/v2/{repo}/manifests/{tag}",
    data=json.dumps(index).encode(),
    method="PUT",
    headers={"Content-Type": "application/vnd.oci.image.index.v1+json"},
)
http.open(req).close()
EOF
}

# published REPO TAG RECIPE: whether registry_multiarch already did its work.
published() {
  [[ -e "$REGISTRY_DIR/published/${1//\//_}_$2.r$3" ]] &&
    curl -fsS -o /dev/null -H 'Accept: application/vnd.oci.image.index.v1+json' \
      "http://$REGISTRY_ADDR/v2/$1/manifests/$2" 2>/dev/null
}

# registry_multiarch REPO TAG RECIPE AMD64_IMAGE ARM64_IMAGE: pushes both podman
# images and an index over them to the loopback registry, once per recipe.
registry_multiarch() {
  local repo=$1 tag=$2 recipe=$3 started stamp
  started=$(now_ms)
  stamp="$REGISTRY_DIR/published/${repo//\//_}_$tag.r$recipe"
  if published "$repo" "$tag" "$recipe"; then
    step multiarch "$started" "$REGISTRY_ADDR/$repo:$tag already published (amd64, arm64)"
    return 0
  fi
  pm push -q --tls-verify=false "$4" "docker://$REGISTRY_ADDR/$repo:$tag-amd64" || return 1
  pm push -q --tls-verify=false "$5" "docker://$REGISTRY_ADDR/$repo:$tag-arm64" || return 1
  registry_index "$repo" "$tag" amd64 arm64 || return 1
  mkdir -p "$REGISTRY_DIR/published"
  touch "$stamp"
  step multiarch "$started" "published $REGISTRY_ADDR/$repo:$tag (index: amd64, arm64)"
}

uv_docker() {
  local started
  started=$(now_ms)
  if [[ $(dk image inspect --format '{{index .Config.Labels "org.nss.recipe"}}' "$UV_IMAGE" 2>/dev/null) == "$UV_RECIPE" ]]; then
    step uv-image "$started" "$UV_IMAGE already in docker"
    return 0
  fi
  uv_binaries x86_64 || return 1
  tar -C "$UV_CACHE/x86_64" -cf "$UV_CACHE/x86_64.tar" uv uvx || return 1
  dk import --change 'ENTRYPOINT ["/uv"]' --change "LABEL org.nss.recipe=$UV_RECIPE" \
    "$UV_CACHE/x86_64.tar" "$UV_IMAGE" >/dev/null || return 1
  step uv-image "$started" "$UV_IMAGE in docker (linux/amd64)"
}

arm64_check() {
  local started out
  started=$(now_ms)
  out=$(pm run --rm --platform linux/arm64 "localhost/nss-uv:$UV_VERSION-arm64" --version 2>&1) || {
    log "arm64 run failed: $out"
    return 1
  }
  step arm64 "$started" "podman ran the arm64 uv ($out) through qemu"
}

# ---------------------------------------------------------------- up
# publish NAME VALUE: one `export NAME='VALUE'` line of the env file.
ENV_LINES=()
publish() {
  [[ $2 != *"'"* ]] || die "$1 would contain a single quote: $2"
  ENV_LINES+=("export $1='$2'")
}

write_env() {
  if ((${#ENV_LINES[@]})); then
    printf '%s\n' "${ENV_LINES[@]}" >"$ENV_FILE.tmp"
  else
    : >"$ENV_FILE.tmp"
  fi
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

# Brings everything up that can come up; returns 1 when something could not.
up_locked() {
  local failed=() have_podman=0 have_docker=0 have_registry=0 base_ok=1 python_ok=1 arm64=0 arm64_base_ok=0
  local base_tar="$CACHE/nss-debian-$SUITE-r$RECIPE.tar"
  local python_tar="$CACHE/nss-debian-python-$SUITE-r$RECIPE.tar"
  mkdir -p "$STATE" "$CACHE"

  if podman_setup; then have_podman=1; else failed+=(podman); fi
  if docker_start; then have_docker=1; else failed+=(dockerd); fi
  if registry_start; then have_registry=1; else failed+=(registry); fi
  if binfmt_setup; then arm64=1; else failed+=(binfmt); fi

  # The rootfs builds are mostly downloads (arm64: qemu): run them side by side.
  local pid_base pid_python pid_arm64=
  rootfs nss-debian "" &
  pid_base=$!
  rootfs nss-debian-python "$PYTHON_INCLUDE" &
  pid_python=$!
  if ((arm64 && have_podman)) && [[ ${NSS_ENGINES_ARM64_BASE:-1} != 0 ]]; then
    if ((have_registry)) && published nss/debian "$SUITE" "$RECIPE" &&
      pm image exists "$BASE_IMAGE-arm64"; then
      arm64_base_ok=1
    else
      rootfs nss-debian "" arm64 &
      pid_arm64=$!
    fi
  fi
  wait "$pid_base" || { base_ok=0; failed+=(base-rootfs); }
  wait "$pid_python" || { python_ok=0; failed+=(python-rootfs); }
  if [[ -n $pid_arm64 ]]; then
    if wait "$pid_arm64"; then arm64_base_ok=1; else failed+=(arm64-rootfs); fi
  fi

  local engine have base_in=0 python_in=0 uv_in=0 engines=0
  for engine in podman docker; do
    have="have_$engine"
    ((${!have})) || continue
    engines=$((engines + 1))
    if ((base_ok)) && import_image "$engine" "$BASE_IMAGE" "$base_tar"; then
      base_in=$((base_in + 1))
    else
      failed+=("base-image-$engine")
    fi
    if ((python_ok)) && import_image "$engine" "$PYTHON_IMAGE" "$python_tar"; then
      python_in=$((python_in + 1))
    else
      failed+=("python-image-$engine")
    fi
    if "uv_$engine"; then uv_in=$((uv_in + 1)); else failed+=("uv-image-$engine"); fi
  done
  # arm64 in podman: qemu runs it, and multi-platform builds pull each
  # platform of the base and uv images from indexes in the loopback registry.
  local multiarch_base=0 uv_index=0
  if ((have_podman && arm64 && uv_in == engines)); then
    arm64_check || { arm64=0; failed+=(arm64); }
  fi
  if ((have_podman && have_registry && arm64)); then
    if [[ ${NSS_ENGINES_ARM64_BASE:-1} == 0 ]]; then
      log "NSS_ENGINES_ARM64_BASE=0: no arm64 Debian image (NSS_TEST_MULTIARCH_BASE_IMAGE unset)"
    elif ((arm64_base_ok && base_ok)) &&
      { pm image exists "$BASE_IMAGE-arm64" ||
        import_image podman "$BASE_IMAGE-arm64" "$(rootfs_tar nss-debian arm64)" arm64; } &&
      registry_multiarch nss/debian "$SUITE" "$RECIPE" "$BASE_IMAGE" "$BASE_IMAGE-arm64"; then
      multiarch_base=1
    else
      failed+=(multiarch-base)
    fi
    if registry_multiarch astral-sh/uv "$UV_VERSION" "$UV_RECIPE" \
      "localhost/nss-uv:$UV_VERSION-amd64" "localhost/nss-uv:$UV_VERSION-arm64"; then
      uv_index=1
    else
      failed+=(uv-index)
    fi
  fi

  # A variable is published only for what is there, in every published engine.
  ENV_LINES=()
  if ((have_podman)); then
    publish NSS_TEST_PODMAN "$(command -v podman)"
    publish NSS_TEST_CONTAINERS_CONF "$PODMAN_CONF"
    publish NSS_TEST_REGISTRIES_CONF "$REGISTRIES_CONF"
  fi
  if ((have_docker)); then
    publish NSS_TEST_DOCKER "$DOCKER"
    publish NSS_TEST_DOCKER_HOST "unix://$DOCKER_SOCK"
  fi
  ((have_registry)) && publish NSS_TEST_REGISTRY "$REGISTRY_ADDR"
  if ((engines)); then
    ((base_in == engines)) && publish NSS_TEST_BASE_IMAGE "$BASE_IMAGE"
    ((python_in == engines)) && publish NSS_TEST_PYTHON_IMAGE "$PYTHON_IMAGE"
    ((uv_in == engines)) && publish NSS_TEST_UV_IMAGE "$UV_IMAGE"
    ((multiarch_base)) && publish NSS_TEST_MULTIARCH_BASE_IMAGE "$REGISTRY_ADDR/nss/debian:$SUITE"
    if ((have_podman && arm64 && uv_index)); then
      publish NSS_TEST_PLATFORMS linux/amd64,linux/arm64
    else
      publish NSS_TEST_PLATFORMS linux/amd64
    fi
  fi
  [[ -r $CA_BUNDLE ]] && publish NSS_TEST_CA_BUNDLE "$CA_BUNDLE"
  write_env

  if ((${#failed[@]})); then
    log "not up: ${failed[*]} (see the lines above); $ENV_FILE lists what is"
    return 1
  fi
}

cmd_up() {
  local started rc=0
  started=$(now_ms)
  lock
  up_locked || rc=1
  touch "$STATE/pinned" # stays up until `down`, whatever `run` does
  unlock
  step up "$started" "done; variables in $ENV_FILE"
  return "$rc"
}

# Builds what takes long the first time (the rootfs tarballs, arm64 under
# qemu, and uv's binaries) into the cache, starting no daemon: CI runs it
# while it compiles, and the later `up` or `run` finds it done.
cmd_prepare() {
  local started rc=0 pids=() pid
  started=$(now_ms)
  mkdir -p "$CACHE"
  binfmt_setup || log "no qemu-aarch64: the arm64 Debian image is left out"
  rootfs nss-debian "" &
  pids+=($!)
  rootfs nss-debian-python "$PYTHON_INCLUDE" &
  pids+=($!)
  if binfmt_up && [[ ${NSS_ENGINES_ARM64_BASE:-1} != 0 ]]; then
    rootfs nss-debian "" arm64 &
    pids+=($!)
  fi
  uv_binaries x86_64 || rc=1
  uv_binaries aarch64 || rc=1
  for pid in "${pids[@]}"; do
    wait "$pid" || rc=1
  done
  step prepare "$started" "rootfs tarballs and uv binaries cached in $CACHE"
  return "$rc"
}

# ---------------------------------------------------------------- down
# stop_pid NAME PIDFILE SECONDS
stop_pid() {
  local name=$1 file=$2 secs=$3 pid i
  [[ -s $file ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < secs * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) ignored SIGTERM for ${secs}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$file"
}

# Tests delete their tags; with the registry stopped, drop the repositories
# left without tags and the blobs nothing references any more. (No
# --delete-untagged: this registry's collector would take the untagged
# per-platform manifests of a still-tagged index with it.)
registry_gc() {
  local started repos=$REGISTRY_DIR/data/docker/registry/v2/repositories repo removed=0
  started=$(now_ms)
  [[ -d $repos ]] || return 0
  for repo in "$repos"/*/; do
    [[ -d $repo/_manifests/tags ]] || continue
    if [[ -z $(ls -A "$repo/_manifests/tags") ]]; then
      rm -rf "$repo"
      removed=$((removed + 1))
    fi
  done
  docker-registry garbage-collect "$REGISTRY_DIR/config.yml" \
    >"$REGISTRY_DIR/gc.log" 2>&1 9>&- || log "registry garbage-collect failed: see $REGISTRY_DIR/gc.log"
  step registry "$started" "garbage-collected ($removed untagged repositories removed)"
}

down_locked() {
  local started
  started=$(now_ms)
  if alive "$DOCKER_PID"; then
    local pid
    pid=$(cat "$DOCKER_PID")
    stop_pid dockerd "$DOCKER_PID" 30
    step dockerd "$started" "stopped (pid $pid)"
  else
    rm -f "$DOCKER_PID"
  fi
  started=$(now_ms)
  if alive "$REGISTRY_PID"; then
    local pid
    pid=$(cat "$REGISTRY_PID")
    stop_pid registry "$REGISTRY_PID" 10
    step registry "$started" "stopped (pid $pid)"
    registry_gc
  else
    rm -f "$REGISTRY_PID"
  fi
  rm -f "$ENV_FILE" "$STATE/pinned"
}

cmd_down() {
  local started
  started=$(now_ms)
  lock
  down_locked
  unlock
  step down "$started" "done (images and cached tarballs kept; binfmt left enabled)"
}

# ---------------------------------------------------------------- status / env
cmd_status() {
  local line
  state_line() { printf '%-9s %-4s %s\n' "$1" "$2" "$3"; }
  if podman_up; then state_line podman up "$PODMAN_CONF"; else state_line podman down ""; fi
  if docker_up; then
    state_line dockerd up "pid $(cat "$DOCKER_PID"), unix://$DOCKER_SOCK"
  else
    state_line dockerd down ""
  fi
  if registry_up; then
    state_line registry up "pid $(cat "$REGISTRY_PID"), $REGISTRY_ADDR"
  else
    state_line registry down ""
  fi
  if binfmt_up; then state_line binfmt up qemu-aarch64; else state_line binfmt down ""; fi
  local ref
  for ref in "nss/debian:$SUITE" "astral-sh/uv:$UV_VERSION"; do
    if curl -fsS -o /dev/null -H 'Accept: application/vnd.oci.image.index.v1+json' \
      "http://$REGISTRY_ADDR/v2/${ref%%:*}/manifests/${ref#*:}" 2>/dev/null; then
      state_line index up "$REGISTRY_ADDR/$ref (linux/amd64, linux/arm64)"
    else
      state_line index down "$REGISTRY_ADDR/$ref"
    fi
  done
  local image engines
  for image in "$BASE_IMAGE" "$PYTHON_IMAGE" "$UV_IMAGE"; do
    engines=()
    if podman_up && pm image exists "$image" 2>/dev/null; then engines+=(podman); fi
    if docker_up && dk image inspect "$image" >/dev/null 2>&1; then engines+=(docker); fi
    line="${engines[*]}"
    if ((${#engines[@]})); then state_line image up "$image ($line)"; else state_line image down "$image"; fi
  done
}

cmd_env() {
  [[ -f $ENV_FILE ]] || die "no $ENV_FILE: run \`scripts/engines.sh up\` first"
  cat "$ENV_FILE"
}

# ---------------------------------------------------------------- run
required() { [[ ${CI:-} == true || ${CI:-} == 1 || ${NSS_TEST_ENGINES:-} == required ]]; }

run_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  lock
  rm -f "$STATE/users/$$"
  local f others=0
  for f in "$STATE/users/"*; do
    [[ -e $f ]] || continue
    if kill -0 "${f##*/}" 2>/dev/null; then others=$((others + 1)); else rm -f "$f"; fi
  done
  if [[ -e $STATE/pinned ]]; then
    log "leaving the engines up (started by \`scripts/engines.sh up\`; stop with \`down\`)"
  elif ((others)); then
    log "leaving the engines up for $others other run(s)"
  else
    down_locked
  fi
  unlock
  exit "$rc"
}

cmd_run() {
  [[ ${1:-} == -- ]] && shift
  (($#)) || die "usage: scripts/engines.sh run -- CMD..."
  local started
  started=$(now_ms)
  lock
  mkdir -p "$STATE/users"
  touch "$STATE/users/$$"
  trap run_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if ! up_locked; then
    if required; then
      unlock
      die "engines are required (CI=true or NSS_TEST_ENGINES=required) but did not all come up"
    fi
    log "continuing: tests needing what is missing will skip"
  fi
  unlock
  step up "$started" "done; running: $*"
  set -a
  # shellcheck source=/dev/null
  [[ -f $ENV_FILE ]] && source "$ENV_FILE"
  set +a
  local rc=0
  "$@" || rc=$?
  exit "$rc"
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  case $cmd in
  install) cmd_install "$@" ;;
  prepare) cmd_prepare ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  run) cmd_run "$@" ;;
  *)
    # The comment block at the top of this file.
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
    exit 2
    ;;
  esac
}

main "$@"
