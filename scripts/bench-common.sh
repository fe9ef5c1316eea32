# Shared by the benchmark scripts (sourced, after scripts/setup.sh).

# The median of the numbers given as arguments, two decimals.
median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The fixed flux parameters every timed conversion is given, so that runs compare to the byte.
BENCH_PARAMS=(--id-flux bench --horodatage 2026-11-22T10:00:00+01:00 --id-client-emetteur ABCD1234
  --id-client-certificateur ABCD1234 --id-contrat MCF-1)

# The generated workbook of $1 rows under $OUT (made once; needs the gen_workbook example built).
bench_workbook() {
  [ -f "$OUT/passages-$1.xlsx" ] || target/release/examples/gen_workbook "$1" "$OUT/passages-$1.xlsx"
}
