"""Dumps from activation caches already on disk, without re-running the model: a folder (or
list) of per-layer torch .pt tensors, safetensors files (single or sharded: a tensor name found
in several shards is their concatenation along the first axis, in file-name order) and numpy
.npy files (memory-mapped). Tensors are copied a block of rows at a time, so memory stays
bounded whatever the cache's size."""
import glob
import os
import re

import numpy as np

from .activations import SITES
from .dumpfile import fill, writer_for
from .errors import ExportError

#: bytes of float32 copied per block
BLOCK_BYTES = 16 << 20
_SCHEMA_NAME = re.compile(r"^(acts|prompts|tokens|weights|vocabulary)/")
_SITE_WORDS = [("resid_pre", "resid_pre"), ("resid_mid", "resid_mid"), ("resid_post", "resid_post"),
               ("attn", "attn_out"), ("mlp", "mlp_out"), ("resid", "resid_post"), ("hidden", "resid_post"),
               ("residual", "resid_post")]


class _Tensor:
    """One named tensor of a cache: its shape, and its rows read on demand."""

    def __init__(self, name, array, widen=np.asarray, origin=""):
        self.name, self.array, self.widen, self.origin = name, array, widen, origin

    @property
    def shape(self):
        return tuple(self.array.shape)

    def rows(self, start, stop):
        return self.widen(self.array[start:stop])


class _Concatenated:
    """The same tensor name in several shards: the shards' rows one after another."""

    def __init__(self, parts):
        self.parts, self.name = parts, parts[0].name
        tails = {p.shape[1:] for p in parts}
        if len(tails) > 1:
            raise ExportError(f"expected the shards of {self.name} to agree beyond the first axis, found "
                              + ", ".join(f"{p.origin} {p.shape}" for p in parts))
        self.origin = f"{len(parts)} shards"

    @property
    def shape(self):
        return (sum(p.shape[0] for p in self.parts),) + self.parts[0].shape[1:]

    def rows(self, start, stop):
        out, offset = [], 0
        for part in self.parts:
            low, high = max(start - offset, 0), min(stop - offset, part.shape[0])
            if low < high:
                out.append(part.rows(low, high))
            offset += part.shape[0]
        return np.concatenate(out, axis=0)


def _torch_tensors(path):
    import torch

    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as error:  # torch raises many kinds for a file that is not a tensor file
        raise ExportError(f"{path}: expected a torch .pt file of tensors ({type(error).__name__})") from None
    stem = os.path.splitext(os.path.basename(path))[0]
    items = loaded.items() if isinstance(loaded, dict) else [(stem, loaded)]
    tensors = []
    for key, value in items:
        if not isinstance(value, torch.Tensor):
            raise ExportError(f"{path}: expected tensors, found {type(value).__name__} at {key!r}")
        widen = (lambda chunk: chunk.float().numpy()) if value.is_floating_point() else (lambda chunk: chunk.numpy())
        tensors.append(_Tensor(str(key), value, widen, path))
    return tensors


def _safetensors_tensors(path):
    from .safetensors_reader import SafetensorsFile

    file = SafetensorsFile(path)
    return [_Tensor(key, *file.rows(key), path) for key in file.header]


def _npy_tensors(path):
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as error:
        raise ExportError(f"{path}: expected a .npy array ({error})") from None
    return [_Tensor(os.path.splitext(os.path.basename(path))[0], array, np.asarray, path)]


_READERS = {".pt": _torch_tensors, ".pth": _torch_tensors, ".safetensors": _safetensors_tensors, ".npy": _npy_tensors}


def read_cache(source):
    """The named tensors of a cache: a directory (every .pt, .pth, .safetensors and .npy inside,
    in file-name order), one file, or a list of files. Shards repeating a name are concatenated."""
    if isinstance(source, (list, tuple)):
        files = [os.fspath(s) for s in source]
    elif os.path.isdir(source):
        files = sorted(f for f in glob.glob(os.path.join(source, "*")) if os.path.splitext(f)[1] in _READERS)
        if not files:
            raise ExportError(f"{source}: expected .pt, .safetensors or .npy files in the directory, found none")
    elif os.path.isfile(source):
        files = [os.fspath(source)]
    else:
        raise ExportError(f"{source}: expected a cache directory or file; it does not exist")
    by_name = {}
    for path in files:
        reader = _READERS.get(os.path.splitext(path)[1])
        if reader is None:
            raise ExportError(f"{path}: expected a .pt, .safetensors or .npy file")
        for tensor in reader(path):
            by_name.setdefault(tensor.name, []).append(tensor)
    return {name: parts[0] if len(parts) == 1 else _Concatenated(parts) for name, parts in by_name.items()}


def guess_name(name):
    """The schema path of a cache tensor name, or None: schema paths and hook names as they are
    (blocks.3.hook_resid_post, ln_final.hook_scale); otherwise the last integer is the layer and
    a site word in the name (resid_pre, resid_mid, resid_post, attn, mlp, resid, hidden) the site,
    resid_post when there is none (layer_7, h.7)."""
    if _SCHEMA_NAME.match(name):
        return name
    if re.match(r"^blocks\.\d+\.hook_(" + "|".join(SITES + ("resid_mid",)) + r")$", name) or name == "ln_final.hook_scale":
        return f"acts/{name}"
    numbers = re.findall(r"\d+", name)
    if not numbers:
        return None
    lowered = name.lower()
    site = next((s for word, s in _SITE_WORDS if word in lowered), "resid_post")
    return f"acts/blocks.{int(numbers[-1])}.hook_{site}"


def parse_mapping(items):
    """["layer_3=blocks.3.hook_mlp_out", ...] (the command line's --map) to a dict."""
    mapping = {}
    for item in items or []:
        if "=" not in item:
            raise ExportError(f"expected --map NAME=SCHEMA_NAME (e.g. layer_3=blocks.3.hook_mlp_out), found {item!r}")
        name, target = item.split("=", 1)
        mapping[name.strip()] = target.strip()
    return mapping


def _target(name, mapping):
    if mapping and name in mapping:
        target = mapping[name]
        return target if _SCHEMA_NAME.match(target) else guess_name(target)
    return guess_name(name)


def import_cache(source, out, mapping=None, position=None, dtype="float32", overwrite=False, model_name=None,
                 report=print):
    """Writes the tensors of the cache `source` (see read_cache) into the dump `out`, under the
    schema names `mapping` gives ({cache name: schema name}) or guess_name guesses, and reports
    each mapping (`report`, print by default). Names with no mapping and no guess are skipped
    (and reported). position: for [N, pos, d] activations, keep only this position ([N, d]).
    Returns {cache name: schema path}."""
    tensors = read_cache(source)
    if mapping:
        unknown = sorted(set(mapping) - set(tensors))
        if unknown:
            raise ExportError(f"{source}: expected --map names among the cache's tensors ({', '.join(sorted(tensors))}), "
                              f"found {', '.join(unknown)}")
    plan = {name: _target(name, mapping) for name in sorted(tensors)}
    if not any(target and target.startswith("acts/") for target in plan.values()):
        raise ExportError(f"{source}: expected activations among {', '.join(sorted(tensors))}; "
                          "give --map NAME=blocks.L.hook_SITE for each")
    targets = [t for t in plan.values() if t]
    duplicated = sorted({t for t in targets if targets.count(t) > 1})
    if duplicated:
        raise ExportError(f"{source}: expected one cache tensor per schema name, found several for {', '.join(duplicated)} "
                          "(give --map for each)")
    with writer_for(out, overwrite, model_name) as dump:
        layers, d_model = set(), None
        for name, target in plan.items():
            if target is None:
                report(f"{name}: skipped (no schema name; give --map {name}=...)")
                continue
            tensor = tensors[name]
            report(f"{name} {list(tensor.shape)} -> /{target}")
            _copy(tensor, dump, target, position, dtype)
            hook = re.match(r"^acts/blocks\.(\d+)\.hook_", target)
            if hook:
                layers.add(int(hook.group(1)))
                d_model = tensor.shape[-1]
        if "n_layers" not in dump.file.attrs and layers:
            dump.set_attr("n_layers", max(layers) + 1)
        if "d_model" not in dump.file.attrs and d_model:
            dump.set_attr("d_model", int(d_model))
    return plan


def _copy(tensor, dump, target, position, dtype):
    shape = tensor.shape
    activation = target.startswith("acts/blocks.")
    if activation and len(shape) not in (2, 3):
        raise ExportError(f"{tensor.origin}: {tensor.name}: expected activations [N, d] or [N, pos, d], found {list(shape)}")
    pick = activation and position is not None and len(shape) == 3
    if pick and not -shape[1] <= position < shape[1]:
        raise ExportError(f"{tensor.origin}: {tensor.name}: expected --position within 0..{shape[1] - 1}, found {position}")
    stored = (shape[0], shape[2]) if pick else shape
    per_row = max(1, int(np.prod(shape[1:])) * 4)
    block = max(1, BLOCK_BYTES // per_row)
    first = tensor.rows(0, min(block, shape[0]))
    floating = np.issubdtype(np.asarray(first).dtype, np.floating)
    if floating:
        dataset = dump.create(target, stored, dtype)
    else:
        dataset = dump.file.create_dataset(target, shape=stored, dtype=np.asarray(first).dtype, track_times=False)

    for start in range(0, shape[0], block):
        chunk = first if start == 0 else tensor.rows(start, min(start + block, shape[0]))
        chunk = np.asarray(chunk)[:, position] if pick else np.asarray(chunk)
        if floating:
            fill(dataset, slice(start, start + len(chunk)), chunk)
        else:
            dataset[start:start + len(chunk)] = chunk
