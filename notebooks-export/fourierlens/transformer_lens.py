"""Dumps from TransformerLens: an ActivationCache (or any mapping of hook names to tensors) and
the model's own weights (TransformerBridge of TransformerLens 4, or HookedTransformer)."""
import re

import numpy as np

from .activations import SITES
from .dumpfile import fill, writer_for
from .errors import ExportError

_HOOK = re.compile(r"^blocks\.(\d+)\.hook_(" + "|".join(SITES) + r")$")


def _numpy(tensor):
    if hasattr(tensor, "detach"):
        tensor = tensor.detach().float().cpu().numpy()
    return np.asarray(tensor, dtype=np.float32)


def is_transformer_lens(model):
    """A TransformerLens model (TransformerBridge or HookedTransformer), not a transformers one."""
    return all(hasattr(model, name) for name in ("cfg", "W_U", "run_with_cache"))


def _wrapped_transformers_model(model):
    """The transformers model a TransformerBridge computes with (None for a HookedTransformer)."""
    original = getattr(model, "original_model", None)
    return original if original is not None and hasattr(original, "config") else None


def transformer_lens_weights(model):
    """(W_E [V, d], W_U [d, V], b_U, tied, norm, n_layers, name, readout) of a TransformerLens
    model as it computes.

    A TransformerBridge runs its transformers model's own modules, and
    enable_compatibility_mode() folds its weights in place: the readout is that model's, read as
    the transformers path reads it (embedding scales, Gemma's 1 + w, soft-cap, logit scales,
    OPT's projections). A HookedTransformer: after fold_ln the final norm's weight and bias are
    folded into W_U and b_U and ln_final keeps only the normalisation (weight 1, bias 0)."""
    import torch

    cfg = model.cfg
    original = _wrapped_transformers_model(model)
    if original is not None:
        from .weights import _transformers_weights
        *roles, _, readout = _transformers_weights(original)
        return (*roles, getattr(cfg, "model_name", None), readout)
    with torch.no_grad():
        W_E, W_U = _numpy(model.W_E), _numpy(model.W_U)
        b_U = _numpy(model.b_U) if getattr(model, "b_U", None) is not None else None
        tied = model.W_E.data_ptr() == model.W_U.data_ptr()
        norm = None
        kind = {"LN": "layernorm", "LNPre": "layernorm", "RMS": "rmsnorm", "RMSPre": "rmsnorm"}.get(cfg.normalization_type)
        if kind is not None and getattr(model, "ln_final", None) is not None:
            params = {name.rsplit(".", 1)[-1]: _numpy(p) for name, p in model.ln_final.named_parameters()}
            d = W_U.shape[0]
            weight = params.get("weight", params.get("w", np.ones(d, dtype=np.float32)))
            bias = params.get("bias", params.get("b", np.zeros(d, dtype=np.float32) if kind == "layernorm" else None))
            norm = (kind, float(cfg.eps), weight, bias)
    return W_E, W_U, b_U, tied, norm, int(cfg.n_layers), getattr(cfg, "model_name", None), None


def _positions(position, n, length):
    index = np.full(n, position, dtype=np.int64) if np.ndim(position) == 0 else np.asarray(position, dtype=np.int64)
    index = np.where(index < 0, index + length, index)
    if index.shape != (n,) or (index < 0).any() or (index >= length).any():
        raise ExportError(f"expected positions within 0..{length - 1} for {n} prompts, found {position!r}")
    return index


def from_transformer_lens(cache, out, position=-1, prompts=None, values=None, answers=None, answer_kind="value",
                          dtype="float32", overwrite=False, model_name=None, model=None, numbers=None,
                          str_tokens=None):
    """Writes every `blocks.{l}.hook_{site}` of `cache` ([batch, pos, d]) at `position` (an
    index, one index per prompt, or "all" to keep [N, pos, d]) as /acts/blocks.{l}.hook_{site},
    and `ln_final.hook_scale` as /acts/ln_final.hook_scale.

    model: the TransformerLens model that made the cache: its W_E, W_U, b_U and final norm go
    into the same dump (export_weights), with its tokenizer's vocabulary and `numbers`.
    str_tokens: per prompt, the token strings (model.to_str_tokens) for /prompts/tokens.
    out: a path or an open DumpWriter."""
    keys = [k for k in cache.keys() if _HOOK.match(k)]
    if not keys:
        raise ExportError("expected hook names such as blocks.0.hook_resid_post in the cache, found none")
    first = _numpy(cache[keys[0]])
    if first.ndim != 3:
        raise ExportError(f"expected cache tensors [batch, pos, d], found {keys[0]} with shape {first.shape}")
    n, length = first.shape[0], first.shape[1]
    every = isinstance(position, str) and position == "all"
    index = None if every else _positions(position, n, length)
    rows = np.arange(n)
    name = model_name or (getattr(model.cfg, "model_name", None) if model is not None else None)
    with writer_for(out, overwrite, name) as dump:
        if model is not None:
            from .weights import export_weights
            export_weights(model, None, dump, numbers=numbers, dtype=dtype)
        layers = set()
        for key in sorted(keys, key=lambda k: (int(_HOOK.match(k).group(1)), k)):
            tensor = _numpy(cache[key])
            if tensor.shape[:2] != (n, length):
                raise ExportError(f"expected {key} of shape [{n}, {length}, d], found {tensor.shape}")
            kept = tensor if every else tensor[rows, index]
            fill(dump.create(f"acts/{key}", kept.shape, dtype), slice(0, n), kept)
            layers.add(int(_HOOK.match(key).group(1)))
            dump.set_attr("d_model", int(tensor.shape[2]))
        if "ln_final.hook_scale" in cache.keys():
            scale = _numpy(cache["ln_final.hook_scale"]).reshape(n, length)
            dump.write("acts/ln_final.hook_scale", scale if every else scale[rows, index])
        if "n_layers" not in dump.file.attrs:
            dump.set_attr("n_layers", max(layers) + 1)
        if not every:
            dump.write("prompts/position", index)
        if str_tokens is not None:
            texts = [list(t) + [""] * (length - len(t)) for t in str_tokens]
            dump.write_strings("prompts/tokens", texts if every else [t[i] for t, i in zip(texts, index)])
        if prompts is not None:
            dump.write_strings("prompts/text", prompts)
        if values is not None:
            dump.write("prompts/values", np.asarray(values, dtype=np.int64))
        if answers is not None:
            dump.write("prompts/answer", np.asarray(answers, dtype=np.int64), attrs={"kind": answer_kind})
