"""Patching filtered activations back into the model (python -m fourierlens patch, fourierlens
patch) against an independent torch computation on the committed modular-addition model: forward
hooks written here, the notebook's way (notebooks-export/modular_ablation.ipynb), replacing the
site's output at "=" and reading the logits there."""
import csv
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest
import torch

from report_helpers import REPO, fourierlens, tool

MODEL = os.path.join(REPO, "probes", "modular", "model")
PROMPTS = (0, 600)  # a shard of the 3481 prompts: patching follows the filter's prompt range


@pytest.fixture(scope="module")
def modular():
    sys.path.insert(0, os.path.join(REPO, "notebooks-export"))
    from fourierlens import load_model
    from fourierlens.architectures import describe

    model, tokenizer = load_model(MODEL)
    return model, tokenizer, describe(model)


@pytest.fixture(scope="module")
def dump(modular_dump):
    return modular_dump


def filtered(dump, out, *flags, sites="attn_out,mlp_out"):
    fourierlens("filter", dump, "--sites", sites, *flags, "--fold-final-norm", "--prompts", f"{PROMPTS[0]}:{PROMPTS[1]}",
                "--out", str(out), "--quiet")
    return str(out)


def reference(model, tokenizer, arch, dump, patches):
    """Accuracy over the number tokens and mean loss of the model with `patches` {site: [n, d]}
    put in place at the last token ("="), all at once; torch only."""
    with h5py.File(dump) as f:
        texts = [t.decode() for t in f["prompts/text"][PROMPTS[0]:PROMPTS[1]]]
        answers = torch.tensor(f["prompts/answer"][PROMPTS[0]:PROMPTS[1]])
        p = len(f["tokens/ids"])
    tokens = torch.tensor([tokenizer(text)["input_ids"] for text in texts])
    handles = []
    for site, values in patches.items():
        module = {"attn_out": arch.attn[0], "mlp_out": arch.mlp[0], "resid_post": arch.layers[0]}[site]

        def hook(module, args, output, values=torch.as_tensor(values)):
            first = output[0] if isinstance(output, tuple) else output
            first = first.clone()
            first[:, -1] = values
            return (first,) + tuple(output[1:]) if isinstance(output, tuple) else first
        handles.append(module.register_forward_hook(hook))
    try:
        with torch.no_grad():
            logits = model(tokens).logits[:, -1].double()
    finally:
        for handle in handles:
            handle.remove()
    accuracy = (logits[:, :p].argmax(dim=1) == answers).double().mean().item()
    loss = torch.nn.functional.cross_entropy(logits, answers).item()
    return accuracy, loss


def rows(report):
    with open(os.path.join(report, "patch.csv")) as f:
        return list(csv.DictReader(f))


def run_patch(*args):
    return subprocess.run([sys.executable, "-m", "fourierlens", "patch", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.path.join(REPO, "notebooks-export")})


@pytest.mark.parametrize("flags", [("--remove", "high", "--tau-period", "10"), ("--remove", "key"), ("--keep", "key")])
def test_patched_model_equals_a_torch_reference(modular, dump, tmp_path, flags):
    model, tokenizer, arch = modular
    report = filtered(dump, tmp_path / "filter", *flags)
    out = str(tmp_path / "patched")
    result = run_patch("--model", MODEL, dump, report, "--out", out, "--quiet", "--batch-size", "100")
    assert result.returncode == 0, result.stderr
    table = {r["configuration"]: r for r in rows(out)}
    with h5py.File(os.path.join(report, "filtered.h5")) as f:
        values = {site: f[f"acts/blocks.0.hook_{site}"][...] for site in ("attn_out", "mlp_out")}
    clean = reference(model, tokenizer, arch, dump, {})
    assert float(table["unpatched"]["acc_exact"]) == pytest.approx(clean[0], abs=1e-6)
    assert float(table["unpatched"]["mean_loss"]) == pytest.approx(clean[1], abs=1e-6)
    for site in ("attn_out", "mlp_out"):  # filtered without --joint: each site on its own
        accuracy, loss = reference(model, tokenizer, arch, dump, {site: values[site]})
        row = table[f"filter:blocks.0.hook_{site}"]
        assert row["sites"] == site and row["layers"] == "0" and row["readouts"] == "1"
        assert float(row["acc_exact"]) == pytest.approx(accuracy, abs=1e-6)
        assert float(row["mean_loss"]) == pytest.approx(loss, abs=1e-6)


def test_joint_filter_patches_both_sites_in_one_pass(modular, dump, tmp_path):
    model, tokenizer, arch = modular
    report = filtered(dump, tmp_path / "filter", "--remove", "high", "--tau-period", "10", "--joint")
    with open(os.path.join(report, "summary.json")) as f:
        assert json.load(f)["joint"] is True
    out = str(tmp_path / "patched")
    assert run_patch("--model", MODEL, dump, report, "--out", out, "--quiet").returncode == 0
    table = rows(out)
    assert [r["configuration"] for r in table] == ["unpatched", "filter"]
    assert table[1]["sites"] == "attn_out+mlp_out" and table[1]["readouts"] == "2"
    with h5py.File(os.path.join(report, "filtered.h5")) as f:
        assert f.attrs["filter_joint"] == 1
        values = {site: f[f"acts/blocks.0.hook_{site}"][...] for site in ("attn_out", "mlp_out")}
    accuracy, loss = reference(model, tokenizer, arch, dump, values)
    assert float(table[1]["acc_exact"]) == pytest.approx(accuracy, abs=1e-6)
    assert float(table[1]["mean_loss"]) == pytest.approx(loss, abs=1e-6)
    # Both together differ from either alone: the two sites are not patched one at a time.
    alone = [reference(model, tokenizer, arch, dump, {s: values[s]})[1] for s in values]
    assert all(abs(loss - other) > 1e-3 for other in alone)


def copy_with(report, dump, tmp_path, name, change):
    """A copy of a filter report whose filtered.h5 was changed by change(file)."""
    copy = str(tmp_path / name)
    shutil.copytree(report, copy)
    with h5py.File(os.path.join(copy, "filtered.h5"), "r+") as f:
        change(f)
    return copy


def test_unfiltered_copy_changes_nothing_and_zeros_equal_zero_ablation(modular, dump, tmp_path):
    model, tokenizer, arch = modular
    report = filtered(dump, tmp_path / "filter", "--remove", "high", "--tau-period", "10", sites="mlp_out")
    with h5py.File(dump) as f:
        clean = f["acts/blocks.0.hook_mlp_out"][PROMPTS[0]:PROMPTS[1]]
    same = copy_with(report, dump, tmp_path, "same", lambda f: f["acts/blocks.0.hook_mlp_out"].__setitem__(Ellipsis, clean))
    zero = copy_with(report, dump, tmp_path, "zero", lambda f: f["acts/blocks.0.hook_mlp_out"].__setitem__(Ellipsis, 0))
    out = str(tmp_path / "patched")
    assert run_patch("--model", MODEL, dump, same, zero, "--out", out, "--quiet").returncode == 0
    table = {r["configuration"]: r for r in rows(out)}
    for key in ("acc_exact", "acc_pm2", "acc_vocab", "mean_loss"):
        assert float(table["same"][key]) == pytest.approx(float(table["unpatched"][key]), abs=1e-6)
    assert float(table["same"]["mean_kl"]) < 1e-6
    accuracy, loss = reference(model, tokenizer, arch, dump, {"mlp_out": np.zeros_like(clean)})
    assert float(table["zero"]["acc_exact"]) == pytest.approx(accuracy, abs=1e-6)
    assert float(table["zero"]["mean_loss"]) == pytest.approx(loss, abs=1e-6)
    assert float(table["zero"]["acc_exact"]) < 0.2  # the MLP writes the answer: without it, none
    with h5py.File(os.path.join(out, "patch_prompts.h5")) as f:
        assert list(f["prompts/index"][...]) == list(range(*PROMPTS))
        assert f["patch/predicted"].shape == (3, PROMPTS[1] - PROMPTS[0])


def test_transformer_lens_bridge_gives_the_same_patched_model(modular, dump, tmp_path):
    sys.path.insert(0, os.path.join(REPO, "notebooks-export", "tests"))
    from tl_models import boot_bridge
    from fourierlens.patch import patch

    model, tokenizer, _ = modular
    report = filtered(dump, tmp_path / "filter", "--remove", "high", "--tau-period", "10", "--joint")
    hf = patch(model, tokenizer, dump, [report], progress=False)
    bridge = boot_bridge(MODEL, "none")
    lens = patch(bridge, tokenizer, dump, [report], progress=False)
    for a, b in zip(hf.rows, lens.rows):
        assert a["acc_exact"] == pytest.approx(b["acc_exact"], abs=1e-9)
        assert a["mean_loss"] == pytest.approx(b["mean_loss"], abs=1e-5)


def test_swift_command_hands_over_to_python_with_the_same_report(dump, tmp_path):
    report = filtered(dump, tmp_path / "filter", "--remove", "low", "--tau-period", "10", "--joint")
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    assert run_patch("--model", MODEL, dump, report, "--out", a, "--quiet").returncode == 0
    result = subprocess.run([tool(), "patch", dump, report, "--model", MODEL, "--out", b, "--quiet"], capture_output=True, text=True,
                            env={**os.environ, "FOURIERLENS_PYTHON": sys.executable, "PYTHONPATH": os.path.join(REPO, "notebooks-export")})
    assert result.returncode == 0, result.stderr
    assert open(os.path.join(a, "patch.csv")).read() == open(os.path.join(b, "patch.csv")).read()
    sys.path.insert(0, os.path.join(REPO, "notebooks-export"))
    from fourierlens import reports
    loaded = reports.load(b)
    assert str(loaded["patch"]["acc_exact"].dtype) == "float64" and loaded["summary"]["command"] == "patch"


def test_bad_input_is_one_line_and_leaves_nothing(modular, dump, tmp_path, capsys):
    from fourierlens.__main__ import main

    report = filtered(dump, tmp_path / "filter", "--remove", "high", "--tau-period", "10")
    other = copy_with(report, dump, tmp_path, "other", lambda f: f["prompts/text"].__setitem__(0, "1 + 1 ="))
    small = str(tmp_path / "small")
    from transformers import GPT2Config, GPT2LMHeadModel
    GPT2LMHeadModel(GPT2Config(vocab_size=64, n_positions=16, n_embd=32, n_layer=2, n_head=2, bos_token_id=0, eos_token_id=0)).save_pretrained(small)
    shutil.copy(os.path.join(MODEL, "tokenizer.json"), small)
    cases = [
        (["--model", str(tmp_path / "missing"), dump, report], "expected a model directory with config.json"),
        (["--model", small, dump, report], "the dump is of another model"),
        (["--model", MODEL, dump, other], "filtered from another dump"),
        (["--model", MODEL, dump, str(tmp_path / "nothing.h5")], "it does not exist"),
        (["--model", MODEL, dump, report, "--batch-size", "0"], "--batch-size: expected an integer from 1 to 65536 (found 0)"),
    ]
    for arguments, fragment in cases:
        out = tmp_path / "out"
        capsys.readouterr()
        try:
            code = main(["patch", *arguments, "--out", str(out)])  # in this process: no torch import per case
        except SystemExit as usage:  # a usage error ends in argparse, as on the command line
            code = usage.code
        stderr = capsys.readouterr().err
        assert code == 2, (arguments, stderr)
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("fourierlens: ") and fragment in lines[0], (arguments, stderr)
        assert not out.exists() and not [p for p in os.listdir(tmp_path) if p.startswith(".out.")]
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "mine.txt").write_text("keep")
    capsys.readouterr()
    assert main(["patch", "--model", MODEL, dump, report, "--out", str(existing)]) == 2
    assert "already exists" in capsys.readouterr().err and (existing / "mine.txt").read_text() == "keep"
    result = subprocess.run([tool(), "patch", dump, report, "--model", MODEL, "--python", str(tmp_path / "no-python")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "expected a Python with the fourierlens package" in result.stderr
