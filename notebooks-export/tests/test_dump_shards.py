"""Dump shards: the exporter's --prompt-range writes a slice of the prompts, and `merge` puts the
shards back together into the dump one export writes (datasets equal); shards that do not cover
the prompts, or disagree on what is not per prompt, are refused with one line."""
import subprocess
import sys

import h5py
import numpy as np
import pytest

from export_helpers import tiny_gpt2
from fourierlens import ExportError, addition_prompts, export_dump, merge_dumps


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[...]) if isinstance(obj, h5py.Dataset) else None)
        attrs = {k: v for k, v in f.attrs.items()}
    return out, attrs


def test_merged_shards_equal_one_export(minilm, tmp_path):
    _, tokenizer = minilm
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = tiny_gpt2(tokenizer, layers=2)
    prompts = addition_prompts(count=11, max_operand=99, seed=4)
    whole = str(tmp_path / "whole.h5")
    export_dump(model, tokenizer, whole, numbers=range(0, 200), prompts=prompts, position="last", batch_size=4)
    shards = []
    for start, end in [(7, 11), (0, 3), (3, 7)]:
        path = str(tmp_path / f"shard{start}.h5")
        export_dump(model, tokenizer, path, numbers=range(0, 200), prompts=prompts, position="last", batch_size=4,
                    prompt_range=(start, end))
        with h5py.File(path) as f:
            assert (f.attrs["prompt_start"], f.attrs["prompt_end"], f.attrs["prompts_total"]) == (start, end, 11)
            assert len(f["prompts/answer"]) == end - start
        shards.append(path)
    merged = str(tmp_path / "merged.h5")
    result = subprocess.run([sys.executable, "-m", "fourierlens", "merge", *shards, "--out", merged], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    expected, expected_attrs = datasets(whole)
    found, found_attrs = datasets(merged)
    assert sorted(expected) == sorted(found)
    for name in expected:
        # The same prompts through the same model in other batches: equal to float32 rounding.
        if expected[name].dtype.kind == "f":
            np.testing.assert_allclose(found[name], expected[name], rtol=1e-5, atol=1e-5, err_msg=name)
        else:
            assert np.array_equal(found[name], expected[name]), name
    assert found_attrs["prompts_total"] == 11 and "prompt_start" not in found_attrs
    assert {k: v for k, v in found_attrs.items() if k != "prompts_total"} == expected_attrs

    with pytest.raises(ExportError, match="covering prompts 0..11"):
        merge_dumps(shards[1:], str(tmp_path / "short.h5"))
    with pytest.raises(ExportError, match="expected prompts from 3"):
        merge_dumps(shards[:2], str(tmp_path / "gap.h5"))
    with h5py.File(shards[1], "a") as f:
        f["tokens/ids"][0] += 1
    with pytest.raises(ExportError, match="/tokens/ids: expected the same values in every shard"):
        merge_dumps(shards, str(tmp_path / "differ.h5"))
    with pytest.raises(ExportError, match="expected a dump shard"):
        merge_dumps([whole], str(tmp_path / "notshard.h5"))
    bad = subprocess.run([sys.executable, "-m", "fourierlens", "--model", "minilm", "--prompt-range", "5:99",
                          "--out", str(tmp_path / "r.h5")], capture_output=True, text=True)
    assert bad.returncode == 2 and "--prompt-range" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
