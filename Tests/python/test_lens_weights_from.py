"""`lens FILTERED --weights-from SOURCE`: a filtered dump (which carries no readout) read through
its source dump's W_U, final norm and cached scale gives the filter's own accuracy after
filtering, and equals the lens on a dump assembled by hand from the two files — a shard too,
whose cached scales are the source's rows from its first prompt; mismatches are one line."""
import os
import subprocess

import h5py
import numpy as np
import pandas as pd
import pytest

from report_helpers import fourierlens, tool



def assembled(filtered, source, path):
    """The filtered activations with the source's readout, written by h5py."""
    with h5py.File(source) as s, h5py.File(filtered) as f, h5py.File(path, "w") as out:
        for key, value in s.attrs.items():
            out.attrs[key] = value
        for name in ("weights/W_U", "weights/ln_final.w", "weights/ln_final.b", "weights/b_U"):
            if name in s:
                s.copy(s[name], out, name)
        start, end = int(f.attrs["prompt_start"]), int(f.attrs["prompt_end"])
        out["acts/ln_final.hook_scale"] = s["acts/ln_final.hook_scale"][start:end]
        for group in ("acts", "prompts", "tokens"):
            for name in f[group]:
                f.copy(f[f"{group}/{name}"], out, f"{group}/{name}")


@pytest.mark.parametrize("prompts,norm", [(None, "none"), (None, "cached"), ("1000:2000", "cached"), ("500:900", "recompute")])
def test_a_filtered_dump_read_through_its_source(tmp_path, prompts, norm, modular_dump):
    MODULAR = modular_dump
    shard = ["--prompts", prompts] if prompts else []
    fourierlens("filter", MODULAR, "--remove", "high", "--tau", "6", *shard, "--out", str(tmp_path / "f"), "--quiet", "--no-figures")
    filtered = str(tmp_path / "f" / "filtered.h5")
    fourierlens("lens", filtered, "--weights-from", MODULAR, "--norm", norm, "--out", str(tmp_path / "lens"), "--quiet", "--no-figures")
    by_hand = str(tmp_path / "by_hand.h5")
    assembled(filtered, MODULAR, by_hand)
    fourierlens("lens", by_hand, "--norm", norm, "--out", str(tmp_path / "reference"), "--quiet", "--no-figures")
    for name in ("lens_layers.csv", "lens_spectrum.csv"):
        assert open(tmp_path / "lens" / name).read() == open(tmp_path / "reference" / name).read(), name
    if norm == "none":  # the filter reads its activations through W_U alone: its accuracy after is the lens's
        effect = pd.read_csv(tmp_path / "f" / "filter_effect.csv")
        layers = pd.read_csv(tmp_path / "lens" / "lens_layers.csv")
        assert effect["acc_after"].tolist() == layers["acc_exact"].tolist()
        assert effect["acc_after"].min() < effect["acc_before"].max()  # the filter did something


def test_mismatches_are_one_line(tmp_path, modular_dump):
    MODULAR = modular_dump
    fourierlens("filter", MODULAR, "--remove", "high", "--tau", "6", "--out", str(tmp_path / "f"), "--quiet", "--no-figures")
    filtered = str(tmp_path / "f" / "filtered.h5")

    def refused(*arguments, expect):
        done = subprocess.run([tool(), "lens", *arguments, "--out", str(tmp_path / "never"), "--quiet"], capture_output=True, text=True)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and expect in done.stderr, done.stderr
        assert not (tmp_path / "never").exists()

    refused(filtered, expect="pass --weights-from its source dump")
    other = str(tmp_path / "other.h5")
    with h5py.File(MODULAR) as s, h5py.File(other, "w") as out:
        for key, value in s.attrs.items():
            out.attrs[key] = value
        for name in ("weights/W_U", "weights/ln_final.w", "weights/ln_final.b", "tokens/values"):
            s.copy(s[name], out, name)
        out["tokens/ids"] = s["tokens/ids"][...][::-1]  # other number tokens
    refused(filtered, "--weights-from", other, expect="the same /tokens/ids and /tokens/values")
    refused(filtered, "--weights-from", other, "--norm", "cached", expect="/tokens/ids")
    refused(filtered, "--weights-from", MODULAR, "--every-position", expect="does not take --weights-from")
    refused(filtered, "--weights-from", str(tmp_path / "missing.h5"), expect="missing.h5")
