#!/usr/bin/env bash
# The test command of the README:
#  1. unit, property and process-level tests, in release mode (kernels are too slow to test unoptimised);
#  2. interoperability: a checkpoint exported by `reprise checkpoint export` is read by h5py (Python is a test tool
#     only; h5py is installed for the current user when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
swift test -c release "$@"

echo "== interoperability: h5py reads an exported checkpoint"
python3 -c "import h5py" 2>/dev/null || python3 -m pip install --quiet --user h5py 2>/dev/null || python3 -m pip install --quiet h5py
bin="$(swift build -c release --show-bin-path)/reprise"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
"$bin" synthesize --archive "$work/a" --runs 1 --tensor-bytes 400 >/dev/null
run="$(ls "$work/a/refs/runs" | head -1)"
"$bin" checkpoint export --archive "$work/a" "$run" -o "$work/c.h5"
python3 scripts/h5py_read_checkpoint.py "$work/c.h5" | tee "$work/out.txt"
grep -q "^weights (100,) " "$work/out.txt" && grep -q "^@run_id $run$" "$work/out.txt"
echo "h5py interoperability: 1 passed, 0 failed"
