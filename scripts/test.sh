#!/usr/bin/env bash
# The test command of the README:
#  1. unit, property and process-level tests, in release mode (kernels are too slow to test unoptimised); Pillow is
#     installed for the user when missing (it writes the image-folder tests' PNG and JPEG files);
#  2. interoperability: a checkpoint exported by `reprise checkpoint export` is read by h5py (Python is a test tool
#     only; h5py is installed for the current user when missing);
#  3. the main job's quick variant: `study run --quick`, then `study analyze` regenerates identical tables from the
#     archive alone, a second `study run` trains nothing, and `replay` of a fixed study run is bitwise identical;
#  4. hostile inputs to specs, options and notebooks are refused with one line and exit 2 (scripts/check-hostile-inputs.sh);
#  5. the text notebooks run and their outputs equal the committed ones (`notebook run --check`);
#  6. the crash-consistency harness: kill trials, concurrent writers with gc, full disk, read-only (scripts/crash-harness.sh);
#  7. every parser is fuzzed for a bounded time (scripts/fuzz.sh, under 5 minutes with its build).
# Every step has a time limit far above its usual time (CI has 90 minutes; the whole command takes about 15 on the
# 2-core VM): a hang fails its step with a line naming it, instead of using up CI's time with nothing reported.
set -euo pipefail
cd "$(dirname "$0")/.."
limited() {  # limited SECONDS WHAT CMD…: run CMD; past SECONDS, kill it (TERM, then KILL 30 s later) and fail
  local seconds=$1 what=$2 status=0; shift 2
  timeout --kill-after=30 "$seconds" "$@" || status=$?
  if (( status == 124 || status == 137 )); then echo "test.sh: $what did not finish in $seconds s (a hang?)" >&2; fi
  return $status
}
# Pillow writes and decodes the image-folder test inputs (ImageFolderTests); installed for the user when missing.
python3 -c "import PIL" 2>/dev/null || python3 -m pip install --quiet --user Pillow 2>/dev/null || python3 -m pip install --quiet Pillow
limited 1800 "swift test" swift test -c release "$@"

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

echo "== main job, quick variant: train, regenerate from the archive, rerun, replay a fixed run"
limited 900 "the quick study" "$bin" study run fixtures/studies/default.json --quick --archive "$work/study" --out "$work/first" > "$work/study.log" 2>&1 \
  || { cat "$work/study.log"; exit 1; }
grep "pairs;" "$work/study.log"
"$bin" study analyze default-quick --archive "$work/study" --out "$work/second" > /dev/null
diff -r "$work/first" "$work/second" && echo "tables regenerated from the archive alone: identical"
"$bin" study run fixtures/studies/default.json --quick --archive "$work/study" --out "$work/third" 2>/dev/null | grep -q "trained 0," \
  && echo "second run: nothing trained"
# A fixed run (the first completed one by run ID), so a failure reproduces on the next try.
run="$("$bin" ls --archive "$work/study" --status completed | sed -n '3,$p' | grep -v ' runs$' | head -n 1 | cut -d' ' -f1)"
"$bin" replay --archive "$work/study" "$run" | tail -n 1 | tee "$work/replay.txt"
grep -q "^bitwise identical$" "$work/replay.txt"

echo "== hostile inputs: specs, options, names and notebooks give one-line errors and documented exit codes"
limited 600 "the hostile-input checks" bash scripts/check-hostile-inputs.sh "$bin"

echo "== text notebooks: outputs match the committed files"
limited 600 "the notebooks" "$bin" notebook run --check notebooks-text/*.md

echo "== crash consistency: SIGKILL at random points, gc beside writers, full disk, read-only archive"
limited 1200 "the crash harness" bash scripts/crash-harness.sh

echo "== fuzz: every parser under libFuzzer + ASan, time-bounded (Fuzz/README.md)"
limited 900 "fuzzing" bash scripts/fuzz.sh
