"""What the Swift readers do with the family attributes: inspect's additivity check (quiet on an
exact dump, a warning naming the largest error on a broken one), the lens refusing a masked LM
whose head transform is not exported, and the one-line refusal of an unsupported family."""
import shutil
import subprocess

import h5py
import numpy as np
import pytest
import torch

from export_helpers import fourierlens_bin, inspect_json
from families import build
from fourierlens import ExportError, addition_prompts, export_dump
from fourierlens.architectures import SUPPORTED


@pytest.fixture(scope="module")
def olmo2_dump(minilm, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("readers") / "olmo2.h5")
    export_dump(build("olmo2", len(minilm[1])), minilm[1], path, numbers=range(0, 100),
                prompts=addition_prompts(count=6, max_operand=40, seed=1), position="all", vocabulary=False)
    return path


def test_inspect_finds_an_exact_dump_additive(olmo2_dump):
    report = inspect_json(olmo2_dump)
    assert [c["layer"] for c in report["additivity"]] == [0, 1]
    assert all(c["holds"] and c["largest_error"] < 1e-5 for c in report["additivity"])
    assert report["warnings"] == []


def test_inspect_warns_with_the_largest_error_of_a_broken_layer(olmo2_dump, tmp_path):
    broken = str(tmp_path / "broken.h5")
    shutil.copy(olmo2_dump, broken)
    with h5py.File(broken, "r+") as f:  # as if attn_out were the raw output: 0.75 off in one value
        f["acts/blocks.1.hook_attn_out"][4, 2, 7] += 0.75
        scale = max(np.abs(f[f"acts/blocks.1.hook_{s}"][4, 2]).max() for s in ("resid_pre", "attn_out", "mlp_out", "resid_post"))
    report = inspect_json(broken)
    layer0, layer1 = report["additivity"]
    assert layer0["holds"] and not layer1["holds"]
    assert layer1["largest_error"] == pytest.approx(0.75, abs=1e-5) and layer1["row"] == 4
    assert layer1["relative_error"] == pytest.approx(0.75 / scale, rel=1e-4)
    assert len(report["warnings"]) == 1 and report["warnings"][0].startswith("layer 1: resid_pre + attn_out + mlp_out differs")
    text = subprocess.run([fourierlens_bin(), "inspect", broken], capture_output=True, text=True).stdout
    assert "differs from resid_post by up to 0.75" in text


def test_a_float16_dump_is_held_to_its_own_rounding(minilm, tmp_path):
    path = str(tmp_path / "half.h5")
    export_dump(build("gemma2", len(minilm[1])), minilm[1], path, numbers=range(0, 100),
                prompts=addition_prompts(count=6, max_operand=40, seed=1), position="last", dtype="float16", vocabulary=False)
    report = inspect_json(path)
    assert all(c["holds"] and c["tolerance"] == pytest.approx(8 * 2 ** -11) for c in report["additivity"])
    assert all(c["relative_error"] > 0 for c in report["additivity"])  # rounding shows, within tolerance


def test_lens_refuses_a_masked_lm_whose_head_transform_is_missing(minilm, tmp_path):
    from transformers import BertConfig, BertForMaskedLM
    tokenizer = minilm[1]
    torch.manual_seed(0)
    model = BertForMaskedLM(BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2,
                                       num_attention_heads=4, intermediate_size=64)).eval()
    path = str(tmp_path / "mlm.h5")
    export_dump(model, tokenizer, path, numbers=range(0, 100), prompts=addition_prompts(count=4, max_operand=40),
                position="last", vocabulary=False)
    for command in (["lens", "--norm", "none"], ["filter", "--remove", "low", "--tau", "5"]):
        result = subprocess.run([fourierlens_bin(), command[0], path, *command[1:], "--out", str(tmp_path / "out")],
                                capture_output=True, text=True)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert "head's transform (dense, GELU, LayerNorm)" in result.stderr and "/weights/W_U" in result.stderr
    assert "lens refused" in next(r["detail"] for r in inspect_json(path)["roles"] if r["role"] == "unembedding W_U")


def test_the_packaged_encoder_without_a_head_still_reads_through_its_embeddings(minilm, tmp_path):
    model, tokenizer = minilm  # a bare BertModel: no MLM logits to reproduce, nothing refused
    path = str(tmp_path / "encoder.h5")
    export_dump(model, tokenizer, path, numbers=range(0, 100), vocabulary=False)
    with h5py.File(path) as f:
        assert "readout_missing" not in f["weights/W_U"].attrs


def test_an_unsupported_family_names_the_supported_set(tmp_path):
    from transformers import XLNetConfig, XLNetLMHeadModel
    model = XLNetLMHeadModel(XLNetConfig(vocab_size=50, d_model=16, n_layer=1, n_head=2, d_inner=32))
    with pytest.raises(ExportError) as error:
        export_dump(model, None, str(tmp_path / "x.h5"), numbers=range(3))
    message = str(error.value)
    assert "\n" not in message and "'xlnet'" in message
    for family in ("gemma", "gemma2", "gemma3_text", "olmo2", "phi3", "mixtral", "opt", "falcon", "cohere", "granite"):
        assert family in SUPPORTED and (f" {family}," in message or f" {family})" in message)


def test_inspect_checks_stacked_activations_too(olmo2_dump, tmp_path):
    """The same check on /acts/{site} [L, N, pos, d]: a value broken in layer 1 is found there."""
    stacked = str(tmp_path / "stacked.h5")
    shutil.copy(olmo2_dump, stacked)
    with h5py.File(stacked, "r+") as f:
        for site in ("resid_pre", "attn_out", "mlp_out", "resid_post"):
            layers = [f.pop(f"acts/blocks.{layer}.hook_{site}")[...] for layer in range(2)]
            f[f"acts/{site}"] = np.stack(layers)
        f["acts/mlp_out"][1, 3, 1, 0] -= 2.0
    report = inspect_json(stacked)
    assert [(c["layer"], c["holds"]) for c in report["additivity"]] == [(0, True), (1, False)]
    assert report["additivity"][1]["largest_error"] == pytest.approx(2.0, abs=1e-5) and report["additivity"][1]["row"] == 3
