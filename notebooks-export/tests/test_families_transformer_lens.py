"""Every family of tests/families.py through TransformerLens 4: the tiny seeded model saved with
the MiniLM tokenizer, a TransformerBridge booted from the folder offline (no weight processing),
and

  (1) the bridge's logits equal the transformers model's on the same padded prompts;
  (2) the dump from_transformer_lens writes from the bridge's cache and weights equals the
      transformers export's (the four sites at the readout, W_E, W_U, b_U, the final norm and
      the readout attributes), and its final norm, W_U, b_U and soft-cap give the model's logits;
  (3) `fourierlens lens --norm recompute` on that dump reads what the model predicts;
  (4) with HookedTransformer's weight processing (fold_ln, centring; the unembedding not
      centred), the dump's final norm, W_U, b_U and readout attributes still give the model's
      logits (the processing folds weights and scales into the transformers model in place).

A family TransformerLens cannot boot is skipped with TransformerLens's own reason
(README.md, "Supported model families", lists the families it boots)."""
import os

import h5py
import numpy as np
import pytest
import torch

from families import FAMILIES, LAYERS
from family_checks import NUMBERS, act, dump_logits, exported, lens_matches_model, one_thread, start_lens  # noqa: F401
from fourierlens import from_transformer_lens
from tl_models import boot_bridge

SITES = ("resid_pre", "attn_out", "mlp_out", "resid_post")
#: families whose weight processing TransformerLens 4.3 itself cannot do, with the reason
PROCESSING_FAILS = {
    "phi": "TransformerLens 4.3's fold_value_biases multiplies b_V [n_key_value_heads, d_head] by "
           "W_O [n_heads, d_head, d_model]: RuntimeError on a Phi with grouped-query attention "
           "(2 key/value heads for 4; a Phi with as many as its heads folds exactly)",
}
#: weights compared between the two dumps; a missing bias reads as zeros (the bridge gives every
#: unembedding a b_U, zero where the model has none)
WEIGHTS = ("W_E", "W_U", "b_U", "ln_final.w", "ln_final.b")


class Bridged:
    """A family's TransformerBridge (or the reason TransformerLens gives for not booting it),
    its logits on the transformers export's prompts and the dump made from its cache."""

    def __init__(self, e, tokenizer, directory):
        with one_thread():
            self._run(e, tokenizer, directory)

    def _run(self, e, tokenizer, directory):
        self.folder, self.tokenizer = os.path.join(directory, e.family), tokenizer
        e.model.save_pretrained(self.folder)
        tokenizer.save_pretrained(self.folder)
        try:
            self.bridge = boot_bridge(self.folder, "none", tokenizer=tokenizer)
        except Exception as error:  # noqa: BLE001 -- whatever TransformerLens refuses with is the reason
            self.bridge, self.reason = None, f"{type(error).__name__}: {error}"
            return
        with torch.no_grad():
            logits, cache = self.bridge.run_with_cache(e.inputs, attention_mask=e.mask)
        self.all_logits = logits.double()
        self.path = os.path.join(directory, f"{e.family}-tl.h5")
        from_transformer_lens(cache, self.path, position=np.array(e.lengths) - 1, model=self.bridge, numbers=NUMBERS,
                              prompts=[p.text for p in e.prompts], values=[p.value for p in e.prompts],
                              answers=[p.answer for p in e.prompts])
        self.lens_out = os.path.join(directory, f"{e.family}-tl-lens")
        self.lens = start_lens(self.path, self.lens_out)


@pytest.fixture(scope="module")
def bridged(exported, minilm, tmp_path_factory):
    """family → (its Exported, its Bridged); skips the family if TransformerLens cannot boot it."""
    directory = tmp_path_factory.mktemp("bridges")
    cache = {}

    def get(family):
        if family not in cache:
            cache[family] = Bridged(exported(family), minilm[1], str(directory))
        if cache[family].bridge is None:
            import transformer_lens
            pytest.skip(f"TransformerLens {transformer_lens.__version__} does not boot {family}: {cache[family].reason}")
        return exported(family), cache[family]
    return get


def weight(f, name):
    """A weight of the dump; a bias it lacks as zeros."""
    if f"weights/{name}" in f:
        return f[f"weights/{name}"][...]
    return np.zeros(f["weights/W_U"].shape[1] if name == "b_U" else f["weights/ln_final.w"].shape[0])


def relative(a, b):
    return np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max() / max(1.0, np.abs(a).max())


@pytest.mark.parametrize("family", FAMILIES)
def test_bridge_logits_equal_the_model(bridged, family):
    e, t = bridged(family)  # (1) every real token of every prompt; padding is not compared
    real = e.mask.bool()
    assert len(set(e.lengths)) > 1
    assert (t.all_logits[real] - e.all_logits[real]).abs().max().item() <= 1e-4


@pytest.mark.parametrize("family", FAMILIES)
def test_transformer_lens_dump_equals_the_transformers_dump(bridged, family):
    e, t = bridged(family)
    with h5py.File(e.path) as hf, h5py.File(t.path) as tl:  # (2)
        assert tl["prompts/position"][...].tolist() == hf["prompts/position"][...].tolist()
        assert tl["tokens/ids"][...].tolist() == hf["tokens/ids"][...].tolist()
        assert (tl.attrs["d_model"], tl.attrs["n_layers"]) == (hf.attrs["d_model"], hf.attrs["n_layers"])
        for layer in range(LAYERS):
            for site in SITES:
                assert relative(act(hf, layer, site), act(tl, layer, site)) <= 1e-4, (layer, site)
        for name in WEIGHTS:
            assert relative(weight(hf, name), weight(tl, name)) <= 1e-4, name
            key = f"weights/{name}"
            if key in hf:  # the readout attributes: embedding scale, 1 + w, soft-cap, logit scale
                assert dict(tl[key].attrs) == pytest.approx(dict(hf[key].attrs)), name
        logits = dump_logits(tl, act(tl, LAYERS - 1, "resid_post"))
    assert np.abs(logits - e.logits).max() <= 1e-4
    assert (logits.argmax(axis=1) == e.logits.argmax(axis=1)).all()


@pytest.mark.parametrize("family", FAMILIES)
def test_lens_recompute_on_the_transformer_lens_dump_reads_the_model_prediction(bridged, family):
    e, t = bridged(family)
    lens_matches_model(t.lens, t.lens_out, t.path, e.logits)  # (3)


@pytest.mark.parametrize("family", [pytest.param(f, marks=pytest.mark.xfail(strict=True, raises=RuntimeError,
                                                                           reason=PROCESSING_FAILS[f]))
                                    if f in PROCESSING_FAILS else f for f in FAMILIES])
def test_dump_of_a_processed_bridge_gives_the_model_logits(bridged, family, tmp_path):
    e, t = bridged(family)
    path = str(tmp_path / "processed.h5")
    with one_thread():  # (4)
        bridge = boot_bridge(t.folder, "fold", tokenizer=t.tokenizer)
        with torch.no_grad():
            logits, cache = bridge.run_with_cache(e.inputs, attention_mask=e.mask)
        from_transformer_lens(cache, path, position=np.array(e.lengths) - 1, model=bridge, numbers=NUMBERS)
    assert np.abs(logits.double()[e.rows].numpy() - e.logits).max() <= 1e-4
    with h5py.File(path) as f:
        from_dump = dump_logits(f, act(f, LAYERS - 1, "resid_post"))
    assert np.abs(from_dump - e.logits).max() <= 1e-4
    assert (from_dump.argmax(axis=1) == e.logits.argmax(axis=1)).all()
