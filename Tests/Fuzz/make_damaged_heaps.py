"""Writes dumps whose variable-length strings sit in a damaged global heap: the inputs on which
libhdf5 1.10 crashed (SIGSEGV in memcpy under H5HG_read) or looped for ever (H5C_protect under
H5HG__protect) before FourierLens read such strings in an isolated process. They are replayed by
FuzzRegressionTests and run through the command line by DamagedStringHeapTests.

A global heap collection ("GCOL", version 1, reserved, collection size, then objects: index u16,
reference count u16, reserved u32, size u64, data padded to 8 bytes) holds every variable-length
string; an element in a dataset or an attribute is (length u32, collection address u64, object
index u32). Two places are damaged:
- the root attribute `schema`: its object's size in the file's own collection is overwritten
  (every string of the file lives in that collection, so every string read meets the damage);
- /tokens/strings alone: its elements are pointed at a forged collection written inside another
  dataset's raw bytes, the file's own collection left intact (the attributes read normally);
- the fill value of /extra/filled alone, pointed at the forged collection: libhdf5 converts it
  whenever the dataset's creation properties are read (H5Dget_create_plist), so describing the
  dataset, as inspect does, met the damage.
An object size of 2^64 - 16 wraps the parser's step to zero (the endless loop); a size past the
collection's end makes the copy run off the buffer (the crash).

Usage: python Tests/Fuzz/make_damaged_heaps.py Tests/Fuzz/regressions
"""
import os
import struct
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_seed_corpus import d, n, rng, roles  # noqa: E402

OUT = sys.argv[1]
HUGE = 0x7FFF_FFFF_FFFF    # past any collection: memcpy runs off the buffer
WRAPS = 2**64 - 16         # header (16) + size wraps to 0: the parser never advances
FORGED = "extra/forged_heap"
FILLED, FILL = "extra/filled", "fill value"  # a string dataset never written: its fill value is its values


def write_dump(path):
    """A small valid dump (the seed corpus's roles; lens, spectrum, inspect run on it) with a
    contiguous byte dataset to forge a collection in."""
    with h5py.File(path, "w") as f:
        roles(f)
        for layer in range(2):
            f[f"acts/blocks.{layer}.hook_resid_post"] = rng.standard_normal((n, d)).astype("f4")
        f.create_dataset(FORGED, data=np.zeros(4096, np.uint8))
        f.create_dataset(FILLED, shape=(3,), dtype=h5py.string_dtype(), fillvalue=FILL)
        f.create_dataset("extra/chunked_text", data=["a", "bb", "ccc", "dddd"], dtype=h5py.string_dtype(),
                         chunks=(2,), compression="gzip", compression_opts=5, shuffle=True)


def address_fields(strings_offset, count):
    """Where each element's collection address lies, for `count` elements stored contiguously
    at `strings_offset` (16 bytes each: length, address, index)."""
    return [strings_offset + 16 * i + 4 for i in range(count)]


def forged_collection(object_size):
    """A collection of 4096 bytes whose object 1 claims `object_size` bytes."""
    header = b"GCOL" + bytes([1, 0, 0, 0]) + struct.pack("<Q", 4096)
    obj = struct.pack("<HHIQ", 1, 1, 0, object_size) + b"damaged\0"
    return (header + obj).ljust(4096, b"\0")


def damaged_variants(base):
    data = bytearray(open(base, "rb").read())
    with h5py.File(base, "r") as f:
        strings = f["tokens/strings"]
        strings_offset, count = strings.id.get_offset(), strings.shape[0]
        forged_offset = f[FORGED].id.get_offset()
    own = data.find(b"GCOL")
    assert own >= 0 and data.find(b"GCOL", own + 1) < 0, "one collection expected"
    # The schema attribute's string is the collection's first object (written first).
    assert struct.unpack_from("<H", data, own + 16)[0] == 1 and data[own + 32:own + 45] == b"fourierlens/1"
    schema_size_field = own + 16 + 8

    def variant(name, edits):
        damaged = bytearray(data)
        for offset, blob in edits:
            damaged[offset:offset + len(blob)] = blob
        with open(os.path.join(OUT, name), "wb") as out:
            out.write(damaged)

    # The fill value's heap ID (length, address, index), in both fill value messages (the old
    # and the new form, which h5py writes side by side).
    fill_id = struct.pack("<IQ", len(FILL), own)
    fill_fields = [i + 4 for i in range(len(data)) if data.startswith(fill_id, i)]
    assert len(fill_fields) == 2

    def forged(object_size, fields):
        edits = [(forged_offset, forged_collection(object_size))]
        for field in fields:
            edits.append((field, struct.pack("<QI", forged_offset, 1)))
        return edits

    strings_fields = address_fields(strings_offset, count)

    variant("heap-attribute-object-size-crash.h5", [(schema_size_field, struct.pack("<Q", HUGE))])
    variant("heap-attribute-object-size-wraps-endless-loop.h5", [(schema_size_field, struct.pack("<Q", WRAPS))])
    variant("heap-dataset-object-size-crash.h5", forged(HUGE, strings_fields))
    variant("heap-dataset-object-size-wraps-endless-loop.h5", forged(WRAPS, strings_fields))
    variant("heap-fill-value-object-size-crash.h5", forged(HUGE, fill_fields))
    variant("heap-fill-value-object-size-wraps-endless-loop.h5", forged(WRAPS, fill_fields))


os.makedirs(OUT, exist_ok=True)
base = os.path.join(OUT, "intact-heap.tmp.h5")
write_dump(base)
try:
    damaged_variants(base)
finally:
    os.remove(base)
