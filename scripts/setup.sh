#!/usr/bin/env bash
# Installs everything Reprise needs on a fresh Debian/Ubuntu machine and builds it in release mode.
# Idempotent: packages already present are not reinstalled. Needs root or sudo for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libopenblas-dev libhdf5-dev zlib1g-dev libpng-dev libturbojpeg0-dev dataset-fashion-mnist pkg-config)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present (${APT_PACKAGES[*]})"
fi

command -v swift >/dev/null || { [ -x /opt/swift/usr/bin/swift ] && export PATH=/opt/swift/usr/bin:$PATH; }
command -v swift >/dev/null || { echo "setup: swift not found (install Swift 6.x and put it on PATH)" >&2; exit 1; }

echo "setup: building reprise (release)"
swift build -c release 2>&1 | tail -n 3
echo "setup: done — the binary is $(swift build -c release --show-bin-path)/reprise"
