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
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
