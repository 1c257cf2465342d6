"""A study (`fourierlens run SPEC`) with its tasks run on a Dask cluster instead of this machine.

The Swift command stays the one source of truth: it lists the tasks (--tasks-json), runs each one
on a worker (--task ID --executor dask) and, once all are done, writes the same page and manifest
(a plain `fourierlens run`, which finds every task done). This module only schedules: a task is a
Dask future, and a merge task takes its shard tasks' futures as arguments so Dask orders them.
Every worker must see the study directory, the spec's dumps and the binary at the same paths."""
import asyncio
import concurrent.futures
import json
import logging
import os
import shutil
import subprocess
import sys
import time

from .errors import ExportError

SCHEDULER_TIMEOUT = 10  # seconds to reach the scheduler before giving up with one line
# A Dask nanny sets these to 1 in its workers; a task must sum with the threads the study's own
# environment gives it, or its last digits would differ from the same task run here.
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class TaskFailed(Exception):
    """A task's command exited non-zero on a worker: (task id, exit code, its one line)."""

    def __init__(self, task, code, line):
        super().__init__(task, code, line)
        self.task, self.code, self.line = task, code, line


def find_binary(given=None):
    """--fourierlens, else `fourierlens` on PATH, else FOURIERLENS_BIN, else this checkout's build."""
    if given:
        if not os.access(given, os.X_OK):
            raise ExportError(f"{given}: --fourierlens expected an executable fourierlens binary")
        return os.path.abspath(given)
    repo_build = os.path.join(os.path.dirname(__file__), "..", "..", ".build", "release", "fourierlens")
    for candidate in (shutil.which("fourierlens"), os.environ.get("FOURIERLENS_BIN"), repo_build):
        if candidate and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    raise ExportError("fourierlens: expected the binary on PATH, in FOURIERLENS_BIN or at .build/release/fourierlens "
                      "(build it: swift build -c release --product fourierlens), or give --fourierlens")


def last_line(text):
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def study_command(binary, spec, out, dumps=(), models=(), python=None):
    """`fourierlens run SPEC --out DIR [--dump NAME=PATH ...] [--model NAME=DIR ...] [--python P]`
    with absolute paths, as every worker and the final run give it (each plans the study again,
    so each needs the same options)."""
    if not os.path.isfile(spec):
        raise ExportError(f"{spec}: expected a study spec (YAML); no such file")
    command = [binary, "run", os.path.abspath(spec), "--out", os.path.abspath(out)]
    for option, entries, what in (("--dump", dumps, "a dump of the spec and the file to use"),
                                  ("--model", models, "a model of the spec and the folder to use")):
        for entry in entries:
            name, equals, path = entry.partition("=")
            if not (name and equals and path):
                raise ExportError(f"{option} {entry}: expected NAME=PATH, {what}")
            command += [option, f"{name}={os.path.abspath(path)}"]
    if python is not None:
        command += ["--python", os.path.abspath(python) if os.sep in python else python]
    return command


def list_tasks(study):
    """The study's tasks from the Swift planner; its own complaint (bad spec) passed on as it is."""
    done = subprocess.run(study + ["--tasks-json", "-"], capture_output=True, text=True)
    if done.returncode != 0:
        raise TaskFailed("-", done.returncode, last_line(done.stderr) or "fourierlens run --tasks-json failed")
    return json.loads(done.stdout)


def ordered(tasks):
    """Tasks with each one after its dependencies (the planner's order already is; this checks it)."""
    placed, result, pending = set(), [], list(tasks)
    while pending:
        ready = [t for t in pending if all(d in placed for d in t["dependencies"])]
        if not ready:
            raise ExportError(f"tasks {', '.join(t['id'] for t in pending)}: expected dependencies among the study's tasks")
        for task in ready:
            placed.add(task["id"])
            result.append(task)
        pending = [t for t in pending if t["id"] not in placed]
    return result


def run_task(study, task_id, stop_event, blas, *dependencies):
    """On a worker: one task as its own process; stopped when the study's stop event is set (a
    task failed elsewhere). `dependencies` are the finished shard tasks, only there for the order."""
    from distributed import Event, get_worker

    started = time.time()
    environment = {k: v for k, v in os.environ.items() if k not in blas}
    environment.update({k: v for k, v in blas.items() if v is not None})
    # The task dies with this thread's worker (PR_SET_PDEATHSIG, set by the binary): a worker killed
    # or lost with its job leaves no task running, hence none writing into the study afterwards.
    environment["FOURIERLENS_TASK_PARENT"] = str(os.getpid())
    child = subprocess.Popen(study + ["--task", task_id, "--executor", "dask", "--quiet"], env=environment,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stop = Event(stop_event)
    while True:
        try:
            _, errors = child.communicate(timeout=1)
            break
        except subprocess.TimeoutExpired:
            try:
                stopped = stop.is_set()
            except Exception:  # noqa: BLE001 — the scheduler is gone: the study lost its cluster, stop the task
                stopped = True
            if stopped:
                child.terminate()
    if child.returncode != 0:
        raise TaskFailed(task_id, child.returncode, last_line(errors) or f"task {task_id} exited with {child.returncode}")
    return {"task": task_id, "worker": get_worker().address, "seconds": round(time.time() - started, 3)}


def connect(address=None, cluster=None, timeout=SCHEDULER_TIMEOUT):
    """A client of the scheduler at `address`, or of a cluster this process started."""
    from distributed import Client

    try:
        return Client(cluster if cluster is not None else address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as error:
        raise ExportError(f"--scheduler {address}: expected a Dask scheduler reachable within {timeout} s "
                          f"({last_line(str(error)) or type(error).__name__})") from None


def slurm_cluster(jobs, cores, memory, queue=None, walltime="01:00:00", host=None, log_directory=None):
    """A dask_jobqueue SLURMCluster of `jobs` batch jobs, one worker process of `cores` threads each;
    the jobs' own output goes to `log_directory` (DIR/.slurm-logs), not the current directory."""
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError:
        raise ExportError("--cluster slurm: expected dask-jobqueue installed (pip install 'fourierlens[studies]')") from None
    options = {"cores": cores, "processes": 1, "memory": memory, "walltime": walltime, "queue": queue,
               "log_directory": log_directory}
    if host:  # scheduler and workers on one interface only, e.g. 127.0.0.1 on a single node
        options.update(scheduler_options={"host": host, "dashboard_address": f"{host}:0"}, worker_extra_args=["--host", host])
    cluster = SLURMCluster(**{k: v for k, v in options.items() if v is not None})
    cluster.scale(jobs=jobs)
    return cluster


class Progress:
    """One line per finished task: done / running / left, on stderr."""

    def __init__(self, client, keys, quiet):
        self.client, self.keys, self.quiet, self.done = client, set(keys), quiet, 0

    def finished(self, task_id):
        self.done += 1
        if self.quiet:
            return
        running = sum(1 for keys in self.client.processing().values() for key in keys if key in self.keys)
        left = len(self.keys) - self.done
        print(f"[{self.done}/{len(self.keys)}] {task_id} done; {running} running, {left - running} waiting",
              file=sys.stderr, flush=True)


def submit_all(client, study, tasks, quiet):
    """Every task not done yet as a future; returns {task id: worker address}. On a task's failure,
    the others are cancelled (running ones stopped) and TaskFailed is raised."""
    from distributed import Event, as_completed

    stop_event = f"fourierlens-stop-{os.getpid()}-{time.time_ns()}"
    Event(stop_event, client=client).clear()
    futures = {}
    blas = {name: os.environ.get(name) for name in BLAS_VARIABLES}
    for task in ordered(tasks):
        if task["done"]:
            continue
        dependencies = [futures[d] for d in task["dependencies"] if d in futures]
        futures[task["id"]] = client.submit(run_task, study, task["id"], stop_event, blas, *dependencies,
                                            key=f"{task['id']}-{task['hash'][:16]}", pure=False, retries=0)
    progress = Progress(client, [f.key for f in futures.values()], quiet)
    workers = {}
    for future in as_completed(list(futures.values())):
        if future.status == "error":
            error = future.exception()
            Event(stop_event, client=client).set()
            client.cancel(list(futures.values()))
            if isinstance(error, TaskFailed):
                raise error
            raise TaskFailed(future.key, 1, f"task {future.key} failed on its worker: {last_line(str(error)) or type(error).__name__}")
        result = future.result()
        workers[result["task"]] = result["worker"]
        progress.finished(result["task"])
    return workers


def run_dask(spec, out, scheduler=None, binary=None, cluster_kind=None, jobs=2, cores=1, memory="4GB",
             queue=None, walltime="01:00:00", host=None, timeout=SCHEDULER_TIMEOUT, quiet=False, dumps=(), models=(), python=None):
    """The whole study through Dask; returns the exit code of the final local `fourierlens run`."""
    out = os.path.abspath(out)
    study = study_command(find_binary(binary), spec, out, dumps, models, python)
    listing = list_tasks(study)
    cluster = slurm_cluster(jobs, cores, memory, queue, walltime, host, os.path.join(out, ".slurm-logs")) if cluster_kind == "slurm" else None
    client = connect(scheduler, cluster, timeout)
    try:
        if not quiet:
            left = sum(1 for t in listing["tasks"] if not t["done"])
            print(f"{len(listing['tasks'])} tasks, {left} to run on {len(client.scheduler_info()['workers'])} Dask workers "
                  f"({client.scheduler.address})", file=sys.stderr, flush=True)
        workers = submit_all(client, study, listing["tasks"], quiet)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    record_workers(out, workers)
    return subprocess.run(study + (["--quiet"] if quiet else [])).returncode


def record_workers(out, workers):
    """Which Dask worker ran each task (the records name the host): DIR/.dask-workers.json."""
    path = os.path.join(out, ".dask-workers.json")
    previous = {}
    if os.path.exists(path):
        with open(path) as f:
            previous = json.load(f)
    previous.update(workers)
    with open(path + ".tmp", "w") as f:
        json.dump(previous, f, indent=1, sort_keys=True)
    os.replace(path + ".tmp", path)


def add_parser(sub, formatter):
    parser = sub.add_parser("run-dask", formatter_class=formatter,
                            help="run a study's tasks on a Dask cluster (or Slurm jobs), then write its page",
                            description="Run `fourierlens run SPEC`'s tasks on a Dask cluster: every worker runs "
                                        "`fourierlens run SPEC --task ID`; then the study page and study.json are "
                                        "written here. Workers must see the same paths. See docs/STUDIES.md.")
    parser.add_argument("spec", help="the study spec (YAML)")
    parser.add_argument("--out", required=True, help="the study directory (on a filesystem every worker sees)")
    parser.add_argument("--dump", action="append", default=[], metavar="NAME=PATH",
                        help="replace a dump's path (repeatable), as fourierlens run --dump")
    parser.add_argument("--model", action="append", default=[], metavar="NAME=DIR",
                        help="replace a model's folder for patch tasks (repeatable), as fourierlens run --model")
    parser.add_argument("--python", default=None, help="the Python that runs patch tasks on the workers, as fourierlens run --python")
    parser.add_argument("--scheduler", default=None, help="the Dask scheduler's address, e.g. tcp://127.0.0.1:8786")
    parser.add_argument("--cluster", default=None, choices=("slurm",), help="start a cluster of batch jobs instead")
    parser.add_argument("--slurm", dest="cluster", action="store_const", const="slurm", help="same as --cluster slurm")
    parser.add_argument("--jobs", type=int, default=2, help="Slurm jobs (one Dask worker each)")
    parser.add_argument("--cores", type=int, default=1, help="cores of each Slurm job")
    parser.add_argument("--memory", default="4GB", help="memory of each Slurm job")
    parser.add_argument("--queue", default=None, help="Slurm partition")
    parser.add_argument("--walltime", default="01:00:00", help="time limit of each Slurm job")
    parser.add_argument("--host", default=None, help="the Slurm cluster's scheduler and workers listen on this address only")
    parser.add_argument("--timeout", type=float, default=SCHEDULER_TIMEOUT, help="seconds to reach the scheduler")
    parser.add_argument("--fourierlens", default=None, help="the fourierlens binary (default: on PATH, FOURIERLENS_BIN, "
                                                            "or .build/release/fourierlens)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def main(args, prog):
    """The run-dask subcommand: exit 0, the failed task's exit code with its line, or 2 for bad input."""
    if (args.scheduler is None) == (args.cluster is None):
        print(f"{prog}: run-dask: expected exactly one of --scheduler ADDRESS and --cluster slurm", file=sys.stderr)
        return 2
    for name in ("jobs", "cores"):
        if getattr(args, name) < 1:
            print(f"{prog}: run-dask: --{name} expected a positive count (found {getattr(args, name)})", file=sys.stderr)
            return 2
    # Dask logs a lost connection as tracebacks at ERROR; the study's one line below says it.
    logging.disable(logging.CRITICAL)
    try:
        return run_dask(args.spec, args.out, args.scheduler, args.fourierlens, args.cluster, args.jobs, args.cores,
                        args.memory, args.queue, args.walltime, args.host, args.timeout, args.quiet, args.dump,
                        args.model, args.python)
    except ExportError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    except TaskFailed as failure:
        print(failure.line, file=sys.stderr)
        return failure.code
    except (Exception, asyncio.CancelledError, concurrent.futures.CancelledError) as error:  # noqa: BLE001
        # The scheduler went away mid-study (OSError, a cancelled future, the client's own errors);
        # finished tasks are kept.
        print(f"{prog}: run-dask: lost the Dask cluster ({last_line(str(error)) or type(error).__name__}); "
              f"run again to resume", file=sys.stderr)
        return 1
