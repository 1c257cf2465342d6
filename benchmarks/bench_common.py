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


def print_best(results, reference):
    """Per side the best time and the largest peak over its repeats, then ours against `reference`.
    results: {name: [(seconds, MiB), …]}, with a "fourierlens" entry."""
    best = {name: (min(t for t, _ in runs), max(m for _, m in runs)) for name, runs in results.items()}
    for name, (seconds, memory) in best.items():
        print(f"  {name:15s} {seconds:8.3f} s   peak RSS {memory:8.1f} MiB")
    (t_ref, m_ref), (t_ours, m_ours) = best[reference], best["fourierlens"]
    print(f"  speed-up: {t_ref / t_ours:.1f}x   memory ratio (ours / pipeline): {m_ours / m_ref:.2f}")
