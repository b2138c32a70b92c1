#!/usr/bin/env bash
# Builds kubeling's own images into the local image store (idempotent; run by setup):
#   pause   docker.io/kubeling/pause:3.10 (+ registry.k8s.io/pause:3.10)  from src/node/pause/pause.c
#   busybox docker.io/library/busybox:latest                              from /usr/bin/busybox (busybox-static)
# and the runtime's per-container shim. Usage: scripts/build-images.sh [IMAGE_STORE_DIR]
# (default /var/lib/kubeling/images, what `kubeling server --images-dir` defaults to for the default data dir; binaries go to DIR/../bin).
set -euo pipefail
cd "$(dirname "$0")/.."
STORE="${1:-/var/lib/kubeling/images}"
BIN="$(dirname "$STORE")/bin"
BUSYBOX="${BUSYBOX:-/usr/bin/busybox}"
mkdir -p "$STORE" "$BIN"

command -v gcc >/dev/null || { echo "build-images: gcc is required" >&2; exit 1; }
[ -x "$BUSYBOX" ] || { echo "build-images: $BUSYBOX missing (apt-get install busybox-static)" >&2; exit 1; }

build() { # build OUT SOURCES...: static, only when a source is newer than OUT
  local out="$1" stale=0 f
  shift
  [ -x "$out" ] || stale=1
  for f in "$@"; do [ "$f" -nt "$out" ] && stale=1; done
  if [ "$stale" = 1 ]; then
    gcc -static -Os -s -Wall -o "$out.tmp" $(printf '%s\n' "$@" | grep '\.c$') && mv -f "$out.tmp" "$out"
    echo "built $out"
  fi
}
build "$BIN/pause" src/node/pause/pause.c

CLI=dist/src/node/runtime/images/build-cli.js
[ -f "$CLI" ] || npx tsc -p tsconfig.json >/dev/null || true
# The shim carries a hash of its sources; the runtime's own builder stamps it (and skips an up-to-date one).
node --input-type=module -e 'const m = await import(process.argv[1]); await m.ensureShim(process.argv[2]);' \
  "$PWD/dist/src/node/runtime/native.js" "$BIN/kubeling-shim"
node "$CLI" --store "$STORE" --pause "$BIN/pause" --busybox "$BUSYBOX" --shim "$BIN/kubeling-shim"
