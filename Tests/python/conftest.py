import shutil

import pytest

from report_helpers import REPORT_RUNS, fourierlens


@pytest.fixture(scope="session")
def chromium():
    path = shutil.which("chromium")
    assert path, "chromium is missing: scripts/bootstrap.sh installs Debian's chromium"
    return path


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory):
    """{kind: directory} of every report kind, made once from the demo dump."""
    root = tmp_path_factory.mktemp("reports")
    dirs = {}
    for kind, arguments in REPORT_RUNS.items():
        dirs[kind] = str(root / kind)
        fourierlens(*arguments, "--out", dirs[kind], "--quiet")
    return dirs
