"""The lens and the filter stream: their peak resident memory does not grow with the number of
prompts (8× more prompts, the same readouts and vocabulary: at most 20% more memory), while
their per-prompt files do hold every prompt."""
import os
import subprocess

import h5py
import numpy as np
import pytest

from report_helpers import tool

D, V, P, LAYERS = 256, 3000, 100, 6


def make_dump(path, n):
    rng = np.random.default_rng(3)
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_U"] = (rng.standard_normal((D, V)) * 0.1).astype(np.float16)
        f["tokens/ids"] = np.arange(P) + 500
        f["tokens/values"] = np.arange(P)
        f.create_dataset("prompts/answer", data=rng.integers(0, P, n)).attrs["kind"] = "value"
        for layer in range(LAYERS):
            f[f"acts/blocks.{layer}.hook_resid_post"] = rng.standard_normal((n, D), dtype=np.float32).astype(np.float16)


def peak_mib(*args):
    """Peak resident memory of one run, measured by /usr/bin/time (a child spawned straight from
    pytest would report pytest's own peak)."""
    result = subprocess.run(["/usr/bin/time", "-f", "%M", tool(), *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return int(result.stderr.strip().splitlines()[-1]) / 1024


@pytest.mark.parametrize("command", [["lens"], ["filter", "--remove", "high", "--tau", "10"]])
def test_peak_memory_does_not_grow_with_prompts(tmp_path, command):
    peaks = {}
    for n in (2_000, 16_000):
        dump = str(tmp_path / f"d{n}.h5")
        make_dump(dump, n)
        out = str(tmp_path / f"{command[0]}{n}")
        peaks[n] = peak_mib(command[0], dump, *command[1:], "--out", out, "--quiet", "--no-figures")
        name = "lens_prompts.h5" if command[0] == "lens" else "filter_prompts.h5"
        with h5py.File(os.path.join(out, name), "r") as f:
            assert len(f["prompts/index"]) == n
    # 8x the prompts: the activations alone would take 7 x 6 x 256 x 4 x 2000 B = 86 MB more.
    assert peaks[16_000] <= 1.2 * peaks[2_000], peaks
