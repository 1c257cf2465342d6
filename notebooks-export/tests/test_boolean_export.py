"""The exporter's boolean/ helper: strings rendered as prompts through a model, written as the
schema says, and read by `fourierlens boolean`."""
import json
import os
import subprocess

import h5py
import numpy as np
import pytest
import torch

from fourierlens.boolean import cube, evaluate, export_boolean, render, sample
from fourierlens.errors import ExportError

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def bit_model():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    core = Tokenizer(models.WordLevel({"[PAD]": 0, "0": 1, "1": 2, "=": 3}, unk_token="[PAD]"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="[PAD]")
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=4, n_positions=16, n_embd=16, n_layer=2, n_head=2,
                                       bos_token_id=3, eos_token_id=3))
    return model.eval(), tokenizer


def test_cube_and_sample_helpers():
    bits = cube(3)
    assert bits.tolist()[5] == [1, 0, 1] and len(bits) == 8
    strings, pairs = sample(6, 50, seed=1, flip_pairs=12)
    assert strings.shape == (74, 6) and pairs.shape == (12, 2)
    assert all((strings[a] != strings[b]).sum() == 1 for a, b in pairs)
    assert sorted(int(np.flatnonzero(strings[a] != strings[b])[0]) for a, b in pairs) == sorted(np.arange(12) % 6)
    with pytest.raises(ExportError):
        cube(27)


def test_outputs_and_activations_are_the_models_at_the_last_position():
    model, tokenizer = bit_model()
    bits = cube(4)
    outputs, acts = evaluate(model, tokenizer, bits, layers=[0, 1], batch_size=5)
    ids = torch.tensor([tokenizer.encode(render(row)) for row in bits])
    with torch.no_grad():
        result = model(input_ids=ids, output_hidden_states=True)
    logits = result.logits[:, -1].numpy()
    np.testing.assert_allclose(outputs[:, 0], logits[:, 2] - logits[:, 1], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(outputs[:, 1:], logits[:, [1, 2]], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(acts["blocks.0.hook_resid_post"], result.hidden_states[1][:, -1].numpy(), rtol=1e-5, atol=1e-5)
    assert set(acts) == {"blocks.0.hook_resid_post", "blocks.1.hook_resid_post"}


def test_bad_bits_are_refused():
    model, tokenizer = bit_model()
    with pytest.raises(ExportError, match="0/1"):
        evaluate(model, tokenizer, np.array([[0, 2]]))


def test_the_written_dump_reads_in_fourierlens(tmp_path):
    model, tokenizer = bit_model()
    out = tmp_path / "bits.h5"
    export_boolean(model, tokenizer, str(out), cube(5), design="cube")
    with h5py.File(out) as f:
        assert f["boolean/inputs"].dtype == np.uint8 and f["boolean/inputs"].attrs["design"] == "cube"
        assert [s.decode() for s in f["boolean/output_names"][...]] == ["logit_diff", "logit_0", "logit_1"]
    with pytest.raises(ExportError, match="exists"):
        export_boolean(model, tokenizer, str(out), cube(5))
    tool = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))
    result = subprocess.run([tool, "boolean", str(out), "--target", "parity:0,1", "--out", str(tmp_path / "r"), "--json",
                             "--no-figures"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [f["name"] for f in summary["functions"]][:3] == ["logit_diff", "logit_0", "logit_1"]
    assert [a["name"] for a in summary["activations"]] == ["blocks.0.hook_resid_post", "blocks.1.hook_resid_post"]
