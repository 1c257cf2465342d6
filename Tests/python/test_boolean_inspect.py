"""`fourierlens inspect` names the boolean/ group's roles and says the boolean analysis is ready."""
import json
import subprocess

import numpy as np

from boolean_helpers import cube_bits, write_dump
from report_helpers import tool


def inspect(path, *args):
    result = subprocess.run([tool(), "inspect", path, *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_inspect_lists_the_boolean_roles(tmp_path):
    n = 5
    bits = cube_bits(n)
    pairs = np.stack([np.arange(2 * n), np.arange(2 * n) ^ np.repeat(1 << np.arange(n), 2)], 1)
    dump = write_dump(tmp_path / "b.h5", bits, np.zeros((1 << n, 2)), names=["a", "b"], design="sample", pairs=pairs,
                      acts={"blocks.0.hook_resid_post": np.zeros((1 << n, 4)), "blocks.1.hook_mlp_out": np.zeros((1 << n, 4))})
    text = inspect(dump)
    for line in ["boolean inputs         /boolean/inputs [32 × 5]  (32 strings of n = 5 bits, 0/1 a column; design = sample)",
                 "boolean outputs        /boolean/outputs [32 × 2]  (2 values measured on each string)",
                 "boolean output names   /boolean/output_names [2]",
                 "boolean flip pairs     /boolean/flip_pairs [10 × 2]  (row pairs (x, x ⊕ eᵢ) for the sensitivity)",
                 "boolean activations    /boolean/acts/blocks.1.hook_mlp_out [32 × 4]  (layer 1 on each string)",
                 "ready   boolean"]:
        assert line in text, f"missing: {line}\n{text}"
    assert "not in the schema" not in text
    report = json.loads(inspect(dump, "--json"))
    roles = {r["path"]: r for r in report["roles"]}
    assert roles["/boolean/acts/blocks.0.hook_resid_post"]["role"] == "boolean activations"
    assert roles["/boolean/inputs"]["shape"] == [32, 5]
    assert report["unrecognised"] == []


def test_a_cube_is_named_as_one_and_a_dump_without_the_group_lacks_it(tmp_path):
    n = 3
    text = inspect(write_dump(tmp_path / "c.h5", cube_bits(n), np.zeros(1 << n)))
    assert "design = cube (no design attribute: M = 2ⁿ)" in text and "one value measured on each string" in text
    with __import__("h5py").File(tmp_path / "o.h5", "w") as f:
        f["boolean/outputs"] = np.zeros(4)
    report = json.loads(inspect(str(tmp_path / "o.h5"), "--json"))
    boolean = next(a for a in report["analyses"] if a["analysis"] == "boolean")
    assert not boolean["ready"] and boolean["missing"] == ["/boolean/inputs"]
