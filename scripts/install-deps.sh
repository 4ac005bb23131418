#!/usr/bin/env bash
# Installs the Debian 12 packages orcvm needs to build, test and benchmark.
set -euo pipefail
packages=(cmake ninja-build g++ llvm-19-dev clang-19 lld-19 libclang-rt-19-dev libzydis-dev libtbb-dev
          libboost-program-options-dev libgtest-dev qemu-system-x86 python3 xxd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
