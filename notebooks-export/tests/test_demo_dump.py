"""The committed demo dump is exactly what its script makes, and FourierLens reads every role."""
import filecmp
import os
import subprocess
import sys

from export_helpers import REPO, inspect_json, roles

DEMO = os.path.join(REPO, "probes", "data", "minilm_demo.h5")


def test_demo_dump_regenerates_byte_for_byte(tmp_path):
    out = str(tmp_path / "demo.h5")
    result = subprocess.run([sys.executable, os.path.join(REPO, "probes", "make_demo_dump.py"), out],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert filecmp.cmp(out, DEMO, shallow=False), "probes/make_demo_dump.py no longer reproduces the committed dump"


def test_demo_dump_roles():
    report = inspect_json(DEMO)
    assert report["problems"] == []
    assert {"embeddings", "number token ids", "number values", "unembedding W_U", "W_U column token ids",
            "prompt values", "prompt texts"} <= set(roles(report))
    assert report["activations"] == [{"site": "resid_post", "layers": list(range(6)),
                                      "form": "per-layer (blocks.{l}.hook_resid_post)", "shape": [300, 384]}]
    assert os.path.getsize(DEMO) < 4 << 20
