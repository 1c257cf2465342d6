"""Exports the causal demo's dump from the committed model: every site of its one layer and the
final norm at the "=" position of all p² prompts "a + b =", the number tokens 0..p−1 and the
answers (a + b) mod p, in float32. Takes a few seconds on the CPU.

    .venv/bin/python probes/modular/export_dump.py [--model probes/modular/model] [--out probes/data/modular_demo.h5]
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "notebooks-export"))

from fourierlens import Prompt, export_dump, load_model  # noqa: E402


def modular_prompts(p):
    """All p² prompts in row-major order (a, then b); each prompt's value is its answer."""
    return [Prompt(f"{a} + {b} =", value=(a + b) % p, answer=(a + b) % p, marker=b) for a in range(p) for b in range(p)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=os.path.join(HERE, "model"))
    parser.add_argument("--out", default=os.path.join(HERE, "..", "data", "modular_demo.h5"))
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args()
    with open(os.path.join(args.model, "training.json")) as f:
        p = json.load(f)["p"]
    model, tokenizer = load_model(args.model)
    export_dump(model, tokenizer, args.out, numbers=range(p), prompts=modular_prompts(p), position="last",
                dtype="float32", batch_size=1024, overwrite=args.overwrite, model_name="modular-addition-p%d" % p)
    print(f"wrote {args.out}: {p * p} prompts, numbers 0..{p - 1}")


if __name__ == "__main__":
    main()
