#!/usr/bin/env bash
# Builds kubeling's own images into the local image store (idempotent; run by setup):
#   pause   docker.io/kubeling/pause:3.10 (+ registry.k8s.io/pause:3.10)  from src/node/pause/pause.c
#   busybox docker.io/library/busybox:latest                              from /usr/bin/busybox (busybox-static)
# and the runtime's per-container shim. Usage: scripts/build-images.sh [IMAGE_STORE_DIR]
# (default $KUBELING_IMAGES or /var/lib/kubeling/images; binaries go to DIR/../bin).
set -euo pipefail
cd "$(dirname "$0")/.."
STORE="${1:-${KUBELING_IMAGES:-/var/lib/kubeling/images}}"
BIN="$(dirname "$STORE")/bin"
BUSYBOX="${BUSYBOX:-/usr/bin/busybox}"
mkdir -p "$STORE" "$BIN"

command -v gcc >/dev/null || { echo "build-images: gcc is required" >&2; exit 1; }
[ -x "$BUSYBOX" ] || { echo "build-images: $BUSYBOX missing (apt-get install busybox-static)" >&2; exit 1; }

build() { # build SRC OUT: static, only when the source is newer
  if [ ! -x "$2" ] || [ "$1" -nt "$2" ]; then
    gcc -static -Os -s -Wall -o "$2.tmp" "$1" && mv -f "$2.tmp" "$2"
    echo "built $2"
  fi
}
build src/node/pause/pause.c "$BIN/pause"
build src/node/runtime/shim/shim.c "$BIN/kubeling-shim"

CLI=dist/src/node/runtime/images/build-cli.js
[ -f "$CLI" ] || npx tsc -p tsconfig.json >/dev/null || true
node "$CLI" --store "$STORE" --pause "$BIN/pause" --busybox "$BUSYBOX" --shim "$BIN/kubeling-shim"
