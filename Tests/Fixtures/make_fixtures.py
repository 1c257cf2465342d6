"""Writes the HDF5 fixtures the Swift tests read, with h5py, and the values they must read.

Usage: python Tests/Fixtures/make_fixtures.py OUTDIR

Every numeric fixture dataset /data/NAME has a twin /expected/NAME_bits: the float32 bit
patterns (as uint32) that numpy gives for the same values, so the Swift reader is checked bit
for bit against numpy, independently of its own float path.
"""
import os
import sys

import h5py
import numpy as np

OUT = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/generated"
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20241127)


def path(name):
    return os.path.join(OUT, name)


def special_values():
    """Values that stress a float conversion: zeros, subnormals, extremes, inf, nan."""
    return np.array([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-5, 5.96e-8, 1e-7, np.inf, -np.inf, np.nan, 3.14159],
                    dtype=np.float64)


def bfloat16_words(values32):
    """bfloat16 bit patterns of float32 values, round-to-nearest-even (as torch does)."""
    bits = values32.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounding = ((bits >> 16) & 1) + 0x7FFF
    words = ((bits + rounding) >> 16).astype(np.uint16)
    nan = np.isnan(values32)
    words[nan] = 0x7FC0
    return words


def bfloat16_type(order):
    t = h5py.h5t.IEEE_F16LE.copy()
    t.set_fields(15, 7, 8, 0, 7)
    t.set_ebias(127)
    t.set_order(order)
    return t


def write_raw(group, name, words, tid, **kwargs):
    """A dataset of a hand-built 2-byte type, written from raw uint16 words."""
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    if kwargs.get("chunks"):
        dcpl.set_chunk(kwargs["chunks"])
        dcpl.set_shuffle()
        dcpl.set_deflate(4)
    space = h5py.h5s.create_simple(words.shape)
    dsid = h5py.h5d.create(group.id, name.encode(), tid, space, dcpl=dcpl)
    # The memory type is the file type: the words go in unconverted, byte order included.
    if tid.get_order() == h5py.h5t.ORDER_BE:
        words = words.byteswap()
    dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, words, mtype=tid)


def dtype_fixtures():
    """Every supported dtype, both byte orders, every layout and filter."""
    base = np.concatenate([special_values(), rng.standard_normal(500) * 3]).reshape(64, 8)[:, :]  # 64 x 8
    with h5py.File(path("dtypes.h5"), "w") as f:
        data, expected = f.create_group("data"), f.create_group("expected")

        def add(name, array, expected_float32, **kwargs):
            data.create_dataset(name, data=array, **kwargs)
            expected.create_dataset(name + "_bits", data=np.ascontiguousarray(expected_float32, dtype=np.float32).view(np.uint32).reshape(-1))

        for order, tag in (("<", "le"), (">", "be")):
            for kind in ("f2", "f4", "f8"):
                values = base.astype(order + kind)
                add(f"{kind}_{tag}", values, values.astype(np.float32))
                add(f"{kind}_{tag}_gzip", values, values.astype(np.float32),
                    chunks=(16, 8), compression="gzip", compression_opts=4, shuffle=True)
            for kind in ("i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"):
                info = np.iinfo(kind)
                values = rng.integers(max(info.min, -10**6), min(info.max, 10**6), size=(64, 8), endpoint=True).astype(order + kind)
                add(f"{kind}_{tag}", values, values.astype(np.float32))
        add("f4_compact", base[:4].astype("<f4"), base[:4].astype(np.float32))
        compact = data["f4_compact"]
        # h5py has no compact switch in create_dataset: rebuild it with a compact layout.
        del data["f4_compact"]
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        space = h5py.h5s.create_simple((4, 8))
        dsid = h5py.h5d.create(data.id, b"f4_compact", h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(base[:4], dtype="<f4"))

        # bfloat16, form 1: an HDF5 float type of size 2 with 8 exponent bits.
        floats32 = base.astype(np.float32)
        words = bfloat16_words(floats32)
        expected_bf = (words.astype(np.uint32) << 16).view(np.float32)
        for order, tag in ((h5py.h5t.ORDER_LE, "le"), (h5py.h5t.ORDER_BE, "be")):
            write_raw(data, f"bf16_{tag}", words, bfloat16_type(order))
            write_raw(data, f"bf16_{tag}_gzip", words, bfloat16_type(order), chunks=(16, 8))
            expected.create_dataset(f"bf16_{tag}_bits", data=expected_bf.view(np.uint32).reshape(-1))
            expected.create_dataset(f"bf16_{tag}_gzip_bits", data=expected_bf.view(np.uint32).reshape(-1))
        # bfloat16, form 2: uint16 words marked by an attribute.
        for order, tag in (("<", "le"), (">", "be")):
            ds = data.create_dataset(f"bf16words_{tag}", data=words.astype(order + "u2"))
            ds.attrs["dtype"] = "bfloat16"
            expected.create_dataset(f"bf16words_{tag}_bits", data=expected_bf.view(np.uint32).reshape(-1))

        # A 3-D stacked dataset for hyperslab reads.
        stacked = rng.standard_normal((3, 5, 4)).astype(np.float32)
        add("stacked_f4", stacked, stacked, chunks=(1, 5, 4), compression="gzip")

        # Strings and attributes.
        text = ["zero", "one", "два", "三", ""]
        f.create_dataset("strings/vlen_utf8", data=text, dtype=h5py.string_dtype("utf-8"))
        f.create_dataset("strings/vlen_ascii", data=["a", "bb", "ccc"], dtype=h5py.string_dtype("ascii"))
        f.create_dataset("strings/fixed_ascii", data=np.array([b"12", b"7", b"300"], dtype="S3"))
        fixed = f.create_dataset("strings/fixed_utf8", shape=(2,), dtype=h5py.string_dtype("utf-8", 4))
        fixed.id.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array(["é".encode(), b"ab"], dtype="S4"), mtype=fixed.id.get_type())
        f.attrs["schema"] = "fourierlens/1"
        f.attrs["title_utf8"] = "Zahlen – числа"
        f.attrs.create("fixed_ascii_attr", np.bytes_(b"fixed"), dtype="S5")
        f.attrs["an_int"] = np.int32(-7)
        f.attrs["a_float"] = 0.25
        f.attrs["floats"] = np.array([1.5, 2.5])
        f.attrs["strings"] = np.array(["a", "b"], dtype=h5py.string_dtype())

        # An unsupported dtype (compound).
        f.create_dataset("unsupported/compound", data=np.zeros(3, dtype=[("a", "<f4"), ("b", "<i4")]))


def good_dump(name, d_model=16, p=40, vocab=60, n=12, layers=3, stacked=False, **overrides):
    """A small dump with every role of schema fourierlens/1."""
    with h5py.File(path(name), "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f.attrs["model"] = "fixture"
        f.attrs["d_model"] = overrides.get("d_model_attr", d_model)
        f.attrs["n_layers"] = layers
        ids = np.arange(5, 5 + p)
        f["tokens/ids"] = overrides.get("ids", ids)
        f["tokens/values"] = overrides.get("values", np.arange(p))
        f["tokens/strings"] = np.array([str(v) for v in range(p)], dtype=h5py.string_dtype())
        f.create_dataset("weights/W_E", data=overrides.get("W_E", rng.standard_normal((p, d_model)).astype(np.float16)),
                         chunks=True, compression="gzip", shuffle=True)
        wu = f.create_dataset("weights/W_U", data=overrides.get("W_U", rng.standard_normal((d_model, vocab)).astype(np.float32)))
        wu.attrs["tied"] = 0
        f["weights/b_U"] = np.zeros(vocab, dtype=np.float32)
        w = f.create_dataset("weights/ln_final.w", data=np.ones(d_model, dtype=np.float32))
        w.attrs["kind"] = "layernorm"
        w.attrs["eps"] = 1e-5
        f["weights/ln_final.b"] = np.zeros(d_model, dtype=np.float32)
        f["prompts/text"] = np.array([f"What is {i}?" for i in range(n)], dtype=h5py.string_dtype())
        answers = f.create_dataset("prompts/answer", data=np.arange(n) % p)
        answers.attrs["kind"] = "value"
        f["prompts/values"] = np.arange(n)
        acts = overrides.get("acts_d", d_model)
        if stacked:
            for site in ("mlp_out", "attn_out", "resid_post"):
                f.create_dataset(f"acts/{site}", data=rng.standard_normal((layers, n, acts)).astype(np.float16),
                                 chunks=(1, n, acts), compression="gzip")
        else:
            for layer in range(layers):
                for site in ("mlp_out", "attn_out", "resid_post"):
                    f[f"acts/blocks.{layer}.hook_{site}"] = rng.standard_normal((n, acts)).astype(np.float32)
        f["acts/ln_final.hook_scale"] = np.ones(n, dtype=np.float32)
        f["extra/notes"] = np.arange(3)
        return f.filename


def bad_fixtures():
    good_dump("good_dump.h5")
    good_dump("good_dump_stacked.h5", stacked=True)
    good_dump("bad_dmodel.h5", acts_d=12)
    good_dump("bad_rank.h5", W_U=np.zeros(60, dtype=np.float32))
    good_dump("bad_values.h5", values=np.array([0, 1, 2, 3] * 10))
    good_dump("bad_ids.h5", ids=np.arange(30, 70))
    with h5py.File(good_dump("bad_vocab_ids.h5"), "a") as f:
        f["weights/vocab_ids"] = np.arange(100, 160)  # W_U's 60 columns, none of them a number token
    with h5py.File(good_dump("answers_outside.h5"), "a") as f:
        del f["prompts/answer"]
        f.create_dataset("prompts/answer", data=np.arange(12) + 45).attrs["kind"] = "value"
    nan_e = rng.standard_normal((40, 16)).astype(np.float32)
    nan_e[7, 3] = np.nan
    nan_e[9, 0] = np.inf
    good_dump("nonfinite.h5", W_E=nan_e)
    with h5py.File(path("bad_dtype.h5"), "w") as f:
        f.attrs["schema"] = "fourierlens/1"
        f["weights/W_E"] = np.zeros((4, 3), dtype=[("re", "<f4"), ("im", "<f4")])
        f["tokens/values"] = np.arange(4)
    with open(path("not_hdf5.h5"), "w") as f:
        f.write("this is a CSV file, not HDF5\n1,2,3\n")
    with open(path("good_dump.h5"), "rb") as f:
        whole = f.read()
    with open(path("truncated.h5"), "wb") as f:
        f.write(whole[: len(whole) // 2])


def spectral_fixtures():
    """Inputs the spectrum command must refuse."""
    with h5py.File(path("gaps.h5"), "w") as f:
        f["weights/W_E"] = rng.standard_normal((10, 4)).astype(np.float32)
        f["tokens/values"] = np.array([0, 1, 2, 3, 5, 6, 7, 8, 9, 10])
    with h5py.File(path("tiny.h5"), "w") as f:
        f["weights/W_E"] = rng.standard_normal((3, 4)).astype(np.float32)
        f["tokens/values"] = np.arange(3)
    with h5py.File(path("const_values.h5"), "w") as f:
        f["weights/W_E"] = rng.standard_normal((10, 4)).astype(np.float32)
        f["tokens/values"] = np.full(10, 7)
    with h5py.File(path("stacked_numbers.h5"), "w") as f:
        f["acts/resid_post"] = rng.standard_normal((2, 12, 6)).astype(np.float16)
        f["prompts/values"] = np.arange(12)[::-1]


def big_fixture():
    """A 2 GiB float32 dataset, chunked and never written (every read returns the fill value
    0.5): large enough to show that streaming reads keep memory bounded, free to create."""
    with h5py.File(path("big.h5"), "w") as f:
        f.create_dataset("acts/mlp_out_big", shape=(2_097_152, 256), dtype="<f4", chunks=(4096, 256), fillvalue=0.5)
    # And 512 MiB really on disk: row i holds the value i, written 64K rows at a time.
    rows, width, step = 524_288, 256, 65_536
    with h5py.File(path("big_real.h5"), "w") as f:
        ds = f.create_dataset("acts/resid_post_big", shape=(rows, width), dtype="<f4", chunks=(4096, width))
        for start in range(0, rows, step):
            ds[start:start + step] = np.repeat(np.arange(start, start + step, dtype=np.float32)[:, None], width, axis=1)


if __name__ == "__main__":
    dtype_fixtures()
    bad_fixtures()
    spectral_fixtures()
    big_fixture()
    print(f"fixtures written to {OUT}")
