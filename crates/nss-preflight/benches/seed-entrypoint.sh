#!/usr/bin/env bash
# The bash entrypoint nss-preflight replaces, rebuilt from the seed's description
# (containers/entrypoint.sh): five checks that print hints on stderr, then
# `exec "$@"`. Kept only as the baseline of benches/preflight.sh; its flaws are the
# seed's (it matches --help or config anywhere in the arguments, so
# `run --data-source config` skips the GPU checks too).
set -u

hint() { echo "[nss-container] $*" >&2; }

skip_gpu=false
for arg in "$@"; do
  case "$arg" in
    --help | -h | config) skip_gpu=true ;;
  esac
done

# 1. Empty /workspace: the user forgot to mount data.
if [ -z "$(ls -A /workspace 2>/dev/null)" ]; then
  hint "/workspace is empty: mount your data with -v \"\$(pwd)/data:/workspace\""
fi

# 2. HF_HOME not set, or pointing to a directory that does not exist.
if [ -z "${HF_HOME:-}" ]; then
  hint "HF_HOME is not set: models download into the container and are lost on exit"
elif [ ! -d "$HF_HOME" ]; then
  hint "HF_HOME=$HF_HOME does not exist: mount your Hugging Face cache there"
fi

# 3. No HF_TOKEN and no cached token file.
if [ -z "${HF_TOKEN:-}" ] && [ ! -f "${HF_HOME:-$HOME/.cache/huggingface}/token" ]; then
  hint "HF_TOKEN is not set and no cached token was found: gated models will fail"
fi

if [ "$skip_gpu" = false ]; then
  # 4. nvidia-smi not found: --gpus all forgotten?
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    hint "nvidia-smi not found: did you forget --gpus all?"
  fi
  # 5. /dev/shm below 256 MB.
  shm_mb=$(df -m /dev/shm | awk 'NR == 2 { print $2 }')
  if [ "${shm_mb:-0}" -lt 256 ]; then
    hint "/dev/shm is ${shm_mb} MB: training may crash with \"Bus error\"; use --shm-size=1g"
  fi
fi

exec "$@"
