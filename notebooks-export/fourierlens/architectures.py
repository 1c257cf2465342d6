"""Where the parts FourierLens needs live in each supported Hugging Face architecture."""
from dataclasses import dataclass

from .errors import ExportError


@dataclass
class Architecture:
    name: str
    layers: list
    #: per layer, the module whose output (first element) is what attention adds to the residual
    attn: list = None
    #: per layer, the module whose output is what the MLP adds to the residual
    mlp: list = None
    final_norm: object = None
    norm_kind: str = None  # "layernorm" or "rmsnorm"
    #: pre-norm residual stream: resid_post = resid_pre + attn_out + mlp_out (False for BERT's post-norm)
    additive: bool = True

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


def describe(model):
    """The Architecture of a transformers model; a clear error for one not supported."""
    kind = getattr(model.config, "model_type", type(model).__name__)
    if kind in ("gpt2", "gptj"):  # GPT-J runs attention and MLP in parallel: still resid_pre + attn + mlp
        base = _base(model, "transformer")
        return Architecture(kind, list(base.h), [b.attn for b in base.h], [b.mlp for b in base.h], base.ln_f, "layernorm")
    if kind in ("llama", "mistral", "qwen2", "qwen3", "olmo2", "phi3", "gemma", "gemma2"):
        base = _base(model, "model")
        return Architecture(kind, list(base.layers), [b.self_attn for b in base.layers], [b.mlp for b in base.layers],
                            base.norm, "rmsnorm")
    if kind == "gpt_neox":
        base = _base(model, "gpt_neox")
        return Architecture(kind, list(base.layers), [b.attention for b in base.layers], [b.mlp for b in base.layers],
                            base.final_layer_norm, "layernorm")
    if kind == "bert":
        base = _base(model, "bert")
        # Post-norm: each sublayer's output is normalised together with the residual, so there
        # is no additive attention or MLP output and no final norm to export.
        return Architecture(kind, list(base.encoder.layer), additive=False)
    raise ExportError(f"expected a supported architecture (gpt2, gptj, llama, mistral, qwen2, qwen3, gpt_neox, bert, ...), "
                      f"found model_type {kind!r}")
