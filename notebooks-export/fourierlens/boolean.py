"""Bit strings through a model: the boolean/ group of a dump (docs/SCHEMA.md), for
`fourierlens boolean`.

    from fourierlens.boolean import cube, export_boolean
    export_boolean(model, tokenizer, "bits.h5", cube(10))

Bits are 0/1 (bit i in column i; the analysis reads xᵢ = (−1)^bitᵢ). Each string is rendered as a
prompt ("0 1 1 0 … =" by default); the outputs are the last position's logits of the two answer
tokens and their difference; the activations are the residual stream (or other sites) there.
"""
import os
import sys
import types

import h5py
import numpy as np

from .activations import SITES, _Capture, _tokenize
from .architectures import describe
from .dumpfile import DumpWriter
from .errors import ExportError


def cube(n):
    """All 2^n strings, row i holding the bits of i (bit j in column j)."""
    if not 1 <= n <= 26:
        raise ExportError(f"a full cube takes 1 to 26 bits, found n = {n}")
    index = np.arange(1 << n)
    return ((index[:, None] >> np.arange(n)) & 1).astype(np.uint8)


def sample(n, count, seed=0, flip_pairs=0):
    """`count` strings drawn uniformly with replacement, then `flip_pairs` pairs (x, x ⊕ eᵢ), each x
    drawn uniformly and each bit i flipped in turn. Returns (bits, pairs [P, 2] of row indices or None)."""
    if not 1 <= n <= 64:
        raise ExportError(f"bit strings take 1 to 64 bits, found n = {n}")
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, (count, n), dtype=np.uint8)
    if not flip_pairs:
        return bits, None
    base = rng.integers(0, 2, (flip_pairs, n), dtype=np.uint8)
    flipped = base.copy()
    coordinate = np.arange(flip_pairs) % n
    flipped[np.arange(flip_pairs), coordinate] ^= 1
    first = count + np.arange(flip_pairs)
    pairs = np.stack([first, first + flip_pairs], axis=1)
    return np.concatenate([bits, base, flipped]), pairs


def render(bits, separator=" ", suffix=" ="):
    """The default prompt of a string: its bits as digits, "0 1 1 0 =" ."""
    return separator.join(str(int(b)) for b in bits) + suffix


def _answer_id(tokenizer, text):
    ids = tokenizer.encode(text, add_special_tokens=False)
    if len(ids) != 1:
        raise ExportError(f"the answer {text!r} is {len(ids)} tokens for this tokenizer; pass answers that are one token each")
    return ids[0]


def evaluate(model, tokenizer, bits, render=render, answers=("0", "1"), sites=("resid_post",), layers=None,
             batch_size=256):
    """Runs the model on each string's prompt. Returns (outputs [M, 3]: logit(answers[1]) − logit(answers[0]),
    logit(answers[0]), logit(answers[1]); {TransformerLens name: activations [M, d]} at the last position)."""
    import torch

    bits = np.asarray(bits)
    if bits.ndim != 2 or not np.isin(bits, (0, 1)).all():
        raise ExportError("bits must be a [M, n] array of 0/1")
    unknown = set(sites) - set(SITES)
    if unknown:
        raise ExportError(f"unknown sites {sorted(unknown)}; choose from {', '.join(SITES)}")
    arch = describe(model)
    layers = list(range(arch.n_layers)) if layers is None else list(layers)
    answer_ids = [_answer_id(tokenizer, a) for a in answers]
    token_ids = _tokenize(tokenizer, [render(row) for row in bits])
    outputs = np.empty((len(bits), 3), dtype=np.float32)
    acts = {}
    capture = _Capture(arch, sites, layers)
    model.eval()
    try:
        with torch.no_grad():
            for start in range(0, len(bits), batch_size):
                batch = token_ids[start:start + batch_size]
                width = max(len(ids) for ids in batch)
                input_ids = torch.zeros((len(batch), width), dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for i, ids in enumerate(batch):  # right padding: the last real token is the readout
                    input_ids[i, :len(ids)] = torch.tensor(ids)
                    mask[i, :len(ids)] = 1
                last = mask.sum(dim=1) - 1
                capture.rows = (torch.arange(len(batch)), last)
                capture.values.clear()
                logits = model(input_ids=input_ids, attention_mask=mask).logits[torch.arange(len(batch)), last]
                pair = logits[:, answer_ids].float().numpy()
                outputs[start:start + len(batch)] = np.column_stack([pair[:, 1] - pair[:, 0], pair[:, 0], pair[:, 1]])
                for (site, layer), values in capture.values.items():
                    if layer is None:
                        continue
                    name = f"blocks.{layer}.hook_{site}"
                    if name not in acts:
                        acts[name] = np.empty((len(bits), values.shape[-1]), dtype=np.float32)
                    acts[name][start:start + len(batch)] = values
    finally:
        capture.remove()
    return outputs, acts


def write_boolean(out, bits, outputs, names=None, acts=None, design=None, flip_pairs=None, overwrite=False):
    """Writes the boolean/ group to a new HDF5 file `out` (atomically, as every dump: DumpWriter)."""
    if os.path.exists(out) and not overwrite:
        raise ExportError(f"{out} exists; pass overwrite=True to replace it")
    bits = np.asarray(bits, dtype=np.uint8)
    outputs = np.asarray(outputs)
    if len(outputs) != len(bits):
        raise ExportError(f"outputs have {len(outputs)} rows for {len(bits)} strings")
    with DumpWriter(out, overwrite=True) as dump:
        f = dump.file
        f["boolean/inputs"] = bits
        if design:
            f["boolean/inputs"].attrs["design"] = design
        f["boolean/outputs"] = outputs
        if names is not None:
            f["boolean/output_names"] = [str(n) for n in names]
        for name, values in (acts or {}).items():
            f[f"boolean/acts/{name}"] = values
        if flip_pairs is not None:
            f["boolean/flip_pairs"] = np.asarray(flip_pairs, dtype=np.int64)


def export_boolean(model, tokenizer, out, bits, flip_pairs=None, design=None, render=render, answers=("0", "1"),
                   sites=("resid_post",), layers=None, batch_size=256, overwrite=False):
    """Evaluates the model on the strings and writes the boolean/ group: outputs logit_diff,
    logit_<a0>, logit_<a1> and the activations at the readout position."""
    outputs, acts = evaluate(model, tokenizer, bits, render=render, answers=answers, sites=sites, layers=layers,
                             batch_size=batch_size)
    names = ["logit_diff", f"logit_{answers[0]}", f"logit_{answers[1]}"]
    write_boolean(out, bits, outputs, names=names, acts=acts, design=design, flip_pairs=flip_pairs, overwrite=overwrite)


class _AnalysisModule(types.ModuleType):
    """`fourierlens.boolean(bits, outputs, …)` runs the analysis (fourierlens.analyses.boolean),
    as `fourierlens.spectrum(…)` does, while `fourierlens.boolean.cube` and the rest stay this
    module's: the package attribute is this module, so the module itself is the callable."""

    def __call__(self, *args, **options):
        from .analyses import boolean
        return boolean(*args, **options)


sys.modules[__name__].__class__ = _AnalysisModule
