"""The token-text roles end to end through the Swift reader: /vocabulary/strings gives every
top-k token of the lens its text, and both it and /prompts/tokens are checked against the
unembedding and the activations, one clear line each."""
import csv
import json
import os
import subprocess

import h5py
import numpy as np

from report_helpers import REPO, fourierlens

TOOL = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))
VOCAB, D, N, POS = 50, 8, 6, 4


def small_dump(path, vocabulary=VOCAB, prompt_tokens=None, every_position=False):
    rng = np.random.default_rng(3)
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["tokens/ids"] = np.arange(10, 30)
        f["tokens/values"] = np.arange(20)
        f["weights/W_U"] = rng.standard_normal((D, VOCAB)).astype(np.float32)
        shape = (N, POS, D) if every_position else (N, D)
        f["acts/blocks.0.hook_resid_post"] = rng.standard_normal(shape).astype(np.float32)
        f["prompts/answer"] = np.arange(N)
        strings = h5py.string_dtype("utf-8")
        if vocabulary:
            f.create_dataset("vocabulary/strings", data=np.array([f"tok{i}·" for i in range(vocabulary)], dtype=object), dtype=strings)
        if prompt_tokens is not None:
            f.create_dataset("prompts/tokens", data=np.array(prompt_tokens, dtype=object), dtype=strings)
    return path


def problems(path):
    result = subprocess.run([TOOL, "inspect", "--json", path], capture_output=True, text=True)
    return json.loads(result.stdout)["problems"]


def test_lens_topk_shows_every_token_as_text(tmp_path):
    dump = small_dump(str(tmp_path / "d.h5"), prompt_tokens=[f"p{i}" for i in range(N)])
    assert problems(dump) == []
    fourierlens("lens", dump, "--out", str(tmp_path / "lens"), "--top-k", "5", "--quiet")
    with open(tmp_path / "lens" / "lens_topk.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    # lens_topk.csv: the chosen prompt (the middle one) per readout; every prompt's top-k is in lens_prompts.h5.
    with h5py.File(tmp_path / "lens" / "lens_prompts.h5", "r") as f:
        readouts, prompts, k = f["lens/top_token"].shape
        assert (prompts, k) == (N, 5)
        chosen = f["lens/top_token"][:, N // 2, :]
    assert len(rows) == readouts * 5 and all(row["token"] == f"tok{row['token_id']}·" for row in rows)
    assert all(int(row["prompt"]) == N // 2 for row in rows)
    assert sorted(int(row["token_id"]) for row in rows) == sorted(chosen.ravel().tolist())


def test_token_text_roles_are_checked(tmp_path):
    short = small_dump(str(tmp_path / "short.h5"), vocabulary=40)
    assert any("/vocabulary/strings: expected a string for every token id 0..<50" in p for p in problems(short))
    wrong_n = small_dump(str(tmp_path / "n.h5"), prompt_tokens=["a", "b"])
    assert any("/prompts/tokens: expected 6 rows (as the activations)" in p for p in problems(wrong_n))
    grid = [[f"t{i}{j}" for j in range(POS)] for i in range(N)]
    assert problems(small_dump(str(tmp_path / "grid.h5"), prompt_tokens=grid, every_position=True)) == []
    narrow = [row[:3] for row in grid]
    assert any("expected 4 positions" in p for p in problems(small_dump(str(tmp_path / "narrow.h5"), prompt_tokens=narrow,
                                                                         every_position=True)))
    assert any("expected [N] (one token per prompt)" in p for p in problems(small_dump(str(tmp_path / "flat.h5"),
                                                                                          prompt_tokens=grid)))
    with h5py.File(small_dump(str(tmp_path / "numeric.h5"), vocabulary=0), "a") as f:
        f["vocabulary/strings"] = np.arange(VOCAB)
    assert any("/vocabulary/strings: expected strings" in p for p in problems(str(tmp_path / "numeric.h5")))
