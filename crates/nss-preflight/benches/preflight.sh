#!/usr/bin/env bash
# Start-up cost of the entrypoint, with hyperfine:
#   bare           /bin/true
#   nss-preflight  nss-preflight -- /bin/true   (every check, then exec)
#   no checks      nss-preflight -- /bin/true x -h (the -h skip rule: no checks, same two
#                  execs; the difference to nss-preflight is the cost of the checks. Not
#                  `true -h` alone: GNU true then calls setlocale, which costs ~0.5 ms)
#   seed bash      seed-entrypoint.sh /bin/true (the five checks of the bash entrypoint)
# Goals: nss-preflight at most 0.5 ms over bare, and at least 5x faster than seed bash.
#
# Usage: crates/nss-preflight/benches/preflight.sh [extra hyperfine args]
#   NSS_PREFLIGHT_BIN=path   time this binary instead of building the release one
#   RUNS=N                   runs per command (default 2000)
# Not part of `cargo test`; run it by hand or from CI's benchmark job.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

if ! command -v hyperfine >/dev/null 2>&1; then
  echo "hyperfine is not installed; install it with 'apt-get install hyperfine' (Debian/Ubuntu)," >&2
  echo "'brew install hyperfine' (macOS) or 'cargo install --locked hyperfine', then run this again." >&2
  exit 0
fi

bin="${NSS_PREFLIGHT_BIN:-}"
if [ -z "$bin" ]; then
  # The executable path from cargo itself (honours CARGO_TARGET_DIR and build.target).
  bin="$(cd "$root" && cargo build --release -p nss-preflight --message-format=json-render-diagnostics \
    | sed -n 's/.*"executable":"\([^"]*nss-preflight\)".*/\1/p' | tail -n 1)"
fi
if [ ! -x "$bin" ]; then
  echo "no nss-preflight binary at '$bin' (set NSS_PREFLIGHT_BIN)" >&2
  exit 2
fi

runs="${RUNS:-2000}"
json="$(mktemp)"
trap 'rm -f "$json"' EXIT

echo "binary: $bin ($(stat -c %s "$bin") bytes)"
# hyperfine runs the commands one after another, so on a busy machine the load moves
# between them: compare medians from a quiet machine, or run it several times.
# -N: no intermediate shell, so each number is one fork+exec of the command itself.
hyperfine -N --warmup 100 --runs "$runs" --export-json "$json" "$@" \
  --command-name bare "/bin/true" \
  --command-name nss-preflight "$bin -- /bin/true" \
  --command-name "no checks" "$bin -- /bin/true x -h" \
  --command-name "seed bash" "$here/seed-entrypoint.sh /bin/true"

if command -v python3 >/dev/null 2>&1; then
  python3 - "$json" <<'PY'
import json, sys
results = {r["command"]: r for f in sys.argv[1:] for r in json.load(open(f))["results"]}
ms = {name: r["median"] * 1000 for name, r in results.items()}
bare, pre, seed = ms["bare"], ms["nss-preflight"], ms["seed bash"]
print()
for name, value in ms.items():
    print(f"{name:>14}: median {value:7.3f} ms, min {results[name]['min'] * 1000:7.3f} ms")
over = pre - bare
speedup = seed / pre
mins = {name: r["min"] * 1000 for name, r in results.items()}
print(f"overhead by min (least disturbed run): {mins['nss-preflight'] - mins['bare']:.3f} ms")
print(f"nss-preflight overhead over bare exec: {over:.3f} ms (goal <= 0.5 ms: {'met' if over <= 0.5 else 'MISSED'})")
print(f"of which the checks: {pre - ms['no checks']:.3f} ms (nss-preflight minus no checks)")
print(f"seed bash / nss-preflight: {speedup:.1f}x (goal >= 5x: {'met' if speedup >= 5 else 'MISSED'})")
PY
fi
