"""What test_families.py and test_families_transformer_lens.py share: one family's tiny model
exported by the transformers path with the model's own outputs at the readout, the logits a
reader computes from a dump alone, and `fourierlens lens --norm recompute` on a dump compared
with what the model predicts."""
import os
import subprocess

import h5py
import numpy as np
import pytest
import torch

from export_helpers import fourierlens_bin
from families import LAYERS, build
from fourierlens import addition_prompts, export_dump
from fourierlens.activations import _tokenize
from tl_models import padded

NUMBERS = range(0, 100)


class one_thread:
    """Tiny matrices: one torch thread is faster than two on a busy machine."""

    def __enter__(self):
        self.threads = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *_):
        torch.set_num_threads(self.threads)


def start_lens(dump, out):
    """`fourierlens lens --norm recompute` at the last resid_post, running in the background
    (collect it with lens_matches_model)."""
    return subprocess.Popen([fourierlens_bin(), "lens", dump, "--norm", "recompute", "--sites", "resid_post",
                             "--layers", str(LAYERS - 1), "--out", out, "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Exported:
    """One family's model, its dump and the model's own hidden states and logits at the readout."""

    def __init__(self, family, tokenizer, directory):
        with one_thread():
            self._run(family, tokenizer, directory)

    def _run(self, family, tokenizer, directory):
        self.family = family
        self.model = build(family, len(tokenizer))
        # Three templates in turn: prompts of different lengths, right-padded in one batch.
        self.prompts = addition_prompts(count=6, max_operand=40, seed=1)
        self.path = os.path.join(directory, f"{family}.h5")
        export_dump(self.model, tokenizer, self.path, numbers=NUMBERS, prompts=self.prompts, position="last",
                    vocabulary=False, batch_size=4)
        # The lens starts now and runs while the model's own outputs are computed and other tests run.
        self.lens_out = os.path.join(directory, f"{family}-lens")
        self.lens = start_lens(self.path, self.lens_out)
        ids = _tokenize(tokenizer, [p.text for p in self.prompts])
        self.lengths = [len(i) for i in ids]
        self.inputs = padded(ids)
        self.mask = (torch.arange(self.inputs.shape[1])[None, :] < torch.tensor(self.lengths)[:, None]).long()
        with torch.no_grad():
            out = self.model(input_ids=self.inputs, attention_mask=self.mask, output_hidden_states=True)
        self.rows = (torch.arange(len(ids)), torch.tensor(self.lengths) - 1)
        self.hidden = [h[self.rows].double().numpy() for h in out.hidden_states]
        self.all_logits = out.logits.double()  # [batch, pos, V], padding included
        self.logits = self.all_logits[self.rows].numpy()


@pytest.fixture(scope="module")
def exported(minilm, tmp_path_factory):
    """family → its Exported, made once per test module."""
    directory = tmp_path_factory.mktemp("families")
    cache = {}

    def get(family):
        if family not in cache:
            cache[family] = Exported(family, minilm[1], str(directory))
        return cache[family]
    return get


def dump_logits(f, x):
    """Logits of residual rows x [N, d] from the dump alone, as docs/SCHEMA.md says a reader
    computes them: the final norm (ln_final.w is the effective weight), W_U, b_U, the soft-cap."""
    weight = f["weights/ln_final.w"]
    x = x.astype(np.float64)
    if weight.attrs["kind"] == "layernorm":
        x = x - x.mean(axis=1, keepdims=True)
    z = x / np.sqrt((x ** 2).mean(axis=1, keepdims=True) + weight.attrs["eps"]) * weight[...]
    if "weights/ln_final.b" in f:
        z = z + f["weights/ln_final.b"][...]
    z = z @ f["weights/W_U"][...]
    if "weights/b_U" in f:
        z = z + f["weights/b_U"][...]
    cap = f["weights/W_U"].attrs.get("softcap")
    return z if cap is None else cap * np.tanh(z / cap)


def act(f, layer, site):
    return f[f"acts/blocks.{layer}.hook_{site}"][...].astype(np.float64)


def lens_matches_model(lens_process, lens_out, dump, logits):
    """The lens started by start_lens on `dump` reads the model's log-prob of every prompt's
    answer and predicts what the model (its readout logits [N, V]) predicts among the numbers."""
    _, stderr = lens_process.communicate(timeout=120)
    assert lens_process.returncode == 0, stderr
    with h5py.File(os.path.join(lens_out, "lens_prompts.h5")) as lens, h5py.File(dump) as f:
        ids, values = f["tokens/ids"][...], f["tokens/values"][...]
        answers = f["prompts/answer"][...]
        logprob, predicted = lens["lens/logprob"][0], lens["lens/predicted"][0]
        numbers = lens["numbers/values"][...]
    token_of = dict(zip(values.tolist(), ids.tolist()))
    full = logits - logits.max(axis=1, keepdims=True)
    model_logprob = full - np.log(np.exp(full).sum(axis=1, keepdims=True))
    expected = np.array([model_logprob[i, token_of[a]] for i, a in enumerate(answers)])
    np.testing.assert_allclose(logprob, expected, atol=1e-4)  # every prompt, so their mean too
    by_value = [token_of[v] for v in numbers]
    model_predicted = logits[:, by_value].argmax(axis=1)
    assert predicted.tolist() == model_predicted.tolist()  # the model's accuracy, prompt by prompt
