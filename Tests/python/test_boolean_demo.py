"""The committed Boolean demo (probes/boolean): the model learned both targets, held-out strings
included, and the report measures the learned functions against their targets."""
import os

import h5py
import numpy as np
import pytest

from boolean_helpers import function, run_boolean

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "..", "probes", "boolean")
TARGETS = {"majority10.h5": ("majority", lambda bits: bits.sum(axis=1) > 5),
           "parity3of10.h5": ("parity:1,4,7", lambda bits: bits[:, [1, 4, 7]].sum(axis=1) % 2 == 1)}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_the_demo_models_learned_their_targets(tmp_path, name):
    target, rule = TARGETS[name]
    path = os.path.join(DEMO, name)
    with h5py.File(path) as f:
        bits, logit = f["boolean/inputs"][...], f["boolean/outputs"][:, 0]
    # The training script holds out the last quarter of a seed-0 permutation of the cube.
    held_out = np.random.default_rng(0).permutation(len(bits))[768:]
    correct = (logit > 0) == rule(bits)
    assert correct[held_out].mean() >= 0.99 and correct.mean() >= 0.99
    summary = run_boolean(path, tmp_path / "r", "--target", target, "--columns", "logit_diff")
    decisions, expected = function(summary, "sign(logit_diff)"), function(summary, summary["target"])
    assert summary["comparisons"][0]["agreement"]["value"] == pytest.approx(correct.mean())
    assert decisions["average_sensitivity"]["value"] == pytest.approx(expected["average_sensitivity"]["value"], abs=0.05)
    np.testing.assert_allclose(decisions["share_of_variance"], expected["share_of_variance"], atol=0.01)
