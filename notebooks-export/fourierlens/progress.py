"""A progress bar on stderr (when asked), and the percentage in $FOURIERLENS_PROGRESS_FILE, which a
study's runner shows for its running tasks."""
import os
import sys


def show(label, done, total, enabled):
    path = os.environ.get("FOURIERLENS_PROGRESS_FILE")
    if path:
        try:
            with open(path, "w") as f:
                f.write(f"{100 * done // max(total, 1)}\n")
        except OSError:
            pass
    if enabled:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
