"""Dumps from a TransformerLens ActivationCache (or any mapping of hook names to tensors)."""
import re

import numpy as np

from .dumpfile import DumpWriter, fill
from .errors import ExportError
from .activations import SITES

_HOOK = re.compile(r"^blocks\.(\d+)\.hook_(" + "|".join(SITES) + r")$")


def _numpy(tensor):
    if hasattr(tensor, "detach"):
        tensor = tensor.detach().float().cpu().numpy()
    return np.asarray(tensor, dtype=np.float32)


def from_transformer_lens(cache, out, position=-1, prompts=None, values=None, answers=None, answer_kind="value",
                          dtype="float32", overwrite=False, model_name=None):
    """Writes every `blocks.{l}.hook_{site}` of `cache` ([batch, pos, d]) at `position` (an
    index, or one index per prompt) as /acts/blocks.{l}.hook_{site} [N, d], and
    `ln_final.hook_scale` ([batch, pos, 1]) as /acts/ln_final.hook_scale [N]."""
    keys = [k for k in cache.keys() if _HOOK.match(k)]
    if not keys:
        raise ExportError("expected hook names such as blocks.0.hook_resid_post in the cache, found none")
    first = _numpy(cache[keys[0]])
    if first.ndim != 3:
        raise ExportError(f"expected cache tensors [batch, pos, d], found {keys[0]} with shape {first.shape}")
    n, length = first.shape[0], first.shape[1]
    index = np.full(n, position, dtype=np.int64) if np.ndim(position) == 0 else np.asarray(position, dtype=np.int64)
    index = np.where(index < 0, index + length, index)
    if index.shape != (n,) or (index < 0).any() or (index >= length).any():
        raise ExportError(f"expected positions within 0..{length - 1} for {n} prompts, found {position!r}")
    rows = np.arange(n)
    with DumpWriter(out, overwrite=overwrite, model=model_name) as dump:
        layers = set()
        for key in sorted(keys, key=lambda k: (int(_HOOK.match(k).group(1)), k)):
            tensor = _numpy(cache[key])
            if tensor.shape[:2] != (n, length):
                raise ExportError(f"expected {key} of shape [{n}, {length}, d], found {tensor.shape}")
            dataset = dump.create(f"acts/{key}", (n, tensor.shape[2]), dtype)
            fill(dataset, slice(0, n), tensor[rows, index])
            layers.add(int(_HOOK.match(key).group(1)))
            dump.set_attr("d_model", int(tensor.shape[2]))
        if "ln_final.hook_scale" in cache.keys():
            scale = _numpy(cache["ln_final.hook_scale"]).reshape(n, length)
            dump.write("acts/ln_final.hook_scale", scale[rows, index].astype(np.float32))
        dump.set_attr("n_layers", max(layers) + 1)
        dump.write("prompts/position", index)
        if prompts is not None:
            dump.write_strings("prompts/text", prompts)
        if values is not None:
            dump.write("prompts/values", np.asarray(values, dtype=np.int64))
        if answers is not None:
            dump.write("prompts/answer", np.asarray(answers, dtype=np.int64), attrs={"kind": answer_kind})
