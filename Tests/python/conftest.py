import shutil

import pytest


@pytest.fixture(scope="session")
def chromium():
    path = shutil.which("chromium")
    assert path, "chromium is missing: scripts/bootstrap.sh installs Debian's chromium"
    return path
