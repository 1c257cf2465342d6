"""Shards and merge: `lens` and `filter` over --prompts START:END, merged by `fourierlens merge`,
equal the unsharded run — CSVs byte for byte, every HDF5 dataset element for element — for
several splits (block-aligned or not, a one-prompt shard, shards given out of order); and a
merge of shards that do not belong together is refused with one line."""
import json
import os
import subprocess

import h5py
import numpy as np
import pytest

from report_helpers import fourierlens, tool

N, D, V, P, LAYERS = 150, 64, 300, 60, 3  # N is a multiple of neither block size (64, 256)
SPLITS = [[(0, 1), (1, N)], [(0, 64), (64, N)], [(0, 37), (37, 100), (100, N)], [(0, N - 1), (N - 1, N)]]


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("shards") / "dump.h5")
    rng = np.random.default_rng(11)
    k = np.arange(P)
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f.attrs["d_model"] = D
        f["weights/W_U"] = (rng.standard_normal((D, V)) * 0.3).astype(np.float16)
        f["weights/b_U"] = (rng.standard_normal(V) * 0.1).astype(np.float32)
        norm = f.create_dataset("weights/ln_final.w", data=(1 + 0.1 * rng.standard_normal(D)).astype(np.float32))
        norm.attrs["kind"], norm.attrs["eps"] = "layernorm", 1e-5
        f["weights/ln_final.b"] = (0.1 * rng.standard_normal(D)).astype(np.float32)
        f["tokens/ids"] = k + 100
        f["tokens/values"] = k
        answers = rng.integers(0, P, N)
        answers[5] = 10_000  # an answer that is not a number token: skipped and counted
        f.create_dataset("prompts/answer", data=answers).attrs["kind"] = "value"
        f["acts/ln_final.hook_scale"] = (1 + rng.random(N)).astype(np.float32)
        helix = np.stack([np.cos(2 * np.pi * answers / 10), np.sin(2 * np.pi * answers / 10)], axis=1)
        for layer in range(LAYERS):
            for site in ("attn_out", "mlp_out", "resid_post"):
                x = rng.standard_normal((N, D)) + layer * np.pad(helix, ((0, 0), (0, D - 2)))
                f[f"acts/blocks.{layer}.hook_{site}"] = x.astype(np.float16)
    return path


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[...]) if isinstance(obj, h5py.Dataset) else None)
    return out


def assert_same_report(full, merged, csvs, h5s):
    for name in csvs:
        with open(os.path.join(full, name), "rb") as a, open(os.path.join(merged, name), "rb") as b:
            assert a.read() == b.read(), name
    for name in h5s:
        a, b = datasets(os.path.join(full, name)), datasets(os.path.join(merged, name))
        assert sorted(a) == sorted(b), name
        for key in a:
            assert a[key].dtype == b[key].dtype and a[key].shape == b[key].shape, (name, key)
            if a[key].dtype.kind == "f":
                assert np.array_equal(a[key], b[key], equal_nan=True), (name, key)
            else:
                assert np.array_equal(a[key], b[key]), (name, key)


def lens_full_shards_merged(dump, tmp_path, split):
    """The lens over every prompt, over the shards of `split`, and their merge: the three folders."""
    full = str(tmp_path / "full")
    fourierlens("lens", dump, "--out", full, "--quiet", "--no-figures")
    shards = []
    for start, end in split:
        shards.append(str(tmp_path / f"shard{start}"))
        fourierlens("lens", dump, "--prompts", f"{start}:{end}", "--out", shards[-1], "--quiet", "--no-figures")
    merged = str(tmp_path / "merged")
    fourierlens("merge", *shards, "--out", merged, "--quiet", "--no-figures")
    return full, shards, merged


@pytest.mark.parametrize("norm", ["none", "cached", "recompute"])
def test_merged_lens_shards_equal_the_unsharded_lens(dump, tmp_path, norm):
    full = str(tmp_path / "full")
    fourierlens("lens", dump, "--norm", norm, "--top-k", "7", "--out", full, "--quiet", "--no-figures")
    with h5py.File(os.path.join(full, "lens_prompts.h5"), "r") as f:
        assert f["lens/number_logits"].shape == (3 * LAYERS, N, P)
        assert f["lens/top_token"].shape == (3 * LAYERS, N, 7)
        assert list(f["prompts/index"][...]) == list(range(N))
    for s, split in enumerate(SPLITS):
        shards = []
        for start, end in reversed(split):  # out of order on purpose
            out = str(tmp_path / f"s{s}-{start}")
            fourierlens("lens", dump, "--norm", norm, "--top-k", "7", "--prompts", f"{start}:{end}", "--out", out, "--quiet", "--no-figures")
            shards.append(out)
        merged = str(tmp_path / f"merged{s}")
        fourierlens("merge", *shards, "--out", merged, "--quiet", "--no-figures")
        assert_same_report(full, merged, ["lens_layers.csv", "lens_topk.csv", "lens_spectrum.csv", "summary.json", "index.html"],
                           ["lens_prompts.h5"])
        assert sorted(os.listdir(full)) == sorted(os.listdir(merged))


@pytest.mark.parametrize("removed,tau", [("high", 6), ("low", 4)])
def test_merged_filter_shards_equal_the_unsharded_filter(dump, tmp_path, removed, tau):
    full = str(tmp_path / "full")
    fourierlens("filter", dump, "--remove", removed, "--tau", str(tau), "--out", full, "--quiet", "--no-figures")
    for s, split in enumerate(SPLITS):
        shards = []
        for start, end in split:
            out = str(tmp_path / f"s{s}-{start}")
            fourierlens("filter", dump, "--remove", removed, "--tau", str(tau), "--prompts", f"{start}:{end}", "--out", out, "--quiet", "--no-figures")
            shards.append(out)
        merged = str(tmp_path / f"merged{s}")
        fourierlens("merge", *shards, "--out", merged, "--quiet", "--no-figures")
        assert_same_report(full, merged, ["filter_effect.csv", "summary.json", "index.html"], ["filtered.h5", "filter_prompts.h5"])


def test_timings_are_kept_apart_from_the_summary(dump, tmp_path):
    """Wall time differs from run to run: it lives in timings.json, which a merge adds up."""
    out, shards, merged = lens_full_shards_merged(dump, tmp_path, [(0, 64), (64, N)])
    summary = json.load(open(os.path.join(out, "summary.json")))
    assert not [key for key in summary if "seconds" in key or "gflop" in key]
    timings = json.load(open(os.path.join(out, "timings.json")))
    assert timings["sgemm_gflop"] > 0 and timings["sgemm_seconds"] >= 0
    parts = [json.load(open(os.path.join(s, "timings.json"))) for s in shards]
    total = json.load(open(os.path.join(merged, "timings.json")))
    assert total["sgemm_seconds"] == pytest.approx(sum(p["sgemm_seconds"] for p in parts))


def test_a_shard_holds_its_own_prompts(dump, tmp_path):
    out = str(tmp_path / "shard")
    fourierlens("lens", dump, "--prompts", "37:100", "--out", out, "--quiet", "--no-figures")
    full = str(tmp_path / "full")
    fourierlens("lens", dump, "--out", full, "--quiet", "--no-figures")
    with h5py.File(os.path.join(out, "lens_prompts.h5"), "r") as s, h5py.File(os.path.join(full, "lens_prompts.h5"), "r") as f:
        assert list(s["prompts/index"][...]) == list(range(37, 100))
        assert np.array_equal(s["lens/number_logits"][...], f["lens/number_logits"][:, 37:100, :])
        assert np.array_equal(s["lens/logprob"][...], f["lens/logprob"][:, 37:100], equal_nan=True)


def refused(*args):
    result = subprocess.run([tool(), *args], capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


def test_merges_that_do_not_fit_together_are_refused(dump, tmp_path):
    def lens(name, prompts, *extra):
        out = str(tmp_path / name)
        fourierlens("lens", dump, "--prompts", prompts, "--out", out, "--quiet", "--no-figures", *extra)
        return out
    a, b, c = lens("a", "0:50"), lens("b", "60:150"), lens("c", "40:150")
    assert "without gap or overlap" in refused("merge", a, b, "--out", str(tmp_path / "gap"))
    assert "without gap or overlap" in refused("merge", a, c, "--out", str(tmp_path / "overlap"))
    other = lens("d", "50:150", "--top-k", "3")
    assert "same run" in refused("merge", a, other, "--out", str(tmp_path / "options"))
    filtered = str(tmp_path / "f")
    fourierlens("filter", dump, "--remove", "high", "--tau", "6", "--prompts", "50:150", "--out", filtered, "--quiet", "--no-figures")
    assert "lens shard" in refused("merge", a, filtered, "--out", str(tmp_path / "kinds"))
    assert "lens or filter report" in refused("merge", str(tmp_path), "--out", str(tmp_path / "none"))
    for bad in ["5", "10:5", "0:151", "-1:5", "a:b", "7:7"]:
        assert "--prompts" in refused("lens", dump, "--prompts", bad, "--out", str(tmp_path / "bad"))
    assert not os.path.exists(tmp_path / "bad")


def test_a_merge_keeps_the_note_that_the_prompts_read_their_own_answer(dump, tmp_path):
    """Prompts whose token at the readout is their answer (the MiniLM demo's case): the unsharded
    run counts them in summary.json and warns on its page; the merge of shards does the same."""
    import json
    import shutil
    path = str(tmp_path / "reads_answer.h5")
    shutil.copy(dump, path)
    with h5py.File(path, "a") as f:
        answers = f["prompts/answer"][...]
        tokens = [str(a) if i % 3 else "the" for i, a in enumerate(answers)]  # two in three read the answer
        f["prompts/tokens"] = np.array(tokens, dtype=h5py.string_dtype())
        f["prompts/text"] = np.array([f"There are {a} apples." for a in answers], dtype=h5py.string_dtype())
    expected = sum(1 for i in range(N) if i % 3)
    full, _, merged = lens_full_shards_merged(path, tmp_path, [(0, 37), (37, N)])
    records = [json.load(open(os.path.join(folder, "summary.json")))["read_token_is_answer"] for folder in (full, merged)]
    assert records[0] == records[1]
    assert records[0]["prompts_matching"] == expected and records[0]["prompts"] == N
    assert records[0]["example_token"] == str(answers[1])
    for folder in (full, merged):
        page = open(os.path.join(folder, "index.html")).read()
        assert f"In {expected} of {N} prompts the token read is the answer itself" in page
    # Without the tokens there is nothing to say: no key, no note.
    plain = str(tmp_path / "plain")
    fourierlens("lens", dump, "--out", plain, "--quiet", "--no-figures")
    assert "read_token_is_answer" not in json.load(open(os.path.join(plain, "summary.json")))
    assert "the token read is the answer itself" not in open(os.path.join(plain, "index.html")).read()


def test_a_smaller_memory_budget_changes_the_block_and_no_result(dump, tmp_path):
    """--memory sizes the block of prompts (here 128 by default, 16 in 1 MiB); every CSV and every
    per-prompt dataset stays the same bits, summary.json differs only in the recorded block; and
    shards of different blocks are not merged (their blocks would not align)."""
    full, small = str(tmp_path / "full"), str(tmp_path / "small")
    fourierlens("lens", dump, "--out", full, "--quiet", "--no-figures")
    fourierlens("lens", dump, "--memory", "0.001", "--out", small, "--quiet", "--no-figures")
    assert_same_report(full, small, ["lens_layers.csv", "lens_topk.csv", "lens_spectrum.csv"], ["lens_prompts.h5"])
    with open(os.path.join(full, "summary.json")) as a, open(os.path.join(small, "summary.json")) as b:
        summary_full, summary_small = json.load(a), json.load(b)
    assert (summary_full["options"].pop("prompt_block"), summary_small["options"].pop("prompt_block")) == (128, 16)
    assert summary_full == summary_small
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    fourierlens("lens", dump, "--prompts", "0:37", "--memory", "0.001", "--out", a, "--quiet", "--no-figures")
    fourierlens("lens", dump, "--prompts", "37:150", "--out", b, "--quiet", "--no-figures")
    assert "same run" in refused("merge", a, b, "--out", str(tmp_path / "blocks"))
    assert "--memory" in refused("lens", dump, "--memory", "0", "--out", str(tmp_path / "bad"))
