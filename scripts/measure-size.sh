#!/usr/bin/env bash
# First-load transfer of the page (what a user downloads before the drop zone works), gzip -9,
# against the 600 KB budget: HTML, CSS, the ES modules, the worker, the engine's wasm and its
# JS glue, the service worker. The Excel template module and the zip writer (zip.js, for an
# output split in several files) are listed apart: they are fetched only when needed (the
# service worker also keeps zip.js for offline use, once the page is up). Exit status 1 when
# over budget.
# Usage: scripts/measure-size.sh   (after scripts/build-wasm.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=$((600 * 1024))
[ -f www/pkg/accrochage_bg.wasm ] || { echo "www/pkg/ manque : lancez scripts/build-wasm.sh" >&2; exit 2; }

gz() { gzip -9c "$1" | wc -c; }
total=0
echo "| fichier | brut (octets) | gzip -9 (octets) |"
echo "|---|---:|---:|"
for f in www/index.html www/style.css www/*.js www/pkg/accrochage.js www/pkg/accrochage_bg.wasm www/pkg/build-id.js; do
  [ "$f" = www/zip.js ] && continue
  raw=$(wc -c < "$f")
  z=$(gz "$f")
  total=$((total + z))
  echo "| ${f#www/} | $raw | $z |"
done
echo "| **premier chargement** | | **$total** ($((total / 1024)) Ko) |"
for f in www/zip.js www/pkg/accrochage_template.js www/pkg/accrochage_template_bg.wasm; do
  [ -f "$f" ] && echo "| ${f#www/} (à la demande) | $(wc -c < "$f") | $(gz "$f") |"
done
echo
if [ "$total" -le "$BUDGET" ]; then
  echo "Budget respecté : $((total / 1024)) Ko ≤ $((BUDGET / 1024)) Ko."
else
  echo "Budget DÉPASSÉ : $((total / 1024)) Ko > $((BUDGET / 1024)) Ko."
  exit 1
fi
