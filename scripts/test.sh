#!/usr/bin/env bash
# Runs every test: formatting, lints, native tests (with xmllint as the oracle), wasm tests,
# browser end-to-end tests. Installs what it needs first. Ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_test_tools

log=$(mktemp -d)
passed=0
failed=0
count_cargo() { # sums "test result: ... N passed; M failed" lines
  local p f
  p=$(grep -Eo '[0-9]+ passed' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '[0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy"
cargo clippy --all-targets -- -D warnings

say "cargo test (native)"
status=0
cargo test 2>&1 | tee "$log/native.txt" || status=$?
count_cargo "$log/native.txt"

echo
echo "${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
