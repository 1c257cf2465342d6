"""FourierLens's analyses on arrays, for notebooks: numpy in, the report's typed tables out.

    import numpy as np, fourierlens
    report = fourierlens.spectrum(W_E_numbers, values=np.arange(300), permutations=200)
    report["summary"]["outlier_periods"]; report["spectrum"].query("outlier")

Each function writes its arrays to a temporary dump (docs/SCHEMA.md), runs the `fourierlens`
binary on it (the one implementation of the maths) and returns ``reports.load`` of the report:
``{"summary": dict, NAME: DataFrame for each NAME.csv}``, the same typed tables a report on disk
gives. Keyword options are the command's options with ``_`` for ``-`` (``permutations=200`` is
``--permutations 200``, ``allow_gaps=True`` is ``--allow-gaps``, a list is joined with commas,
``False``/``None`` leave the option out). ``out=DIR`` keeps the report (page, charts) there
instead of a temporary folder; an existing DIR is replaced only with ``force=True``, as the
command's ``--force``. Bad input raises ``ExportError`` with the command's one line.
"""
import os
import subprocess
import tempfile

import h5py
import numpy as np

from . import reports
from .errors import ExportError
from .study_dask import find_binary

__all__ = ["spectrum", "compare", "probe", "lens", "boolean", "run"]


def _option_arguments(options):
    arguments = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            arguments.append(flag)
        elif isinstance(value, (list, tuple, range)):  # FLAG=VALUE: a value may start with "-"
            arguments.append(f"{flag}={','.join(str(v) for v in value)}")
        else:
            arguments.append(f"{flag}={value}")
    return arguments


def run(command, *inputs, out=None, binary=None, **options):
    """`fourierlens COMMAND INPUTS… --out DIR [options]`, its report loaded back. The building
    block of the functions below, for a dump already on disk."""
    arguments = [find_binary(binary), command, *map(str, inputs), *_option_arguments(options)]
    with tempfile.TemporaryDirectory(prefix="fourierlens-") as scratch:
        target = out or os.path.join(scratch, "report")
        line = arguments + ["--out", target, "--quiet"]
        if out is None:
            line.append("--no-figures")
        done = subprocess.run(line, capture_output=True, text=True)
        if done.returncode != 0:
            message = [text for text in done.stderr.splitlines() if text.strip()]
            raise ExportError(message[-1] if message else f"fourierlens {command} exited with {done.returncode}")
        return reports.load(target)


def _matrix(name, matrix, rows=None):
    array = np.asarray(matrix)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ExportError(f"{name}: expected a non-empty 2-D array [numbers × features], found shape {array.shape}")
    if array.dtype.kind not in "fiu":
        raise ExportError(f"{name}: expected numbers, found dtype {array.dtype}")
    if rows is not None and array.shape[0] != rows:
        raise ExportError(f"{name}: expected one row per value ({rows}), found {array.shape[0]}")
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def _values(values, rows):
    array = np.asarray(values)
    if array.ndim != 1 or array.dtype.kind not in "iu" and not (array.dtype.kind == "f" and np.all(array == np.round(array))):
        raise ExportError(f"values: expected one whole number per row, found {array.dtype} of shape {array.shape}")
    if len(array) != rows:
        raise ExportError(f"values: expected one per row ({rows}), found {len(array)}")
    return array.astype(np.int64)


def _number_dump(path, matrix, values):
    """A dump whose embeddings role is `matrix`, row i the number values[i]."""
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f.attrs["d_model"] = matrix.shape[1]
        f["tokens/ids"] = np.arange(len(values), dtype=np.int64)
        f["tokens/values"] = values
        f["weights/W_E"] = matrix


def _with_dump(command, matrix, values, extra_inputs=(), **options):
    matrix = _matrix("matrix", matrix)
    values = _values(values, matrix.shape[0]) if values is not None else np.arange(matrix.shape[0], dtype=np.int64)
    with tempfile.TemporaryDirectory(prefix="fourierlens-input-") as scratch:
        dump = os.path.join(scratch, "a.h5" if command == "compare" else "matrix.h5")  # the labels read "a.h5:/weights/W_E"
        _number_dump(dump, matrix, values)
        inputs = [dump] + [make(scratch) for make in extra_inputs]
        return run(command, *inputs, **options)


def spectrum(matrix, values=None, **options):
    """`fourierlens spectrum` of a [numbers × features] matrix whose row i is the number
    ``values[i]`` (default 0, 1, …): energy per frequency over the number axis, the nulls, the
    outliers and the key sets (docs/METHODS.md)."""
    return _with_dump("spectrum", matrix, values, **options)


def compare(a, b=None, values=None, **options):
    """`fourierlens compare` of two [numbers × features] matrices over the same numbers, or of
    ``a`` against a matched random baseline (``b=None``, ``random="gaussian"``)."""
    if b is None:
        if not options.get("random"):
            raise ExportError("compare: expected b, or random='gaussian' / 'permute' for a matched baseline")
        return _with_dump("compare", a, values, **options)
    a = _matrix("a", a)
    b = _matrix("b", b, rows=a.shape[0])

    def second(scratch):
        path = os.path.join(scratch, "b.h5")
        _number_dump(path, b, _values(values, len(b)) if values is not None else np.arange(len(b), dtype=np.int64))
        return path
    return _with_dump("compare", a, values, extra_inputs=(second,), **options)


def probe(matrix, values=None, **options):
    """`fourierlens probe` of a [rows × features] matrix whose row i is the number ``values[i]``:
    value, mod-m, helix and Fourier probes with their controls, cross-validated."""
    return _with_dump("probe", matrix, values, **options)


def lens(dump, **options):
    """`fourierlens lens` of a dump: a path, or a mapping of dataset paths to arrays — or to
    ``(array, {attribute: value})`` for a dataset with attributes, such as the final norm's
    ``kind`` and ``eps`` — and ``"attrs"`` to the root attributes, written as the dump
    (docs/SCHEMA.md lists the roles: /weights/W_U, /tokens/ids, /tokens/values, /prompts/answer,
    /acts/blocks.{l}.hook_{site}, …)."""
    if isinstance(dump, (str, os.PathLike)):
        return run("lens", dump, **options)
    with tempfile.TemporaryDirectory(prefix="fourierlens-input-") as scratch:
        path = os.path.join(scratch, "input.h5")
        _mapping_dump(path, dump)
        return run("lens", path, **options)


def _mapping_dump(path, mapping):
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        for name, value in mapping.items():
            if name == "attrs":
                for key, attribute in value.items():
                    f.attrs[key] = attribute
                continue
            if not name.startswith("/"):
                raise ExportError(f"{name}: expected a dataset path such as /weights/W_U")
            value, attributes = value if isinstance(value, tuple) else (value, {})
            array = np.asarray(value)
            if array.dtype.kind in "UO":  # text: HDF5 variable-length UTF-8 strings
                text = [v.decode() if isinstance(v, bytes) else str(v) for v in array.reshape(-1)]
                array = np.array(text, dtype=h5py.string_dtype()).reshape(array.shape)
            f[name] = array
            for key, attribute in attributes.items():
                f[name].attrs[key] = attribute
        if "d_model" not in f.attrs and "/weights/W_U" in mapping:
            f.attrs["d_model"] = f["/weights/W_U"].shape[0]


def boolean(bits, outputs, names=None, acts=None, **options):
    """`fourierlens boolean` of a function on bit strings: ``bits`` [strings × n] of 0/1 (bit i
    in column i), ``outputs`` [strings] or [strings × outputs] (named by ``names``), optional
    activations ``acts`` {name: [strings × d]}: the Walsh–Fourier spectrum, degrees,
    sensitivities and the ``target`` comparison."""
    from .boolean import write_boolean

    with tempfile.TemporaryDirectory(prefix="fourierlens-input-") as scratch:
        path = os.path.join(scratch, "input.h5")
        write_boolean(path, bits, outputs, names=names, acts=acts)
        return run("boolean", path, **options)
