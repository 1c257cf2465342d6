"""Number-token embeddings, the unembedding, the final norm and the vocabulary's strings, from a
transformers model, a TransformerLens model or a safetensors file."""
import numpy as np

from .architectures import describe
from .dumpfile import writer_for
from .errors import ExportError
from .numbers import find_number_tokens


def _number_tokens(tokenizer, numbers, leading_space):
    if numbers is None:
        found = find_number_tokens(tokenizer, range(0, 1000), leading_space)
        if found.contiguous_max < 0:
            raise ExportError("expected a tokenizer that keeps 0 as a single token; it does not")
        return found.restrict(range(0, found.contiguous_max + 1))
    wanted = list(numbers)
    return find_number_tokens(tokenizer, wanted, leading_space).restrict(wanted)


def vocabulary_strings(tokenizer, size):
    """The text of every token id 0..size-1 (default: the tokenizer's vocabulary) as it reads in a
    sentence (" the", "[SEP]"); ids the tokenizer does not have (a model's vocabulary padded
    past the tokenizer's) get ""."""
    known = len(tokenizer) if hasattr(tokenizer, "__len__") else tokenizer.get_vocab_size()
    size = known if size is None else size
    ids = range(min(size, known))
    if hasattr(tokenizer, "batch_decode"):
        strings = tokenizer.batch_decode([[i] for i in ids])
    else:  # a tokenizers.Tokenizer
        strings = tokenizer.decode_batch([[i] for i in ids], skip_special_tokens=False)
    return list(strings) + [""] * (size - len(strings))


def write_weight_roles(dump, tokens, W_E, W_U, b_U=None, tied=False, norm=None, dtype="float32",
                       embeddings="numbers", unembedding="full", n_layers=None, tokenizer=None, readout=None):
    """Writes the weight roles of schema fourierlens/1 from numpy arrays, and with `tokenizer`
    the text of every token id (/vocabulary/strings, one variable-length string each).

    W_E is [V, d] (rows = tokens), W_U [d, V]; `norm` is (kind, eps, weight, bias or None);
    `readout` the attributes of how the model reads out (see _readout_attributes)."""
    ids = np.asarray(tokens.ids, dtype=np.int64)
    dump.write("tokens/ids", ids)
    dump.write("tokens/values", np.asarray(tokens.values, dtype=np.int64))
    dump.write_strings("tokens/strings", tokens.strings)
    dump.set_attr("d_model", int(W_E.shape[1]))
    if n_layers is not None:
        dump.set_attr("n_layers", int(n_layers))
    if embeddings not in ("numbers", "full"):
        raise ExportError(f"expected embeddings='numbers' or 'full', found {embeddings!r}")
    dump.write("weights/W_E", W_E[ids] if embeddings == "numbers" else W_E, dtype)
    if unembedding is not None:
        if unembedding == "numbers":
            dump.write("weights/W_U", W_U[:, ids], dtype, attrs={"tied": int(tied), "restricted": 1})
            dump.write("weights/vocab_ids", ids)
            if b_U is not None:
                dump.write("weights/b_U", b_U[ids], dtype)
        elif unembedding == "full":
            dump.write("weights/W_U", W_U, dtype, attrs={"tied": int(tied)})
            if b_U is not None:
                dump.write("weights/b_U", b_U, dtype)
        else:
            raise ExportError(f"expected unembedding='full', 'numbers' or None, found {unembedding!r}")
    if tokenizer is not None:
        size = W_U.shape[1] if unembedding == "full" else None  # else the tokenizer's own vocabulary
        dump.write_strings("vocabulary/strings", vocabulary_strings(tokenizer, size))
    if norm is not None:
        kind, eps, weight, bias = norm
        dump.write("weights/ln_final.w", weight, dtype, attrs={"kind": kind, "eps": float(eps)})
        if bias is not None:
            dump.write("weights/ln_final.b", bias, dtype)
    _readout_attributes(dump, readout or {}, norm is not None, unembedding is not None)


def _readout_attributes(dump, readout, has_norm, has_unembedding):
    """Attributes for what the stored weights already include (recorded, never to be applied
    again) and the soft-cap the lens applies (docs/SCHEMA.md, "How the model reads out")."""
    if readout.get("embedding_scale", 1.0) != 1.0:
        dump.set_attr("embedding_scale", float(readout["embedding_scale"]), "weights/W_E")
    if readout.get("projected"):
        dump.set_attr("projection_folded", 1, "weights/W_E")
    if has_norm and readout.get("weight_offset", 0.0) != 0.0:
        dump.set_attr("weight_offset", float(readout["weight_offset"]), "weights/ln_final.w")
    if has_unembedding:
        if readout.get("logit_scale", 1.0) != 1.0:
            dump.set_attr("logit_scale", float(readout["logit_scale"]), "weights/W_U")
        if readout.get("projected"):
            dump.set_attr("projection_folded", 1, "weights/W_U")
        if readout.get("softcap") is not None:
            dump.set_attr("softcap", float(readout["softcap"]), "weights/W_U")
        if readout.get("readout_missing"):
            dump.set_attr("readout_missing", readout["readout_missing"], "weights/W_U")


def export_weights(model, tokenizer, out, numbers=None, leading_space=False, dtype="float32",
                   embeddings="numbers", unembedding="full", overwrite=False, model_name=None, vocabulary=True):
    """Exports number-token embeddings, the unembedding and the final norm of a transformers model
    or a TransformerLens model (TransformerBridge or HookedTransformer: its W_E, W_U, b_U and
    ln_final as they compute, processed or not; `tokenizer` may be None to use the model's).

    numbers: the numbers to export (default: the contiguous single-token range from 0).
    embeddings: "numbers" (rows of the number tokens, in numeric order) or "full".
    unembedding: "full" [d, V], "numbers" (only the number tokens' columns, with
    /weights/vocab_ids), or None. Tied models get the transposed embedding, marked tied = 1.
    vocabulary: also write the text of every token id (/vocabulary/strings).
    out: a path (refused if it exists unless overwrite) or an open DumpWriter (then `with` on it
    leaves it open: DumpWriter closes only the writer that opened it)."""
    from .transformer_lens import is_transformer_lens, transformer_lens_weights

    if is_transformer_lens(model):
        tokenizer = tokenizer if tokenizer is not None else model.tokenizer
        W_E, W_U, b_U, tied, norm, n_layers, name, readout = transformer_lens_weights(model)
    else:
        W_E, W_U, b_U, tied, norm, n_layers, name, readout = _transformers_weights(model)
    tokens = _number_tokens(tokenizer, numbers, leading_space)
    with writer_for(out, overwrite, model_name or name) as dump:
        write_weight_roles(dump, tokens, W_E, W_U, b_U, tied, norm, dtype, embeddings, unembedding, n_layers,
                           tokenizer=tokenizer if vocabulary else None, readout=readout)
    return tokens


def _transformers_weights(model):
    """(W_E [V, d], W_U [d, V], b_U, tied, norm, n_layers, name, readout) of a transformers model,
    as the model computes: W_E as the residual sees it (embedding scale and OPT's project_in
    applied), W_U from the final norm's output to the logits (OPT's project_out and a logit scale
    folded in), the final norm's effective weight (Gemma's 1 + w). `readout` holds the attributes
    that record those folds and the soft-cap the reader applies (docs/SCHEMA.md)."""
    import torch

    arch = describe(model)
    with torch.no_grad():
        embedding = model.get_input_embeddings().weight.detach().float()
        head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
        tied = head is None or head.weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()
        W_U = embedding if head is None else head.weight.detach().float()  # [V, width]
        b_U = None if head is None or getattr(head, "bias", None) is None else head.bias.detach().float()
        W_E = embedding * arch.embedding_scale
        if arch.embedding_projection is not None:
            W_E = arch.embedding_projection(W_E)
        if arch.output_projection is not None:  # logits = project_out(h) W^T = h (W P)^T
            W_U = W_U @ arch.output_projection.weight.detach().float()
        W_U = W_U * arch.logit_scale
        b_U = None if b_U is None else b_U * arch.logit_scale
        norm = None
        if arch.final_norm is not None:
            bias = getattr(arch.final_norm, "bias", None)
            raw = getattr(arch.final_norm, "weight", None)  # OLMo's final LayerNorm has no weight
            weight = torch.ones(W_U.shape[1]) if raw is None else raw.detach().float() + arch.norm_weight_offset
            norm = (arch.norm_kind, arch.norm_eps, weight.cpu().numpy(), None if bias is None else bias.detach().float().cpu().numpy())
    readout = {"embedding_scale": arch.embedding_scale, "weight_offset": arch.norm_weight_offset,
               "logit_scale": arch.logit_scale, "softcap": arch.softcap,
               "projected": arch.embedding_projection is not None or arch.output_projection is not None,
               "readout_missing": arch.readout_missing}
    name = getattr(model.config, "_name_or_path", None) or arch.name
    return (W_E.cpu().numpy(), W_U.T.cpu().numpy(), None if b_U is None else b_U.cpu().numpy(), tied, norm,
            arch.n_layers, name, readout)


EMBEDDING_KEYS = ("transformer.wte.weight", "model.embed_tokens.weight", "embeddings.word_embeddings.weight",
                  "bert.embeddings.word_embeddings.weight", "gpt_neox.embed_in.weight", "wte.weight")
HEAD_KEYS = ("lm_head.weight", "embed_out.weight")
NORM_KEYS = (("transformer.ln_f.weight", "transformer.ln_f.bias", "layernorm"),
             ("ln_f.weight", "ln_f.bias", "layernorm"),
             ("model.norm.weight", None, "rmsnorm"),
             ("gpt_neox.final_layer_norm.weight", "gpt_neox.final_layer_norm.bias", "layernorm"))


def export_weights_from_safetensors(weights_path, tokenizer, out, numbers=None, leading_space=False,
                                    dtype="float32", embeddings="numbers", unembedding="full", norm_eps=1e-5,
                                    overwrite=False, model_name=None):
    """The same as export_weights from a .safetensors file and a tokenizer, without torch.

    tokenizer: a transformers tokenizer, a tokenizers.Tokenizer, or the path of a tokenizer.json."""
    from .safetensors_reader import SafetensorsFile

    if isinstance(tokenizer, str):
        from tokenizers import Tokenizer
        tokenizer = Tokenizer.from_file(tokenizer)
    tensors = SafetensorsFile(weights_path)
    embed_key = next((k for k in EMBEDDING_KEYS if k in tensors), None)
    if embed_key is None:
        raise ExportError(f"{weights_path}: expected an embedding tensor (one of {', '.join(EMBEDDING_KEYS)}); none found")
    W_E = tensors.read(embed_key)
    head_key = next((k for k in HEAD_KEYS if k in tensors), None)
    W_U = (tensors.read(head_key) if head_key else W_E).T
    norm = None
    for weight_key, bias_key, kind in NORM_KEYS:
        if weight_key in tensors:
            norm = (kind, norm_eps, tensors.read(weight_key),
                    tensors.read(bias_key) if bias_key and bias_key in tensors else None)
            break
    tokens = _number_tokens(tokenizer, numbers, leading_space)
    with writer_for(out, overwrite, model_name or weights_path) as dump:
        write_weight_roles(dump, tokens, W_E, W_U, None, head_key is None, norm, dtype, embeddings, unembedding,
                           tokenizer=tokenizer)
    return tokens
