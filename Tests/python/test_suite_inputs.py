"""The suite runs on a clean clone (CI runs `make test` without `make demo`): every repository
file a test names must be in git, not something only `make demo` or a local run makes."""
import glob
import os
import re
import subprocess

from report_helpers import REPO

JOINED = re.compile(r'os\.path\.join\(REPO,\s*((?:"[^"]+",\s*)*"[^"]+")\)')
BUILT = (".build",)  # `make test` builds these before the suite runs


def named_paths(source):
    for match in JOINED.finditer(source):
        parts = re.findall(r'"([^"]+)"', match.group(1))
        if "*" not in "".join(parts) and not parts[0].startswith(BUILT):
            yield os.path.join(*parts)


def test_every_repository_file_a_test_names_is_tracked():
    tracked = set(subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split())
    folders = {os.path.dirname(path) for path in tracked}
    folders |= {parent for folder in folders for parent in _parents(folder)}
    sources = glob.glob(os.path.join(REPO, "Tests", "python", "*.py")) + glob.glob(os.path.join(REPO, "notebooks-export", "tests", "*.py"))
    untracked = sorted({(os.path.relpath(source, REPO), path) for source in sources
                        for path in named_paths(open(source).read()) if path not in tracked and path not in folders})
    assert not untracked, f"tests read files that a clean clone lacks: {untracked}"


def test_the_check_finds_an_untracked_demo_product():
    line = "os.path.join(REPO, " + '"probes", "data", "modular_demo.h5")'  # split so this file names nothing
    assert list(named_paths(line)) == ["probes/data/modular_demo.h5"]


def _parents(folder):
    while folder:
        folder = os.path.dirname(folder)
        yield folder
