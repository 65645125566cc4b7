#!/usr/bin/env bash
# The test command of the README: unit and property tests in release mode (kernels are too slow to test unoptimised),
# then the h5py interoperability check when h5py is importable.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test -c release "$@"
