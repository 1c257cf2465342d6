"""`fourierlens lens` at GPT-2-XL's sizes (Zhou et al.'s scale): 48 layers x 3 sites (attn_out,
mlp_out, resid_post), N = 3420 prompts, d = 1600, V = 50257, float16 activations, against its
floor: the run's sgemm work, N * 144 * 1600 * 50257 * 2 flops (and the KL reference's rows), at
this machine's raw sgemm rate (`fourierlens benchmark-sgemm` at the lens's block shape), measured
side by side in one run. Then the same workload as a study of 2 lens shards run by the Dask
executor (`run-dask`) on 2 loopback workers, merged, and checked equal byte for byte (every CSV,
summary.json, every dataset of lens_prompts.h5) to the unsharded run.

    .venv/bin/python benchmarks/lens_paper_benchmark.py [--scale 1.0] [--no-dask] [--keep]

--scale multiplies N (the default, 1.0, is the paper's size: a 1.6 GB dump in a temporary
directory, about 80 TFLOP per run). Prints wall time, achieved GFLOP/s beside the raw rate and
their ratio (goal >= 0.85), and peak resident memory (goal < 1 GiB).
"""
import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

from bench_common import run

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, ".."))
TOOL = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))
LAYERS, SITES, D, VOCAB, NUMBERS, PROMPTS = 48, ("attn_out", "mlp_out", "resid_post"), 1600, 50257, 1000, 3420


def make_dump(path, prompts):
    rng = np.random.default_rng(26)
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_U"] = (rng.standard_normal((D, VOCAB), dtype=np.float32) * 0.05).astype(np.float16)
        f["tokens/ids"] = np.arange(NUMBERS) + 200
        f["tokens/values"] = np.arange(NUMBERS)
        f.create_dataset("prompts/answer", data=rng.integers(0, NUMBERS, prompts)).attrs["kind"] = "value"
        for layer in range(LAYERS):
            for site in SITES:
                f[f"acts/blocks.{layer}.hook_{site}"] = rng.standard_normal((prompts, D), dtype=np.float32).astype(np.float16)


def lens_prompt_files_equal(a, b):
    """Every dataset of two lens_prompts.h5 equal element for element (and dtype and shape)."""
    with h5py.File(a) as x, h5py.File(b) as y:
        names = []
        x.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
        other = []
        y.visititems(lambda name, item: other.append(name) if isinstance(item, h5py.Dataset) else None)
        if sorted(names) != sorted(other):
            return False
        for name in names:
            u, v = x[name][...], y[name][...]
            if u.dtype != v.dtype or u.shape != v.shape:
                return False
            if u.dtype.kind == "O" or u.dtype.kind == "S":
                if list(u.ravel()) != list(v.ravel()):
                    return False
            elif u.tobytes() != v.tobytes():
                return False
    return True


def reports_equal(a, b):
    """The merged report equals the unsharded one: every file but timings.json (wall time) and
    lens_prompts.h5 (compared dataset by dataset: its header names its output) byte for byte."""
    skip = {"timings.json", "lens_prompts.h5"}
    names = sorted(set(os.listdir(a)) | set(os.listdir(b)))
    for name in names:
        if name in skip:
            continue
        pa, pb = os.path.join(a, name), os.path.join(b, name)
        if not (os.path.isfile(pa) and os.path.isfile(pb) and filecmp.cmp(pa, pb, shallow=False)):
            return False, name
    return lens_prompt_files_equal(os.path.join(a, "lens_prompts.h5"), os.path.join(b, "lens_prompts.h5")), "lens_prompts.h5"


def merged_lens_report(root):
    """The study's merged lens report: the directory whose lens_prompts.h5 covers every prompt."""
    for directory, _, files in os.walk(root):
        if "lens_prompts.h5" in files and "summary.json" in files:
            with h5py.File(os.path.join(directory, "lens_prompts.h5")) as f:
                header = json.loads(f.attrs["header"])
            if header["prompt_start"] == 0 and header["prompt_end"] == header["prompts_total"] and "shard" not in directory:
                return directory
    return None


def dask_row(work, dump, unsharded):
    sys.path.insert(0, os.path.join(REPO, "Tests", "python"))
    from dask_cluster import ADDRESS, LoopbackCluster, namespaces_possible
    reason = namespaces_possible()
    if reason:
        print(f"  dask shards: skipped ({reason})")
        return
    spec = os.path.join(work, "paper.yaml")
    with open(spec, "w") as f:
        f.write(f"title: Lens at GPT-2-XL sizes\nquestion: Do two shards on Dask merge to the unsharded run?\n"
                f"dumps:\n  paper:\n    path: {dump}\nanalyses:\n  - kind: lens\n    name: lens\n    shards: 2\n")
    out = os.path.join(work, "dask")
    cluster = LoopbackCluster(work).start()
    try:
        start = time.perf_counter()
        done = subprocess.run(cluster.command(sys.executable, "-m", "fourierlens", "run-dask", spec, "--out", out,
                                              "--scheduler", ADDRESS, "--fourierlens", TOOL, "--quiet"),
                              env=cluster.env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    finally:
        cluster.stop()
    if done.returncode != 0:
        sys.exit(f"run-dask failed:\n{done.stderr}")
    merged = merged_lens_report(out)
    if merged is None:
        sys.exit(f"run-dask wrote no merged lens report under {out}")
    equal, where = reports_equal(unsharded, merged)
    print(f"  2 shards on Dask (2 loopback workers, 1 thread each), merged: {seconds:8.1f} s   "
          f"{seconds / unsharded_seconds[0]:.2f}x the unsharded run; merged == unsharded byte for byte: "
          f"{'yes' if equal else 'NO (' + where + ')'}")
    if not equal:
        sys.exit(1)


unsharded_seconds = [1.0]


def raw_rate(rows):
    """OpenBLAS's sgemm rate (GFLOP/s) for rows x 4096 x d, the lens's tile product."""
    return float(subprocess.run([TOOL, "benchmark-sgemm", "--m", str(rows), "--n", "4096", "--k", str(D), "--repeats", "5"],
                                capture_output=True, text=True, check=True).stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies N = 3420 (1.0: the paper's size)")
    parser.add_argument("--no-dask", action="store_true", help="skip the sharded run on Dask")
    parser.add_argument("--keep", action="store_true", help="keep the dump and reports")
    args = parser.parse_args()
    prompts = max(2, round(PROMPTS * args.scale))
    work = tempfile.mkdtemp(prefix="fourierlens-paper-bench-")
    try:
        dump = os.path.join(work, "paper.h5")
        make_dump(dump, prompts)
        out = os.path.join(work, "lens")
        command = [TOOL, "lens", dump, "--out", out, "--force"]
        readouts = LAYERS * len(SITES)
        # The raw rate at the lens's block shape (R * 64 rows at the default budget), the best of
        # measurements just before and just after the run: the floor is the fastest the machine did.
        raw_before = raw_rate(readouts * 64)
        ours = subprocess.run(["/usr/bin/time", "-f", "%e %M", *command], capture_output=True, text=True)
        if ours.returncode != 0:
            sys.exit(ours.stderr)
        seconds, kib = ours.stderr.strip().splitlines()[-1].split()
        seconds = float(seconds)
        unsharded_seconds[0] = seconds
        with open(os.path.join(out, "summary.json")) as f:
            block = json.load(f)["options"]["prompt_block"]
        with open(os.path.join(out, "timings.json")) as f:
            flops = json.load(f)["sgemm_gflop"] * 1e9
        sgemm_rate = float(re.search(r"\(([\d.]+) GFLOP/s\)", ours.stderr).group(1))
        raw = max(raw_before, raw_rate(readouts * block))
        floor = flops / (raw * 1e9)
        achieved = flops / seconds / 1e9
        print(f"logit lens at GPT-2-XL sizes: {LAYERS} layers x {len(SITES)} sites, N={prompts} (scale {args.scale:g}), "
              f"d={D}, V={VOCAB}, float16; block {block} prompts")
        print(f"  sgemm floor     {floor:8.1f} s   ({flops / 1e12:.1f} TFLOP at the raw rate {raw:.1f} GFLOP/s, "
              f"benchmark-sgemm {readouts * block} x 4096 x {D})")
        print(f"  fourierlens     {seconds:8.1f} s   peak RSS {int(kib) / 1024:8.1f} MiB (goal < 1024)")
        print(f"  achieved {achieved:.1f} GFLOP/s end to end = {achieved / raw:.2f} of the raw sgemm rate (goal >= 0.85); "
              f"sgemm inside the lens {sgemm_rate:.1f} GFLOP/s")
        if not args.no_dask:
            dask_row(work, dump, out)
    finally:
        if args.keep:
            print(f"  kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
