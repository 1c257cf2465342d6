"""The keys of each report kind's summary.json, as the Swift types (FourierLens's
`SpectrumReport.Summary`, `CompareReport.Summary`, `ProbeReport.Summary`, `LensReport.Summary`,
`FilterReport.Summary`, `BooleanReport.Summary`) write them: runs each command on the committed
demo inputs, with the options that add the optional parts, and lists every key path
("a.outliers[].k"). docs/summary_keys.json holds the list; Tests/python/test_summary_keys.py
checks it against the binary, reports.py and docs/REPORTS.md.

    FOURIERLENS_BIN=.build/release/fourierlens .venv/bin/python scripts/summary_keys.py > docs/summary_keys.json
"""
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DEMO = os.path.join(REPO, "probes", "data", "minilm_demo.h5")
COUNTS = os.path.join(REPO, "probes", "data", "minilm_counts.h5")
BOOLEAN = os.path.join(REPO, "probes", "boolean", "majority10.h5")
PROBES = ["--probes", "value,mod2,helix,fourier", "--pca-dimensions", "16"]

#: Per kind, the runs whose summaries together hold every key (an optional part in one of them).
RUNS = {
    "spectrum": [["spectrum", DEMO, "--counts", COUNTS, "--control-frequency", "--permutations", "20"],
                 ["spectrum", DEMO, "--dataset", "/acts/blocks.1.hook_resid_post", "--permutations", "20"]],
    "compare": [["compare", DEMO, "--random", "gaussian", "--permutations", "20", *PROBES]],
    "probe": [["probe", DEMO, "--site", "resid_post", "--layers", "0-1", *PROBES], ["probe", DEMO, *PROBES]],
    "lens": [["lens", DEMO]],
    "filter": [["filter", DEMO, "--remove", "high", "--tau", "10", "--layers", "0-1"]],
    "boolean": [["boolean", BOOLEAN, "--target", "majority"]],
}


def key_paths(node, prefix=""):
    """Every key path of a JSON value: objects' keys joined by ".", a list's elements as "[]"."""
    paths = set()
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= key_paths(value, path)
    elif isinstance(node, list):
        for value in node:
            paths |= key_paths(value, prefix + "[]")
    return paths


def summary_keys(binary):
    keys = {}
    with tempfile.TemporaryDirectory() as work:
        for kind, runs in RUNS.items():
            paths = set()
            for index, arguments in enumerate(runs):
                out = os.path.join(work, f"{kind}-{index}")
                result = subprocess.run([binary, *arguments, "--out", out, "--no-figures", "--quiet"], capture_output=True, text=True)
                if result.returncode != 0:
                    raise RuntimeError(f"{' '.join(arguments)}: {result.stderr}")
                with open(os.path.join(out, "summary.json")) as f:
                    paths |= key_paths(json.load(f))
            keys[kind] = sorted(paths)
    return keys


if __name__ == "__main__":
    binary = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))
    json.dump(summary_keys(binary), sys.stdout, indent=1)
    sys.stdout.write("\n")
