"""Regenerates probes/data/minilm_demo.h5, byte for byte, from the packaged all-MiniLM-L6-v2.

    .venv/bin/python probes/make_demo_dump.py [OUT]

The dump holds the real pre-trained model's number-token embeddings for 0..299, its tied
unembedding restricted to those tokens, and the hidden state after every layer at the number's
position in "There are {n} apples." for n = 0..299 (rows ordered by n), all in float16.
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "notebooks-export"))

from fourierlens import export_dump, load_model, number_prompts  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "data", "minilm_demo.h5")
NUMBERS = range(0, 300)
TEMPLATE = "There are {n} apples."


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)  # one thread: the same float sums in the same order, every run
    model, tokenizer = load_model("minilm")
    model.config._name_or_path = "sentence-transformers/all-MiniLM-L6-v2"
    export_dump(model, tokenizer, OUT, numbers=NUMBERS, prompts=number_prompts(TEMPLATE, NUMBERS),
                position="number", sites=("resid_post",), dtype="float16", unembedding="numbers",
                overwrite=True, progress=False)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
