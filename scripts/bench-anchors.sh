#!/usr/bin/env bash
# The native conversion beside the native anchors of NOTES.md §8, in turn, in the same run:
# libxml2's xmllint --stream checking a compact XML of N passages against the CDC's XSD (2.8 s
# for 100 000 on the day the anchors were taken) and calamine reading the workbook
# (`examples/read_calamine.rs`, 1.8 s), then `accrochage convert` on that workbook (target:
# 2 s). This machine's speed varies twofold from one day to the next; each anchor, run beside
# the conversion, says how fast it is that day, and the ratio of the times says where the
# conversion stands against the target whatever the day.
# Usage: scripts/bench-anchors.sh [N]   (default 100000); RUNS=5 for more runs (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
source scripts/bench-common.sh
apt_install time libxml2-utils
N="${1:-100000}"
RUNS="${RUNS:-5}"
REF="${ACCROCHAGE_REFERENCE_DIR:-tests/reference}/cdc-1.1.2.xsd"
OUT=target/bench
mkdir -p "$OUT"
cargo build --release --quiet --bin accrochage --example gen_workbook --example gen_corpus --example read_calamine
bench_workbook "$N"
[ -f "$OUT/compact-$N.xml" ] || target/release/examples/gen_corpus --large "$N" "$OUT/compact-$N.xml"
conv=(target/release/accrochage convert "$OUT/passages-$N.xlsx" -o "$OUT/anchored-$N.xml" "${BENCH_PARAMS[@]}")

# Wall time (s) of one run of a command that must succeed.
wall() {
  if ! /usr/bin/time -o "$OUT/time.txt" -f "%e" "$@" >/dev/null 2>&1; then
    echo "échec : $*" >&2
    exit 1
  fi
  cat "$OUT/time.txt"
}

fr() { echo "${1/./,}"; }
ratio() { awk "BEGIN { printf \"%.3f\", $1 / $2 }"; }

echo "| essai | xmllint --stream, XML compact de $N passages | calamine lit le classeur | accrochage convert | convert / xmllint | convert / calamine |"
echo "|---:|---:|---:|---:|---:|---:|"
xs=() cs=() as=() rx=() rc=()
for i in $(seq "$RUNS"); do
  x=$(wall xmllint --noout --stream --schema "$REF" "$OUT/compact-$N.xml")
  c=$(wall target/release/examples/read_calamine "$OUT/passages-$N.xlsx")
  # The last run's output is deleted untimed: replaced, its 186 Mo would be freed inside the
  # timed run (0.12 s of the kernel's, after the check), which is no part of converting.
  rm -f "$OUT/anchored-$N.xml"
  a=$(wall "${conv[@]}")
  xs+=("$x") cs+=("$c") as+=("$a") rx+=("$(ratio "$a" "$x")") rc+=("$(ratio "$a" "$c")")
  echo "| $i | $(fr "$x") s | $(fr "$c") s | $(fr "$a") s | $(fr "${rx[-1]}") | $(fr "${rc[-1]}") |"
done
echo "| médiane | $(fr "$(median "${xs[@]}")") s | $(fr "$(median "${cs[@]}")") s | $(fr "$(median "${as[@]}")") s | $(fr "$(median "${rx[@]}")") | $(fr "$(median "${rc[@]}")") |"
echo
echo "Repères du jour où ils ont été relevés (NOTES.md §8, 100 000 lignes) : xmllint --stream 2,8 s, calamine 1,8 s ;"
echo "l'objectif de 2 s en est le rapport $(fr "$(ratio 2 2.8)") (xmllint) et $(fr "$(ratio 2 1.8)") (calamine)."
