#!/usr/bin/env bash
# Copy the browser builds of the npm packages (installed by `npm ci`) into the static
# folder the web pages serve. The vendor folder is git-ignored: it is built, not edited.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/node_modules"
dest="$root/archive/web/static/vendor"

if [ ! -f "$src/tus-js-client/dist/tus.min.js" ]; then
  echo "vendor.sh: $src/tus-js-client is missing; run 'npm ci' first" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$src/tus-js-client/dist/tus.min.js" "$dest/tus.min.js"
cp "$src/tus-js-client/LICENSE" "$dest/tus-js-client.LICENSE" 2>/dev/null || true
if [ ! -f "$src/chart.js/dist/chart.umd.min.js" ]; then
  echo "vendor.sh: $src/chart.js is missing; run 'npm ci' first" >&2
  exit 1
fi
cp "$src/chart.js/dist/chart.umd.min.js" "$dest/chart.umd.min.js"
cp "$src/chart.js/LICENSE.md" "$dest/chart.js.LICENSE.md" 2>/dev/null || true
if [ ! -f "$src/hls.js/dist/hls.min.js" ]; then
  echo "vendor.sh: $src/hls.js is missing; run 'npm ci' first" >&2
  exit 1
fi
# The full build: the light one has no alternate audio renditions (the audio-track menu).
cp "$src/hls.js/dist/hls.min.js" "$dest/hls.min.js"
cp "$src/hls.js/LICENSE" "$dest/hls.js.LICENSE" 2>/dev/null || true
echo "vendor.sh: copied tus-js-client, chart.js and hls.js into ${dest#"$root"/}"
