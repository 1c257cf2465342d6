"""`fourierlens run` never deletes, overwrites or mixes what the user had, and never hangs or
traps on a spec: symbolic links in a study directory, folders that are not a study's, a
different spec over an existing study, --tasks-json over an input, option names that carry a
value, huge grids, device files as dumps and out-of-range numbers are each refused with one
line and exit 2, in seconds, the user's files untouched."""
import json
import os
import subprocess
import time

import h5py
import numpy as np
import pytest

from report_helpers import tool


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("safety") / "dump.h5")
    rng = np.random.default_rng(5)
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f.attrs["d_model"] = 8
        f["weights/W_E"] = rng.standard_normal((20, 8)).astype(np.float32)
        f["tokens/ids"] = np.arange(20)
        f["tokens/values"] = np.arange(20)
    return path


def spec(folder, dump, analyses="[{kind: spectrum, options: {permutations: 20}}]", name="study.yaml", title="Safety"):
    path = os.path.join(str(folder), name)
    with open(path, "w") as f:
        f.write(f"title: {title}\ndumps: {{d: {{path: {dump}}}}}\nanalyses: {analyses}\n")
    return path


def run(*args):
    started = time.monotonic()
    result = subprocess.run([tool(), "run", *args], capture_output=True, text=True, timeout=60)
    result.seconds = time.monotonic() - started
    return result


def refused(*args, fragment):
    result = run(*args)
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fourierlens: ") and fragment in lines[0], result.stderr
    assert result.seconds < 20, f"refused at once, not after {result.seconds:.0f} s"
    return lines[0]


def tree(folder):
    return sorted((root, tuple(sorted(dirs)), tuple(sorted(files))) for root, dirs, files in os.walk(folder))


@pytest.mark.parametrize("folder", ["tasks", "records", "logs"])
def test_a_symlinked_study_folder_is_never_followed(dump, tmp_path, folder):
    study = spec(tmp_path, dump)
    out = str(tmp_path / "out")
    assert run(study, "--out", out, "--quiet").returncode == 0
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("mine")
    os.rename(os.path.join(out, folder), str(tmp_path / "moved"))
    os.symlink(str(victim), os.path.join(out, folder))
    refused(study, "--out", out, fragment="symbolic link")
    assert (victim / "precious.txt").read_text() == "mine" and os.listdir(victim) == ["precious.txt"]


@pytest.mark.parametrize("content", ["index", "tasks", "study.json", "hidden"])
def test_a_folder_that_is_not_a_study_is_kept(dump, tmp_path, content):
    out = tmp_path / "theirs"
    out.mkdir()
    if content == "index":
        (out / "index.html").write_text("<p>my page</p>")
    elif content == "tasks":
        (out / "tasks").mkdir()
        (out / "tasks" / "notes.txt").write_text("mine")
    elif content == "study.json":
        (out / "study.json").write_text(json.dumps({"tool": "another", "tasks": []}))
    else:
        (out / ".config").write_text("mine")
    before = tree(out)
    refused(spec(tmp_path, dump), "--out", str(out), fragment="and is kept")
    assert tree(out) == before


def test_a_different_spec_does_not_delete_task_reports_without_force(dump, tmp_path):
    out = str(tmp_path / "out")
    assert run(spec(tmp_path, dump, name="a.yaml"), "--out", out, "--quiet").returncode == 0
    other = spec(tmp_path, dump, "[{kind: spectrum, name: other, options: {permutations: 20}}]", name="b.yaml")
    refused(other, "--out", out, fragment="pass --force")
    assert os.listdir(os.path.join(out, "tasks")) == ["spectrum.d.W_E"]
    assert run(other, "--out", out, "--quiet", "--force").returncode == 0
    assert os.listdir(os.path.join(out, "tasks")) == ["other.d.W_E"]


def test_the_same_spec_edited_drops_the_tasks_it_no_longer_has(dump, tmp_path):
    """The documented resume: an edited spec recomputes what changed and drops what it lost."""
    out = str(tmp_path / "out")
    study = spec(tmp_path, dump, "[{kind: spectrum, options: {permutations: 20}}, {kind: probe, options: {folds: 2, probes: value}}]")
    assert run(study, "--out", out, "--quiet").returncode == 0
    spec(tmp_path, dump)
    assert run(study, "--out", out, "--quiet").returncode == 0
    assert os.listdir(os.path.join(out, "tasks")) == ["spectrum.d.W_E"]


def test_a_study_made_before_the_marker_resumes(dump, tmp_path):
    study = spec(tmp_path, dump)
    out = str(tmp_path / "out")
    assert run(study, "--out", out, "--quiet").returncode == 0
    os.remove(os.path.join(out, ".fourierlens-study"))
    result = run(study, "--out", out)
    assert result.returncode == 0 and "0 computed, 1 reused" in result.stdout, result.stderr


def test_tasks_json_never_overwrites_an_input_or_without_force_a_file(dump, tmp_path):
    study = spec(tmp_path, dump)
    out = str(tmp_path / "out")
    kept = {path: open(path, "rb").read() for path in [study, dump]}
    for target in [study, dump]:
        for force in [[], ["--force"]]:
            refused(study, "--out", out, "--tasks-json", target, *force, fragment="own input")
    existing = tmp_path / "tasks.json"
    existing.write_text("mine")
    refused(study, "--out", out, "--tasks-json", str(existing), fragment="exists and is kept")
    assert existing.read_text() == "mine"
    assert run(study, "--out", out, "--tasks-json", str(existing), "--force").returncode == 0
    assert json.loads(existing.read_text())["tasks"][0]["id"] == "spectrum.d.W_E"
    assert {path: open(path, "rb").read() for path in kept} == kept


@pytest.mark.parametrize("options", ['{"prompts=0:5": true}', '{"out /tmp/x": true}', '{"Top": 3}'])
def test_an_option_name_carrying_a_value_is_refused(dump, tmp_path, options):
    study = spec(tmp_path, dump, f"[{{kind: lens, options: {options}}}]")
    refused(study, "--dry-run", "--out", str(tmp_path / "out"), fragment="an option's name")


def test_a_huge_grid_or_spec_is_refused_before_expansion(dump, tmp_path):
    grid = ", ".join(f"o{i}: [{', '.join(str(v) for v in range(10))}]" for i in range(6))
    study = spec(tmp_path, dump, f"[{{kind: spectrum, grid: {{{grid}}}}}]")
    refused(study, "--dry-run", "--out", str(tmp_path / "out"), fragment="at least 1000000")
    many = "[" + ", ".join("{kind: spectrum}" for _ in range(20000)) + "]"
    refused(spec(tmp_path, dump, many, name="many.yaml"), "--dry-run", "--out", str(tmp_path / "out"), fragment="at most 10000 tasks")
    refused(study, "--dry-run", "--out", str(tmp_path / "out"), "--max-tasks", "0", fragment="--max-tasks takes")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "fifo"])
def test_a_device_or_fifo_as_a_dump_is_refused_at_once(tmp_path, device):
    if device == "fifo":
        device = str(tmp_path / "fifo")
        os.mkfifo(device)
    refused(spec(tmp_path, device, "[{kind: lens}]"), "--dry-run", "--out", str(tmp_path / "out"), fragment=device)


@pytest.mark.parametrize("option", [["--memory", "1e300"], ["--memory", "nan"], ["--memory", "inf"], ["--memory", "-1"],
                                    ["--jobs", "1000000000"], ["--jobs", "99999999999999999999"], ["--max-tasks", "-5"]])
def test_numeric_options_are_range_checked(dump, tmp_path, option):
    refused(spec(tmp_path, dump), "--out", str(tmp_path / "out"), *option, fragment=option[0])
    assert not os.path.exists(tmp_path / "out")


@pytest.mark.parametrize("out", ["/dev/null/study", "/proc/study", "{dump}/study"])
def test_an_out_path_that_cannot_be_a_folder_is_one_plain_line(dump, tmp_path, out):
    line = refused(spec(tmp_path, dump), "--out", out.format(dump=dump), "--quiet", fragment="a study directory that can be made there")
    assert "NSCocoaErrorDomain" not in line and "Error Domain" not in line
