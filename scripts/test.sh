#!/usr/bin/env bash
# Runs every test: formatting, lints (native and wasm32), native tests (with xmllint as the
# oracle), wasm tests under node (wasm-bindgen-test-runner), the first-load size budget, and the
# browser end-to-end tests (node:test + playwright-core + Debian's Chromium).
# Installs what it needs first. Ends with one line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_test_tools
ensure_all

log=$(mktemp -d)
passed=0
failed=0
status=0
count_cargo() { # sums "test result: ... N passed; M failed" lines
  local p f
  p=$(grep -Eo '[0-9]+ passed' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '[0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}
count_node() { # node --test's closing "# pass N" / "# fail N"
  local p f
  p=$(awk '/^# pass /{print $3}' "$1" | tail -1)
  f=$(awk '/^# fail /{print $3}' "$1" | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1}))
}

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy"
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --lib --no-default-features -- -D warnings
cargo clippy --target wasm32-unknown-unknown --lib --features wasm-template-module -- -D warnings

say "cargo test (native)"
cargo test 2>&1 | tee "$log/native.txt" || status=1
count_cargo "$log/native.txt"

say "cargo test --target wasm32-unknown-unknown --test web (node)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown --test web 2>&1 | tee "$log/wasm.txt" || status=1
count_cargo "$log/wasm.txt"

say "page: build, size (measured against the budget), end-to-end tests"
scripts/build-wasm.sh
cargo build --quiet --bin accrochage
# Size is a measure written to the README, not a test: printed here against the budget.
scripts/measure-size.sh | tee "$log/size.txt" || true
node --test --test-reporter=tap tests/e2e/ 2>&1 | tee "$log/e2e.txt" || status=1
count_node "$log/e2e.txt"

echo
echo "${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
