"""Where the parts FourierLens needs live in each supported Hugging Face architecture, and how
the model turns its last residual into logits (the final norm's convention, scales, soft-cap)."""
from dataclasses import dataclass

from .errors import ExportError

#: Decoders laid out as model.model.layers[i].self_attn / .mlp and model.model.norm.
_MODEL_LAYERS = ("llama", "mistral", "qwen2", "qwen3", "phi3", "smollm3", "gemma", "gemma2", "gemma3_text",
                 "olmo", "olmo2", "olmo3", "stablelm", "mixtral", "qwen3_moe", "granite", "cohere", "starcoder2", "phi")
#: Blocks that norm each sublayer's output before adding it (x + post_norm(attn(x)), then the same for the MLP).
_POST_SUBLAYER_NORM = ("gemma2", "gemma3_text", "olmo2", "olmo3")
#: RMSNorms that scale by (1 + w).
_WEIGHT_PLUS_ONE = ("gemma", "gemma2", "gemma3_text")
#: Final norms that centre (LayerNorm); the others are RMSNorm.
_LAYERNORM = ("gpt2", "gptj", "gpt_neox", "gpt_neo", "opt", "phi", "falcon", "stablelm", "starcoder2", "cohere", "olmo")

SUPPORTED = tuple(sorted({"gpt2", "gptj", "gpt_neox", "gpt_neo", "opt", "falcon", "bert"} | set(_MODEL_LAYERS)))


@dataclass
class Architecture:
    """A model's layers and readout. `attn[l]` / `mlp[l]` are the modules whose output (its first
    element), times `add_scale`, is exactly what the block adds to the residual: the post-sublayer
    norm where the family has one (Gemma 2/3, OLMo 2/3), the routed expert sum for mixture of
    experts (Mixtral, Qwen3-MoE), OPT's fc2. A patcher replaces attn_out/mlp_out by making that
    module return value / add_scale."""
    name: str
    layers: list
    attn: list = None
    mlp: list = None
    final_norm: object = None
    norm_kind: str = None  # "layernorm" or "rmsnorm"
    #: pre-norm residual stream: resid_post = resid_pre + attn_out + mlp_out (False for BERT's post-norm)
    additive: bool = True
    #: what the block adds = add_scale × the module output (Granite's residual_multiplier)
    add_scale: float = 1.0
    #: the final norm multiplies by (weight + norm_weight_offset): Gemma's (1 + w)
    norm_weight_offset: float = 0.0
    #: the residual sees embedding rows × embedding_scale (Gemma's √d_model, Granite's embedding_multiplier)
    embedding_scale: float = 1.0
    #: a linear map from the embedding table's width to d_model (OPT's project_in), or None
    embedding_projection: object = None
    #: a linear map from the final norm's output to the unembedding's input (OPT's project_out), or None
    output_projection: object = None
    #: logits = logit_scale × (h W_U + b_U) (Cohere's logit_scale, Granite's 1 / logits_scaling)
    logit_scale: float = 1.0
    #: then logits = softcap · tanh(logits / softcap) (Gemma 2/3's final_logit_softcapping), or None
    softcap: float = None
    #: why W_U applied to the last residual does not give the model's logits (BERT's masked-LM
    #: head transform is not exported), or None
    readout_missing: str = None

    @property
    def n_layers(self):
        return len(self.layers)

    @property
    def norm_eps(self):
        norm = self.final_norm
        for name in ("eps", "variance_epsilon", "epsilon"):
            if hasattr(norm, name):
                return float(getattr(norm, name))
        return 1e-5


def _base(model, *names):
    for name in names:
        if hasattr(model, name):
            return getattr(model, name)
    return model


def _config(model, name, default=None):
    value = getattr(model.config, name, None)
    return default if value is None else value


def _blocks(model, kind):
    """(layers, attn modules, mlp modules, final norm) of a pre-norm causal LM."""
    if kind in ("gpt2", "gptj", "gpt_neo"):
        base = _base(model, "transformer")
        return list(base.h), [b.attn for b in base.h], [b.mlp for b in base.h], base.ln_f
    if kind == "falcon":
        base = _base(model, "transformer")
        return list(base.h), [b.self_attention for b in base.h], [b.mlp for b in base.h], base.ln_f
    if kind == "gpt_neox":
        base = _base(model, "gpt_neox")
        return list(base.layers), [b.attention for b in base.layers], [b.mlp for b in base.layers], base.final_layer_norm
    if kind == "opt":  # the MLP is fc1 → activation → fc2 inside the layer: fc2's output is what it adds
        base = _base(model, "model").decoder
        return list(base.layers), [b.self_attn for b in base.layers], [b.fc2 for b in base.layers], base.final_layer_norm
    base = _base(model, "model")
    layers = list(base.layers)
    if kind in _POST_SUBLAYER_NORM:
        attn = [b.post_attention_layernorm for b in layers]
        mlp = [b.post_feedforward_layernorm for b in layers]
    else:
        attn, mlp = [b.self_attn for b in layers], [b.mlp for b in layers]
    norm = base.final_layernorm if kind == "phi" else base.norm
    return layers, attn, mlp, norm


def describe(model):
    """The Architecture of a transformers model; a clear error for one not supported."""
    kind = getattr(model.config, "model_type", type(model).__name__)
    if kind == "bert":
        base = _base(model, "bert")
        # Post-norm: each sublayer's output is normalised together with the residual, so there
        # is no additive attention or MLP output and no final norm to export.
        # A masked-LM head reads the last residual through dense → GELU → LayerNorm before its
        # decoder; that transform is not exported, so W_U alone does not give the MLM logits. A
        # bare encoder (no head) has no logits: W_U is its tied embedding, read as a readout.
        head = getattr(getattr(model, "cls", None), "predictions", None)
        missing = "a masked LM: its head's transform (dense, GELU, LayerNorm) before W_U is not exported" if head else None
        return Architecture(kind, list(base.encoder.layer), additive=False, readout_missing=missing)
    if kind not in SUPPORTED:
        raise ExportError(f"expected a supported architecture ({', '.join(SUPPORTED)}), found model_type {kind!r}")
    layers, attn, mlp, norm = _blocks(model, kind)
    arch = Architecture(kind, layers, attn, mlp, norm, "layernorm" if kind in _LAYERNORM else "rmsnorm")
    if kind == "opt" and not _config(model, "do_layer_norm_before", True):
        # OPT-350m normalises after each sublayer (post-norm): only the residual stream is additive.
        arch.additive, arch.attn, arch.mlp = False, None, None
    if kind in _WEIGHT_PLUS_ONE:
        arch.norm_weight_offset = 1.0
    embedding = model.get_input_embeddings()
    # Gemma's embedding module multiplies by √d_model (its scalar_embed_scale).
    arch.embedding_scale = float(getattr(embedding, "scalar_embed_scale", 1.0))
    if kind == "granite":
        arch.add_scale = float(_config(model, "residual_multiplier", 1.0))
        arch.embedding_scale = float(_config(model, "embedding_multiplier", 1.0))
        arch.logit_scale = 1.0 / float(_config(model, "logits_scaling", 1.0))
    if kind == "cohere":
        # The forward multiplies by the module's attribute, set from the config; TransformerLens's
        # weight processing folds it into lm_head and sets the attribute (not the config) to 1.
        arch.logit_scale = float(getattr(model, "logit_scale", _config(model, "logit_scale", 1.0)))
    if kind == "opt":
        decoder = _base(model, "model").decoder
        arch.embedding_projection, arch.output_projection = decoder.project_in, decoder.project_out
    if kind in ("gemma2", "gemma3_text"):
        arch.softcap = _config(model, "final_logit_softcapping")
    return arch
