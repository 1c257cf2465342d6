"""Bad input: one clear error, exit code 2 from the command line, nothing overwritten."""
import os
import subprocess
import sys

import pytest

from export_helpers import REPO
from fourierlens import ExportError, export_activations, export_dump, number_prompts


def test_layers_the_model_does_not_have(minilm, tmp_path):
    model, tokenizer = minilm
    out = tmp_path / "x.h5"
    with pytest.raises(ExportError, match=r"layers within 0..5 \(the model has 6\), found \[6, 9\]"):
        export_activations(model, tokenizer, str(out), number_prompts("{n} apples", [1]), layers=[0, 6, 9])
    assert not out.exists() and os.listdir(tmp_path) == []


def test_sites_a_post_norm_model_does_not_have(minilm, tmp_path):
    model, tokenizer = minilm
    with pytest.raises(ExportError, match="mlp_out is not additive in a post-norm model"):
        export_activations(model, tokenizer, str(tmp_path / "x.h5"), number_prompts("{n} apples", [1]), sites=["mlp_out"])
    assert os.listdir(tmp_path) == []


def test_numbers_that_are_not_single_tokens(minilm, tmp_path):
    model, tokenizer = minilm
    with pytest.raises(ExportError, match="not single tokens: 342"):
        export_dump(model, tokenizer, str(tmp_path / "x.h5"), numbers=range(330, 350))
    assert os.listdir(tmp_path) == []


def test_an_existing_output_file_is_never_overwritten(minilm, tmp_path):
    model, tokenizer = minilm
    out = tmp_path / "keep.h5"
    out.write_bytes(b"precious")
    with pytest.raises(ExportError, match="already exists"):
        export_dump(model, tokenizer, str(out), numbers=range(0, 10))
    assert out.read_bytes() == b"precious"


def run_cli(*args):
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "notebooks-export"))
    return subprocess.run([sys.executable, "-m", "fourierlens", *args], capture_output=True, text=True, env=env)


def test_command_line_bad_input_exits_2_with_one_line(tmp_path):
    out = tmp_path / "keep.h5"
    out.write_bytes(b"precious")
    cases = [
        (["--model", "minilm", "--numbers", "0-10", "--out", str(out)], "already exists"),
        (["--model", "minilm", "--numbers", "300-350", "--out", str(tmp_path / "a.h5")], "not single tokens: 342"),
        (["--model", "minilm", "--numbers", "0-20", "--prompts", "{n} apples", "--layers", "7",
          "--out", str(tmp_path / "b.h5")], "layers within 0..5"),
        (["--model", str(tmp_path), "--out", str(tmp_path / "c.h5")], "expected a model directory with config.json"),
    ]
    for args, fragment in cases:
        result = run_cli(*args)
        assert result.returncode == 2, result.stderr
        lines = [l for l in result.stderr.splitlines() if l.startswith("fourierlens:")]
        assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert out.read_bytes() == b"precious"
    assert sorted(os.listdir(tmp_path)) == ["keep.h5"]


def test_command_line_writes_a_dump(tmp_path):
    out = tmp_path / "cli.h5"
    result = run_cli("--model", "minilm", "--numbers", "0-99", "--prompts", "addition", "--count", "12",
                     "--position", "last", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.exists()
