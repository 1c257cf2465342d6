"""Export PyTorch language-model tensors to FourierLens dumps (HDF5, schema fourierlens/1).

    from fourierlens_export import load_model, export_dump, addition_prompts
    model, tokenizer = load_model("minilm")
    export_dump(model, tokenizer, "dump.h5", numbers=range(300), prompts=addition_prompts(200))
"""
from .activations import SITES, export_activations, readout_positions
from .dumpfile import DumpWriter, bfloat16_words
from .errors import ExportError
from .models import load_model, minilm_model_dir
from .numbers import NumberTokens, find_number_tokens
from .prompts import ADDITION_TEMPLATES, Prompt, addition_prompts, number_prompts
from .transformer_lens import from_transformer_lens
from .weights import export_weights, export_weights_from_safetensors


def export_dump(model, tokenizer, out, numbers=None, prompts=None, position="number", sites=None, layers=None,
                leading_space=False, dtype="float32", embeddings="numbers", unembedding="full", batch_size=32,
                overwrite=False, progress=None):
    """Weights and (when `prompts` are given) activations in one dump file, written atomically."""
    with DumpWriter(out, overwrite=overwrite, model=getattr(model.config, "_name_or_path", None)) as dump:
        export_weights(model, tokenizer, dump, numbers=numbers, leading_space=leading_space, dtype=dtype,
                       embeddings=embeddings, unembedding=unembedding)
        if prompts:
            export_activations(model, tokenizer, dump, prompts, position=position, sites=sites, layers=layers,
                               batch_size=batch_size, dtype=dtype, progress=progress)


__all__ = ["ADDITION_TEMPLATES", "DumpWriter", "ExportError", "NumberTokens", "Prompt", "SITES", "addition_prompts",
           "bfloat16_words", "export_activations", "export_dump", "export_weights", "export_weights_from_safetensors",
           "find_number_tokens", "from_transformer_lens", "load_model", "minilm_model_dir", "number_prompts",
           "readout_positions"]
