"""FourierLens in Python: dumps (HDF5, schema fourierlens/1) from PyTorch models, TransformerLens,
nnsight and activation caches already on disk; the analyses on numpy arrays (spectrum, compare,
probe, lens, boolean: fourierlens.analyses) and reports read back as pandas (fourierlens.reports).

    from fourierlens import load_model, export_dump, addition_prompts
    model, tokenizer = load_model("minilm")
    export_dump(model, tokenizer, "dump.h5", numbers=range(300), prompts=addition_prompts(200))
"""
from . import boolean, reports  # fourierlens.boolean(bits, outputs, …) is the analysis too
from .activations import SITES, export_activations, readout_positions
from .activations import model_name as loaded_model_name
from .dumpfile import DumpWriter, bfloat16_words, writer_for
from .errors import ExportError
from .analyses import compare, lens, probe, spectrum
from .importers import import_cache
from .models import load_model, minilm_model_dir
from .numbers import NumberTokens, find_number_tokens
from .prompts import ADDITION_TEMPLATES, Prompt, addition_prompts, number_prompts, read_prompt_file
from .shards import merge_dumps
from .transformer_lens import from_transformer_lens
from .weights import export_weights, export_weights_from_safetensors


def export_dump(model, tokenizer, out, numbers=None, prompts=None, position="number", sites=None, layers=None,
                leading_space=False, dtype="float32", embeddings="numbers", unembedding="full", batch_size=32,
                overwrite=False, progress=None, model_name=None, vocabulary=True, prompt_range=None):
    """Weights and (when `prompts` are given) activations in one dump file, written atomically.

    model_name: the dump's `model` attribute (default: the directory or hub id the model was
    loaded from); vocabulary: also write every token's text (/vocabulary/strings); prompt_range:
    (start, end) to export only those prompts, a shard for merge_dumps."""
    name = model_name or loaded_model_name(model)
    total = len(prompts) if prompts else 0
    if prompt_range is not None:
        prompts = prompts[prompt_range[0]:prompt_range[1]]
    with DumpWriter(out, overwrite=overwrite, model=name) as dump:
        export_weights(model, tokenizer, dump, numbers=numbers, leading_space=leading_space, dtype=dtype,
                       embeddings=embeddings, unembedding=unembedding, vocabulary=vocabulary)
        if prompt_range is not None:
            dump.file.attrs["prompt_start"], dump.file.attrs["prompt_end"] = prompt_range
            dump.file.attrs["prompts_total"] = total
        if prompts:
            export_activations(model, tokenizer, dump, prompts, position=position, sites=sites, layers=layers,
                               batch_size=batch_size, dtype=dtype, progress=progress)


__all__ = ["ADDITION_TEMPLATES", "DumpWriter", "ExportError", "NumberTokens", "Prompt", "SITES", "addition_prompts",
           "bfloat16_words", "boolean", "compare", "lens", "probe", "reports", "spectrum", "export_activations", "export_dump", "export_weights", "export_weights_from_safetensors",
           "find_number_tokens", "from_transformer_lens", "import_cache", "load_model", "merge_dumps", "minilm_model_dir",
           "number_prompts", "read_prompt_file", "readout_positions", "writer_for"]
