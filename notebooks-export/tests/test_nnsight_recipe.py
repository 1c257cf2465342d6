"""The nnsight recipe of notebooks-export/README.md: values saved in a trace go into a dump
through the same mapping path as a TransformerLens cache, and equal the exporter's own dump."""
import csv
import os
import subprocess

import h5py
import numpy as np
import torch

from export_helpers import fourierlens_bin
from fourierlens import DumpWriter, addition_prompts, export_dump, export_weights, from_transformer_lens, load_model
from tl_models import padded, save_tiny_model


def test_nnsight_trace_into_a_dump(tmp_path):
    from nnsight import NNsight

    model, tokenizer = load_model(save_tiny_model(str(tmp_path / "model"), "gpt2"))
    prompts = addition_prompts(count=10, max_operand=29, seed=5)
    reference = str(tmp_path / "hf.h5")
    export_dump(model, tokenizer, reference, numbers=range(0, 60), prompts=prompts, position="last")
    # --- the recipe ---
    tokens = padded([tokenizer(p.text)["input_ids"] for p in prompts])
    last = [len(tokenizer(p.text)["input_ids"]) - 1 for p in prompts]
    traced, saved = NNsight(model), {}
    with torch.no_grad(), traced.trace(tokens):
        for l, block in enumerate(traced.transformer.h):  # in execution order, as nnsight requires
            saved[f"blocks.{l}.hook_resid_pre"] = block.input.save()
            saved[f"blocks.{l}.hook_attn_out"] = block.attn.output[0].save()
            saved[f"blocks.{l}.hook_mlp_out"] = block.mlp.output.save()
            saved[f"blocks.{l}.hook_resid_post"] = block.output.save()
        final = traced.transformer.ln_f.input.save()
    eps = model.transformer.ln_f.eps
    saved["ln_final.hook_scale"] = (final.var(-1, unbiased=False, keepdim=True) + eps).sqrt()
    out = str(tmp_path / "nnsight.h5")
    with DumpWriter(out, model="tiny-gpt2") as dump:
        export_weights(model, tokenizer, dump, numbers=range(0, 60))
        from_transformer_lens(saved, dump, position=last, prompts=[p.text for p in prompts],
                              values=[p.value for p in prompts], answers=[p.answer for p in prompts])
    # --- end of the recipe ---
    with h5py.File(reference) as a, h5py.File(out) as b:
        for name in a["acts"]:
            np.testing.assert_allclose(b[f"acts/{name}"][...], a[f"acts/{name}"][...], atol=1e-5, err_msg=name)
    for mode in ("none", "cached", "recompute"):
        tables = []
        for dump in (reference, out):
            directory = str(tmp_path / f"{os.path.basename(dump)}-{mode}")
            subprocess.run([fourierlens_bin(), "lens", dump, "--norm", mode, "--out", directory, "--quiet"], check=True)
            with open(os.path.join(directory, "lens_layers.csv"), newline="") as f:
                tables.append(list(csv.DictReader(f)))
        for a, b in zip(*tables, strict=True):
            assert a["acc_exact"] == b["acc_exact"] and abs(float(a["mean_entropy"]) - float(b["mean_entropy"])) < 1e-4
