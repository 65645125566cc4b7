#!/usr/bin/env bash
# Hostile inputs to the CLI: every one must be refused before any work, with status 2 (option and spec errors; 1 for
# a notebook block that fails), never a signal, and an error naming the problem.
# Usage: scripts/check-hostile-inputs.sh [path/to/reprise]   (default .build/release/reprise); run from the repository.
set -u
R=$(realpath "${1:-.build/release/reprise}")
ROOT=$(pwd)
export REPRISE_FIXTURES="$ROOT/fixtures"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
failures=0
cases=0

# expect STATUSES NEEDLE -- command...: the status is one of STATUSES (space-separated) and stderr contains NEEDLE.
expect() {
    local statuses=$1 needle=$2; shift 3
    cases=$((cases + 1))
    "$@" > out.txt 2> err.txt
    local status=$?
    if [[ " $statuses " != *" $status "* ]] || ! grep -qF -- "$needle" err.txt; then
        echo "FAIL: $* -> status $status (want $statuses, stderr containing '$needle')"; sed 's/^/    /' err.txt | head -5
        failures=$((failures + 1))
    fi
}
OPT=2   # ArgumentParser usage and validation errors (reprise maps its 64 to 2)

# --threads: one ThreadOptions, 1…1024, for every command that takes it.
"$R" init ar > /dev/null
"$R" synthesize --archive ar --runs 1 > /dev/null
for n in 0 -1 1025; do
    expect "$OPT" "--threads" -- "$R" replay --archive ar --threads=$n abcd
    expect "$OPT" "--threads" -- "$R" eval --archive ar --threads=$n abcd
    expect "$OPT" "--threads" -- "$R" train --archive ar --threads=$n
    expect "$OPT" "--threads" -- "$R" study run "$ROOT/fixtures/studies/tiny.json" --archive ar --threads=$n
    expect "$OPT" "--threads" -- "$R" rank proxies --archive ar --threads=$n
done
expect "$OPT" "--concurrent-runs" -- "$R" study run "$ROOT/fixtures/studies/tiny.json" --archive ar --concurrent-runs=0
expect "$OPT" "--draws" -- "$R" verify "$ROOT/fixtures/claims/fear.csv" --draws=-1
expect "$OPT" "one of 'text'" -- "$R" verify "$ROOT/fixtures/claims/fear.csv" --format xml
expect "$OPT" "--cutoff" -- "$R" analyze ranking --archive ar --cutoff nan
expect "$OPT" "--trials" -- "$R" analyze ranking --archive ar --trials=0
expect "$OPT" "--bins" -- "$R" analyze ranking --archive ar --bins 10,,50
expect "$OPT" "--runs" -- "$R" synthesize --archive ar --runs=-1
expect "$OPT" "--limit" -- "$R" ls --archive ar --limit=-1

# Train flags are checked as the run spec they build.
expect "$OPT" 'architecture.stages[0].width" = 0' -- "$R" train --archive ar --depths 1 --widths 0 --strides 1
expect "$OPT" 'architecture.stages[1].depth" = 0' -- "$R" train --archive ar --depths 1,0 --widths 8,8 --strides 1,2
expect "$OPT" 'stride" = 3' -- "$R" train --archive ar --depths 1 --widths 8 --strides 3
expect "$OPT" "--bottleneck" -- "$R" train --archive ar --depths 1 --widths 8 --strides 1 --bottleneck=-2
expect "$OPT" 'groupWidth" = 0' -- "$R" train --archive ar --depths 1 --widths 8 --strides 1 --group-width 0
expect "$OPT" 'baseLearningRate" = nan' -- "$R" train --archive ar --lr nan
expect "$OPT" 'training.epochs" = 0' -- "$R" train --archive ar --epochs 0
expect "$OPT" 'seRatio" = -0.5' -- "$R" train --archive ar --se-ratio=-0.5
expect "$OPT" "one of 'res_stem_cifar'" -- "$R" train --archive ar --stem bogus

# Run spec files: every field checked, unknown keys refused, one line naming the file and the field.
good='{"architecture":{"stem":"res_stem_cifar","stemWidth":8,"block":"res_bottleneck_block","stages":[{"depth":1,"width":16,"stride":1,"bottleneckMultiplier":1,"groupWidth":8}],"inputChannels":1,"classes":10},"dataset":{"name":"digits"},"training":{"epochs":1,"batchSize":16},"seed":0}'
run_spec() { echo "${good/$1/$2}" > run.json; expect 2 "$3" -- "$R" train --archive ar --spec run.json; }
run_spec '"width":16' '"width":0' 'run.json: field "architecture.stages[0].width" = 0: must be an integer in 1…4096'
run_spec '"depth":1' '"depth":0' 'field "architecture.stages[0].depth" = 0'
run_spec '{"depth":1,"width":16,"stride":1,"bottleneckMultiplier":1,"groupWidth":8}' '' 'field "architecture.stages" = 0 elements'
run_spec '"groupWidth":8' '"groupWidth":0' 'field "architecture.stages[0].groupWidth" = 0'
run_spec '"stride":1' '"stride":0' 'field "architecture.stages[0].stride" = 0: must be 1 or 2'
run_spec '"bottleneckMultiplier":1' '"bottleneckMultiplier":-1' 'bottleneckMultiplier" = -1'
run_spec '"width":16' '"width":9223372036854775807' 'width" = 9223372036854775807'
run_spec '"name":"digits"' '"name":"digits","testCount":-1' 'field "dataset.testCount" = -1'
run_spec '"seed":0' '"seed":0,"colour":1' 'unknown key "colour"'
run_spec '"batchSize":16' '"batchSize":16,"lr":1' 'unknown key "training.lr"'
run_spec '"stemWidth":8' '"stemWidth":8,"depth":3' 'unknown key "architecture.depth"'

# Study specs: names that become paths, and every field.
study() { sed "s|$1|$2|" "$ROOT/fixtures/studies/tiny.json" > study.json; expect 2 "$3" -- "$R" study run study.json --archive ar --out out; }
study '"name": "tiny"' '"name": "../escape"' 'study.json: field "name" = "../escape"'
study '"family": \["digits", "digits-5", "digits-2"\]' '"family": ["digits", "synthetic-2"]' 'field "family[1]" = "synthetic-2": must be a classSubset'
expect 2 "inside the archive" -- "$R" study run "$ROOT/fixtures/studies/tiny.json" --archive ar --out ar/objects
study '"name": "tiny"' '"name": "/tmp/abs"' 'field "name" = "/tmp/abs"'
study '"name": "tiny"' '"name": ""' 'field "name" = ""'
study '"name": "tiny"' '"name": "a\\nb"' 'field "name" = "a\nb"'
study '"label": "digits-5"' '"label": "../../x"' 'field "datasets[1].label"'
study '"maxDepth": 2' '"maxDepth": 0' 'field "architectures.sampler.maxDepth" = 0'
study '"strides": \[1, 2\]' '"strides": [1, 0]' 'field "architectures.sampler.strides[1]" = 0'
study '"testCount": 200' '"testCount": -200' 'testCount" = -200'
study '"seeds": \[0, 1\]' '"seeds": [0, 1], "seedz": 2' 'unknown key "seedz"'
touch afile
expect "$OPT" "--out" -- "$R" study analyze tiny --archive ar --out afile
expect "$OPT" "--out" -- "$R" study analyze tiny --archive ar --out ""
expect "$OPT" "--output" -- "$R" checkpoint export abcd --archive ar -o .
[ ! -e escape ] && [ ! -e ../escape ] || { echo "FAIL: a file was written outside --out"; failures=$((failures + 1)); }

# Notebooks: any failing command fails its block; CRLF parses as LF; no blocks is an error.
printf '```reprise\nfalse\necho after\n```\n```output\nafter\n```\n' > mid.md
expect 1 "block 1 line 1 (false) exited with status 1" -- "$R" notebook run --check mid.md
printf '```reprise exit=1\nfalse\nfalse\n```\n```output\n```\n' > early.md
expect 1 "block 1 line 1" -- "$R" notebook run --check early.md
printf '# n\r\n\r\n```reprise\r\necho hi\r\n```\r\n```output\r\nhi\r\n```\r\n' > crlf.md
"$R" notebook run --check crlf.md > out.txt 2>&1 && grep -q "1 block ran; unchanged" out.txt \
    || { echo "FAIL: CRLF notebook: $(cat out.txt)"; failures=$((failures + 1)); }
printf '# text only\n' > none.md
expect 2 "no \`\`\`reprise command blocks" -- "$R" notebook run --check none.md

# A command's output cannot close its output block or inject a block (it is fenced by a longer fence); a block whose
# info string only starts with "reprise", or one inside another fenced block, is text, not run.
printf '```reprise\nprintf "\\`\\`\\`\\n\\`\\`\\`reprise\\ntouch INJECTED\\n\\`\\`\\`\\n"\n```\n```output\n```\n' > inject.md
"$R" notebook run inject.md > /dev/null 2>&1; "$R" notebook run inject.md > out.txt 2>&1
cases=$((cases + 1))
if [ -e INJECTED ] || ! grep -q "1 block ran; unchanged" out.txt; then echo "FAIL: notebook output injected a block: $(cat out.txt)"; failures=$((failures + 1)); fi
printf '````md\n```reprise\ntouch NESTED\n```\n````\n```reprisex\ntouch PREFIXED\n```\n```reprise\necho ok\n```\n' > nested.md
"$R" notebook run nested.md > /dev/null 2>&1
cases=$((cases + 1))
if [ -e NESTED ] || [ -e PREFIXED ]; then echo "FAIL: a block that is not a reprise block ran"; failures=$((failures + 1)); fi
printf '```reprise exit=256\ntrue\n```\n' > exit256.md
expect 2 "exit=N with N in 0…255" -- "$R" notebook run exit256.md

# Option values that reach a derived quantity: SE width 0, a kind no run has, a ranking recipe equal to the study's.
expect $OPT "w_se = round(" -- "$R" train --archive ar --stem-width 4 --depths 1 --widths 8 --strides 1 --batch 32 --epochs 1 --se-ratio 0.01
expect $OPT "--kind shortreg: must be train, proxies or synthetic" -- "$R" ls --archive ar --kind shortreg

# Claims: an empty or malformed argument list is a line, never a trap.
mkdir -p claims && printf 'id,paper,location,published,analysis,input,arguments,note\n' > claims/empty.csv
expect 2 "no claims" -- "$R" verify claims/empty.csv
mkdir -p claims && cp "$ROOT/fixtures/published/transfer-appendix-a.csv" claims/t.csv
claim() { printf 'id,paper,location,published,analysis,input,arguments,note\nc,p,l,0.5,%s,t.csv,%s,n\n' "$1" "$2" > claims/c.csv; expect 2 "$3" -- "$R" verify claims/c.csv; }
claim mean 'column=mean()' 'c.csv:2: mean: field "arguments.column" = "mean()"'
claim pearson-r 'x=mean(|); y=imagenet_top1_pct' 'field "arguments.x" = "mean(|)"'
claim adjusted-r2 'y=imagenet_top1_pct; predictors=+' 'field "arguments.predictors" = "+"'
claim mean 'column=mean(imagenet_top1_pct|)' 'field "arguments.column" = "mean(imagenet_top1_pct|)"'
claim pearson-r '' 'needs argument(s) x, y'

echo "check-hostile-inputs: $((cases - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
