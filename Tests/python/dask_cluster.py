"""A real dask.distributed cluster (a scheduler and two one-thread workers) on 127.0.0.1 inside a
network namespace of its own, so nothing it does can reach another address. Commands that talk
to it run inside the namespace too (`LoopbackCluster.command`)."""
import os
import subprocess
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PORT = 8786  # the namespace is new, so the port is free
ADDRESS = f"tcp://127.0.0.1:{PORT}"


def namespaces_possible():
    """None if `ip netns` works here, else why not (a reason for pytest.skip)."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    probe = f"fl-dask-probe-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"ip netns add failed: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "delete", probe], capture_output=True)
    return None


class LoopbackCluster:
    def __init__(self, log_directory, workers=2):
        self.log_directory = str(log_directory)
        self.namespace = f"fl-dask-{os.getpid()}"
        self.workers = workers
        self.processes = []
        self.env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "notebooks-export"), DASK_DISTRIBUTED__WORKER__DAEMON="False")
        self.dask = os.path.join(os.path.dirname(sys.executable), "dask")

    def command(self, *arguments):
        """A command line run inside the namespace."""
        return ["ip", "netns", "exec", self.namespace, *arguments]

    def start(self):
        subprocess.run(["ip", "netns", "add", self.namespace], check=True)
        try:
            subprocess.run(self.command("ip", "link", "set", "lo", "up"), check=True)
            self._spawn("scheduler", "--host", "127.0.0.1", "--port", str(PORT), "--no-dashboard")
            for _ in range(self.workers):
                self._spawn("worker", ADDRESS, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1",
                            "--no-dashboard", "--memory-limit", "0")
            self._wait_for_workers()
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, role, *arguments):
        log = open(os.path.join(self.log_directory, f"{role}-{len(self.processes)}.log"), "w")
        self.processes.append(subprocess.Popen(self.command(self.dask, role, *arguments), env=self.env, cwd=REPO,
                                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def _wait_for_workers(self):
        script = (f"from distributed import Client; c = Client({ADDRESS!r}, timeout=30); "
                  f"c.wait_for_workers({self.workers}, timeout=60); print(' '.join(sorted(c.scheduler_info()['workers'])))")
        done = subprocess.run(self.command(sys.executable, "-c", script), env=self.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"the cluster did not start: {done.stderr[-2000:]}"
        self.worker_addresses = done.stdout.split()

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, 15)
        deadline = time.time() + 10
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
        # Anything still in the namespace (a task's child process) goes with it.
        pids = subprocess.run(["ip", "netns", "pids", self.namespace], capture_output=True, text=True).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), 9)
            except ProcessLookupError:
                pass
        subprocess.run(["ip", "netns", "delete", self.namespace], capture_output=True)
