"""A torch-free reader of .safetensors files (8-byte header length, JSON header, raw tensors),
which also reads bfloat16 tensors into float32 (numpy has no bfloat16)."""
import json
import struct

import numpy as np

from .errors import ExportError

_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
           "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


class SafetensorsFile:
    def __init__(self, path):
        self.path = path
        try:
            with open(path, "rb") as f:
                (length,) = struct.unpack("<Q", f.read(8))
                self.header = json.loads(f.read(length))
        except (OSError, struct.error, ValueError) as error:
            raise ExportError(f"{path}: expected a .safetensors file ({error})") from None
        self.header.pop("__metadata__", None)
        self.offset = 8 + length

    def __contains__(self, key):
        return key in self.header

    def read(self, key):
        """The tensor `key` as a numpy array (bfloat16 widened exactly to float32)."""
        entry = self.header[key]
        start, end = entry["data_offsets"]
        with open(self.path, "rb") as f:
            f.seek(self.offset + start)
            raw = f.read(end - start)
        if entry["dtype"] == "BF16":
            words = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            return words.view(np.float32).reshape(entry["shape"])
        if entry["dtype"] not in _DTYPES:
            raise ExportError(f"{self.path}: {key}: expected a float or integer tensor, found {entry['dtype']}")
        return np.frombuffer(raw, dtype=np.dtype(_DTYPES[entry["dtype"]]).newbyteorder("<")).reshape(entry["shape"]).astype(
            np.float32 if entry["dtype"] in ("F16", "F32", "F64") else _DTYPES[entry["dtype"]])

    def rows(self, key):
        """The tensor `key` as a lazy array whose row slices read only those rows (np.memmap):
        returns (memmap, widen) where widen(chunk) gives float32 or integer values."""
        entry = self.header[key]
        start, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        if entry["dtype"] == "BF16":
            raw = np.memmap(self.path, dtype="<u2", mode="r", offset=self.offset + start, shape=shape)
            return raw, lambda chunk: (np.asarray(chunk).astype(np.uint32) << 16).view(np.float32)
        if entry["dtype"] not in _DTYPES:
            raise ExportError(f"{self.path}: {key}: expected a float or integer tensor, found {entry['dtype']}")
        dtype = np.dtype(_DTYPES[entry["dtype"]]).newbyteorder("<")
        raw = np.memmap(self.path, dtype=dtype, mode="r", offset=self.offset + start, shape=shape)
        return raw, np.asarray
