#!/usr/bin/env bash
# Sets everything up, builds the page and serves it on localhost.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
scripts/build-wasm.sh
echo
echo "accrochage est servi sur : http://127.0.0.1:${PORT}/"
echo "(Ctrl+C pour arrêter)"
exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory www
