#!/usr/bin/env bash
# Installs what building and testing need, on a machine that has only rustup's Rust, node and python.
# Idempotent: every step checks first. Sourced by run.sh and test.sh; also runnable alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "apt-get install ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown ||
    { say "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }
}

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

ensure_wasm_bindgen() {
  [ -f Cargo.lock ] || cargo generate-lockfile
  local want have
  want=$(wasm_bindgen_version)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    say "cargo install wasm-bindgen-cli $want (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$want" --locked 2>/dev/null ||
      cargo install wasm-bindgen-cli --version "$want"
  fi
}

ensure_npm() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    say "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

ensure_test_tools() {
  apt_install libxml2-utils chromium chromium-driver
}

ensure_all() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_npm
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_all
  ensure_test_tools
fi
