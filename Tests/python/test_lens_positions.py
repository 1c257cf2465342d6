"""`lens --every-position` on [N, pos, d] activations: a planted readable answer at one position
shows up there and only there; padded prompts are left out of the positions they lack."""
import csv

import h5py
import numpy as np

from report_helpers import fourierlens

N, POS, D, P = 40, 5, 24, 30


def test_the_layer_by_position_view_finds_the_planted_position(tmp_path):
    rng = np.random.default_rng(7)
    W_U = rng.standard_normal((D, P)).astype(np.float32)
    answers = rng.integers(0, P, N)
    acts = 0.01 * rng.standard_normal((N, POS, D)).astype(np.float32)
    # At position 3 every prompt's activation points at its answer's unembedding column.
    acts[:, 3] = 5 * W_U[:, answers].T
    tokens = np.array([[f"w{j}" for j in range(POS)] for _ in range(N)], dtype=object)
    tokens[:10, 4] = ""  # ten prompts end one token earlier
    acts[:10, 4] = 0
    path = str(tmp_path / "positions.h5")
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["tokens/ids"] = np.arange(P)
        f["tokens/values"] = np.arange(P)
        f["weights/W_U"] = W_U
        f["acts/blocks.0.hook_resid_post"] = acts
        f["acts/blocks.1.hook_resid_post"] = acts
        f["prompts/answer"] = answers
        f.create_dataset("prompts/tokens", data=tokens, dtype=h5py.string_dtype("utf-8"))
    out = tmp_path / "lens"
    fourierlens("lens", path, "--every-position", "--out", str(out), "--quiet")
    with open(out / "lens_positions.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == POS * 2
    for row in rows:
        position = int(row["position"])
        assert row["token"] == f"w{position}"
        assert int(row["prompts"]) == (30 if position == 4 else 40)
        accuracy = float(row["acc_exact"])
        assert accuracy == 1.0 if position == 3 else accuracy < 0.5, row
    assert (out / "lens_positions_resid_post.svg").exists()
    assert "positions_resid_post" in (out / "index.html").read_text()
