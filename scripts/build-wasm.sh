#!/usr/bin/env bash
# Builds the WebAssembly module into www/pkg/ (release speed, no unwinding, then wasm-opt) and the
# build id the service worker names its cache after. The page is then www/ as is (no bundler).
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
# The service worker's cache is named after this id: a new build = a new cache (see www/sw.js).
build_id=$(cat www/*.html www/*.css www/*.js www/pkg/accrochage.js www/pkg/accrochage_bg.wasm | sha256sum | cut -c1-16)
printf "self.BUILD_ID = '%s';\n" "$build_id" > www/pkg/build-id.js
ls -l www/pkg >&2
