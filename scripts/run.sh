#!/usr/bin/env bash
# Sets everything up, builds the page and serves it on localhost.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
scripts/build-wasm.sh
exec node scripts/serve.mjs www "$PORT"
