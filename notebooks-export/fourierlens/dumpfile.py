"""Writing dump files: atomic creation, float dtypes (float16, bfloat16, float32), compression."""
import os
import tempfile

import h5py
import numpy as np

from . import temporaries
from .errors import ExportError

SCHEMA = "fourierlens/1"
FLOAT_DTYPES = ("float16", "bfloat16", "float32")


class DumpWriter:
    """A dump file written atomically: a hidden temporary file beside `path`, renamed into place
    when the `with` block ends without an error. An existing file is refused unless `overwrite`."""

    def __init__(self, path, overwrite=False, model=None):
        self.path = os.fspath(path)
        if os.path.exists(self.path) and not overwrite:
            raise ExportError(f"{self.path}: expected a new output file; it already exists (pass overwrite=True / --overwrite)")
        parent = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(parent):
            raise ExportError(f"{self.path}: expected an output path whose directory {parent} exists")
        handle, self._temporary = tempfile.mkstemp(prefix="." + os.path.basename(self.path) + ".", suffix=".tmp", dir=parent)
        os.close(handle)
        temporaries.register(self._temporary)
        # libver "earliest" keeps the file readable by every HDF5 from 1.8 on (Debian's 1.10 too).
        self.file = h5py.File(self._temporary, "w", libver="earliest", track_order=False)
        self.file.attrs["schema"] = SCHEMA
        if model is not None:
            self.file.attrs["model"] = str(model)

    def borrowed(self, model=None):
        """This writer for a `with` block that must leave it open (a function handed an open
        writer); sets the model name when the writer has none."""
        if model and not self.file.attrs.get("model"):
            self.file.attrs["model"] = str(model)
        return _Borrowed(self)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        # Whatever fails here (closing on a full disk, a signal), the temporary file goes.
        committed = False
        try:
            self.file.close()
            if kind is None:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(self._temporary, 0o666 & ~umask)  # mkstemp makes 0600; give the usual mode
                os.replace(self._temporary, self.path)
                committed = True
        finally:
            if not committed and os.path.exists(self._temporary):
                os.unlink(self._temporary)
            temporaries.unregister(self._temporary)
        return False

    def __contains__(self, name):
        return name in self.file

    def set_attr(self, name, value, path="/"):
        target = self.file[path] if path in self.file else self.file.require_group(path)
        target.attrs[name] = value

    def write(self, name, array, dtype=None, compress=True, attrs=None):
        """Writes `array` at `name`; floats are stored as `dtype` (float16, bfloat16 or float32)."""
        data, extra = encode(np.asarray(array), dtype)
        kwargs = {}
        if compress and data.size >= 1024:
            kwargs = dict(chunks=chunk_shape(data.shape), compression="gzip", compression_opts=4, shuffle=True)
        ds = self.file.create_dataset(name, data=data, track_times=False, **kwargs)
        for key, val in {**extra, **(attrs or {})}.items():
            ds.attrs[key] = val
        return ds

    def create(self, name, shape, dtype):
        """An empty float dataset to be filled a batch at a time (see `fill`)."""
        stored = np.uint16 if dtype == "bfloat16" else np.dtype(dtype)
        ds = self.file.create_dataset(name, shape=shape, dtype=stored, chunks=chunk_shape(shape),
                                      compression="gzip", compression_opts=4, shuffle=True, track_times=False)
        if dtype == "bfloat16":
            ds.attrs["dtype"] = "bfloat16"
        return ds

    def write_strings(self, name, strings):
        return self.file.create_dataset(name, data=np.array(list(strings), dtype=object),
                                        dtype=h5py.string_dtype("utf-8"), track_times=False)


def writer_for(out, overwrite=False, model=None):
    """A DumpWriter for `with`: `out` itself when it is an open DumpWriter (left open at the end
    of the block), else a new one on the path `out` (committed or removed at the end)."""
    return out.borrowed(model) if isinstance(out, DumpWriter) else DumpWriter(out, overwrite=overwrite, model=model)


class _Borrowed:
    def __init__(self, writer):
        self.writer = writer

    def __enter__(self):
        return self.writer

    def __exit__(self, kind, value, traceback):
        return False


def fill(dataset, rows, array):
    """Writes float rows into a dataset made by `DumpWriter.create`, converting to its dtype."""
    bfloat = dataset.attrs.get("dtype") == "bfloat16"
    dataset[rows] = bfloat16_words(array) if bfloat else np.asarray(array, dtype=dataset.dtype)


def encode(array, dtype):
    """Float arrays to the stored dtype; everything else unchanged. Returns (data, attributes)."""
    if dtype is None or not np.issubdtype(array.dtype, np.floating):
        return array, {}
    if dtype not in FLOAT_DTYPES:
        raise ExportError(f"expected a dtype in {FLOAT_DTYPES}, found {dtype!r}")
    if dtype == "bfloat16":
        return bfloat16_words(array), {"dtype": "bfloat16"}
    return array.astype(dtype), {}


def bfloat16_words(array):
    """bfloat16 bit patterns (uint16) of float values, rounded to nearest even as torch does."""
    bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32).astype(np.uint64)
    words = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    words[np.isnan(array)] = 0x7FC0
    return words


def chunk_shape(shape):
    """Chunks of about 1 MiB along the first axis, whole along the others."""
    row = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    rows = max(1, min(shape[0], (1 << 20) // max(1, row * 4)))
    return (rows,) + tuple(shape[1:])
