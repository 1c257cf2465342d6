"""Bad boolean/ groups and options: exit 2, one line on stderr naming the file and dataset or
option and what was expected, and no report."""
import subprocess
import time

import h5py
import numpy as np
import pytest

from boolean_helpers import cube_bits, write_dump
from report_helpers import tool


def rejects(dump, out, *args, fragments):
    result = subprocess.run([tool(), "boolean", str(dump), "--out", str(out), *args], capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fourierlens: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert not out.exists()


def test_a_value_that_is_not_a_bit(tmp_path):
    bits = cube_bits(4).astype(np.int16)
    bits[5, 2] = 2
    dump = write_dump(tmp_path / "b.h5", bits, np.zeros(16))
    rejects(dump, tmp_path / "r", fragments=["b.h5: /boolean/inputs", "bits 0 or 1, found 2 at row 5, column 2"])


@pytest.mark.parametrize("value,shown", [(-1, "−1"), (300, "127 or more"), (-300, "−128 or less")])
def test_signed_and_wide_values_are_not_read_as_bits(tmp_path, value, shown):
    bits = cube_bits(3).astype(np.int32)
    bits[7, 0] = value
    dump = write_dump(tmp_path / "b.h5", bits, np.zeros(8))
    rejects(dump, tmp_path / "r", fragments=["/boolean/inputs", f"found {shown.replace('−', '-') if value == -1 else shown} at row 7, column 0"])


def test_float_bits(tmp_path):
    dump = write_dump(tmp_path / "f.h5", cube_bits(3).astype(np.float32), np.zeros(8))
    rejects(dump, tmp_path / "r", fragments=["/boolean/inputs", "bits stored as 0/1 integers, found float32"])


def test_duplicate_rows_on_a_full_cube(tmp_path):
    bits = cube_bits(4)
    bits[9] = bits[3]  # M = 2^n rows, one string twice (and one missing)
    dump = write_dump(tmp_path / "d.h5", bits, np.zeros(16))
    rejects(dump, tmp_path / "r", fragments=["/boolean/inputs", "each of the 2^4 strings once", "1100 twice (again at row 9)"])


@pytest.mark.parametrize("acts", [False, True])
def test_a_repeated_string_in_a_large_shuffled_cube_is_named_with_its_row(tmp_path, acts):
    """Blocks of 2^15 rows are placed by two threads, and with activations a row table is kept:
    the repeat is still found, and named as the rows first show it."""
    n = 16
    order = np.random.default_rng(4).permutation(1 << n)
    bits = cube_bits(n)[order]
    bits[40000] = bits[123]  # a string twice, in the two halves of one block of rows
    extra = {"blocks.0.hook_resid_post": np.zeros((1 << n, 2))} if acts else None
    dump = write_dump(tmp_path / "d.h5", bits, np.zeros(1 << n), acts=extra)
    shown = "".join(map(str, bits[123]))
    rejects(dump, tmp_path / "r", fragments=["/boolean/inputs", f"{shown} twice (again at row 40000)"])


def test_a_claimed_cube_of_the_wrong_size(tmp_path):
    dump = write_dump(tmp_path / "c.h5", cube_bits(4)[:15], np.zeros(15), design="cube")
    rejects(dump, tmp_path / "r", fragments=["/boolean/inputs", "a full cube of 2^4 rows", "M = 15"])


def test_more_than_64_bits(tmp_path):
    dump = write_dump(tmp_path / "w.h5", np.zeros((50, 65), np.uint8), np.zeros(50))
    rejects(dump, tmp_path / "r", fragments=["/boolean/inputs", "at most 64 bits per string, found n = 65"])


def test_a_cube_too_large_for_the_exact_transform(tmp_path):
    dump = tmp_path / "big.h5"
    with h5py.File(dump, "w") as f:  # declared, never written: no 2^27-row file on disk
        f.create_dataset("boolean/inputs", shape=(1 << 27, 27), dtype=np.uint8)
        f.create_dataset("boolean/outputs", shape=(1 << 27,), dtype=np.float32)
    rejects(dump, tmp_path / "r", fragments=["/boolean/inputs", "n ≤ 26 bits for the exact transform", "n = 27"])


def test_outputs_of_another_length(tmp_path):
    dump = write_dump(tmp_path / "m.h5", cube_bits(3), np.zeros(7))
    rejects(dump, tmp_path / "r", fragments=["/boolean/outputs", "the M = 8 strings", "[7]"])


def test_activations_of_another_length(tmp_path):
    dump = write_dump(tmp_path / "a.h5", cube_bits(3), np.zeros(8), acts={"blocks.0.hook_resid_post": np.zeros((9, 2))})
    rejects(dump, tmp_path / "r", fragments=["/boolean/acts/blocks.0.hook_resid_post", "the M = 8 strings"])


def test_non_finite_outputs(tmp_path):
    outputs = np.zeros(8)
    outputs[6] = np.nan
    dump = write_dump(tmp_path / "n.h5", cube_bits(3), outputs)
    rejects(dump, tmp_path / "r", fragments=["/boolean/outputs", "finite values, found nan at row 6"])


def test_no_boolean_group(tmp_path):
    dump = tmp_path / "e.h5"
    with h5py.File(dump, "w") as f:
        f["weights/W_E"] = np.zeros((2, 2))
    rejects(dump, tmp_path / "r", fragments=["e.h5: /boolean", "a boolean/ group"])


def test_flip_pairs_that_differ_in_two_bits(tmp_path):
    bits = cube_bits(3)[[0, 3] * 25]
    dump = write_dump(tmp_path / "p.h5", bits, np.zeros(50), design="sample", pairs=np.array([[0, 1]]))
    rejects(dump, tmp_path / "r", fragments=["/boolean/flip_pairs", "differ in exactly one bit", "differing in 2"])


def test_a_sample_too_small_for_intervals(tmp_path):
    dump = write_dump(tmp_path / "s.h5", cube_bits(6)[:30], np.zeros(30))
    rejects(dump, tmp_path / "r", fragments=["/boolean/inputs", "at least 40 strings", "found 30"])


@pytest.mark.parametrize("target,fragment", [("parity:0,9", "bit 9 is outside 0–3"), ("parity:99", "bit 99 is outside 0–3"),
                                             ("majority:0-3000000000", "bit 3000000000 is outside 0–3"),
                                             ("and:2-99999999999999", "bit 99999999999999 is outside 0–3"), ("nonsense", "an unknown target"),
                                             ("junta:0,1:011", "a table of 2^2 = 4 digits"), ("column:z", "an output column")])
def test_bad_targets(tmp_path, target, fragment):
    """Refused at once: a range is checked against n before it is expanded (0-3000000000 hung)."""
    dump = write_dump(tmp_path / "t.h5", cube_bits(4), np.zeros(16))
    started = time.monotonic()
    rejects(dump, tmp_path / "r", "--target", target, fragments=["--target", fragment])
    assert time.monotonic() - started < 10


def test_bad_rho(tmp_path):
    dump = write_dump(tmp_path / "t.h5", cube_bits(2), np.zeros(4))
    rejects(dump, tmp_path / "r", "--rho", "2", fragments=["--rho takes correlations in [−1, 1]"])
