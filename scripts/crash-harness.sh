#!/usr/bin/env bash
# Crash-consistency harness for the archive (Sources/Archive/FORMAT.md, "Writes (crash safety)"), on the release binary.
#
#  1. Kill trials: SIGKILL after a seeded random delay during `synthesize` (4 KiB tensors, and 1.5-3 MiB ones on the
#     O_DIRECT path), `train`, `bundle import`, `archive merge`, `gc --grace 0` and `ls --rebuild-index` (a reader that
#     rewrites the index cache); import and merge also killed at their first new run ref (inside the commit phase),
#     gc once it has removed its first object.
#     After each: fsck is clean, `ls` counts every run ref, no committed run is lost, and the same command run again
#     completes (recovery is idempotent).
#  2. Concurrent trials: three `synthesize` writers with overlapping runs that reuse unreferenced objects, and `train`,
#     beside `gc --grace 0` in a loop and `ls`/`export`/`bundle export` readers; and two `train` of the same run,
#     the second killed at its first commit after the first completed the run.
#  3. Full disk (a tmpfs: buffered writes; a small loop-mounted ext4: O_DIRECT writes) and a read-only archive
#     (the ext4 remounted ro). Both need root for mount; without it they are reported as SKIP, never left out silently.
#
# Committed = every run in the archive just after the kill (refs/runs: status and checkpoint list, read with `show`),
# and every run the killed process reported (`committed <run>` of synthesize). Lost = a committed run that is then
# missing, or whose record is not a continuation of the committed one: a finished run (completed, diverged) whose status
# or checkpoints changed, or an unfinished one whose checkpoints are no longer a prefix. Damage is fsck's job (exit 1).
# A train run must also end with the checkpoint IDs of an unkilled reference run (content-addressed: bitwise equal).
#
# usage: scripts/crash-harness.sh [--trials N] [--seed S] [--keep]
#   N  kill trials per command (default 2: 10 commands × 2 + 2 concurrent + 6 others, ~2.5 min on the shared 2-core VM);
#      concurrent trials: 2, +1 per 4 of N
#   S  seed of the kill points (default: from the clock; printed, so a failing run can be repeated)
#   --keep  leave the work folder (printed) for inspection
# One line per trial, then "N passed, N failed"; exit 1 on any failed trial.
set -uo pipefail
cd "$(dirname "$0")/.."

trials=2 seed=$(( $(date +%s) % 100000 )) keep=0
while (( $# )); do
  case $1 in
    --trials) trials=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--trials N] [--seed S] [--keep]" >&2; exit 2 ;;
  esac
done
[[ $trials =~ ^[0-9]+$ && $seed =~ ^[0-9]+$ ]] || { echo "--trials and --seed take non-negative integers" >&2; exit 2; }

R="$(swift build -c release --show-bin-path)/reprise"
[[ -x $R ]] || { echo "no release binary at $R: run swift build -c release" >&2; exit 2; }
work="$(mktemp -d /tmp/crash-harness.XXXXXX)"
mounts=()
cleanup() {
  local m
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
  if (( keep )); then echo "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
RANDOM=$seed
echo "crash harness: seed $seed, $trials kill trials per command, work $work"

passed=0 failed=0
declare -A committed_by lost_by trials_by   # per command: runs committed, runs lost, trials
problems=()
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
ms() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }   # milliseconds as seconds for sleep
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
alive() {  # alive PID: running or stopped, not a zombie (kill -0 succeeds on a zombie not yet reaped)
  local state; state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) && [[ -n $state && $state != Z ]]
}
holds_exclusive_flock() { grep -qE "^[0-9]+: FLOCK +ADVISORY +WRITE $1 " /proc/locks; }
stop_outside_locks() {  # stop_outside_locks PID: SIGSTOP it at a moment it holds no exclusive flock (retries 10 s)
  local limit=$(( $(now_ms) + 10000 ))
  while alive $1; do
    kill -STOP $1 2>/dev/null
    until [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) != [RSD] ]]; do sleep 0.001; done   # stopped now
    holds_exclusive_flock $1 || return 0
    (( $(now_ms) < limit )) || { problems+=("could not stop $1 outside its locks in 10 s"); kill -CONT $1; return 1; }
    kill -CONT $1 2>/dev/null; sleep 0.003
  done
}
wait_or_kill() {  # wait_or_kill PID SECONDS WHAT: wait for it, or kill it after SECONDS and record a problem (no hang)
  local limit=$(( $(now_ms) + $2 * 1000 ))
  while alive $1 && (( $(now_ms) < limit )); do sleep 0.05; done
  if alive $1; then problems+=("$3 did not end in $2 s (killed)"); kill -KILL $1 2>/dev/null; fi
  wait $1
}
last_report_ms=0   # reset before the first trial
report() {  # report NAME DETAIL: one line for the trial (and its time); the problems collected since the last report decide it
  local now; now=$(now_ms)
  local took; took=$(printf '(%d.%d s)' $(( (now - last_report_ms) / 1000 )) $(( (now - last_report_ms) % 1000 / 100 )))
  last_report_ms=$now
  if (( ${#problems[@]} == 0 )); then
    passed=$((passed + 1)); echo "PASS $1: $2 $took"
  else
    failed=$((failed + 1)); echo "FAIL $1: $2 $took"
    local p; for p in "${problems[@]}"; do echo "     - $p"; done
  fi
  problems=()
}

# ---- what an archive holds: one line per run, "<run> <status> <epoch>:<checkpoint>,…" ("-" when none)
declare -A record_info   # record object ID → "<status> <checkpoints>" (records are immutable, so this is a cache)
snapshot() {  # snapshot ARCHIVE > FILE (not in $(…): the cache must stay in this shell)
  local f run target
  for f in "$1"/refs/runs/*; do
    [[ -e $f ]] || continue
    run=${f##*/}; target=$(<"$f")
    if [[ -z ${record_info[$target]+x} ]]; then
      record_info[$target]=$("$R" show --archive "$1" "$run" 2>/dev/null | awk '
        $1 == "status" { status = $2 }
        $1 == "checkpoint" { sub(":", "", $3); list = list (list == "" ? "" : ",") $3 ":" $4 }
        END { print (status == "" ? "unreadable" : status), (list == "" ? "-" : list) }')
    fi
    echo "$run ${record_info[$target]}"
  done
}
lost_runs() {  # lost_runs BEFORE AFTER: the runs of BEFORE that AFTER lost, one line each
  awk 'NR == FNR { after[$1] = $2 " " $3; next }
    {
      was = $2 " with " ($3 == "-" ? 0 : split($3, c, ",")) " checkpoints"
      if (!($1 in after)) { print $1 " missing (was " was ")"; next }
      split(after[$1], now, " ")
      finished = ($2 == "completed" || $2 == "diverged")
      prefix = ($3 == "-" || index(now[2], $3) == 1)
      if ((finished && (now[1] != $2 || now[2] != $3)) || !prefix || now[1] == "unreadable")
        print $1 " downgraded: was " was ", now " now[1] " with " (now[2] == "-" ? 0 : split(now[2], c, ",")) \
          (prefix || split(now[2], c, ",") < split($3, c, ",") ? "" : ", other checkpoints")
    }' "$2" "$1"
}
tree_digest() {  # every file's bytes, as one digest
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }
fsck_clean() {  # fsck_clean ARCHIVE WHEN: a problem unless fsck exits 0
  local out; out=$("$R" fsck --archive "$1" 2>&1); local status=$?
  (( status == 0 )) || problems+=("fsck $2: exit $status: $(grep -m 3 -v '^fsck:' <<<"$out" | tr '\n' ' ')")
}
listed_all() {  # listed_all ARCHIVE WHEN: `ls` (through the run index) counts every run ref
  local out status; out=$("$R" ls --archive "$1" 2>&1); status=$?
  local listed; listed=$(tail -1 <<<"$out" | awk '{ print $1 }')
  local refs; refs=$(find "$1/refs/runs" -type f | grep -c .)
  (( status == 0 )) && [[ $listed == "$refs" ]] || problems+=("ls $2: exit $status, '$(tail -1 <<<"$out")' for $refs run refs")
}
label() {  # label "CMD ARGS…": the command's words before its first option or path ("bundle import")
  local w out=""
  for w in $1; do [[ $w == -* || $w == /* ]] && break; out+="${out:+ }$w"; done
  echo "$out"
}
one_error_line() {  # one_error_line STDERR_FILE PREFIX: exactly one line, "reprise: error: PREFIX…"
  local n; n=$(grep -c '' "$1")
  (( n == 1 )) && grep -q "^reprise: error: $2" "$1" || problems+=("stderr is not one line naming $2…: $(head -c 300 "$1" | tr '\n' '|')")
}

# ---- templates (built once; every trial works on a fresh copy)
t0=$(now_ms)
"$R" init "$work/empty" >/dev/null
"$R" synthesize --archive "$work/small" --runs 20 --tensor-bytes 4096 >/dev/null        # runs 0-19: "an archive with runs"
train_args=(--dataset digits --stem-width 8 --depths 1,2 --widths 16,32 --strides 1,2 --batch 32 --epochs 3 --threads 1)
s=$(now_ms); "$R" train --archive "$work/ref" "${train_args[@]}" > "$work/ref.out" 2>&1 || { cat "$work/ref.out"; exit 1; }
train_ms=$(( $(now_ms) - s ))
train_run=$(awk '$1 == "run" { print $2 }' "$work/ref.out")
snapshot "$work/ref" > "$work/ref.snap"
ref_checkpoints=$(awk -v r="$train_run" '$1 == r { print $3 }' "$work/ref.snap")
# An unfinished copy of the train run: killed as soon as its first record (epoch 0) is committed.
cp -a "$work/empty" "$work/unfinished"
"$R" train --archive "$work/unfinished" "${train_args[@]}" >/dev/null 2>&1 & pid=$!
until [[ -e $work/unfinished/refs/runs/$train_run ]] || ! alive $pid; do sleep 0.02; done
kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
# Import/merge target: runs 0-19 and the unfinished train run. Source: runs 0-29, 200-203 (1.5 MiB), the finished train run.
cp -a "$work/small" "$work/target"; "$R" archive merge "$work/target" "$work/unfinished" >/dev/null
cp -a "$work/small" "$work/source"
"$R" synthesize --archive "$work/source" --start 20 --runs 10 --tensor-bytes 4096 >/dev/null
"$R" synthesize --archive "$work/source" --start 200 --runs 4 --tensor-bytes 1572864 >/dev/null
"$R" archive merge "$work/source" "$work/ref" >/dev/null
"$R" bundle export --archive "$work/source" -o "$work/source.bundle" >/dev/null
snapshot "$work/source" > "$work/source.snap"
# Unreferenced objects, as a writer killed before its commit leaves them: the objects of runs 300-339 (4 KiB) and
# 400-409 (1.5 MiB) stored in another archive, copied into "small" without their refs.
"$R" synthesize --archive "$work/orphans" --start 300 --runs 40 --tensor-bytes 4096 >/dev/null
"$R" synthesize --archive "$work/orphans" --start 400 --runs 10 --tensor-bytes 1572864 >/dev/null
cp -a "$work/small" "$work/garbage"; cp -an "$work/orphans/objects/." "$work/garbage/objects/"
mapfile -t orphan_sample < <(comm -13 <(cd "$work/small/objects" && find . -type f | sort) \
                                      <(cd "$work/garbage/objects" && find . -type f | sort) | awk 'NR % 25 == 1')
echo "templates: $(( $(now_ms) - t0 )) ms (reference train run ${train_run:0:12}: $train_ms ms, checkpoints ${ref_checkpoints//:????????????????????????????????????????????????????????????????/})"

duration_of() {  # duration_of TEMPLATE CMD…: milliseconds of an unkilled run on a copy (the range of kill points);
  # the fastest of 3 for commands under 0.5 s, whose time is mostly noise on a loaded machine
  local template=$1 a=$work/measure best=999999 i s took; shift
  for (( i = 0; i < 3; i++ )); do
    rm -rf "$a"; cp -a "$template" "$a"
    s=$(now_ms); "${@//@A/$a}" >/dev/null 2>&1; took=$(( $(now_ms) - s ))
    (( took < best )) && best=$took
    (( best < 500 )) || break
  done
  echo $best
}

# ---- kill trials
# kill_trial COMMAND TEMPLATE EXPECT CMD… (@A in CMD is the trial's archive). EXPECT is a function run after the
# second, unkilled run (arguments: archive, its stdout, the snapshots after it and after the kill) that checks the
# command's own result and prints a note for the trial's line. COMMAND@commit and gc@sweep pick the kill point by what
# the archive shows instead of by the clock.
trial=0
kill_trial() {
  local command=$1 template=$2 expect=$3; shift 3
  trial=$((trial + 1))
  local t=$work/trial$trial a=$work/trial$trial.a
  cp -a "$template" "$a"
  local cmd=("${@//@A/$a}")
  local fraction=$(( RANDOM % 1000 )) range=${range_ms[$command]}
  local delay=$(( range * 12 * fraction / 10000 ))   # uniform over [0, 1.2 × an unkilled run]
  snapshot "$a" > "$t.pre"
  objects_before=$(find "$a/objects" -type f | grep -c .)
  "${cmd[@]}" > "$t.out" 2> "$t.err" & local pid=$!
  local at="at $delay ms (fraction $fraction/1000 of ${range} ms × 1.2)"
  if [[ $command == gc@sweep ]]; then
    # Kill points by the clock mostly land before gc's sweep (a few ms after start-up): kill once any of a sample of
    # the unreferenced objects is gone.
    local gone=0 path
    while (( !gone )) && alive $pid; do
      for path in "${orphan_sample[@]}"; do [[ -e $a/objects/$path ]] || gone=1; done
    done
    at="in its sweep"
  elif [[ $command == *@commit ]]; then
    # Uniform kill points rarely land in import's and merge's short commit phase (everything is verified and stored
    # first): kill as soon as the first new run ref appears, i.e. between two of its commits.
    local refs n0; n0=$(grep -c . "$t.pre")
    while alive $pid; do refs=("$a"/refs/runs/*); (( ${#refs[@]} > n0 )) && break; sleep 0.003; done
    at="at its first new run ref"
  else
    sleep "$(ms $delay)"
  fi
  kill -KILL $pid 2>/dev/null
  { wait $pid; } 2>/dev/null; local status=$?   # (the braces keep bash's "Killed" notice off the output)
  local what
  case $status in
    137) what="killed $at" ;;
    0) what="finished before the kill $at" ;;
    *) what="exit $status, kill $at"; problems+=("the killed run exited $status: $(head -c 300 "$t.err")") ;;
  esac
  objects_after_kill=$(find "$a/objects" -type f | grep -c .)
  fsck_clean "$a" "after the kill"
  listed_all "$a" "after the kill"
  snapshot "$a" > "$t.mid"
  local lost; lost=$(lost_runs "$t.pre" "$t.mid")
  # Reported committed but not in the archive (or unreadable): lost too.
  local run
  for run in $(awk '$1 == "committed" { print $2 }' "$t.out"); do
    grep -q "^$run completed " "$t.mid" || lost+=$'\n'"$run reported committed, not in the archive after the kill"
  done
  local committed; committed=$(sort -u <(cut -d' ' -f1 "$t.mid") <(awk '$1 == "committed" { print $2 }' "$t.out") | grep -c .)
  local new=$(( committed - $(grep -c . "$t.pre") ))
  # Recovery: the same command again must succeed, keep everything committed, and do its job.
  "${cmd[@]}" > "$t.out2" 2> "$t.err2"; status=$?
  (( status == 0 )) || problems+=("second run exited $status: $(head -c 300 "$t.err2")")
  fsck_clean "$a" "after the second run"
  listed_all "$a" "after the second run"
  snapshot "$a" > "$t.post"
  lost+=$'\n'$(lost_runs "$t.mid" "$t.post")
  lost=$(grep . <<<"$lost")
  local nlost; nlost=$(grep -c . <<<"$lost")
  (( nlost == 0 )) || problems+=("lost: $(tr '\n' ';' <<<"$lost")")
  local note; note=$("$expect" "$a" "$t.out2" "$t.post" "$t.mid")
  committed_by[$command]=$(( ${committed_by[$command]:-0} + committed ))
  lost_by[$command]=$(( ${lost_by[$command]:-0} + nlost ))
  trials_by[$command]=$(( ${trials_by[$command]:-0} + 1 ))
  report "kill $command #${trials_by[$command]}" "$what; $committed runs committed ($new new), $nlost lost${note:+; $note}"
  rm -rf "$a"
}

expect_synthesized() {  # the second run reports every run of its range committed, and each is complete
  local n; n=$(grep -c '^committed ' "$2")
  (( n == expected_runs )) || problems+=("second run reported $n runs committed, expected $expected_runs")
  local run
  for run in $(awk '$1 == "committed" { print $2 }' "$2"); do
    grep -q "^$run completed " "$3" || problems+=("run $run reported committed, not complete")
  done
}
expect_trained() {  # the run ends completed with the reference's checkpoints; the killed run committed a prefix of them
  local left; left=$(awk -v r="$train_run" '$1 == r { print $2 " " $3 }' "$4")
  local kept=${left#* }
  if [[ -n $left && $kept != - && $ref_checkpoints != "$kept"* ]]; then
    problems+=("the killed run committed checkpoints that are not the reference's: $kept")
  fi
  grep -q "^$train_run completed $ref_checkpoints\$" "$3" || problems+=("the run does not end at the reference's checkpoints: $(grep "^$train_run " "$3")")
  local resumed; resumed=$(awk '$1 == "resumed" { print $4 }' "$2")
  local epochs=$(( $(tr ',' '\n' <<<"${kept/-/}" | grep -c :) ))
  local second="trained from scratch"
  [[ -n $resumed ]] && second="resumed from epoch $resumed"
  [[ ${left%% *} == completed ]] && second="had nothing to do"
  local kill_left="no record"
  [[ -n $left ]] && kill_left="the run ${left%% *} with $epochs checkpoints"
  echo "the kill left $kill_left; the second run $second"
}
expect_source_runs() {  # every run of the source is here, as finished as in the source
  local lost; lost=$(lost_runs "$work/source.snap" "$3")
  [[ -z $lost ]] || problems+=("source runs missing or older: $(tr '\n' ';' <<<"$lost")")
  head -1 "$2"
}
expect_listed() { tail -1 "$2"; }   # (listed_all checks the count)
expect_collected() {  # gc changed no run, and nothing unreferenced or temporary is left
  cmp -s "$4" "$3" || problems+=("gc changed refs: $(diff "$4" "$3" | head -3 | tr '\n' ' ')")
  local left; left=$("$R" gc --archive "$1" --grace 0 --dry-run)
  grep -q " 0 would be removed" <<<"$left" || problems+=("after the second gc: $left")
  [[ -z $(ls -A "$1/tmp") ]] || problems+=("temporary files left: $(ls "$1/tmp" | head -3)")
  echo "the killed gc had removed $(( objects_before - objects_after_kill )) objects; second: $(tail -1 "$2")"
}

declare -A range_ms
range_ms[synthesize]=$(duration_of "$work/small" "$R" synthesize --archive @A --start 10 --runs 40 --tensor-bytes 4096)
range_ms[synthesize-1.5MiB]=$(duration_of "$work/small" "$R" synthesize --archive @A --start 100 --runs 8 --tensor-bytes 3000000)
range_ms[train]=$train_ms
range_ms[import]=$(duration_of "$work/target" "$R" bundle import --archive @A "$work/source.bundle")
range_ms[import@commit]=0 range_ms[merge@commit]=0 range_ms[gc@sweep]=0
range_ms[merge]=$(duration_of "$work/target" "$R" archive merge @A "$work/source")
range_ms[gc]=$(duration_of "$work/garbage" "$R" gc --archive @A --grace 0)
rm -rf "$work/source/index"
range_ms[ls]=$(duration_of "$work/source" "$R" ls --archive @A --rebuild-index)
echo "unkilled durations (ms): $(for c in synthesize synthesize-1.5MiB train import merge gc ls; do printf '%s %s, ' "$c" "${range_ms[$c]}"; done)"
last_report_ms=$(now_ms)

# ---- the checks themselves catch a loss (so a harness that cannot fail does not pass)
self_check() {
  local d=$work/self
  mkdir -p "$d"
  printf '%s\n' "r1 completed 0:a,1:b" "r2 in_progress 0:a" "r3 completed 0:c" "r4 in_progress 0:d" > "$d/before"
  printf '%s\n' "r1 in_progress 0:a,1:b" "r2 completed 0:a,1:e" "r4 in_progress 0:f" > "$d/after"
  local flagged; flagged=$(lost_runs "$d/before" "$d/after" | cut -d' ' -f1 | tr '\n' ' ')
  [[ $flagged == "r1 r3 r4 " ]] || problems+=("lost_runs flagged '$flagged', expected r1 (downgraded), r3 (missing), r4 (changed)")
  cp -a "$work/small" "$d/a"
  local run; run=$(ls "$d/a/refs/runs" | head -1)
  local checkpoint; checkpoint=$("$R" show --archive "$d/a" "$run" | awk '$1 == "checkpoint" { print $4 }')
  rm -f "$d/a/objects/${checkpoint:0:2}/${checkpoint:2}"
  "$R" fsck --archive "$d/a" > /dev/null 2>&1 && problems+=("fsck exit 0 on an archive with a checkpoint record removed")
  report "self-check" "the loss check flags a missing, a downgraded and a changed run; fsck flags a missing checkpoint"
}
self_check

for (( i = 0; i < trials; i++ )); do
  # Runs 10-49 overlap 0-19 already there (the already-stored path); big tensors vary in size around the O_DIRECT
  # threshold's multiples (1.5 MiB up to ~3 MiB, so several 4 MiB pieces never line up).
  expected_runs=40 kill_trial synthesize "$work/small" expect_synthesized \
    "$R" synthesize --archive @A --start 10 --runs 40 --tensor-bytes 4096
  expected_runs=8 kill_trial synthesize-1.5MiB "$work/small" expect_synthesized \
    "$R" synthesize --archive @A --start 100 --runs 8 --tensor-bytes $(( 1572864 + 48 * RANDOM ))
  kill_trial train "$work/empty" expect_trained "$R" train --archive @A "${train_args[@]}"
  kill_trial import "$work/target" expect_source_runs "$R" bundle import --archive @A "$work/source.bundle"
  kill_trial merge "$work/target" expect_source_runs "$R" archive merge @A "$work/source"
  kill_trial import@commit "$work/target" expect_source_runs "$R" bundle import --archive @A "$work/source.bundle"
  kill_trial merge@commit "$work/target" expect_source_runs "$R" archive merge @A "$work/source"
  kill_trial gc "$work/garbage" expect_collected "$R" gc --archive @A --grace 0
  kill_trial gc@sweep "$work/garbage" expect_collected "$R" gc --archive @A --grace 0
  kill_trial ls "$work/source" expect_listed "$R" ls --archive @A --rebuild-index   # a reader that rewrites the index cache
done

# ---- concurrent trials: writers, gc --grace 0 in a loop, readers
concurrent_trial() {
  local n=$1 a=$work/concurrent$1 c=$work/c$1
  cp -a "$work/garbage" "$a"; mkdir -p "$c"
  snapshot "$a" > "$c.pre"
  local before; before=$(grep -c . "$c.pre")
  # Writers: runs 300-339 and 320-359 overlap each other, and 300-339 reuse the unreferenced objects gc is removing.
  "$R" synthesize --archive "$a" --start 300 --runs 40 --tensor-bytes 4096 > "$c/w1" 2> "$c/w1.err" & local w1=$!
  "$R" synthesize --archive "$a" --start 320 --runs 40 --tensor-bytes 4096 > "$c/w2" 2> "$c/w2.err" & local w2=$!
  "$R" synthesize --archive "$a" --start 400 --runs 10 --tensor-bytes 1572864 > "$c/w3" 2> "$c/w3.err" & local w3=$!
  "$R" train --archive "$a" "${train_args[@]}" > "$c/train" 2> "$c/train.err" & local wt=$!
  ( i=0; while [[ ! -e $c/stop ]]; do
      "$R" gc --archive "$a" --grace 0 > "$c/gc$i" 2>&1 || echo "gc #$i exit $?: $(head -c 200 "$c/gc$i")" >> "$c/bad"
      i=$((i + 1)); done; echo $i > "$c/gcs" ) & local gcl=$!
  ( i=0; while [[ ! -e $c/stop ]]; do
      out=$("$R" ls --archive "$a" 2>&1) || echo "ls exit $?: $(tail -c 200 <<<"$out")" >> "$c/bad"
      count=$(tail -1 <<<"$out" | awk '{ print $1 }')
      [[ $count =~ ^[0-9]+$ ]] && (( count >= before )) || echo "ls counted '$count' runs (at least $before exist)" >> "$c/bad"
      "$R" export --archive "$a" > "$c/export" 2> "$c/export.err" || echo "export exit $?: $(head -c 200 "$c/export.err")" >> "$c/bad"
      "$R" bundle export --archive "$a" -o "$c/bundle" > /dev/null 2> "$c/bundle.err" || echo "bundle export exit $?: $(head -c 200 "$c/bundle.err")" >> "$c/bad"
      i=$((i + 1)); done; echo $i > "$c/reads" ) & local rl=$!
  local status w documented=""
  for w in w1:$w1 w2:$w2 w3:$w3; do
    wait "${w#*:}"; status=$?
    (( status == 0 )) || problems+=("writer ${w%%:*} exited $status: $(head -c 300 "$c/${w%%:*}.err")")
  done
  wait $wt; status=$?
  touch "$c/stop"; wait $gcl $rl
  if (( status == 1 )) && grep -q "missing" "$c/train.err"; then
    # Documented (ArchiveLock): train stores a checkpoint, then commits it in another transaction; gc --grace 0 may
    # remove the checkpoint in between, and the commit then fails with missingObject. Rerun without gc.
    documented="train failed as documented (gc --grace 0 removed its uncommitted checkpoint: $(head -c 120 "$c/train.err")), resumed"
    "$R" train --archive "$a" "${train_args[@]}" > "$c/train" 2> "$c/train.err"; status=$?
  fi
  (( status == 0 )) || problems+=("train exited $status: $(head -c 300 "$c/train.err")")
  [[ -e $c/bad ]] && problems+=("$(head -5 "$c/bad" | tr '\n' ';')")
  fsck_clean "$a" "after the concurrent trial"
  listed_all "$a" "after the concurrent trial"
  snapshot "$a" > "$c.post"
  local lost; lost=$(lost_runs "$c.pre" "$c.post")
  local run reported=0
  for run in $(cat "$c/w1" "$c/w2" "$c/w3" | awk '$1 == "committed" { print $2 }' | sort -u); do
    reported=$((reported + 1))
    grep -q "^$run completed " "$c.post" || lost+=$'\n'"$run reported committed, not complete"
  done
  grep -q "^$train_run completed $ref_checkpoints\$" "$c.post" || lost+=$'\n'"train run not at the reference's checkpoints"
  lost=$(grep . <<<"$lost"); local nlost; nlost=$(grep -c . <<<"$lost")
  (( nlost == 0 )) || problems+=("lost: $(tr '\n' ';' <<<"$lost")")
  (( reported == 70 )) || problems+=("writers reported $reported distinct runs committed, expected 70")
  concurrent_lost=$(( ${concurrent_lost:-0} + nlost ))
  report "concurrent #$n" "3 synthesize writers ($reported distinct runs, 1.5 MiB and 4 KiB, overlapping and reusing unreferenced objects) + train, beside $(cat "$c/gcs") gc --grace 0 and $(cat "$c/reads") ls+export+bundle export rounds; $nlost lost${documented:+; $documented}"
  rm -rf "$a"
}
# Two `train` of the same run at once (a command run again while it still runs, overlapping study shards): the slower
# one, stopped after it read the record, commits its next epoch after the faster one completed the run.
same_run_trial() {
  local a=$work/same-run f=$work/same-run.f b ticks
  local long=(--dataset digits --stem-width 8 --depths 1,2 --widths 16,32 --strides 1,2 --batch 32 --epochs 6 --threads 1)
  "$R" train --archive "$a" "${long[@]}" > "$f.a" 2>&1 & local first=$!
  until compgen -G "$a/refs/runs/*" > /dev/null || ! alive $first; do sleep 0.02; done
  "$R" train --archive "$a" "${long[@]}" > "$f.b" 2>&1 & b=$!
  # Stop the second once it has trained for 0.5 s of CPU (so it has read the run's record and is in an epoch), at a
  # moment it holds no exclusive flock: stopped inside a commit (holding refs/runs), it would block the first's next
  # commit for ever — the hang of CI run 25.
  ticks=$(getconf CLK_TCK)
  local limit=$(( $(now_ms) + 120000 ))
  while alive $b && (( $(cpu_ticks $b) < ticks / 2 && $(now_ms) < limit )); do sleep 0.02; done
  stop_outside_locks $b
  wait_or_kill $first 300 "the first train"; local status=$?
  local ref; ref=$(compgen -G "$a/refs/runs/*" | head -1)
  snapshot "$a" > "$f.first"
  (( status == 0 )) && grep -q " completed " "$f.first" || problems+=("first train: exit $status, $(cat "$f.first")")
  # Let the second run on to its next commit, and kill it there.
  local target; target=$(<"$ref")
  kill -CONT $b 2>/dev/null
  limit=$(( $(now_ms) + 300000 ))
  while [[ $(<"$ref") == "$target" ]] && alive $b && (( $(now_ms) < limit )); do sleep 0.002; done
  (( $(now_ms) < limit )) || problems+=("the second train neither changed the ref nor ended in 300 s")
  kill -KILL $b 2>/dev/null; { wait $b; } 2>/dev/null; local second=$?
  fsck_clean "$a" "after the second train was killed"
  snapshot "$a" > "$f.after"
  local lost; lost=$(lost_runs "$f.first" "$f.after")
  [[ -z $lost ]] || problems+=("lost: $lost")
  "$R" train --archive "$a" "${long[@]}" > "$f.c" 2>&1 || problems+=("third train: exit $?")
  local outcome="the run completed with $(awk '{ print split($3, c, ",") }' "$f.first") checkpoints, then $(awk '{ print $2 " with " split($3, c, ",") }' "$f.after")"
  if [[ -n $lost ]]; then
    outcome+=" — the second's commit downgraded it (the bug f988cda fixed: commit applies the import/merge rule)"
  fi
  (( second == 137 )) && second="killed at its first commit after that" || second="never changed the ref, exit $second"
  report "concurrent same-run train" "two trains of one run, the second stopped until the first completed, then $second: $outcome"
  rm -rf "$a"
}
same_run_trial

# import and merge refuse a run with other results (a determinism failure) with exit 1, changing nothing
conflict_trial() {
  local a=$work/conflict-a b=$work/conflict-b f=$work/conflict status digest
  cp -a "$work/target" "$a"
  "$R" synthesize --archive "$b" --start 5 --runs 3 --tensor-bytes 8192 > /dev/null   # runs 5-7 here have 4 KiB tensors
  "$R" bundle export --archive "$b" -o "$f.bundle" > /dev/null
  digest=$(tree_digest "$a")
  "$R" archive merge "$a" "$b" > /dev/null 2> "$f.merge"; status=$?
  (( status == 1 )) && grep -q "^reprise: error: 3 conflicts" "$f.merge" || problems+=("merge: exit $status: $(head -c 200 "$f.merge")")
  "$R" bundle import --archive "$a" "$f.bundle" > /dev/null 2> "$f.import"; status=$?
  (( status == 1 )) && grep -q "^reprise: error: 3 conflicts" "$f.import" || problems+=("import: exit $status: $(head -c 200 "$f.import")")
  [[ $(tree_digest "$a") == "$digest" ]] || problems+=("the archive changed")
  report "conflict" "merge and import of 3 runs with other results: exit 1 naming them, the archive unchanged"
  rm -rf "$a" "$b"
}
conflict_trial

concurrent_trials=$(( 2 + trials / 4 ))
for (( i = 1; i <= concurrent_trials; i++ )); do concurrent_trial $i; done

# ---- full disk and read-only archive
expect_io_failure() {  # expect_io_failure WHAT STATUS STDERR ARCHIVE: exit 3, one line naming a file of the archive
  (( $2 == 3 )) || problems+=("$1: exit $2, expected 3: $(head -c 200 "$3")")
  one_error_line "$3" "$4/"
}
full_disk_trial() {  # full_disk_trial MECHANISM MOUNTPOINT BALLAST_MIB: fill the file system, check every failure
  local mech=$1 m=$2 a=$2/a f=$work/full-$1 status
  mkdir -p "$f"
  "$R" synthesize --archive "$a" --runs 5 --tensor-bytes 4096 >/dev/null && "$R" archive merge "$a" "$work/ref" >/dev/null \
    || { problems+=("could not set up the archive on $mech"); report "full disk ($mech)" "set-up failed"; return; }
  head -c $(( $3 << 20 )) /dev/urandom > "$m/ballast"
  # Fill: 1.5 MiB runs until one fails, then 4 KiB runs until one fails (one process each).
  local k=1000 size first_failing=() failures=()
  for size in 1572864 4096; do
    "$R" synthesize --archive "$a" --start $k --runs 2000 --tensor-bytes $size > "$f/out" 2> "$f/err"; status=$?
    k=$(( k + $(grep -c '^committed ' "$f/out") ))   # the run that failed
    (( ${#first_failing[@]} )) || first_failing=("$R" synthesize --archive "$a" --start $k --runs 1 --tensor-bytes $size)
    expect_io_failure "synthesize ($size-byte tensor) on a full disk" $status "$f/err" "$a"
    failures+=("synthesize $(( size >> 10 )) KiB: $(sed "s|^reprise: error: $a/||" "$f/err" | awk -F': ' '{ print substr($1, 1, 20) "…: " $NF }')")
    k=$((k + 1))
  done
  snapshot "$a" > "$f.pre"
  local runs; runs=$(grep -c . "$f.pre")
  # Every other writer fails the same way, and every reader still works.
  local writer
  for writer in "bundle import --archive $a $work/source.bundle" "archive merge $a $work/source" \
                "train --archive $a ${train_args[*]} --seed 7"; do
    $R $writer > "$f/out" 2> "$f/err"; status=$?
    expect_io_failure "$(label "$writer") on a full disk" $status "$f/err" "$a"
    failures+=("$(label "$writer"): exit $status")
  done
  local reader
  for reader in "ls --archive $a" "export --archive $a" "show --archive $a $train_run" "fsck --archive $a"; do
    $R $reader > "$f/out" 2> "$f/err" || problems+=("$(label "$reader") on a full disk: exit $?: $(head -c 200 "$f/err")")
  done
  local leftovers; leftovers=$(ls -A "$a/tmp")
  if [[ -n $leftovers ]]; then
    "$R" gc --archive "$a" --grace 0 >/dev/null 2>&1
    [[ -z $(ls -A "$a/tmp") ]] || problems+=("temporary files left that gc does not remove: $(ls "$a/tmp" | head -3)")
  fi
  fsck_clean "$a" "on the full disk"
  listed_all "$a" "on the full disk"
  snapshot "$a" > "$f.full"
  local lost; lost=$(lost_runs "$f.pre" "$f.full")
  [[ -z $lost ]] || problems+=("lost on the full disk: $(tr '\n' ';' <<<"$lost")")
  # Space back: the first command that failed now succeeds.
  rm -f "$m/ballast"
  "${first_failing[@]}" > "$f/out" 2> "$f/err" || problems+=("after freeing space: exit $?: $(head -c 200 "$f/err")")
  fsck_clean "$a" "after freeing space"
  listed_all "$a" "after freeing space"
  snapshot "$a" > "$f.post"
  lost=$(lost_runs "$f.pre" "$f.post")
  [[ -z $lost ]] || problems+=("lost after freeing space: $(tr '\n' ';' <<<"$lost")")
  report "full disk ($mech)" "$runs runs stored before it filled up, each failing writer exit 3 with one line (${failures[*]}${leftovers:+; tmp/ had $(wc -w <<<"$leftovers") files, removed by gc}), readers worked, nothing lost; after freeing space the failing write succeeded"
}
read_only_trial() {  # read_only_trial MOUNTPOINT: remount it ro; readers work, writers exit 3 with one line, nothing changes
  local m=$1 a=$1/a f=$work/ro status
  mkdir -p "$f"
  rm -rf "$a/index"   # a cache: readers must rebuild it in memory, not fail to write it
  local digest; digest=$(tree_digest "$a")
  mount -o remount,ro "$m" || { problems+=("remount ro failed"); report "read-only archive" "not run"; return; }
  local reader readers=0
  for reader in "ls --archive $a" "show --archive $a $train_run" "log --archive $a $train_run" "export --archive $a" \
                "fsck --archive $a" "checkpoint export --archive $a $train_run -o $f/c.h5" \
                "bundle export --archive $a -o $f/b.bundle" "replay --archive $a $train_run"; do
    $R $reader > "$f/out" 2> "$f/err" || problems+=("$(label "$reader") on a read-only archive: exit $?: $(head -c 200 "$f/err")")
    readers=$((readers + 1))
  done
  grep -q "^bitwise identical" "$f/out" || problems+=("replay on a read-only archive: $(tail -1 "$f/out")")
  listed_all "$a" "on a read-only archive without its index"
  local writer writers=0
  for writer in "synthesize --archive $a --start 5000 --runs 1 --tensor-bytes 4096" \
                "synthesize --archive $a --start 5001 --runs 1 --tensor-bytes 1572864" \
                "train --archive $a ${train_args[*]} --seed 7" "bundle import --archive $a $work/source.bundle" \
                "archive merge $a $work/source" "gc --archive $a --grace 0"; do
    $R $writer > "$f/out" 2> "$f/err"; status=$?
    expect_io_failure "$(label "$writer") on a read-only archive" $status "$f/err" "$a"
    writers=$((writers + 1)); cp "$f/err" "$f/writer$writers.err"
  done
  mount -o remount,rw "$m"
  [[ $(tree_digest "$a") == "$digest" ]] || problems+=("the archive changed")
  report "read-only archive" "$readers reading commands worked (replay bitwise identical), $writers writing commands exit 3 with one line, nothing changed"
}
disk_trials() {
  local m=$work/tmpfs
  mkdir -p "$m"
  if mount -t tmpfs -o size=8m tmpfs "$m"; then
    mounts+=("$m"); full_disk_trial tmpfs "$m" 2; umount "$m"
  else
    problems+=("mount -t tmpfs failed"); report "full disk (tmpfs)" "not run"
  fi
  m=$work/ext4
  mkdir -p "$m"; truncate -s 16M "$work/ext4.img"
  if mkfs.ext4 -q -F -m 0 "$work/ext4.img" && mount -o loop "$work/ext4.img" "$m"; then
    mounts+=("$m"); full_disk_trial ext4 "$m" 4; read_only_trial "$m"; umount "$m"
  else
    problems+=("loop-mounting an ext4 image failed"); report "full disk (ext4)" "not run"
  fi
}

# ---- full disk and read-only trials (need mount: root)
if [[ $(id -u) != 0 ]]; then
  echo "SKIP full disk and read-only trials: mount needs root (run as root to include them)"
else
  disk_trials
fi

echo "kill trials: $(for c in synthesize synthesize-1.5MiB train import import@commit merge merge@commit gc gc@sweep ls; do printf '%s %d (%d committed, %d lost), ' "$c" "${trials_by[$c]:-0}" "${committed_by[$c]:-0}" "${lost_by[$c]:-0}"; done)"
echo "concurrent trials: $concurrent_trials (${concurrent_lost:-0} lost); seed $seed"
echo "$passed passed, $failed failed"
(( failed == 0 ))
