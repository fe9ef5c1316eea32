#!/usr/bin/env bash
# Instructions executed by `accrochage convert` on an N-row workbook (default 10 000), counted by
# valgrind (cachegrind, both threads), for this tree and, side by side, for another revision. On
# a shared machine whose wall times vary twofold from one hour to the next, this count does not:
# it says whether a change made the engine do less work.
# Usage: scripts/bench-instructions.sh [REV] [N]    e.g. scripts/bench-instructions.sh HEAD~3
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
apt_install valgrind
REV="${1:-}"
N="${2:-10000}"
OUT=target/bench
mkdir -p "$OUT"
cargo build --release --quiet --bin accrochage --example gen_workbook
[ -f "$OUT/passages-$N.xlsx" ] || target/release/examples/gen_workbook "$N" "$OUT/passages-$N.xlsx"
args=(convert "$OUT/passages-$N.xlsx" --id-flux bench --horodatage 2026-11-22T10:00:00+01:00
  --id-client-emetteur ABCD1234 --id-client-certificateur ABCD1234 --id-contrat MCF-1)

# Prints the instructions of one run of `$1 convert …`, its XML written to $2.
count() {
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "$1" "${args[@]}" -o "$2" 2>&1 >/dev/null | awk '/I +refs/ { gsub(",", "", $NF); print $NF }'
}

echo "| révision | instructions (convert, $N lignes) |"
echo "|---|---:|"
if [ -n "$REV" ]; then
  tree="$PWD/target/bench/rev-tree"
  git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
  git worktree add --detach --quiet "$tree" "$REV"
  (cd "$tree" && CARGO_TARGET_DIR="$PWD/../../rev-target" cargo build --release --quiet --bin accrochage)
  echo "| $(git rev-parse --short "$REV") ($REV) | $(count target/rev-target/release/accrochage "$OUT/instr-rev.xml") |"
  git worktree remove --force "$tree"
fi
echo "| $(git rev-parse --short HEAD) (arbre de travail) | $(count target/release/accrochage "$OUT/instr-head.xml") |"
if [ -n "$REV" ] && ! cmp -s "$OUT/instr-rev.xml" "$OUT/instr-head.xml"; then
  echo
  echo "Les deux révisions n'écrivent pas le même XML."
fi
