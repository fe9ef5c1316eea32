#!/usr/bin/env bash
# Builds the page's WebAssembly into www/pkg/ (release speed, no unwinding, then wasm-opt):
#  - accrochage.js + accrochage_bg.wasm: the engine the page loads first (no Excel writer);
#  - accrochage_template.js + accrochage_template_bg.wasm: the Excel template writer, fetched
#    only when the user asks for the template (it would add ≈ 200 KB gzip to every first load);
#  - build-id.js: the id the service worker names its cache after (a new build = a new cache).
# The page is then www/ as is: no bundler.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_wasm_target
ensure_wasm_bindgen
ensure_npm

OUT=target/wasm32-unknown-unknown/wasm
rm -rf www/pkg
mkdir -p www/pkg

# $1: output name, then cargo feature arguments.
build_module() {
  local name=$1
  shift
  say "cargo build --profile wasm --target wasm32-unknown-unknown --lib $* ($name)"
  cargo build --profile wasm --target wasm32-unknown-unknown --lib "$@"
  [ "$name" = accrochage ] || cp "$OUT/accrochage.wasm" "$OUT/$name.wasm"
  wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir www/pkg "$OUT/$name.wasm"
  say "wasm-opt -O3 ($name)"
  # --low-memory-unused: Rust puts the stack first, growing down from 1 Mo towards 0, so the low
  # 1 Ko is only reached by a stack about to overflow, and no valid pointer plus a small offset
  # wraps into it; binaryen may then fold such offsets into the loads and stores: 4.5 Ko gzip
  # less for the page's first load (scripts/measure-size.sh), no slower.
  npx --no-install wasm-opt -O3 --low-memory-unused --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals \
    "www/pkg/${name}_bg.wasm" -o "www/pkg/${name}_bg.wasm"
}

build_module accrochage --no-default-features
if [ "${ACCROCHAGE_SKIP_TEMPLATE_MODULE:-}" != 1 ]; then
  build_module accrochage_template --features wasm-template-module
fi

build_id=$(cat www/*.html www/*.css www/*.js www/pkg/*.js www/pkg/*.wasm | sha256sum | cut -c1-16)
printf "self.BUILD_ID = '%s';\n" "$build_id" > www/pkg/build-id.js
ls -l www/pkg >&2
