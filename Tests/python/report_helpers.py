import os
import subprocess


REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.path.join(REPO, "probes", "data", "minilm_demo.h5")


def tool():
    return os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))


def fourierlens(*args):
    result = subprocess.run([tool(), *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


def headless(chromium, *args):
    """Headless Chromium as root (no sandbox there), no GPU."""
    return subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
                          capture_output=True, text=True, timeout=120)
