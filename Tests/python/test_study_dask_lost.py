"""run-dask on a cluster lost mid-study (its scheduler and workers killed with SIGKILL): the
tasks running remotely are stopped with their workers, none goes on writing into the study,
run-dask exits with one line, and a local run then finishes the study to the page of an
uninterrupted one with nothing left behind."""
import os
import signal
import subprocess
import sys
import time

import pytest

from dask_cluster import ADDRESS, LoopbackCluster, namespaces_possible
from report_helpers import tool
from test_study_kill import assert_resumes_to_the_reference, snapshot, task_processes, wait_for, write


@pytest.fixture
def cluster(tmp_path):
    reason = namespaces_possible()
    if reason:
        pytest.skip(reason)
    running = LoopbackCluster(tmp_path).start()
    yield running
    running.stop()


def kill_the_cluster(cluster):
    """SIGKILL every process of the namespace but fourierlens's own (run-dask and the tasks)."""
    for pid in subprocess.run(["ip", "netns", "pids", cluster.namespace], capture_output=True, text=True).stdout.split():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                line = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "fourierlens" not in line:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_a_lost_cluster_stops_its_tasks_and_the_study_resumes(cluster, tmp_path):
    spec = write(str(tmp_path))
    reference = str(tmp_path / "reference")
    subprocess.run([tool(), "run", spec, "--out", reference, "--quiet", "--jobs", "2"], check=True)
    out = str(tmp_path / "out")
    client = subprocess.Popen(cluster.command(sys.executable, "-m", "fourierlens", "run-dask", spec, "--out", out,
                                              "--scheduler", ADDRESS, "--fourierlens", tool(), "--quiet"),
                              env=cluster.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: task_processes(out) != [])
    kill_the_cluster(cluster)
    wait_for(lambda: task_processes(out) == [], timeout=5)
    before = snapshot(out)
    time.sleep(2)
    assert snapshot(out) == before, "nothing writes into the study after its cluster is lost"
    _, errors = client.communicate(timeout=120)
    assert client.returncode != 0 and "Traceback" not in errors, (client.returncode, errors)
    assert len(errors.strip().splitlines()) == 1 and "lost the Dask cluster" in errors, errors
    assert_resumes_to_the_reference(spec, out, reference)
