"""Every code block of README.md, docs/*.md and notebooks-export/README.md marked
`<!-- runnable -->` (on the line before its fence) runs as written: a file's marked blocks in
order, in one scratch folder that sees the checkout's probes/, Python blocks in this
interpreter, sh blocks in bash with `fourierlens` and this Python on PATH. A marked block that
fails is a doc that lies."""
import glob
import os
import re
import subprocess
import sys

import pytest

from report_helpers import REPO, tool

DOCS = [os.path.join(REPO, "README.md"), os.path.join(REPO, "notebooks-export", "README.md"),
        *sorted(glob.glob(os.path.join(REPO, "docs", "*.md")))]
BLOCK = re.compile(r"<!-- runnable -->\n```(python|sh)\n(.*?)\n```", re.S)


def runnable_blocks(path):
    text = open(path, encoding="utf-8").read()
    return [(match.group(1), match.group(2), text[:match.start()].count("\n") + 2) for match in BLOCK.finditer(text)]


FILES = [path for path in DOCS if runnable_blocks(path)]


def test_the_docs_mark_their_examples():
    # The marker is what puts an example under test: losing it silently would untest it.
    assert sum(len(runnable_blocks(path)) for path in FILES) >= 5, FILES


@pytest.mark.parametrize("path", FILES, ids=[os.path.relpath(p, REPO) for p in FILES])
def test_the_marked_examples_run(path, tmp_path):
    os.symlink(os.path.join(REPO, "probes"), tmp_path / "probes")
    bin_dir = tmp_path / ".bin"
    bin_dir.mkdir()
    os.symlink(tool(), bin_dir / "fourierlens")
    path_variable = os.pathsep.join([str(bin_dir), os.path.dirname(sys.executable), os.environ["PATH"]])
    env = {**os.environ, "PATH": path_variable, "FOURIERLENS_BIN": tool(), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": os.path.join(REPO, "notebooks-export")}
    for language, code, line in runnable_blocks(path):
        command = [sys.executable, "-c", code] if language == "python" else ["bash", "-euo", "pipefail", "-c", code]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{os.path.relpath(path, REPO)}:{line}\n{done.stderr[-3000:]}"
