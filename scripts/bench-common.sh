# Shared by the benchmark scripts (sourced, after scripts/setup.sh).

# The median of the numbers given as arguments, two decimals.
median() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
