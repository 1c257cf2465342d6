import json
import os
import subprocess


os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load_minilm():
    from fourierlens import load_model
    return load_model("minilm")


def fourierlens_bin():
    path = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))
    if not os.path.exists(path):
        raise RuntimeError(f"{path} is missing: build it with `swift build -c release` (make test does)")
    return path


def inspect_json(path):
    """`fourierlens inspect --json` on an exported file: the round trip into the Swift reader."""
    result = subprocess.run([fourierlens_bin(), "inspect", "--json", path], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def roles(report):
    return {r["role"]: r["path"] for r in report["roles"]}


def tiny_gpt2(tokenizer, layers=3):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=64, n_embd=32, n_layer=layers, n_head=4)
    return GPT2LMHeadModel(config).eval()
