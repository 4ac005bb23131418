#!/usr/bin/env bash
# Fetches Debian 12's cloud kernel (the package linux-image-cloud-amd64 points at)
# and busybox-static into DIR without installing them (apt-get download and
# dpkg-deb -x: nothing runs as root inside the packages), leaving DIR/vmlinuz and
# DIR/busybox. Does nothing when both are there.
set -euo pipefail
dir="${1:?usage: fetch-linux-guest.sh DIR}"
mkdir -p "$dir"
[ -s "$dir/vmlinuz" ] && [ -s "$dir/busybox" ] && exit 0
cd "$dir"
kernel_package() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}'; }
package="$(kernel_package)"
if [ -z "$package" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q >/dev/null
  package="$(kernel_package)"
fi
[ -n "$package" ] || { echo "fetch-linux-guest.sh: apt knows no linux-image-cloud-amd64" >&2; exit 1; }
rm -rf debs extracted && mkdir -p debs extracted
(cd debs && apt-get download -q "$package" busybox-static >/dev/null)
for deb in debs/*.deb; do dpkg-deb -x "$deb" extracted; done
cp extracted/boot/vmlinuz-* vmlinuz
cp extracted/bin/busybox busybox
rm -rf debs extracted
echo "fetched $package and busybox-static into $dir"
