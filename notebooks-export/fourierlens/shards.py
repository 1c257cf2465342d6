"""Dump shards: the exporter writes prompts START:END of its prompt list (`--prompt-range`), with
root attributes prompt_start, prompt_end and prompts_total; `merge_dumps` concatenates shards that
cover all the prompts into the dump one export would have written."""
import os

import h5py
import numpy as np

from .dumpfile import DumpWriter
from .errors import ExportError


def parse_prompt_range(text, count):
    """"START:END" (END excluded, either side may be empty) within 0..count, to (start, end)."""
    parts = text.split(":")
    try:
        start = int(parts[0]) if parts[0].strip() else 0
        end = int(parts[1]) if len(parts) == 2 and parts[1].strip() else count
    except ValueError:
        start, end = -1, -1
    if len(parts) != 2 or not 0 <= start < end <= count:
        raise ExportError(f"--prompt-range: expected START:END with 0 <= START < END <= {count} (the prompts), found {text!r}")
    return start, end


def prompt_axis(name, dataset):
    """The axis of a dataset that runs over prompts, or None when it does not."""
    if name.startswith("prompts/"):
        return 0
    if name.startswith("acts/"):
        stacked = not name.split("/")[-1].startswith(("blocks.", "ln_final."))
        return 1 if stacked else 0
    return None


def merge_dumps(shards, out, overwrite=False):
    """Concatenates dump shards (any order) over their prompts into `out`; everything that is not
    per prompt (weights, tokens, vocabulary) must be equal across the shards."""
    files = [h5py.File(path, "r") for path in shards]
    try:
        described = []
        for path, f in zip(shards, files):
            if not all(key in f.attrs for key in ("prompt_start", "prompt_end", "prompts_total")):
                raise ExportError(f"{path}: expected a dump shard (root attributes prompt_start, prompt_end, prompts_total)")
            described.append((int(f.attrs["prompt_start"]), int(f.attrs["prompt_end"]), int(f.attrs["prompts_total"]), path, f))
        described.sort(key=lambda item: item[0])
        total = described[0][2]
        if described[0][0] != 0 or described[-1][1] != total:
            raise ExportError(f"{described[0][3]}: expected shards covering prompts 0..{total}, found {described[0][0]}..{described[-1][1]}")
        for (_, end, _, before, _), (start, _, count, path, _) in zip(described, described[1:]):
            if start != end or count != total:
                raise ExportError(f"{path}: expected prompts from {end} (where {before} ends) of {total}, found {start}")
        names = []
        described[0][4].visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
        with DumpWriter(out, overwrite=overwrite) as writer:
            first = described[0][4]
            for key, value in first.attrs.items():
                if key not in ("prompt_start", "prompt_end"):
                    writer.file.attrs[key] = value
            for name in names:
                axis = prompt_axis(name, first[name])
                if axis is None:
                    data = first[name][...]
                    for _, _, _, path, f in described[1:]:
                        if name not in f or not np.array_equal(f[name][...], data):
                            raise ExportError(f"{path}: /{name}: expected the same values in every shard (it is not per prompt)")
                else:
                    data = np.concatenate([f[name][...] for *_, f in described], axis=axis)
                created = writer.file.create_dataset(name, data=data)
                for key, value in first[name].attrs.items():
                    created.attrs[key] = value
    finally:
        for f in files:
            f.close()
