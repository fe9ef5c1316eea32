#!/usr/bin/env bash
# Builds the WebAssembly module into www/pkg/ (size-aware release profile, then wasm-opt).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm

say "cargo build --profile wasm --target wasm32-unknown-unknown --lib"
cargo build --profile wasm --target wasm32-unknown-unknown --lib
rm -rf www/pkg
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir www/pkg target/wasm32-unknown-unknown/wasm/accrochage.wasm
say "wasm-opt -O3"
npx --no-install wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals \
  www/pkg/accrochage_bg.wasm -o www/pkg/accrochage_bg.wasm
ls -l www/pkg >&2
