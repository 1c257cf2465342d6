#!/usr/bin/env bash
# Proves a change leaves every demo report and study page byte-identical: builds BASE_COMMIT and
# a copy of the working tree (uncommitted edits included) in .build-base, each with its own
# --scratch-path (so editing the tree while this runs changes nothing), runs the demo's reports and
# its two studies (probes/minilm_numbers.yaml, probes/paper_table1.yaml) with each binary on the
# same inputs into the same folder, and diffs the two trees.
#   scripts/reports_identical.sh BASE_COMMIT     exit 0 identical, 1 a difference (listed)
# Both binaries run from the same path (.build-base/bin/fourierlens: a study's command lines name
# it). Left out of the diff: timings.json (wall-clock times); in a study's study.json and
# records/*.json, the fields that say when, where and by which build a task ran (started,
# seconds, host, wall_seconds, hash: the task's cache key, which includes the binary's identity);
# the sgemm timing line of a task's log; the study's cache of file hashes (.content-hashes.json).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
base=$(git rev-parse --verify "${1:?usage: scripts/reports_identical.sh BASE_COMMIT}^{commit}")
work=$root/.build-base
python=$root/.venv/bin/python

# BASE's sources in .build-base/src (extracted again only when BASE changes), built there.
mkdir -p "$work"
if [ "$(cat "$work/src/.commit" 2>/dev/null)" != "$base" ]; then
    rm -rf "$work/src" && mkdir -p "$work/src"
    git archive "$base" | tar -x -C "$work/src"
    echo "$base" > "$work/src/.commit"
fi
echo "reports_identical: building $base in .build-base" >&2
swift build -c release --product fourierlens --package-path "$work/src" --scratch-path "$work/build" >&2
echo "reports_identical: building the working tree" >&2
mkdir -p "$work/tree"
# Tracked and untracked (not ignored) files, copied when changed: unchanged ones keep their times.
"$python" - "$work/tree" <<'PY'
import filecmp, os, shutil, subprocess, sys
tree = sys.argv[1]
listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], capture_output=True, check=True).stdout
files = {name for name in listed.decode().split("\0") if name and os.path.isfile(name)}
for name in files:
    copy = os.path.join(tree, name)
    if not (os.path.isfile(copy) and filecmp.cmp(name, copy, shallow=False)):
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        shutil.copy2(name, copy)
for folder, _, names in os.walk(tree):
    for name in names:
        if os.path.relpath(os.path.join(folder, name), tree) not in files:
            os.remove(os.path.join(folder, name))
PY
swift build -c release --product fourierlens --package-path "$work/tree" --scratch-path "$work/tree-build" >&2
base_bin=$work/build/release/fourierlens
new_bin=$work/tree-build/release/fourierlens
bin=$work/bin/fourierlens
mkdir -p "$work/bin"

# One modular dump for both (made from the committed model, as make demo makes it).
[ -f probes/data/modular_demo.h5 ] || "$python" probes/modular/export_dump.py --out probes/data/modular_demo.h5 --overwrite >&2

# The demo's reports and studies with one binary, into $work/reports (the same path for both).
run_demo() {
    local out=$work/reports
    cp "$1" "$bin"
    rm -rf "$out" && mkdir -p "$out"
    "$bin" run probes/minilm_numbers.yaml --out "$out/minilm_numbers" --quiet
    "$bin" spectrum probes/data/minilm_counts.h5 --dataset /tokens/counts --log --out "$out/minilm-counts-spectrum" --force >/dev/null
    "$bin" spectrum probes/data/modular_demo.h5 --trend-period 0 --out "$out/modular-spectrum" --force >/dev/null
    "$bin" lens probes/data/modular_demo.h5 --norm cached --out "$out/modular-lens" --force >/dev/null
    "$bin" filter probes/data/modular_demo.h5 --keep key --trend-period 0 --fold-final-norm --out "$out/modular-keep-key" --force >/dev/null
    "$bin" filter probes/data/modular_demo.h5 --remove key --trend-period 0 --fold-final-norm --out "$out/modular-remove-key" --force >/dev/null
    "$bin" run probes/paper_table1.yaml --out "$out/paper_table1" --quiet
    "$bin" boolean probes/boolean/majority10.h5 --target majority --columns logit_diff --out "$out/demo-boolean-majority" --force >/dev/null
    "$bin" boolean probes/boolean/parity3of10.h5 --target parity:1,4,7 --columns logit_diff --out "$out/demo-boolean-parity" --force >/dev/null
    # study.json and the task records without the fields that change from run to run or build to build.
    find "$out" -name study.json -o -path '*/records/*.json' | while read -r file; do
        "$python" - "$file" <<'PY'
import json, sys
path = sys.argv[1]
text = open(path).read()
def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in ("started", "seconds", "host", "wall_seconds", "hash")}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node
open(path + ".normalised", "w").write(json.dumps(strip(json.loads(text)), indent=1, sort_keys=False))
PY
        mv "$file.normalised" "$file"
    done
    find "$out" -name timings.json -delete -o -name .content-hashes.json -delete
    find "$out" -path '*/logs/*.err' -exec sed -i '/^sgemm: /d' {} +
}

echo "reports_identical: running the demo with $base" >&2
run_demo "$base_bin"
rm -rf "$work/reports-base" && mv "$work/reports" "$work/reports-base"
echo "reports_identical: running the demo with the working tree" >&2
run_demo "$new_bin"
rm -rf "$work/reports-new" && mv "$work/reports" "$work/reports-new"

files=$(find "$work/reports-new" -type f | wc -l)
if diff -r "$work/reports-base" "$work/reports-new" >"$work/reports.diff"; then
    echo "reports_identical: identical ($files files, $(basename "$base_bin") of ${base:0:7} and the working tree)"
else
    echo "reports_identical: DIFFERENT (diff -r in .build-base/reports.diff):" >&2
    grep -E '^(diff|Only|Binary)' "$work/reports.diff" | head -40 >&2
    exit 1
fi
