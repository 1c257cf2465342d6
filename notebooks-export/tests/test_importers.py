"""Importers: activation caches written by torch, safetensors and numpy become dumps whose values
equal the files', with names mapped or guessed; a memmap larger than the process's memory
limit converts in bounded memory."""
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest
import torch
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import save_file as save_torch

from export_helpers import REPO, inspect_json
from fourierlens import ExportError, import_cache

RNG = np.random.default_rng(0)


def run_cli(*args, env_extra=None):
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "notebooks-export"), **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "fourierlens", "import", *args], capture_output=True, text=True, env=env)


def test_a_folder_of_per_layer_torch_tensors(tmp_path):
    cache = tmp_path / "pt"
    cache.mkdir()
    layers = [torch.tensor(RNG.standard_normal((10, 8)), dtype=torch.float32) for _ in range(3)]
    for layer, tensor in enumerate(layers):
        torch.save(tensor, cache / f"layer_{layer}.pt")
    torch.save({"mlp_out_0": layers[0] * 2, "answers": torch.arange(10)}, cache / "extras.pt")
    out = tmp_path / "pt.h5"
    result = run_cli(str(cache), "--out", str(out), "--map", "mlp_out_0=blocks.0.hook_mlp_out", "--map", "answers=prompts/answer")
    assert result.returncode == 0, result.stderr
    assert "layer_2 [10, 8] -> /acts/blocks.2.hook_resid_post" in result.stdout
    assert "answers [10] -> /prompts/answer" in result.stdout
    with h5py.File(out) as f:
        for layer, tensor in enumerate(layers):
            np.testing.assert_array_equal(f[f"acts/blocks.{layer}.hook_resid_post"][...], tensor.numpy())
        np.testing.assert_array_equal(f["acts/blocks.0.hook_mlp_out"][...], layers[0].numpy() * 2)
        assert list(f["prompts/answer"][...]) == list(range(10))
        assert f.attrs["n_layers"] == 3 and f.attrs["d_model"] == 8
    assert inspect_json(str(out))["problems"] == []


def test_sharded_safetensors_concatenate_rows_and_bfloat16_widens(tmp_path):
    cache = tmp_path / "st"
    cache.mkdir()
    full = {f"blocks.{l}.hook_resid_post": RNG.standard_normal((12, 4, 6)).astype(np.float32) for l in range(2)}
    # SAELens-style shards: each holds a block of rows of every hook.
    save_numpy({k: v[:5] for k, v in full.items()}, str(cache / "shard_00000.safetensors"))
    save_numpy({k: v[5:] for k, v in full.items()}, str(cache / "shard_00001.safetensors"))
    out = tmp_path / "st.h5"
    plan = import_cache(str(cache), str(out), report=lambda line: None)
    assert plan == {k: f"acts/{k}" for k in full}
    with h5py.File(out) as f:
        for key, value in full.items():
            np.testing.assert_array_equal(f[f"acts/{key}"][...], value)  # [N, pos, d] kept whole
    picked = tmp_path / "pos.h5"
    import_cache(str(cache), str(picked), position=-1, report=lambda line: None)
    with h5py.File(picked) as f:
        np.testing.assert_array_equal(f["acts/blocks.1.hook_resid_post"][...], full["blocks.1.hook_resid_post"][:, -1])
    bf16 = torch.tensor(RNG.standard_normal((7, 5)), dtype=torch.bfloat16)
    save_torch({"model.layers.3.mlp": bf16}, str(tmp_path / "one.safetensors"))
    single = tmp_path / "one.h5"
    assert import_cache(str(tmp_path / "one.safetensors"), str(single), report=lambda line: None) == {
        "model.layers.3.mlp": "acts/blocks.3.hook_mlp_out"}
    with h5py.File(single) as f:
        np.testing.assert_array_equal(f["acts/blocks.3.hook_mlp_out"][...], bf16.float().numpy())


def test_shards_that_disagree_and_unknown_names_are_refused(tmp_path):
    cache = tmp_path / "bad"
    cache.mkdir()
    save_numpy({"layer_0": np.zeros((3, 4), np.float32)}, str(cache / "a.safetensors"))
    save_numpy({"layer_0": np.zeros((3, 5), np.float32)}, str(cache / "b.safetensors"))
    with pytest.raises(ExportError, match="shards of layer_0 to agree beyond the first axis"):
        import_cache(str(cache), str(tmp_path / "x.h5"))
    result = run_cli(str(tmp_path / "missing"), "--out", str(tmp_path / "y.h5"))
    assert result.returncode == 2 and result.stderr.startswith("fourierlens:") and "does not exist" in result.stderr
    np.save(tmp_path / "layer_1.npy", np.zeros((3, 4), np.float32))
    result = run_cli(str(tmp_path / "layer_1.npy"), "--out", str(tmp_path / "z.h5"), "--map", "layer_9=blocks.9.hook_mlp_out")
    assert result.returncode == 2 and "--map names among the cache's tensors (layer_1), found layer_9" in result.stderr
    assert not any(p.name.endswith(".h5") for p in tmp_path.iterdir())


# Run in a process of its own: RLIMIT_DATA caps the heap (anonymous memory), not the file
# mapping, so a whole-file read fails while the memory-mapped import must not.
BOUNDED = """
import resource, sys
import numpy as np
sys.path.insert(0, sys.argv[4])
from fourierlens import import_cache
limit = int(sys.argv[3]) << 20
resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
if sys.argv[2] == "whole":
    try:
        np.load(sys.argv[1] + "/layer_0.npy")
    except MemoryError:
        print("MemoryError")
else:
    import_cache(sys.argv[1], sys.argv[2], dtype="float16", report=lambda line: None)
    print("imported")
"""


def test_a_memmap_larger_than_the_memory_limit(tmp_path):
    cache = tmp_path / "npy"
    cache.mkdir()
    rows, d = 80_000, 1024  # 328 MB of float32, the limit 224 MB
    array = np.lib.format.open_memmap(cache / "layer_0.npy", mode="w+", dtype=np.float32, shape=(rows, d))
    for start in range(0, rows, 10_000):
        block = np.arange(start, start + 10_000, dtype=np.float32)[:, None] % 1000 + np.arange(d, dtype=np.float32) / 1024
        array[start:start + 10_000] = block
    array.flush()
    del array
    script = str(tmp_path / "bounded.py")
    with open(script, "w") as f:
        f.write(BOUNDED)
    package = os.path.join(REPO, "notebooks-export")
    whole = subprocess.run([sys.executable, script, str(cache), "whole", "224", package], capture_output=True, text=True)
    assert whole.stdout.strip() == "MemoryError", whole.stderr  # the limit does bite a whole-file read
    out = str(tmp_path / "big.h5")
    bounded = subprocess.run([sys.executable, script, str(cache), out, "224", package], capture_output=True, text=True)
    assert bounded.stdout.strip() == "imported", bounded.stderr
    with h5py.File(out) as f:
        dataset = f["acts/blocks.0.hook_resid_post"]
        assert dataset.shape == (rows, d) and dataset.dtype == np.float16
        for row in (0, 12_345, rows - 1):
            expected = (row % 1000) + np.arange(d, dtype=np.float32) / 1024
            np.testing.assert_array_equal(dataset[row], expected.astype(np.float16))
