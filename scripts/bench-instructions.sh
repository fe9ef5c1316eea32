#!/usr/bin/env bash
# The engine's work on an N-row workbook (default 10 000) for this tree and, side by side, for
# another revision: instructions counted by valgrind (cachegrind, every thread) for
# `accrochage convert`, for the xlsx reader alone (`examples/read_workbook.rs`) and for the final
# check alone (`examples/check_xml.rs`, on the XML that `convert` wrote), then wall
# times of `convert`, the two versions run in turn. On a shared machine whose wall times vary
# twofold from one hour to the next, the counts do not: they say whether a change made the
# engine do less work. Also the peak memory, and the share of the CPU time the kernel spends
# zeroing fresh pages for `convert` (perf, sampling the CPU clock): on a virtual machine where
# fresh memory is slow, memory is time too; a last line says how slow it is here.
# Usage: scripts/bench-instructions.sh [REV] [N]    e.g. scripts/bench-instructions.sh HEAD~3
#        RUNS=10 scripts/bench-instructions.sh REV 100000   (more timed runs in turn: default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
source scripts/bench-common.sh
apt_install valgrind time linux-perf
REV="${1:-}"
N="${2:-10000}"
RUNS="${RUNS:-3}"
OUT=target/bench
mkdir -p "$OUT"
cargo build --release --quiet --bin accrochage --example gen_workbook --example read_workbook --example check_xml
bench_workbook "$N"
args=(convert "$OUT/passages-$N.xlsx" "${BENCH_PARAMS[@]}")

# Instructions of one run of a command; beyond 20 000 rows valgrind would take tens of minutes,
# and only the wall times are given.
instructions() {
  if [ "$N" -gt 20000 ]; then
    echo "—"
    return
  fi
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    awk '/I +refs/ { gsub(",", "", $NF); print $NF }'
}

# The instructions of the busiest thread of `convert` (callgrind, one count per thread): the
# reader and the converter run side by side, then share the final check, so the longer thread
# sets the wall time.
longest_thread() {
  if [ "$N" -gt 20000 ]; then
    echo "—"
    return
  fi
  local dir
  dir=$(mktemp -d)
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$dir/cg" "$@" >/dev/null 2>&1
  for f in "$dir"/cg-*; do
    callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
  done | sort -n | tail -1
  rm -rf "$dir"
}

# Percentage of the CPU time of one run spent in the kernel's page zeroing (clear_page_*).
zeroing_share() {
  local data
  data=$(mktemp)
  if ! perf record -q -e cpu-clock -F 999 -o "$data" "$@" >/dev/null 2>&1; then
    echo "—"
  else
    perf report -i "$data" --stdio --no-children --sort sym -g none 2>/dev/null |
      awk '/clear_page/ { gsub("%", "", $1); s += $1 } END { printf "%.1f %%\n", s }'
  fi
  rm -f "$data"
}

builds=(target/release)
labels=("$(git rev-parse --short HEAD) (arbre de travail)")
if [ -n "$REV" ]; then
  tree="$PWD/target/bench/rev-tree"
  git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
  git worktree add --detach --quiet "$tree" "$REV"
  # A revision older than the example gets it: it only uses the engine's public API.
  [ -f "$tree/examples/check_xml.rs" ] || cp examples/check_xml.rs "$tree/examples/"
  (cd "$tree" && CARGO_TARGET_DIR="$PWD/../../rev-target" \
    cargo build --release --quiet --bin accrochage --example read_workbook --example check_xml)
  git worktree remove --force "$tree"
  builds=(target/rev-target/release target/release)
  labels=("$(git rev-parse --short "$REV") ($REV)" "${labels[0]}")
fi

echo "| révision | instructions, convert ($N lignes) | dont le fil le plus chargé | instructions, lecture seule | instructions, vérification finale seule | convert, meilleur temps sur $RUNS | médiane | mémoire max | noyau : pages mises à zéro |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
declare -A best memory times
for _ in $(seq "$RUNS"); do
  for i in "${!builds[@]}"; do
    mkdir -p "$OUT/instr-$i"
    # Untimed, as in bench-anchors.sh: replacing the last output would free it in the run.
    rm -f "$OUT/instr-$i/out.xml"
    /usr/bin/time -o "$OUT/time.txt" -f "%e %M" "${builds[$i]}/accrochage" "${args[@]}" -o "$OUT/instr-$i/out.xml" >/dev/null 2>&1 || true
    read -r t kb < "$OUT/time.txt"
    times[$i]="${times[$i]:-} $t"
    if [ -z "${best[$i]:-}" ] || awk "BEGIN{exit !($t < ${best[$i]})}"; then best[$i]=$t; fi
    if [ -z "${memory[$i]:-}" ] || [ "$kb" -gt "${memory[$i]}" ]; then memory[$i]=$kb; fi
  done
done
for i in "${!builds[@]}"; do
  b=${builds[$i]}
  echo "| ${labels[$i]} | $(instructions "$b/accrochage" "${args[@]}" -o "$OUT/instr-$i/out.xml") | $(longest_thread "$b/accrochage" "${args[@]}" -o "$OUT/instr-$i/out.xml") | $(instructions "$b/examples/read_workbook" "$OUT/passages-$N.xlsx") | $(instructions "$b/examples/check_xml" "$OUT/instr-$i/out.xml") | ${best[$i]} s | $(median ${times[$i]}) s | $((memory[$i] / 1024)) Mo | $(zeroing_share "$b/accrochage" "${args[@]}" -o "$OUT/instr-$i/out.xml") |"
done
# Split output (beyond 200 Mo) is several files: the folders are compared.
if [ -n "$REV" ] && ! diff -rq "$OUT/instr-0" "$OUT/instr-1" >/dev/null; then
  echo
  echo "Les deux révisions n'écrivent pas le même XML."
fi
# How slow fresh memory is on this machine: system time to touch 600 Mo once.
echo
python3 - <<'PY'
import mmap, resource
n = 600 << 20
m = mmap.mmap(-1, n)
for i in range(0, n, 4096):
    m[i] = 1
print(f"Mémoire neuve : 600 Mo touchés en {resource.getrusage(resource.RUSAGE_SELF).ru_stime:.2f} s de temps système.")
PY
