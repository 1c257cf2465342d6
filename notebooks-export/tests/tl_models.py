"""Small models built from a config (random weights, no download) saved with the MiniLM
tokenizer, and TransformerLens 4 bridges booted from them offline."""
import os

import torch

from export_helpers import load_minilm


def save_tiny_model(directory, kind, layers=2):
    """A GPT-2 (no unembedding bias: b_U = 0) or GPT-J (lm_head with a bias: b_U != 0) with a
    random final LayerNorm weight and bias, saved with the MiniLM tokenizer."""
    from transformers import GPT2Config, GPT2LMHeadModel, GPTJConfig, GPTJForCausalLM
    _, tokenizer = load_minilm()
    torch.manual_seed(1)
    if kind == "gpt2":
        model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_positions=64, n_embd=32, n_layer=layers,
                                           n_head=4, bos_token_id=0, eos_token_id=0))
    else:
        model = GPTJForCausalLM(GPTJConfig(vocab_size=len(tokenizer), n_positions=64, n_embd=32, n_layer=layers,
                                           n_head=4, rotary_dim=4, bos_token_id=0, eos_token_id=0))
    with torch.no_grad():
        model.transformer.ln_f.weight.normal_(1, 0.5)
        model.transformer.ln_f.bias.normal_(0, 0.5)
        if model.lm_head.bias is not None:
            model.lm_head.bias.normal_(0, 1)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def boot_bridge(directory, processing, tokenizer=None):
    """TransformerBridge.boot_transformers offline, then enable_compatibility_mode with
    processing "none" (no_processing=True), "fold" (HookedTransformer's weight processing, fold_ln
    and centring, but not centring the unembedding, which moves every logit of a row by one
    constant) or "default" (all of HookedTransformer's processing)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from transformer_lens.model_bridge import TransformerBridge
    bridge = TransformerBridge.boot_transformers(directory, device="cpu", tokenizer=tokenizer)
    options = {"none": dict(no_processing=True), "fold": dict(center_unembed=False), "default": {}}[processing]
    bridge.enable_compatibility_mode(disable_warnings=True, **options)
    return bridge.eval()


def padded(token_ids):
    """Right-padded [batch, pos] token ids: causal models read real tokens unchanged."""
    width = max(len(ids) for ids in token_ids)
    out = torch.zeros((len(token_ids), width), dtype=torch.long)
    for i, ids in enumerate(token_ids):
        out[i, :len(ids)] = torch.tensor(ids)
    return out
