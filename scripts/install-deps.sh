#!/usr/bin/env bash
# Installs every Debian 12 package dialtone needs to build, run, test and benchmark.
# Idempotent; runs apt-get update itself; must run as root (or via sudo).
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  exec sudo -E bash "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libcaf-dev
  librocksdb-dev
  libprotobuf-dev protobuf-compiler
  librdkafka-dev
  nlohmann-json3-dev
  libboost-dev libboost-test-dev libboost-system-dev libboost-program-options-dev
  libssl-dev
  libosip2-dev
  libjemalloc-dev
  libphonenumber-dev iso-codes tzdata libsndfile1-dev
  curl procps python3 python3-jsonschema
  sip-tester kcat wrk
)
# The Sinch SDK test peer (tests/sdk) needs node and npm; a node that already brings its own
# npm (e.g. a NodeSource build) is kept.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The official Sinch SDK, exactly as pinned by tests/sdk/package-lock.json (npm ci leaves the
# lock unchanged and fails if it does not match package.json). Skipped when already installed
# from this very lock. Run as the user who invoked sudo, so the tree stays theirs.
sdk_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/sdk"
if ! cmp -s "$sdk_dir/package-lock.json" "$sdk_dir/node_modules/.dialtone-installed-lock" 2>/dev/null; then
  echo "install-deps: npm ci in tests/sdk"
  as_user=()
  if [ -n "${SUDO_USER:-}" ] && [ "${SUDO_USER}" != root ]; then as_user=(sudo -u "$SUDO_USER"); fi
  "${as_user[@]}" npm ci --prefix "$sdk_dir" --no-audit --no-fund --loglevel=error
  "${as_user[@]}" cp "$sdk_dir/package-lock.json" "$sdk_dir/node_modules/.dialtone-installed-lock"
fi
