"""Regressions of the interop paths a new user takes: TransformerLens into an open DumpWriter,
model names, which token a position names, the command line's defaults and prompt files, a
vocabulary without an unknown token, every position, the deprecated package name."""
import json
import os
import subprocess
import sys
import warnings

import h5py
import numpy as np
import pytest
import torch

from export_helpers import REPO, inspect_json, roles, tiny_gpt2
from fourierlens import (DumpWriter, ExportError, addition_prompts, export_activations, export_dump, export_weights,
                         from_transformer_lens, number_prompts, readout_positions)
from tl_models import boot_bridge, padded, save_tiny_model


@pytest.fixture(scope="module")
def gpt2_dir(tmp_path_factory):
    return save_tiny_model(str(tmp_path_factory.mktemp("gpt2") / "model"), "gpt2")


def test_transformer_lens_cache_and_model_into_one_open_writer(gpt2_dir, minilm, tmp_path):
    _, tokenizer = minilm
    bridge = boot_bridge(gpt2_dir, "none")
    tokens = padded([tokenizer(p.text)["input_ids"] for p in number_prompts("{n} apples", [3, 7])])
    with torch.no_grad():
        _, cache = bridge.run_with_cache(tokens)
    out = str(tmp_path / "tl.h5")
    with DumpWriter(out, model="tiny-gpt2") as dump:
        export_weights(bridge, None, dump, numbers=range(0, 20))
        from_transformer_lens(cache, dump, position=-1, str_tokens=[bridge.to_str_tokens(t) for t in tokens])
    with h5py.File(out) as f:
        assert f.attrs["model"] == "tiny-gpt2"
        np.testing.assert_array_equal(f["weights/W_U"][...], bridge.W_U.detach().numpy())
        np.testing.assert_array_equal(f["weights/ln_final.w"][...], bridge.ln_final._original_component.weight.detach().numpy())
        assert f["vocabulary/strings"].shape == (len(tokenizer),)
        np.testing.assert_array_equal(f["acts/blocks.1.hook_resid_post"][...],
                                      cache["blocks.1.hook_resid_post"][:, -1].numpy())
        assert [t.decode() for t in f["prompts/tokens"][...]] == [bridge.to_str_tokens(t)[-1] for t in tokens]
    assert inspect_json(out)["problems"] == []


def test_dumps_name_their_model(gpt2_dir, minilm, tmp_path):
    from fourierlens import load_model
    model, tokenizer = load_model(gpt2_dir)
    named = str(tmp_path / "named.h5")
    export_dump(model, tokenizer, named, numbers=range(0, 10), model_name="my-gpt2")
    default = str(tmp_path / "default.h5")
    export_dump(model, tokenizer, default, numbers=range(0, 10))
    with h5py.File(named) as a, h5py.File(default) as b:
        assert a.attrs["model"] == "my-gpt2" and b.attrs["model"] == gpt2_dir


def test_last_names_the_special_token_and_last_nonspecial_the_word(minilm, tmp_path):
    model, tokenizer = minilm
    prompts = number_prompts("There are {n} apples", [4, 12])
    ids = [tokenizer(p.text)["input_ids"] for p in prompts]
    assert [tokenizer.convert_ids_to_tokens(i[p]) for i, p in zip(ids, readout_positions(tokenizer, prompts, ids, "last"))] == ["[SEP]"] * 2
    nonspecial = readout_positions(tokenizer, prompts, ids, "last_nonspecial")
    assert [tokenizer.convert_ids_to_tokens(i[p]) for i, p in zip(ids, nonspecial)] == ["apples"] * 2
    out = str(tmp_path / "x.h5")
    export_activations(model, tokenizer, out, prompts, position="last_nonspecial", sites=["resid_post"])
    with h5py.File(out) as f:
        assert [t.decode() for t in f["prompts/tokens"][...]] == ["apples", "apples"]
        assert list(f["prompts/position"][...]) == nonspecial


def test_every_position_with_its_tokens(gpt2_dir, minilm, tmp_path):
    from fourierlens import load_model
    model, tokenizer = load_model(gpt2_dir)
    prompts = number_prompts("I saw {n} cats", [5]) + number_prompts("{n}", [9])
    out = str(tmp_path / "all.h5")
    export_dump(model, tokenizer, out, numbers=range(0, 20), prompts=prompts, position="all")
    ids = [tokenizer(p.text)["input_ids"] for p in prompts]
    with torch.no_grad():
        hidden = [model(torch.tensor([i]), output_hidden_states=True).hidden_states for i in ids]
    with h5py.File(out) as f:
        acts = f["acts/blocks.0.hook_resid_post"][...]
        assert acts.shape == (2, len(ids[0]), 32) and "prompts/position" not in f
        np.testing.assert_allclose(acts[0], hidden[0][1][0].numpy(), atol=1e-5)
        np.testing.assert_allclose(acts[1, :len(ids[1])], hidden[1][1][0].numpy(), atol=1e-5)
        assert not acts[1, len(ids[1]):].any()  # padding stays zero
        tokens = [[t.decode() for t in row] for row in f["prompts/tokens"][...]]
        assert tokens[0] == [tokenizer.decode([i]) for i in ids[0]]
        assert tokens[1] == [tokenizer.decode([i]) for i in ids[1]] + [""] * (len(ids[0]) - len(ids[1]))
        assert f["acts/ln_final.hook_scale"].shape == (2, len(ids[0]))
    report = inspect_json(out)
    assert report["problems"] == [] and "prompt tokens" in roles(report)
    # The lens reads one chosen position of [N, pos, d].
    lens = subprocess.run([os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build/release/fourierlens")),
                           "lens", out, "--every-position", "--norm", "cached", "--out", str(tmp_path / "lens"), "--quiet"],
                          capture_output=True, text=True)
    assert lens.returncode == 0, lens.stderr
    with open(tmp_path / "lens" / "lens_positions.csv") as f:
        positions = [line.split(",")[:3] for line in f.read().splitlines()[1:]]
    # The shorter prompt is left out where it is padded.
    assert {(p, n) for p, _, n in positions} == {(str(i), "2" if i < len(ids[1]) else "1") for i in range(len(ids[0]))}


def run_cli(*args, module="fourierlens"):
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "notebooks-export"))
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, env=env)


def test_cli_addition_uses_every_number_token(tmp_path):
    out = tmp_path / "add.h5"
    result = run_cli("--model", "minilm", "--prompts", "addition", "--count", "300", "--position", "last_nonspecial",
                     "--sites", "resid_post", "--layers", "0", "--unembedding", "none", "--out", str(out))
    assert result.returncode == 0, result.stderr
    with h5py.File(out) as f:
        answers = f["prompts/answer"][...]
        assert f["tokens/values"][-1] == 341 and answers.max() <= 341 and answers.max() > 200


def test_cli_help_shows_defaults_and_positions():
    text = " ".join(run_cli("export", "--help").stdout.split())
    assert "(default: number)" in text and "(default: float32)" in text and "'='" in text
    assert "--leading-space" in text and "--batch-size" in text and "--seed" in text


def wordlevel_model(directory):
    """A GPT-2 whose tokenizer knows only "0".."112" and "=" (no unknown token)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast
    vocab = {str(i): i for i in range(113)} | {"=": 113}
    backend = Tokenizer(models.WordLevel(vocab))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    PreTrainedTokenizerFast(tokenizer_object=backend).save_pretrained(directory)
    torch.manual_seed(0)
    GPT2LMHeadModel(GPT2Config(vocab_size=114, n_positions=16, n_embd=16, n_layer=1, n_head=2, bos_token_id=113, eos_token_id=113)).save_pretrained(directory)
    return directory


def test_a_vocabulary_without_unknown_token(tmp_path):
    model = wordlevel_model(str(tmp_path / "wordlevel"))
    result = run_cli("--model", model, "--prompts", "addition", "--position", "=", "--out", str(tmp_path / "a.h5"))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fourierlens: expected text the tokenizer can encode"), result.stderr
    prompts = tmp_path / "mod.jsonl"
    p = 113
    with open(prompts, "w") as f:
        for a, b in [(3, 5), (100, 20), (60, 60), (7, 112)]:
            f.write(json.dumps({"text": f"{a} {b} =", "answer": (a + b) % p, "value": (a + b) % p}) + "\n")
    out = tmp_path / "mod.h5"
    result = run_cli("--model", model, "--prompts", str(prompts), "--position", "=", "--out", str(out))
    assert result.returncode == 0, result.stderr
    with h5py.File(out) as f:
        assert list(f["prompts/answer"][...]) == [8, 7, 7, 6] and list(f["tokens/values"][...]) == list(range(113))
        assert [t.decode() for t in f["prompts/tokens"][...]] == ["="] * 4
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "1 2 =", "answer": "x"}\n')
    result = run_cli("--model", model, "--prompts", str(bad), "--out", str(tmp_path / "b.h5"))
    assert result.returncode == 2 and "line 1" in result.stderr and "Traceback" not in result.stderr


def test_the_old_name_still_works_with_a_deprecation_warning(tmp_path):
    code = ("import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
            "try:\n    import fourierlens_export\nexcept DeprecationWarning as w:\n    print('warned:', w)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "warned: fourierlens_export is now called fourierlens" in result.stdout, result.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import fourierlens_export
        from fourierlens_export.weights import export_weights as old
    assert old is export_weights and fourierlens_export.export_dump is export_dump
    result = run_cli("--model", "minilm", "--numbers", "0-9", "--out", str(tmp_path / "old.h5"), module="fourierlens_export")
    assert result.returncode == 0 and (tmp_path / "old.h5").exists(), result.stderr
