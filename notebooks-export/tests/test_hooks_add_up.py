"""On randomly initialised pre-norm models (no weights needed): what the hooks capture adds up."""
import h5py
import numpy as np
import torch

from export_helpers import inspect_json, tiny_gpt2
from fourierlens import addition_prompts, export_activations, export_dump


def _check_residual_sums(path, layers):
    with h5py.File(path) as f:
        for layer in range(layers):
            pre = f[f"acts/blocks.{layer}.hook_resid_pre"][...]
            attn = f[f"acts/blocks.{layer}.hook_attn_out"][...]
            mlp = f[f"acts/blocks.{layer}.hook_mlp_out"][...]
            post = f[f"acts/blocks.{layer}.hook_resid_post"][...]
            np.testing.assert_allclose(pre + attn + mlp, post, rtol=1e-5, atol=1e-5)
            if layer + 1 < layers:
                np.testing.assert_array_equal(post, f[f"acts/blocks.{layer + 1}.hook_resid_pre"][...])


def test_gpt2_attention_and_mlp_sum_to_the_next_residual(minilm, tmp_path):
    _, tokenizer = minilm
    model = tiny_gpt2(tokenizer, layers=3)
    out = str(tmp_path / "gpt2.h5")
    prompts = addition_prompts(count=9, max_operand=99, seed=2)
    export_dump(model, tokenizer, out, numbers=range(0, 200), prompts=prompts, position="last", batch_size=4)
    _check_residual_sums(out, 3)
    with h5py.File(out) as f:
        # The cached final scale reproduces ln_f on the last residual (TransformerLens's hook_scale).
        x = f["acts/blocks.2.hook_resid_post"][...].astype(np.float64)
        scale = f["acts/ln_final.hook_scale"][...]
        normed = (x - x.mean(axis=1, keepdims=True)) / scale[:, None] * f["weights/ln_final.w"][...] + f["weights/ln_final.b"][...]
        with torch.no_grad():
            expected = model.transformer.ln_f(torch.tensor(x, dtype=torch.float32)).numpy()
        np.testing.assert_allclose(normed, expected, rtol=1e-4, atol=1e-4)
        assert f["weights/ln_final.w"].attrs["kind"] == "layernorm"
        assert f["weights/W_U"].shape == (32, len(tokenizer))
    report = inspect_json(out)
    assert report["problems"] == []
    # Every analysis of a model dump; `boolean` reads a boolean/ group, which this dump does not have.
    assert all(a["ready"] for a in report["analyses"] if a["analysis"] != "boolean")


def test_llama_rmsnorm_residuals_add_up(minilm, tmp_path):
    from transformers import LlamaConfig, LlamaForCausalLM
    _, tokenizer = minilm
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    model = LlamaForCausalLM(config).eval()
    out = str(tmp_path / "llama.h5")
    with_weights = str(tmp_path / "llama_weights.h5")
    export_activations(model, tokenizer, out, addition_prompts(count=5, max_operand=50), position="number")
    _check_residual_sums(out, 2)
    export_dump(model, tokenizer, with_weights, numbers=range(0, 100))
    with h5py.File(with_weights) as f:
        assert f["weights/ln_final.w"].attrs["kind"] == "rmsnorm"
        assert "weights/ln_final.b" not in f
