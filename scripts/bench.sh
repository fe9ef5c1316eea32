#!/usr/bin/env bash
# Native benchmarks, side by side in one run (figures go in the README):
#  1. convert: an xlsx of N rows × 45 columns → XML, validated by our engine before it is written;
#  2. validate: the produced N-passage XML with our engine, beside libxml2's xmllint (streaming
#     and DOM) on the same file with the CDC's reference XSD.
# Usage: scripts/bench.sh [N]   (default 100000). Wall time and peak memory come from /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
apt_install time libxml2-utils
N="${1:-100000}"
REF="${ACCROCHAGE_REFERENCE_DIR:-tests/reference}/cdc-1.1.2.xsd"
OUT=target/bench
mkdir -p "$OUT"
cargo build --release --quiet --bin accrochage --example gen_workbook --example gen_corpus
[ -f "$OUT/passages-$N.xlsx" ] || target/release/examples/gen_workbook "$N" "$OUT/passages-$N.xlsx"
[ -f "$OUT/compact-$N.xml" ] || target/release/examples/gen_corpus --large "$N" "$OUT/compact-$N.xml"

# Runs a command 3 times; prints the best wall time (s) and the peak RSS (MB) of that run.
measure() {
  local best="" mem=""
  for _ in 1 2 3; do
    /usr/bin/time -o "$OUT/time.txt" -f "%e %M" "$@" >/dev/null 2>&1 || true
    read -r t m < "$OUT/time.txt"
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; mem=$m; fi
  done
  printf '%s s | %s Mo' "$best" "$((mem / 1024))"
}

size() { du -m "$1" | cut -f1; }
A=target/release/accrochage
conv_args=(convert "$OUT/passages-$N.xlsx" -o "$OUT/converted-$N.xml" --id-flux bench --horodatage 2026-11-22T10:00:00+01:00
  --id-client-emetteur ABCD1234 --id-client-certificateur ABCD1234 --id-contrat MCF-1)
"$A" "${conv_args[@]}" 2>/dev/null || true

echo "| tâche ($N passages) | outil | temps | mémoire max |"
echo "|---|---|---|---|"
echo "| xlsx $(size "$OUT/passages-$N.xlsx") Mo → XML + validation | accrochage convert | $(measure "$A" "${conv_args[@]}") |"
# The converter splits beyond 200 Mo: each file it wrote is validated like the compact one.
converted=$(cd "$OUT" && ls converted-"$N".xml converted-"$N"_*.xml 2>/dev/null || true)
for f in "compact-$N.xml" $converted; do
  label="$f ($(size "$OUT/$f") Mo)"
  echo "| valider $label | accrochage validate | $(measure "$A" validate "$OUT/$f") |"
  echo "| valider $label | xmllint --stream --schema | $(measure xmllint --noout --stream --schema "$REF" "$OUT/$f") |"
  echo "| valider $label | xmllint --schema (DOM) | $(measure xmllint --noout --schema "$REF" "$OUT/$f") |"
done
echo
echo "Machine : $(nproc) cœurs, $(xmllint --version 2>&1 | head -1)"
