import shutil

import pytest

from positions_dump import write_positions_dump
from report_helpers import REPORT_RUNS, fourierlens
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
