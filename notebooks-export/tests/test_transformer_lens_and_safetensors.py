import h5py
import numpy as np
import torch

from export_helpers import inspect_json, roles
from fourierlens import export_dump, export_weights_from_safetensors, from_transformer_lens, minilm_model_dir


def test_from_a_transformer_lens_cache(tmp_path):
    """A dict shaped as TransformerLens's ActivationCache (TransformerLens itself: test_transformer_lens_equivalence)."""
    rng = np.random.default_rng(0)
    n, length, d = 6, 5, 8
    cache = {f"blocks.{l}.hook_{site}": torch.tensor(rng.standard_normal((n, length, d)), dtype=torch.float32)
             for l in range(2) for site in ("resid_post", "mlp_out", "attn_out")}
    cache["ln_final.hook_scale"] = torch.rand(n, length, 1) + 0.5
    cache["blocks.0.attn.hook_pattern"] = torch.zeros(n, 2, length, length)  # not a schema site: ignored
    positions = [4, 3, 4, 2, 4, 1]
    out = str(tmp_path / "tl.h5")
    from_transformer_lens(cache, out, position=positions, prompts=[f"p{i}" for i in range(n)],
                          values=list(range(n)), answers=list(range(n)))
    with h5py.File(out) as f:
        for key in ("blocks.1.hook_mlp_out", "blocks.0.hook_resid_post"):
            expected = cache[key].numpy()[np.arange(n), positions]
            assert np.array_equal(f[f"acts/{key}"][...], expected)
        assert np.array_equal(f["acts/ln_final.hook_scale"][...], cache["ln_final.hook_scale"].numpy()[np.arange(n), positions, 0])
        assert "acts/blocks.0.attn.hook_pattern" not in f
    report = inspect_json(out)
    assert {a["site"] for a in report["activations"]} == {"resid_post", "mlp_out", "attn_out"}
    assert "final norm scale" in roles(report)


def test_safetensors_without_torch_equals_the_model_path(minilm, tmp_path):
    model, tokenizer = minilm
    directory = minilm_model_dir()
    from_model = str(tmp_path / "model.h5")
    from_file = str(tmp_path / "file.h5")
    export_dump(model, tokenizer, from_model, numbers=range(0, 120))
    export_weights_from_safetensors(f"{directory}/model.safetensors", f"{directory}/tokenizer.json", from_file,
                                    numbers=range(0, 120))
    with h5py.File(from_model) as a, h5py.File(from_file) as b:
        for name in ("tokens/ids", "tokens/values", "weights/W_E", "weights/W_U", "vocabulary/strings"):
            assert np.array_equal(a[name][...], b[name][...]), name
        assert b["weights/W_U"].attrs["tied"] == 1
    assert inspect_json(from_file)["problems"] == []
