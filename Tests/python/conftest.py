import os
import shutil
import subprocess
import sys

import pytest

from positions_dump import write_positions_dump
from report_helpers import REPO, REPORT_RUNS, fourierlens
from tiers import pytest_collection_modifyitems, pytest_configure  # noqa: F401  (the slow tier)


@pytest.fixture(scope="session")
def chromium():
    path = shutil.which("chromium")
    assert path, "chromium is missing: scripts/bootstrap.sh installs Debian's chromium"
    return path


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory):
    """{kind: directory} of every report kind, made once from the demo dump."""
    root = tmp_path_factory.mktemp("reports")
    positions = str(root / "positions.h5")
    write_positions_dump(positions)
    dirs = {}
    for kind, steps in REPORT_RUNS.items():
        dirs[kind] = str(root / kind)
        work = tmp_path_factory.mktemp(f"{kind}-work")
        for i, step in enumerate(steps):
            arguments = [a.format(work=work, positions=positions) for a in step]
            fourierlens(*arguments, *(["--out", dirs[kind], "--quiet"] if i == len(steps) - 1 else []))
    return dirs


@pytest.fixture(scope="session")
def modular_dump(tmp_path_factory):
    """The causal demo's dump, exported here from the committed model (probes/modular): a test
    never reads probes/data/modular_demo.h5, which only `make demo` makes."""
    path = str(tmp_path_factory.mktemp("modular") / "modular.h5")
    subprocess.run([sys.executable, os.path.join(REPO, "probes", "modular", "export_dump.py"), "--out", path],
                   check=True, capture_output=True, text=True)
    return path
