"""merge trusts nothing it reads: a shard whose per-prompt file was damaged or edited (a NaN, a
rank or predicted index out of range, an edited prompt index or readout name, a header whose
counts do not fit its datasets), shards of two different dumps at one path, or shards that leave
prompts out (without --partial) are refused with one line naming the shard's file and dataset,
exit 2, nothing written. --partial merges them and says so on the page and in summary.json."""
import glob
import json
import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from report_helpers import fourierlens, tool

N, D, V, P = 40, 16, 50, 12


def write_dump(path, seed=3):
    rng = np.random.default_rng(seed)
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f.attrs["d_model"] = D
        f["weights/W_U"] = rng.standard_normal((D, V)).astype(np.float32)
        f["tokens/ids"] = np.arange(P) + 10
        f["tokens/values"] = np.arange(P)
        f.create_dataset("prompts/answer", data=rng.integers(0, P, N)).attrs["kind"] = "value"
        for layer in range(2):
            f[f"acts/blocks.{layer}.hook_resid_post"] = rng.standard_normal((N, D)).astype(np.float32)
    return path


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """Lens and filter shards 0:25 and 25:40 of one dump."""
    folder = tmp_path_factory.mktemp("merge-validation")
    dump = write_dump(str(folder / "dump.h5"))
    made = {}
    for kind, extra in [("lens", []), ("filter", ["--keep", "2,3"])]:
        for prompts in ["0:25", "25:40"]:
            out = str(folder / f"{kind}-{prompts.replace(':', '-')}")
            fourierlens(kind, dump, *extra, "--prompts", prompts, "--out", out, "--quiet", "--no-figures")
            made[kind, prompts] = out
    return folder, dump, made


def refused(*args):
    result = subprocess.run([tool(), *args], capture_output=True, text=True)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr


def damaged(shards, tmp_path, kind, edit):
    """A copy of the first shard of `kind` with `edit(h5py file)` applied to its per-prompt file."""
    _, _, made = shards
    copy = str(tmp_path / f"{kind}-damaged")
    shutil.copytree(made[kind, "0:25"], copy)
    name = "lens_prompts.h5" if kind == "lens" else "filter_prompts.h5"
    with h5py.File(os.path.join(copy, name), "r+") as f:
        edit(f)
    return copy


def set_value(dataset, index, value):
    def edit(f):
        data = f[dataset][...]
        data[index] = value
        f[dataset][...] = data
    return edit


def set_header(**changes):
    def edit(f):
        header = json.loads(f.attrs["header"])
        header.update(changes)
        f.attrs["header"] = json.dumps(header, sort_keys=True)
    return edit


LENS_DAMAGES = [
    ("NaN log-sum-exp", set_value("lens/lse", (0, 3), np.nan), "/lens/lse"),
    ("NaN number logit", set_value("lens/number_logits", (1, 2, 4), np.nan), "/lens/number_logits"),
    ("infinite entropy", set_value("lens/entropy", (0, 0), np.inf), "/lens/entropy"),
    ("positive log-prob", set_value("lens/logprob", (0, 1), 3.0), "/lens/logprob"),
    ("negative rank", set_value("lens/rank", (0, 5), -3), "/lens/rank"),
    ("rank past the vocabulary", set_value("lens/rank", (1, 5), V + 1), "/lens/rank"),
    ("predicted past the numbers", set_value("lens/predicted", (0, 7), P), "/lens/predicted"),
    ("predicted far out", set_value("lens/predicted", (0, 7), 2**40), "/lens/predicted"),
    ("negative top token", set_value("lens/top_token", (0, 1, 0), -7), "/lens/top_token"),
    ("edited prompt index", set_value("prompts/index", 3, 30), "/prompts/index"),
    ("answer flag not 0/1", set_value("prompts/answer_is_number", 2, 7), "/prompts/answer_is_number"),
    ("renamed readout", lambda f: f["readouts/name"].__setitem__(0, b"blocks.0.hook_mlp_out"), "/readouts/name"),
    ("huge prompt_end", set_header(prompt_end=2**62, prompts_total=2**62), "header"),
    ("prompt_end past the total", set_header(prompt_end=50), "header"),
    ("more prompts than stored", set_header(prompt_end=30), "/prompts/index"),
    ("unknown site", set_header(sites=["resid_post", "nowhere"]), "header"),
    ("top-k past the vocabulary", set_header(top_k=10**9), "header"),
    ("missing dataset", lambda f: f.__delitem__("lens/kl"), "/lens/kl"),
]

FILTER_DAMAGES = [
    ("NaN energy", set_value("filter/stats", (0, 2, 1), np.nan), "/filter/stats"),
    ("negative norm", set_value("filter/stats", (0, 2, 4), -1.0), "/filter/stats"),
    ("predicted far out", set_value("filter/stats", (1, 4, 6), 1e30), "/filter/stats"),
    ("fractional predicted", set_value("filter/stats", (1, 4, 7), 2.5), "/filter/stats"),
    ("edited prompt index", set_value("prompts/index", 0, 9), "/prompts/index"),
    ("huge promptEnd", set_header(promptEnd=2**62, promptsTotal=2**62), "header"),
    ("rank past d_model", set_header(rank=D + 1), "header"),
]


@pytest.mark.parametrize("what,edit,dataset", LENS_DAMAGES, ids=[d[0] for d in LENS_DAMAGES])
def test_a_damaged_lens_shard_is_refused_naming_its_file_and_dataset(shards, tmp_path, what, edit, dataset):
    _, _, made = shards
    bad = damaged(shards, tmp_path, "lens", edit)
    out = str(tmp_path / "merged")
    line = refused("merge", bad, made["lens", "25:40"], "--out", out)
    assert os.path.join(bad, "lens_prompts.h5") in line and f"{dataset}:" in line, line
    assert not os.path.exists(out) and not glob.glob(str(tmp_path / ".merged*")), "nothing written, nothing staged left"


@pytest.mark.parametrize("what,edit,dataset", FILTER_DAMAGES, ids=[d[0] for d in FILTER_DAMAGES])
def test_a_damaged_filter_shard_is_refused_naming_its_file_and_dataset(shards, tmp_path, what, edit, dataset):
    _, _, made = shards
    bad = damaged(shards, tmp_path, "filter", edit)
    out = str(tmp_path / "merged")
    line = refused("merge", bad, made["filter", "25:40"], "--out", out)
    assert os.path.join(bad, "filter_prompts.h5") in line and f"{dataset}:" in line, line
    assert not os.path.exists(out) and not glob.glob(str(tmp_path / ".merged*"))


def test_filtered_activations_that_are_not_finite_are_refused(shards, tmp_path):
    _, _, made = shards
    copy = str(tmp_path / "filter-nan")
    shutil.copytree(made["filter", "0:25"], copy)
    with h5py.File(os.path.join(copy, "filtered.h5"), "r+") as f:
        f["acts/blocks.0.hook_resid_post"][3, 2] = np.nan
    line = refused("merge", copy, made["filter", "25:40"], "--out", str(tmp_path / "merged"))
    assert "filtered.h5" in line and "/acts/blocks.0.hook_resid_post" in line, line


def test_shards_of_two_different_dumps_at_one_path_are_refused(shards, tmp_path):
    """The dump is identified by its bytes (SHA-256), not its path."""
    folder, _, _ = shards
    dump = write_dump(str(tmp_path / "dump.h5"), seed=1)
    first = str(tmp_path / "first")
    fourierlens("lens", dump, "--prompts", "0:25", "--out", first, "--quiet", "--no-figures")
    write_dump(dump, seed=2)  # another dump, same path
    second = str(tmp_path / "second")
    fourierlens("lens", dump, "--prompts", "25:40", "--out", second, "--quiet", "--no-figures")
    assert "same run" in refused("merge", first, second, "--out", str(tmp_path / "merged"))


def test_a_merge_that_leaves_prompts_out_is_refused_unless_partial(shards, tmp_path):
    _, _, made = shards
    for kind in ["lens", "filter"]:
        line = refused("merge", made[kind, "0:25"], "--out", str(tmp_path / f"{kind}-refused"))
        assert "covering all 40 prompts" in line and "--partial" in line, line
        out = str(tmp_path / f"{kind}-partial")
        fourierlens("merge", made[kind, "25:40"], "--partial", "--out", out, "--quiet", "--no-figures")
        with open(os.path.join(out, "summary.json")) as f:
            assert json.load(f)["partial_prompts"] == "25:40 of 40"
        with open(os.path.join(out, "index.html")) as f:
            assert "Partial merge: these shards hold prompts 25:40 of 40 only" in f.read()
        full = str(tmp_path / f"{kind}-full")
        fourierlens("merge", made[kind, "0:25"], made[kind, "25:40"], "--out", full, "--quiet", "--no-figures")
        with open(os.path.join(full, "summary.json")) as f:
            assert "partial_prompts" not in json.load(f), "a complete merge says nothing of the kind"


#: lens_prompts.h5's header keys as binaries before snake_case wrote them (docs/SCHEMA.md).
CAMEL_CASE_KEYS = {"prompt_start": "promptStart", "prompt_end": "promptEnd", "prompts_total": "promptsTotal", "top_k": "topK",
                   "reference_only": "referenceOnly", "number_values": "numberValues", "source_sha256": "sourceSHA256"}


def test_a_lens_shard_header_is_snake_case_and_an_older_camel_case_one_still_merges(shards, tmp_path):
    _, _, made = shards
    with h5py.File(os.path.join(made["lens", "0:25"], "lens_prompts.h5"), "r") as f:
        header = json.loads(f.attrs["header"])
    assert {"prompt_start", "prompt_end", "prompts_total", "top_k", "number_values"} <= set(header), sorted(header)
    assert all(key == key.lower() for key in header), sorted(header)

    def camel_case(f):
        old = json.loads(f.attrs["header"])
        f.attrs["header"] = json.dumps({CAMEL_CASE_KEYS.get(key, key): value for key, value in old.items()}, sort_keys=True)
    older = damaged(shards, tmp_path, "lens", camel_case)
    merged = {}
    for name, first in [("new", made["lens", "0:25"]), ("old", older)]:
        merged[name] = str(tmp_path / f"merged-{name}")
        fourierlens("merge", first, made["lens", "25:40"], "--out", merged[name], "--quiet", "--no-figures")
    for name in ["summary.json", "lens_layers.csv", "lens_topk.csv", "lens_spectrum.csv", "index.html"]:
        with open(os.path.join(merged["new"], name), "rb") as new, open(os.path.join(merged["old"], name), "rb") as old:
            assert new.read() == old.read(), name

