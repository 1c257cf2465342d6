"""What the benchmarks share: timing one child process and its peak memory."""
import os
import subprocess
import sys
import time


def run(command, env=None):
    """Wall seconds and peak resident memory (MiB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"failed: {' '.join(command[:3])}\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def numpy_environment():
    """The environment without this machine's OpenBLAS core-type settings, which slow a current
    numpy: the reference pipelines run with their fastest kernels."""
    return {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
