"""Every supported family, on a tiny seeded random model (tests/families.py): the dump holds the
model's hidden states, its attention and MLP outputs add up to the next residual, the dump's
final norm, W_U, b_U and readout attributes reproduce the model's own logits, and `fourierlens
lens --norm recompute` at the last residual reads what the model predicts (docs/SCHEMA.md)."""
import shutil

import h5py
import numpy as np
import pytest
import torch

from families import FAMILIES, LAYERS
from family_checks import act, dump_logits, exported, lens_matches_model  # noqa: F401 (exported: a fixture)
from tl_models import padded


@pytest.mark.parametrize("family", FAMILIES)
def test_hidden_states_and_additivity(exported, family):
    e = exported(family)
    with h5py.File(e.path) as f:
        assert f["prompts/position"][...].tolist() == [n - 1 for n in e.lengths]
        assert len(set(e.lengths)) > 1  # padding is exercised
        for layer in range(LAYERS):
            # (a) the block's input is the model's hidden state; its output the next one's input
            np.testing.assert_allclose(act(f, layer, "resid_pre"), e.hidden[layer], rtol=1e-5, atol=1e-5)
            if layer + 1 < LAYERS:
                np.testing.assert_array_equal(act(f, layer, "resid_post"), act(f, layer + 1, "resid_pre"))
            # (b) attn_out and mlp_out are exactly what the block adds to the residual
            total = act(f, layer, "resid_pre") + act(f, layer, "attn_out") + act(f, layer, "mlp_out")
            post = act(f, layer, "resid_post")
            assert np.abs(total - post).max() <= 1e-5 * max(1.0, np.abs(post).max())


@pytest.mark.parametrize("family", FAMILIES)
def test_dump_reproduces_the_model_logits(exported, family):
    e = exported(family)
    with h5py.File(e.path) as f:  # (c)
        logits = dump_logits(f, act(f, LAYERS - 1, "resid_post"))
    assert np.abs(logits - e.logits).max() <= 1e-4
    assert (logits.argmax(axis=1) == e.logits.argmax(axis=1)).all()


@pytest.mark.parametrize("family", FAMILIES)
def test_lens_recompute_reads_the_model_prediction(exported, family):
    e = exported(family)
    lens_matches_model(e.lens, e.lens_out, e.path, e.logits)  # (d)


@pytest.mark.parametrize("family", ["gemma", "gemma2", "gemma3_text"])
def test_a_raw_gemma_norm_or_an_uncapped_readout_would_fail(exported, family, tmp_path):
    """The tiny models are far from the defaults: reading the final norm's raw parameter (w,
    not 1 + w) or leaving out the soft-cap changes the logits by 100 times the tolerance above."""
    copy = str(tmp_path / "copy.h5")  # the lens may still be reading the dump itself
    shutil.copy(exported(family).path, copy)
    with h5py.File(copy, "r+") as f:
        assert f["weights/ln_final.w"].attrs["weight_offset"] == 1.0
        assert f["weights/W_E"].attrs["embedding_scale"] == pytest.approx(np.sqrt(32))
        x = act(f, LAYERS - 1, "resid_post")
        right = dump_logits(f, x)
        f["weights/ln_final.w"][...] -= 1.0
        raw = dump_logits(f, x)
        f["weights/ln_final.w"][...] += 1.0
        if "softcap" in f["weights/W_U"].attrs:
            cap = f["weights/W_U"].attrs["softcap"]
            del f["weights/W_U"].attrs["softcap"]
            assert np.abs(dump_logits(f, x) - right).max() > 0.01
            f["weights/W_U"].attrs["softcap"] = cap
    assert np.abs(raw - right).max() > 0.01


@pytest.mark.parametrize("family", ["gemma2", "gemma3_text", "olmo2", "olmo3", "granite"])
def test_raw_sublayer_outputs_would_not_add_up(exported, family):
    """Where the block norms (or scales) a sublayer's output before adding it, the attention and
    MLP modules' raw outputs miss the residual by 100 times the tolerance above: the dump's don't."""
    e = exported(family)
    layer = e.model.model.layers[0]
    kept = {}
    hooks = [layer.self_attn.register_forward_hook(lambda m, a, o: kept.__setitem__("attn", o[0])),
             layer.mlp.register_forward_hook(lambda m, a, o: kept.__setitem__("mlp", o)),
             layer.register_forward_pre_hook(lambda m, a, k: kept.__setitem__("pre", k.get("hidden_states", a[0] if a else None)),
                                             with_kwargs=True),
             layer.register_forward_hook(lambda m, a, o: kept.__setitem__("post", o[0] if isinstance(o, tuple) else o))]
    try:
        with torch.no_grad():
            e.model(input_ids=padded([[5, 6, 7]]))
    finally:
        for hook in hooks:
            hook.remove()
    assert (kept["pre"] + kept["attn"] + kept["mlp"] - kept["post"]).abs().max() > 100 * 1e-5 * kept["post"].abs().max()


def _shifted(output, delta):
    """A module's output with `delta` added to its first element (what a patch does)."""
    if isinstance(output, tuple):
        return (output[0] + delta,) + output[1:]
    return output + delta


@pytest.mark.parametrize("family", FAMILIES)
def test_patching_the_described_modules_moves_the_residual_by_exactly_the_patch(exported, family):
    """architectures.describe's attn[l] / mlp[l] are what a patcher replaces: adding δ / add_scale
    to that module's output moves what the block adds by δ, nothing else in the layer before it."""
    from fourierlens.architectures import describe
    e = exported(family)
    arch = describe(e.model)
    inputs = padded([[5, 6, 7, 8]])
    delta = torch.linspace(-1, 1, e.model.config.hidden_size)

    def run(site=None):
        kept = {}
        hooks = [arch.layers[0].register_forward_hook(lambda m, a, o: kept.__setitem__("post", o[0] if isinstance(o, tuple) else o)),
                 # a copy: Falcon adds attention into the MLP's output in place afterwards
                 arch.mlp[0].register_forward_hook(lambda m, a, o: kept.__setitem__("mlp", (o[0] if isinstance(o, tuple) else o).clone()))]
        if site is not None:
            module = arch.attn[0] if site == "attn" else arch.mlp[0]
            hooks.append(module.register_forward_hook(lambda m, a, o: _shifted(o, delta / arch.add_scale)))
        try:
            with torch.no_grad():
                e.model(input_ids=inputs)
        finally:
            for hook in hooks:
                hook.remove()
        post, mlp = kept["post"].reshape(-1, delta.shape[0]), kept["mlp"].reshape(-1, delta.shape[0])
        return post.double(), mlp.double() * arch.add_scale

    post, mlp = run()
    post_mlp, _ = run("mlp")
    torch.testing.assert_close(post_mlp - post, delta.double().expand_as(post), atol=1e-5, rtol=0)
    post_attn, mlp_attn = run("attn")
    torch.testing.assert_close((post_attn - mlp_attn) - (post - mlp), delta.double().expand_as(post), atol=1e-5, rtol=0)


def _filtered_copy(e, path, change=lambda site, values: values):
    """A filtered.h5 by hand: the dump's own attn_out and mlp_out at every layer (changed by
    `change`), marked to be patched together."""
    with h5py.File(e.path) as source, h5py.File(path, "w") as f:
        f.attrs.update({"filter_removed": "none (identity)", "prompt_start": 0, "prompt_end": len(e.prompts), "filter_joint": 1})
        for name in ("prompts/text", "tokens/ids", "tokens/values"):
            source.copy(source[name], f, name=name)
        for layer in range(LAYERS):
            for site in ("attn_out", "mlp_out"):
                key = f"acts/blocks.{layer}.hook_{site}"
                f.create_dataset(key, data=change(site, source[key][...]))
    return path


@pytest.mark.parametrize("family", FAMILIES)
def test_patch_puts_the_dumps_own_activations_back_unchanged(exported, family, minilm, tmp_path):
    """fourierlens.patch on every family: the model computes the dump's activations (patch checks
    them to 1e-3 first), putting them back through the same hooks (÷ add_scale, OPT's flattened
    batch) leaves the model's outputs as they were, and a zeroed MLP output does change them."""
    from fourierlens.patch import patch
    e = exported(family)
    same = _filtered_copy(e, str(tmp_path / "same.h5"))
    zero = _filtered_copy(e, str(tmp_path / "zero.h5"), lambda site, values: values * (site != "mlp_out"))
    result = patch(e.model, minilm[1], e.path, [same, zero], progress=False)
    unpatched, identity, zeroed = result.rows
    assert result.largest_check_error < 1e-3
    assert identity["mean_kl"] < 1e-8 and identity["acc_vocab"] == unpatched["acc_vocab"]
    # Tiny random models spread their logits thinly: the zeroed MLP moves them little, but far
    # more than the round trip of the unchanged values does.
    assert zeroed["mean_kl"] > 1e3 * max(identity["mean_kl"], 1e-12)
