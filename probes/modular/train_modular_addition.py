"""Trains the causal demo model: a one-layer GPT-2 (Hugging Face format) on "a b =" -> (a + b) mod p,
p = 113, seeded, on the CPU; writes the weights, config and tokenizer beside this script.

    .venv/bin/python probes/modular/train_modular_addition.py [--steps 5000] [--out probes/modular/model]

The recipe follows Nanda et al. (2023): full-batch AdamW with strong weight decay on a fraction of
all p² pairs, the rest held out, for a fixed number of steps. Held-out accuracy passes 99% within a
few hundred steps; the steps after that let weight decay prune the embedding down to a few key
frequencies (the log prints the share of W_E's energy in its 6 strongest frequencies). Prints the
training time and both accuracies, and writes them to training.json in the model folder.
"""
import argparse
import json
import os
import time

import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))


def make_tokenizer(p):
    """Tokens "0".."p-1", then "+", "=", and an end-of-text token; words split on spaces."""
    vocab = {str(n): n for n in range(p)}
    vocab.update({"+": p, "=": p + 1, "<|endoftext|>": p + 2})
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<|endoftext|>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="<|endoftext|>", eos_token="<|endoftext|>",
                                   bos_token="<|endoftext|>", pad_token="<|endoftext|>")


def dataset(p, train_fraction, seed):
    a, b = torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij")
    a, b = a.flatten(), b.flatten()
    inputs = torch.stack([a, torch.full_like(a, p), b, torch.full_like(a, p + 1)], dim=1)  # "a + b ="
    labels = (a + b) % p
    order = torch.randperm(p * p, generator=torch.Generator().manual_seed(seed))
    cut = int(train_fraction * p * p)
    return inputs, labels, order[:cut], order[cut:]


def top_share(model, p, count=6):
    """The share of the number embeddings' non-constant energy (over the number axis) in the
    `count` strongest frequencies."""
    with torch.no_grad():
        embedding = model.transformer.wte.weight[:p].double()
        energy = torch.fft.rfft(embedding - embedding.mean(0), dim=0).abs().pow(2).sum(1)[1:]
    return (energy.sort(descending=True).values[:count].sum() / energy.sum()).item()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--p", type=int, default=59)
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--train-fraction", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--out", default=os.path.join(HERE, "model"))
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    p = args.p
    config = GPT2Config(vocab_size=p + 3, n_positions=4, n_embd=128, n_layer=1, n_head=4, n_inner=512,
                        activation_function="relu", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                        bos_token_id=p + 2, eos_token_id=p + 2, tie_word_embeddings=False)
    model = GPT2LMHeadModel(config)
    inputs, labels, train, test = dataset(p, args.train_fraction, args.seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1.0, betas=(0.9, 0.98))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / 10))

    def answer_logits(rows):
        """The logits over the p number tokens at the "=" position (the unembedding of that position only)."""
        hidden = model.transformer(inputs[rows]).last_hidden_state[:, -1]
        return model.lm_head(hidden)[:, :p]

    def accuracy(rows):
        with torch.no_grad():
            return (answer_logits(rows).argmax(-1) == labels[rows]).float().mean().item()

    start, step = time.time(), 0
    for step in range(1, args.steps + 1):
        logits = answer_logits(train)
        loss = torch.nn.functional.cross_entropy(logits.double(), labels[train])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 250 == 0:
            held_out = accuracy(test)
            print(f"step {step:5d}  loss {loss.item():.4f}  held-out accuracy {held_out:.4f}  "
                  f"top-6 share {top_share(model, p):.3f}  {time.time() - start:6.0f} s", flush=True)
    seconds = time.time() - start
    result = {"p": p, "steps": step, "train_fraction": args.train_fraction, "seed": args.seed, "seconds": round(seconds, 1),
              "train_accuracy": accuracy(train), "held_out_accuracy": accuracy(test), "torch": torch.__version__}
    model.save_pretrained(args.out, safe_serialization=True)
    make_tokenizer(p).save_pretrained(args.out)
    with open(os.path.join(args.out, "training.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
