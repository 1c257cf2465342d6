"""A tiny seeded random causal LM of every supported family, built from its config (no download):
2 layers, d_model 32, the MiniLM tokenizer's vocabulary (it holds the number tokens), every 1-D
parameter (norm weights, biases) perturbed so that a norm's convention (w or 1 + w, centring,
bias) changes the numbers, and each family's readout knobs (soft-cap, logit and residual scales,
OPT's projections) away from 1."""
import torch

D, LAYERS, HEADS = 32, 2, 4

# Keyword arguments shared by the Llama-like configs.
_LLAMA_LIKE = dict(hidden_size=D, intermediate_size=64, num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                   num_key_value_heads=2, max_position_embeddings=64)


def _spec():
    """family → (config class, model class, keyword arguments) in transformers' names."""
    import transformers as t
    return {
        "gpt2": ("GPT2Config", "GPT2LMHeadModel", dict(n_embd=D, n_layer=LAYERS, n_head=HEADS, n_positions=64)),
        "gptj": ("GPTJConfig", "GPTJForCausalLM", dict(n_embd=D, n_layer=LAYERS, n_head=HEADS, n_positions=64, rotary_dim=4)),
        "gpt_neox": ("GPTNeoXConfig", "GPTNeoXForCausalLM",
                     dict(hidden_size=D, intermediate_size=64, num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                          max_position_embeddings=64, use_parallel_residual=True)),
        "gpt_neox_sequential": ("GPTNeoXConfig", "GPTNeoXForCausalLM",
                                dict(hidden_size=D, intermediate_size=64, num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                                     max_position_embeddings=64, use_parallel_residual=False)),
        "gpt_neo": ("GPTNeoConfig", "GPTNeoForCausalLM",
                    dict(hidden_size=D, num_layers=LAYERS, num_heads=HEADS, max_position_embeddings=64,
                         attention_types=[[["global", "local"], 1]], window_size=4)),
        "opt": ("OPTConfig", "OPTForCausalLM",
                dict(hidden_size=D, ffn_dim=64, num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                     max_position_embeddings=64, word_embed_proj_dim=16)),  # project_in / project_out
        "falcon": ("FalconConfig", "FalconForCausalLM",
                   dict(hidden_size=D, num_hidden_layers=LAYERS, num_attention_heads=HEADS, bias=True)),
        "phi": ("PhiConfig", "PhiForCausalLM", dict(_LLAMA_LIKE, partial_rotary_factor=0.5)),
        "phi3": ("Phi3Config", "Phi3ForCausalLM", _LLAMA_LIKE),
        "stablelm": ("StableLmConfig", "StableLmForCausalLM", dict(_LLAMA_LIKE, use_qkv_bias=True)),
        "llama": ("LlamaConfig", "LlamaForCausalLM", _LLAMA_LIKE),
        "mistral": ("MistralConfig", "MistralForCausalLM", _LLAMA_LIKE),
        "qwen2": ("Qwen2Config", "Qwen2ForCausalLM", dict(_LLAMA_LIKE, tie_word_embeddings=False)),
        "qwen2_tied": ("Qwen2Config", "Qwen2ForCausalLM", dict(_LLAMA_LIKE, tie_word_embeddings=True)),
        "qwen3": ("Qwen3Config", "Qwen3ForCausalLM", dict(_LLAMA_LIKE, head_dim=8)),
        "smollm3": ("SmolLM3Config", "SmolLM3ForCausalLM", _LLAMA_LIKE),
        "gemma": ("GemmaConfig", "GemmaForCausalLM", dict(_LLAMA_LIKE, head_dim=8)),
        "gemma2": ("Gemma2Config", "Gemma2ForCausalLM", dict(_LLAMA_LIKE, head_dim=8, final_logit_softcapping=0.1)),
        "gemma3_text": ("Gemma3TextConfig", "Gemma3ForCausalLM",
                        dict(_LLAMA_LIKE, head_dim=8, final_logit_softcapping=0.1, sliding_window=4)),
        "olmo": ("OlmoConfig", "OlmoForCausalLM", _LLAMA_LIKE),
        "olmo2": ("Olmo2Config", "Olmo2ForCausalLM", _LLAMA_LIKE),
        "olmo3": ("Olmo3Config", "Olmo3ForCausalLM", dict(_LLAMA_LIKE, sliding_window=4)),
        "mixtral": ("MixtralConfig", "MixtralForCausalLM", dict(_LLAMA_LIKE, num_local_experts=4, num_experts_per_tok=2)),
        "qwen3_moe": ("Qwen3MoeConfig", "Qwen3MoeForCausalLM",
                      dict(_LLAMA_LIKE, head_dim=8, num_experts=4, num_experts_per_tok=2, moe_intermediate_size=32,
                           decoder_sparse_step=1, mlp_only_layers=[])),
        "granite": ("GraniteConfig", "GraniteForCausalLM",
                    dict(_LLAMA_LIKE, embedding_multiplier=3.0, residual_multiplier=0.5, logits_scaling=4.0)),
        "cohere": ("CohereConfig", "CohereForCausalLM", dict(_LLAMA_LIKE, logit_scale=0.5)),
        "starcoder2": ("Starcoder2Config", "Starcoder2ForCausalLM", dict(_LLAMA_LIKE, use_bias=True)),
    }


FAMILIES = tuple(_spec())


def build(family, vocab_size, seed=0):
    """The family's tiny model in eval mode, perturbed as the module docstring says."""
    import transformers as t
    config_name, model_name, kwargs = _spec()[family]
    # Special token ids inside the small vocabulary (the defaults point past it).
    config = getattr(t, config_name)(vocab_size=vocab_size, **dict(dict(bos_token_id=0, eos_token_id=0, pad_token_id=0), **kwargs))
    config._attn_implementation = "eager"
    torch.manual_seed(seed)
    model = getattr(t, model_name)(config).eval()
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() == 1:  # norm weights and biases: conventions show
                parameter.add_(torch.randn_like(parameter) * 0.5)
    return model
