"""The demo study (probes/minilm_numbers.yaml) run here (`fourierlens run`) and through
`run-dask` on a two-worker Dask cluster on loopback (one thread each, in a network namespace of
its own; needs root), each into a fresh directory; prints both wall times.
Usage: .venv/bin/python benchmarks/study_dask_benchmark.py [SPEC]"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Tests", "python"))
from dask_cluster import ADDRESS, REPO, LoopbackCluster, namespaces_possible  # noqa: E402


def timed(command, env=None):
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command[:6])}\n{done.stderr}")
    return time.perf_counter() - start


def main():
    spec = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "probes", "minilm_numbers.yaml"))
    binary = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))
    reason = namespaces_possible()
    if reason:
        sys.exit(f"study_dask_benchmark: {reason}")
    work = tempfile.mkdtemp(prefix="fl-study-bench-")
    try:
        local = timed([binary, "run", spec, "--out", os.path.join(work, "local"), "--quiet"])
        cluster = LoopbackCluster(work).start()
        try:
            dask = timed(cluster.command(sys.executable, "-m", "fourierlens", "run-dask", spec, "--out",
                                         os.path.join(work, "dask"), "--scheduler", ADDRESS, "--fourierlens", binary,
                                         "--quiet"), env=cluster.env)
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{os.path.basename(spec)}: fourierlens run {local:.1f} s; run-dask on 2 loopback workers "
          f"(1 thread each) {dask:.1f} s (cluster already up)")


if __name__ == "__main__":
    main()
