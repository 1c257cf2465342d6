"""summary.json's keys are one contract: docs/summary_keys.json lists what the Swift summary
types write (scripts/summary_keys.py runs each command); a key renamed, added or dropped in
Swift fails here until the list, docs/REPORTS.md and reports.py agree with it."""
import json
import os
import re
import sys

from report_helpers import REPO, tool

sys.path.insert(0, os.path.join(REPO, "scripts"))
import summary_keys  # noqa: E402

KEYS_FILE = os.path.join(REPO, "docs", "summary_keys.json")

#: Keys docs/REPORTS.md documents that the demo runs cannot write (their input lacks the case),
#: each with the Swift property that writes it.
NOT_IN_THE_DEMO = {
    ("spectrum", "input.layer"): ("SpectrumReport.swift", "layer: Int?"),
    ("spectrum", "rows_per_number"): ("SpectrumReport.swift", "rows_per_number: [Int]?"),
    ("spectrum", "options.tau"): ("SpectrumRun.swift", "public var tau: Int? = nil"),
}


def committed():
    with open(KEYS_FILE) as f:
        return json.load(f)


def test_the_binary_writes_exactly_the_committed_keys():
    written, listed = summary_keys.summary_keys(tool()), committed()
    assert written.keys() == listed.keys()
    for kind in listed:
        added, dropped = sorted(set(written[kind]) - set(listed[kind])), sorted(set(listed[kind]) - set(written[kind]))
        assert not added and not dropped, (
            f"{kind}'s summary.json: keys written but not in docs/summary_keys.json {added}, listed but no longer written {dropped}; "
            "if the change is meant, regenerate the list (scripts/summary_keys.py) and update docs/REPORTS.md and reports.py")


def documented():
    """docs/REPORTS.md's summary.json section: per kind, the key paths of its tables' first column."""
    with open(os.path.join(REPO, "docs", "REPORTS.md")) as f:
        text = f.read()
    section = text.split("\n## summary.json\n", 1)[1].split("\n## ", 1)[0]
    keys = {}
    for part in section.split("\n### ")[1:]:
        kind = re.match(r"`(\w+)`", part).group(1)
        # "outliers[]" documents the list "outliers" (its elements' keys follow in the text).
        keys[kind] = {key.removesuffix("[]") for line in part.splitlines() if line.startswith("| `")
                      for key in re.findall(r"`([a-z_.\[\]]+)`", line.split("|")[1])}
    return keys


def test_every_key_docs_reports_md_documents_is_written():
    listed = committed()
    documented_keys = documented()
    assert {"spectrum", "probe", "compare", "patch"} <= documented_keys.keys()
    for kind, keys in documented_keys.items():
        if kind not in listed:
            continue
        for key in sorted(keys):
            if key in listed[kind]:
                continue
            assert (kind, key) in NOT_IN_THE_DEMO, f"docs/REPORTS.md documents {kind}'s `{key}`, which summary.json does not have"
            source, property_text = NOT_IN_THE_DEMO[(kind, key)]
            path = next(os.path.join(folder, source) for folder, _, files in os.walk(os.path.join(REPO, "Sources")) if source in files)
            assert property_text in open(path).read(), f"{kind}'s `{key}`: {source} no longer declares {property_text}"


def test_the_summary_keys_the_python_package_reads_are_written():
    """reports.py and the package's README read summary["KEY"]: each key is a summary's."""
    every = {key for keys in committed().values() for key in keys}
    read = set()
    for path in ("notebooks-export/fourierlens/reports.py", "notebooks-export/README.md"):
        with open(os.path.join(REPO, path)) as f:
            read |= set(re.findall(r"""\["summary"\]\["(\w+)"\]""", f.read()))
    assert read, "reports.py names no summary key"
    assert read <= every, f"summary keys read but never written: {sorted(read - every)}"


def test_the_patch_summary_swift_reads_is_what_the_python_writer_writes():
    """`fourierlens patch` is Python: each key of the Swift PatchSummary is in patch_report.py's summary."""
    swift = open(os.path.join(REPO, "Sources", "FourierLens", "Report", "PatchSummary.swift")).read()
    keys = {key for declaration in re.findall(r"public let ([^\n]+)", swift) for key in re.findall(r"(\w+):", declaration)}
    assert {"chance", "numbers", "prompts"} <= keys
    writer = open(os.path.join(REPO, "notebooks-export", "fourierlens", "patch_report.py")).read()
    for key in keys:
        assert f'"{key}"' in writer, f"PatchSummary.{key} is not a key patch_report.py writes"
    assert keys <= documented()["patch"]
