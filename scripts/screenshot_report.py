"""The top of a report page as a newcomer sees it, rendered by headless Chromium to a PNG.

    .venv/bin/python scripts/screenshot_report.py REPORT_DIR OUT.png [WIDTH HEIGHT]

Used for docs/images/lens_page.png (the README's picture of `make demo`'s lens report). The PNG
is reduced to a 256-colour palette (Pillow) so it stays small enough to keep in the repository.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from PIL import Image


def screenshot(report, out, width=1100, height=900):
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("screenshot_report: chromium is not on PATH (scripts/bootstrap.sh installs Debian's chromium)")
    page = os.path.join(os.path.abspath(report), "index.html")
    if not os.path.exists(page):
        sys.exit(f"screenshot_report: {page} does not exist: expected a report directory")
    with tempfile.TemporaryDirectory() as profile:
        raw = os.path.join(profile, "shot.png")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--screenshot={raw}",
                        f"file://{page}"], check=True, capture_output=True, timeout=120)
        Image.open(raw).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    screenshot(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:5]))
