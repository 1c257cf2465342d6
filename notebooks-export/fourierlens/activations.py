"""Per-layer activations at one position per prompt, captured with forward hooks."""
import sys

import numpy as np

from .architectures import describe
from .dumpfile import fill, writer_for
from .errors import ExportError
from .numbers import encode
from .progress import show as show_progress
from .prompts import Prompt

SITES = ("resid_pre", "attn_out", "mlp_out", "resid_post")


def _as_prompts(prompts):
    return [p if isinstance(p, Prompt) else Prompt(str(p), value=None) for p in prompts]


def _marker_ids(tokenizer, number):
    """Token ids that stand for `number` inside a sentence: "12" and " 12", whichever are single tokens."""
    ids = set()
    for text in (str(number), " " + str(number)):
        encoded = encode(tokenizer, text)
        if len(encoded) == 1:
            ids.add(int(encoded[0]))
    return ids


def readout_positions(tokenizer, prompts, token_ids, position):
    """The token index read in each prompt: "last" (the last token, special tokens included:
    BERT's [SEP]), "last_nonspecial" (the last token that is not a special token), "number"
    (the last occurrence of the prompt's marker number), any other string (the last occurrence
    of that single token, e.g. "="), or an integer index (negative from the end)."""
    positions = []
    special = set(getattr(tokenizer, "all_special_ids", None) or [])
    for prompt, ids in zip(prompts, token_ids):
        if position == "last":
            positions.append(len(ids) - 1)
        elif position == "last_nonspecial":
            real = [i for i, t in enumerate(ids) if t not in special]
            if not real:
                raise ExportError(f"expected a prompt with a token that is not special, found {prompt.text!r}")
            positions.append(real[-1])
        elif position == "number":
            if prompt.marker is None:
                raise ExportError(f"expected a prompt with a number for position='number', found {prompt.text!r}")
            markers = _marker_ids(tokenizer, prompt.marker)
            if not markers:
                raise ExportError(f"expected numbers that are single tokens; {prompt.marker} is not (prompt {prompt.text!r})")
            hits = [i for i, t in enumerate(ids) if t in markers]
            if not hits:
                raise ExportError(f"expected the token of {prompt.marker} in prompt {prompt.text!r}; it is not there")
            positions.append(hits[-1])
        elif isinstance(position, str):
            # The last occurrence of a given token, e.g. "=" or " is".
            wanted = encode(tokenizer, position)
            if len(wanted) != 1:
                raise ExportError(f"expected position 'last', 'number', an index or a single token, found {position!r} ({len(wanted)} tokens)")
            hits = [i for i, t in enumerate(ids) if t == wanted[0]]
            if not hits:
                raise ExportError(f"expected the token {position!r} in prompt {prompt.text!r}; it is not there")
            positions.append(hits[-1])
        elif isinstance(position, (int, np.integer)):
            index = position if position >= 0 else len(ids) + position
            if not 0 <= index < len(ids):
                raise ExportError(f"expected position {position} inside prompt {prompt.text!r} of {len(ids)} tokens")
            positions.append(int(index))
        else:
            raise ExportError(f"expected position 'last', 'number' or an integer, found {position!r}")
    return positions


def _tokenize(tokenizer, texts):
    """Token ids with the model's special tokens (BERT's [CLS] ... [SEP]; none for GPT-2)."""
    return [encode(tokenizer, text, special_tokens=True) for text in texts]


def token_texts(tokenizer, ids):
    """The text of each token id, as it reads in the prompt (" the", "[SEP]")."""
    return [tokenizer.decode([int(i)]) for i in ids]


class _Capture:
    """Forward hooks that keep each site's activation at the readout positions of the batch
    (`rows` = (batch indices, positions)), or at every position (`rows` = None)."""

    def __init__(self, arch, sites, layers):
        self.arch, self.values, self.handles = arch, {}, []
        self.rows = None
        self.batch_shape = None  # (batch, pos) of the running batch
        for layer in layers:
            block = arch.layers[layer]
            if "resid_pre" in sites:
                self.handles.append(block.register_forward_pre_hook(self._pre("resid_pre", layer), with_kwargs=True))
            if "resid_post" in sites:
                self.handles.append(block.register_forward_hook(self._post("resid_post", layer)))
            if "attn_out" in sites:
                self.handles.append(arch.attn[layer].register_forward_hook(self._post("attn_out", layer, arch.add_scale)))
            if "mlp_out" in sites:
                self.handles.append(arch.mlp[layer].register_forward_hook(self._post("mlp_out", layer, arch.add_scale)))
        if arch.final_norm is not None:
            self.handles.append(arch.final_norm.register_forward_pre_hook(self._pre("final_in", None), with_kwargs=True))

    def _keep(self, key, tensor, scale=1.0):
        if isinstance(tensor, (tuple, list)):
            tensor = tensor[0]
        if tensor.dim() == 2:  # a module run on the batch flattened to [batch·pos, d] (OPT's fc2)
            tensor = tensor.view(*self.batch_shape, -1)
        # A copy: some blocks add into a module's output in place afterwards (Falcon's parallel MLP).
        kept = tensor.clone() if self.rows is None else tensor[self.rows]
        kept = kept.detach().float().cpu().numpy()
        self.values[key] = kept * scale if scale != 1.0 else kept

    def _pre(self, site, layer):
        def hook(module, args, kwargs):
            self._keep((site, layer), args[0] if args else kwargs["hidden_states"])
        return hook

    def _post(self, site, layer, scale=1.0):
        def hook(module, args, output):
            self._keep((site, layer), output, scale)
        return hook

    def remove(self):
        for handle in self.handles:
            handle.remove()


def _progress(done, total, enabled):
    show_progress("exporting activations", done, total, enabled)


def model_name(model, default=None):
    """The name a transformers model was loaded under (its directory or hub id), else `default`."""
    config = getattr(model, "config", None)
    return getattr(config, "_name_or_path", None) or default


def export_activations(model, tokenizer, out, prompts, position="number", sites=None, layers=None, batch_size=32,
                       dtype="float32", overwrite=False, progress=None, name=None):
    """Runs `prompts` through `model` in batches and saves, per layer, the chosen sites at one
    position per prompt as /acts/blocks.{l}.hook_{site} [N, d] (position="all": every position,
    [N, pos, d], prompts right-padded with zeros to the longest), with the final norm's scale
    (/acts/ln_final.hook_scale), the prompts, their values, answers, readout positions and the
    token each position names (/prompts/tokens [N], or [N, pos] with "" for padding).

    sites: any of resid_pre, attn_out, mlp_out, resid_post (default: all the architecture has).
    Memory is bounded by the batch: each batch's rows are written before the next one runs."""
    import torch

    arch = describe(model)
    prompts = _as_prompts(prompts)
    if not prompts:
        raise ExportError("expected at least one prompt, found none")
    if sites is None:
        sites = SITES if arch.additive else ("resid_post",)
    for site in sites:
        if site not in SITES:
            raise ExportError(f"expected sites among {', '.join(SITES)}, found {site!r}")
        if site in ("attn_out", "mlp_out") and not arch.additive:
            raise ExportError(f"expected a site this {arch.name} model has separately; {site} is not additive in a post-norm model (use resid_pre or resid_post)")
    layers = list(range(arch.n_layers)) if layers is None else [int(l) for l in layers]
    bad = [l for l in layers if not 0 <= l < arch.n_layers]
    if bad:
        raise ExportError(f"expected layers within 0..{arch.n_layers - 1} (the model has {arch.n_layers}), found {bad}")

    token_ids = _tokenize(tokenizer, [p.text for p in prompts])
    positions = None if position == "all" else readout_positions(tokenizer, prompts, token_ids, position)
    progress = sys.stderr.isatty() if progress is None else progress
    with writer_for(out, overwrite, name or model_name(model, arch.name)) as writer:
        _run(model, arch, writer, prompts, token_ids, positions, sites, layers, batch_size, dtype, progress, torch)
        _write_prompts(writer, tokenizer, prompts, token_ids, positions)


def _final_scale(x, kind, eps):
    """TransformerLens's ln_final.hook_scale of rows x [..., d]: sqrt(var + eps) or sqrt(mean x^2 + eps)."""
    x = x.astype(np.float64)
    s = np.sqrt((x ** 2).mean(axis=-1) + eps) if kind == "rmsnorm" else np.sqrt(x.var(axis=-1) + eps)
    return s.astype(np.float32)


def _run(model, arch, dump, prompts, token_ids, positions, sites, layers, batch_size, dtype, progress, torch):
    n, d = len(prompts), int(model.config.hidden_size)
    every = positions is None
    length = max(len(ids) for ids in token_ids)
    shape = (n, length, d) if every else (n, d)
    datasets = {(site, layer): dump.create(f"acts/blocks.{layer}.hook_{site}", shape, dtype)
                for layer in layers for site in sites}
    scale = None
    if arch.final_norm is not None and arch.n_layers - 1 in layers:
        scale = dump.file.create_dataset("acts/ln_final.hook_scale", shape=shape[:-1], dtype=np.float32, track_times=False)
    capture = _Capture(arch, sites, layers)
    model.eval()
    try:
        with torch.no_grad():
            for start in range(0, n, batch_size):
                batch = token_ids[start:start + batch_size]
                width = length if every else max(len(ids) for ids in batch)
                input_ids = torch.zeros((len(batch), width), dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for i, ids in enumerate(batch):  # right padding: real tokens keep their positions
                    input_ids[i, :len(ids)] = torch.tensor(ids)
                    mask[i, :len(ids)] = 1
                capture.rows = None if every else (torch.arange(len(batch)),
                                                   torch.tensor(positions[start:start + len(batch)]))
                capture.values.clear()
                capture.batch_shape = tuple(input_ids.shape)
                model(input_ids=input_ids, attention_mask=mask)
                rows = slice(start, start + len(batch))
                real = mask.numpy()[:, :, None].astype(np.float32) if every else 1  # zeros at padding
                for key, dataset in datasets.items():
                    fill(dataset, rows, capture.values[key] * real)
                if scale is not None:
                    s = _final_scale(capture.values[("final_in", None)], arch.norm_kind, arch.norm_eps)
                    scale[rows] = np.where(mask.numpy() == 1, s, 1) if every else s
                _progress(min(start + batch_size, n), n, progress)
    finally:
        capture.remove()
    if "n_layers" not in dump.file.attrs:
        dump.set_attr("n_layers", arch.n_layers)
    if "d_model" not in dump.file.attrs:
        dump.set_attr("d_model", int(d))


def _write_prompts(dump, tokenizer, prompts, token_ids, positions):
    dump.write_strings("prompts/text", [p.text for p in prompts])
    if positions is None:
        length = max(len(ids) for ids in token_ids)
        texts = [token_texts(tokenizer, ids) + [""] * (length - len(ids)) for ids in token_ids]
        dump.write_strings("prompts/tokens", texts)
    else:
        dump.write("prompts/position", np.asarray(positions, dtype=np.int64))
        dump.write_strings("prompts/tokens", token_texts(tokenizer, [ids[p] for ids, p in zip(token_ids, positions)]))
    if all(p.value is not None for p in prompts):
        dump.write("prompts/values", np.asarray([p.value for p in prompts], dtype=np.int64))
    if all(p.answer is not None for p in prompts):
        dump.write("prompts/answer", np.asarray([p.answer for p in prompts], dtype=np.int64), attrs={"kind": "value"})
