"""What the benchmarks share: timing one child process and its peak memory."""
import os
import subprocess
import sys
import time


def run(command, env=None):
    """Wall seconds and peak resident memory (MiB) of one child process. The peak is taken by
    /usr/bin/time, whose own child is forked from a small process: a child spawned straight from
    this Python (vfork) would report this process's peak as its own."""
    start = time.perf_counter()
    process = subprocess.run(["/usr/bin/time", "-f", "%M", *command], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        sys.exit(f"failed: {' '.join(command[:3])}\n{process.stderr}")
    return elapsed, int(process.stderr.strip().splitlines()[-1]) / 1024


def numpy_environment():
    """The environment without this machine's OpenBLAS core-type settings, which slow a current
    numpy: the reference pipelines run with their fastest kernels."""
    return {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
