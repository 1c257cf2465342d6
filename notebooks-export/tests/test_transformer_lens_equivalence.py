"""The logit lens against TransformerLens 4 itself (installed, models booted offline from a
folder). Per norm mode, the TransformerLens call it reproduces (docs/METHODS.md):

  none       accumulated_resid() @ W_U, decompose_resid() @ W_U           (unprocessed weights)
  cached     apply_ln_to_stack(accumulated_resid(), recompute_ln=False) @ W_U + b_U,
             decompose_resid(apply_ln=True) @ W_U                          (fold_ln weights)
  recompute  accumulated_resid(apply_ln=True) @ W_U + b_U,
             apply_ln_to_stack(decompose_resid(), recompute_ln=True) @ W_U (fold_ln weights)

on a GPT-2 (b_U = 0) and a GPT-J (b_U != 0), for dumps made from the Hugging Face model and
from TransformerLens's caches (unprocessed and processed weights, the unembedding centred or not)."""
import csv
import json
import os
import subprocess

import h5py
import numpy as np
import pytest
import torch

from export_helpers import fourierlens_bin, load_minilm
from fourierlens import addition_prompts, export_dump, from_transformer_lens, load_model
from tl_models import boot_bridge, padded, save_tiny_model

MODES = ("none", "cached", "recompute")
SITES = ("resid_pre", "attn_out", "mlp_out", "resid_post")
NUMBERS = range(0, 60)
#: the largest differences found, per model, dump source, mode and site (printed, and written
#: to $FOURIERLENS_TL_FIGURES when set)
FIGURES = {}


def reference_logits(cache, bridge, mode, positions):
    """{(site, layer): [N, V] logits at each prompt's position} by the TransformerLens calls."""
    rows = np.arange(len(positions))
    W_U, b_U = bridge.W_U, bridge.b_U
    with torch.no_grad():
        if mode == "none":
            resid = cache.accumulated_resid() @ W_U
            parts, labels = cache.decompose_resid(return_labels=True)
            parts = parts @ W_U
        elif mode == "cached":
            resid = cache.apply_ln_to_stack(cache.accumulated_resid(), recompute_ln=False) @ W_U + b_U
            parts, labels = cache.decompose_resid(apply_ln=True, return_labels=True)
            parts = parts @ W_U
        else:
            resid = cache.accumulated_resid(apply_ln=True) @ W_U + b_U
            parts, labels = cache.decompose_resid(return_labels=True)
            parts = cache.apply_ln_to_stack(parts, recompute_ln=True) @ W_U
    at = lambda stack: stack.numpy()[rows, positions].astype(np.float64)  # noqa: E731
    out = {}
    for layer in range(bridge.cfg.n_layers):
        out[("resid_pre", layer)] = at(resid[layer])
        out[("resid_post", layer)] = at(resid[layer + 1])
        out[("attn_out", layer)] = at(parts[labels.index(f"{layer}_attn_out")])
        out[("mlp_out", layer)] = at(parts[labels.index(f"{layer}_mlp_out")])
    return out


def lens_top(dump, mode, out):
    """fourierlens lens --norm mode: {(site, layer): [(prompt, token_id, logit, rank, text), ...]}, every
    prompt's top-k from lens_prompts.h5; the text (lens_topk.csv) only for the chosen prompt, else None."""
    result = subprocess.run([fourierlens_bin(), "lens", dump, "--norm", mode, "--top-k", "5", "--out", out, "--quiet"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = {}
    with open(os.path.join(out, "lens_topk.csv"), newline="") as f:
        for row in csv.DictReader(f):
            text[(row["site"], int(row["layer"]), int(row["prompt"]), int(row["rank"]))] = row["token"]
    top = {}
    with h5py.File(os.path.join(out, "lens_prompts.h5"), "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["readouts/name"][...]]
        prompts = f["prompts/index"][...]
        tokens, logits = f["lens/top_token"][...], f["lens/top_logit"][...]
    for i, name in enumerate(names):
        layer, site = int(name.split(".")[1]), name.split("hook_")[1]
        rows = top.setdefault((site, layer), [])
        for j, prompt in enumerate(prompts):
            for r in range(tokens.shape[2]):
                rows.append((int(prompt), int(tokens[i, j, r]), float(logits[i, j, r]), r + 1,
                             text.get((site, layer, int(prompt), r + 1))))
    return top


def compare(top, reference):
    """Largest |lens logit - TransformerLens logit| per site, after checking that the lens's top
    token of every prompt is TransformerLens's argmax."""
    worst = {}
    for (site, layer), rows in top.items():
        logits = reference[(site, layer)]
        for prompt, token, logit, rank, _ in rows:
            worst[site] = max(worst.get(site, 0.0), abs(logit - logits[prompt, token]))
            if rank == 1:
                assert token == int(np.argmax(logits[prompt])), (site, layer, prompt)
    return worst


@pytest.fixture(scope="module", params=["gpt2", "gptj"])
def setup(request, tmp_path_factory):
    kind = request.param
    root = tmp_path_factory.mktemp(kind)
    directory = save_tiny_model(str(root / "model"), kind)
    _, tokenizer = load_minilm()
    prompts = addition_prompts(count=12, max_operand=29, seed=4)
    hf_dump = str(root / "hf.h5")
    model, tokenizer = load_model(directory)
    export_dump(model, tokenizer, hf_dump, numbers=NUMBERS, prompts=prompts, position="number")
    with h5py.File(hf_dump) as f:
        positions = f["prompts/position"][...]
        assert ("weights/b_U" in f) == (kind == "gptj")
    tokens = padded([tokenizer(p.text)["input_ids"] for p in prompts])
    dumps, references = {"hf": hf_dump}, {}
    for processing, name in (("none", "tl_unprocessed"), ("fold", "tl_processed"), ("default", "tl_centred_unembed")):
        bridge = boot_bridge(directory, processing)
        with torch.no_grad():
            _, cache = bridge.run_with_cache(tokens)
        dumps[name] = str(root / f"{name}.h5")
        from_transformer_lens(cache, dumps[name], position=positions, model=bridge, numbers=NUMBERS,
                              prompts=[p.text for p in prompts], values=[p.value for p in prompts],
                              answers=[p.answer for p in prompts])
        for mode in MODES:
            # none reads unprocessed weights; cached and recompute, HookedTransformer's folded ones.
            if (mode == "none") == (processing == "none") and processing != "default":
                references[mode] = reference_logits(cache, bridge, mode, positions)
    return kind, root, dumps, references


def test_lens_equals_transformer_lens(setup):
    kind, root, dumps, references = setup
    for source, dump in dumps.items():
        if source == "tl_centred_unembed":
            continue  # its logits move by one constant per row: compared by lens_layers.csv below
        for mode in MODES:
            top = lens_top(dump, mode, str(root / f"lens-{source}-{mode}"))
            if source == "tl_processed" and mode == "none":
                continue  # centred residuals and a folded W_U: not the Hugging Face model's W_U x (documented)
            worst = compare(top, references[mode])
            FIGURES[f"{kind} b_U{'!=' if kind == 'gptj' else '='}0 {source} {mode}"] = worst
            scale = max(np.abs(r).max() for r in references[mode].values())
            for site, difference in worst.items():
                assert difference <= 1e-5 * max(1.0, scale), (source, mode, site, difference)
    print(json.dumps(FIGURES, indent=1))
    if os.environ.get("FOURIERLENS_TL_FIGURES"):
        with open(os.environ["FOURIERLENS_TL_FIGURES"], "a") as f:
            f.write(json.dumps(FIGURES) + "\n")


def test_lens_topk_shows_token_text(setup):
    kind, root, dumps, _ = setup
    _, tokenizer = load_minilm()
    top = lens_top(dumps["hf"], "recompute", str(root / "lens-text"))
    rows = [row for rows in top.values() for row in rows]
    shown = [row for row in rows if row[4] is not None]
    assert shown and all(text == tokenizer.decode([token]) for _, token, _, _, text in shown)
    assert any(text for *_, text in shown)


def test_dumps_from_transformer_lens_equal_the_hugging_face_dump(setup):
    """The figures of lens_layers.csv agree across the dumps (none: not for processed weights;
    with the unembedding centred too, whose logits move by one constant per row)."""
    kind, root, dumps, _ = setup
    for mode in MODES:
        tables = {}
        for source, dump in dumps.items():
            out = str(root / f"layers-{source}-{mode}")
            subprocess.run([fourierlens_bin(), "lens", dump, "--norm", mode, "--out", out, "--quiet"], check=True)
            with open(os.path.join(out, "lens_layers.csv"), newline="") as f:
                tables[source] = list(csv.DictReader(f))
        for source in ("tl_unprocessed", "tl_processed", "tl_centred_unembed"):
            if source != "tl_unprocessed" and mode == "none":
                continue
            for a, b in zip(tables["hf"], tables[source], strict=True):
                assert (a["site"], a["layer"], a["acc_exact"]) == (b["site"], b["layer"], b["acc_exact"])
                for column in ("mean_answer_logprob", "mean_entropy", "mean_kl_to_final"):
                    assert abs(float(a[column]) - float(b[column])) <= 1e-4, (source, mode, a["site"], a["layer"], column)
