"""The causal loop: filtered activations (`fourierlens filter`'s filtered.h5) patched back into
the model they came from, and the patched model measured (Zhou et al. 2024, Table 1).

    from fourierlens import load_model, patch
    model, tokenizer = load_model("probes/modular/model")
    result = patch.patch(model, tokenizer, "modular.h5", ["reports/remove-high"], out="reports/patched")
    result.table          # one row per patched set: accuracy, loss, KL beside the unpatched run

Each filtered dump is one band removed from one or more readouts (site, layer). Its readouts are
patched together in one forward pass when it was filtered with `--joint` (or `together=True`),
else each readout on its own. A patch replaces the site's vector at the prompt's readout position
(/prompts/position) with the filtered one; the rest of the model runs as usual. The prediction is
read at each prompt's last token (docs/METHODS.md, "Patching")."""
import os
import sys
from dataclasses import dataclass, field

import h5py
import numpy as np

from .errors import ExportError
from .progress import show as show_progress
from .sites import register_site_hook

SITES = ("resid_pre", "attn_out", "mlp_out", "resid_post")
WITHIN = (2, 10)


@dataclass
class DumpPrompts:
    """What patching needs of the dump the filtered activations came from."""
    path: str
    texts: list
    positions: np.ndarray
    answer_values: list    # the answer as a number (None where it is not a number token)
    answer_ids: list       # the answer's token id (None where unknown)
    number_ids: np.ndarray
    number_values: np.ndarray
    token_at_position: list
    d_model: int
    n_layers: int
    model_name: str


@dataclass
class PatchSet:
    """One configuration: these readouts of one filtered dump, patched together."""
    name: str
    source: str
    band: str                # low, high, remove or keep (fourierlens filter's selection)
    removed: str             # what it removed: "6 ≤ k ≤ 29", "k ∈ {1, 3}", "every k ≥ 1 but {1, 3}"
    readouts: list           # [(site, layer)]
    values: dict             # (site, layer) -> [n, d] float32, rows = prompts start..end
    tau: int = None
    fold_final_norm: bool = False
    direct: dict = field(default_factory=dict)  # (site, layer) -> (acc_before, acc_after) of the direct readout

    @property
    def sites(self):
        return "+".join(dict.fromkeys(site for site, _ in self.readouts))

    @property
    def layers(self):
        return _ranges(sorted({layer for _, layer in self.readouts}))


def _ranges(values):
    """[0, 1, 2, 5] -> "0-2,5"."""
    parts, start = [], None
    for i, v in enumerate(values):
        if start is None:
            start = v
        if i + 1 == len(values) or values[i + 1] != v + 1:
            parts.append(str(start) if start == v else f"{start}-{v}")
            start = None
    return ",".join(parts)


def _strings(dataset):
    return [s.decode("utf-8", "replace") if isinstance(s, bytes) else str(s) for s in dataset[...].reshape(-1)]


def _attr(file, name, default=None):
    value = file.attrs.get(name, default)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        value = value.item()
    return value


def _open(path, what):
    if not os.path.isfile(path):
        raise ExportError(f"{path}: expected {what} (an HDF5 file); it does not exist")
    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise ExportError(f"{path}: expected {what} (an HDF5 file), found a file HDF5 cannot open ({error})") from None


def read_dump(path):
    """The prompts, readout positions, answers and number tokens of a dump (docs/SCHEMA.md)."""
    with _open(path, "a FourierLens dump") as f:
        for name in ("prompts/text", "prompts/position", "prompts/answer", "tokens/ids", "tokens/values"):
            if name not in f:
                why = " (one readout position per prompt: a dump exported with position='all' has none)" if name == "prompts/position" else ""
                raise ExportError(f"{path}: /{name}: expected it for patching{why}")
        texts = _strings(f["prompts/text"])
        positions = np.asarray(f["prompts/position"][...], dtype=np.int64).reshape(-1)
        answers = np.asarray(f["prompts/answer"][...], dtype=np.int64).reshape(-1)
        kind = _attr(f["prompts/answer"], "kind", "value")
        number_ids = np.asarray(f["tokens/ids"][...], dtype=np.int64).reshape(-1)
        number_values = np.asarray(f["tokens/values"][...], dtype=np.int64).reshape(-1)
        tokens = _strings(f["prompts/tokens"]) if "prompts/tokens" in f and f["prompts/tokens"].ndim == 1 else None
        d_model, n_layers = _attr(f, "d_model"), _attr(f, "n_layers")
        model_name = _attr(f, "model", "") or ""
    n = len(texts)
    if not (len(positions) == len(answers) == n) or n == 0:
        raise ExportError(f"{path}: /prompts: expected text, position and answer for each of the same prompts, "
                          f"found {n}, {len(positions)} and {len(answers)}")
    if len(number_ids) != len(number_values) or len(number_ids) == 0:
        raise ExportError(f"{path}: /tokens: expected ids and values of the same number tokens, found {len(number_ids)} and {len(number_values)}")
    if d_model is None or n_layers is None:
        raise ExportError(f"{path}: /: expected the attributes d_model and n_layers (the model's size)")
    id_of = dict(zip(number_values.tolist(), number_ids.tolist()))
    value_of = dict(zip(number_ids.tolist(), number_values.tolist()))
    if kind == "token":
        answer_ids = answers.tolist()
        answer_values = [value_of.get(a) for a in answer_ids]
    else:
        answer_values = [a if a in id_of else None for a in answers.tolist()]
        answer_ids = [id_of.get(a) for a in answers.tolist()]
    return DumpPrompts(path, texts, positions, answer_values, answer_ids, number_ids, number_values,
                       tokens if tokens is not None and len(tokens) == n else None, int(d_model), int(n_layers), model_name)


def _hook_name(site, layer):
    return f"blocks.{layer}.hook_{site}"


def _readouts(f):
    acts = f.get("acts")
    found = []
    for name in (acts.keys() if isinstance(acts, h5py.Group) else []):
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "blocks" and parts[1].isdigit() and parts[2].startswith("hook_") and parts[2][5:] in SITES:
            found.append((parts[2][5:], int(parts[1])))
    return sorted(found, key=lambda r: (r[1], SITES.index(r[0])))


def _direct_readout(directory):
    """(site, layer) -> (acc_before, acc_after) from a filter report's filter_effect.csv."""
    import csv

    path = os.path.join(directory, "filter_effect.csv")
    if not os.path.isfile(path):
        return {}
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                number = lambda key: float(row[key]) if row.get(key) not in (None, "") else None  # noqa: E731
                out[(row["site"], int(row["layer"]))] = (number("acc_before"), number("acc_after"))
            except (KeyError, ValueError):
                continue
    return out


def read_filtered(path, dump, together=None, name=None):
    """The patch sets of one filtered dump (a filtered.h5 or a filter report directory holding
    one): all its readouts together when it was filtered with --joint (or `together`), else one
    set per readout. Refuses a file that was not filtered from `dump`'s prompts."""
    directory = path if os.path.isdir(path) else None
    file = os.path.join(path, "filtered.h5") if directory else path
    name = name or os.path.basename(os.path.normpath(directory or os.path.splitext(file)[0]))
    with _open(file, "a filtered dump (filtered.h5, written by fourierlens filter)") as f:
        if "filter_removed" not in f.attrs:
            raise ExportError(f"{file}: /: expected a filtered dump written by fourierlens filter (no filter_removed attribute)")
        readouts = _readouts(f)
        if not readouts:
            raise ExportError(f"{file}: /acts: expected filtered activations blocks.L.hook_SITE, found none")
        start, end = int(_attr(f, "prompt_start", 0)), int(_attr(f, "prompt_end", len(dump.texts)))
        if not 0 <= start < end <= len(dump.texts):
            raise ExportError(f"{file}: /: expected prompts within 0..{len(dump.texts)} of {dump.path}, found {start}:{end}")
        texts = _strings(f["prompts/text"]) if "prompts/text" in f else None
        ids = np.asarray(f["tokens/ids"][...]).reshape(-1) if "tokens/ids" in f else None
        if texts != dump.texts[start:end] or ids is None or not np.array_equal(ids, dump.number_ids):
            raise ExportError(f"{file}: /prompts/text: expected the prompts and number tokens of {dump.path} "
                              f"(prompts {start}:{end}); this file was filtered from another dump")
        values = {}
        for site, layer in readouts:
            data = f["acts"][_hook_name(site, layer)]
            if data.shape != (end - start, dump.d_model):
                raise ExportError(f"{file}: /acts/{_hook_name(site, layer)}: expected shape [{end - start}, {dump.d_model}] "
                                  f"(prompts {start}:{end}, d_model of {dump.path}), found {list(data.shape)}")
            if layer >= dump.n_layers:
                raise ExportError(f"{file}: /acts/{_hook_name(site, layer)}: expected layers below {dump.n_layers}, found {layer}")
            array = np.asarray(data[...], dtype=np.float32)
            if not np.isfinite(array).all():
                raise ExportError(f"{file}: /acts/{_hook_name(site, layer)}: expected finite values, found NaN or Inf")
            values[(site, layer)] = array
        joint = bool(_attr(f, "filter_joint", 0)) if together is None else together
        band, _, removed = str(_attr(f, "filter_removed", "")).partition(" (")
        common = dict(source=file, band=band, removed=removed[:-1] if removed.endswith(")") else removed, tau=_attr(f, "filter_tau"),
                      fold_final_norm=bool(_attr(f, "filter_fold_final_norm", 0)),
                      direct=_direct_readout(directory) if directory else {})
    if joint or len(readouts) == 1:
        sets = [PatchSet(name, readouts=readouts, values=values, **common)]
    else:
        sets = [PatchSet(f"{name}:{_hook_name(s, l)}", readouts=[(s, l)], values={(s, l): values[(s, l)]}, **common)
                for s, l in readouts]
    return sets, (start, end)


class _Runner:
    """One forward pass with some sites replaced, for a transformers model or TransformerLens's
    HookedTransformer / TransformerBridge (hooks by their TransformerLens names)."""

    def __init__(self, model):
        from .transformer_lens import is_transformer_lens

        self.model = model
        self.lens = is_transformer_lens(model)
        if self.lens:
            self.n_layers, self.d_model = int(model.cfg.n_layers), int(model.cfg.d_model)
        else:
            from .architectures import describe

            self.arch = describe(model)
            if not self.arch.additive:
                raise ExportError(f"expected a model whose blocks add attention and MLP outputs to a residual stream; "
                                  f"a {self.arch.name} model is post-norm")
            if self.arch.readout_missing:
                raise ExportError(f"expected a causal language model; {self.arch.readout_missing}")
            self.n_layers, self.d_model = self.arch.n_layers, int(model.config.hidden_size)

    def logits(self, input_ids, mask, transforms):
        """[batch, pos, V] logits; `transforms` maps (site, layer) to a function of the site's value."""
        padded = bool((mask == 0).any())
        if self.lens:
            hooks = [(_hook_name(s, l), (lambda fn: lambda tensor, hook: fn(tensor))(fn)) for (s, l), fn in transforms.items()]
            kwargs = {"attention_mask": mask} if padded else {}
            return self.model.run_with_hooks(input_ids, fwd_hooks=hooks, **kwargs)
        handles = [register_site_hook(self.arch, s, l, fn, batch_shape=tuple(input_ids.shape)) for (s, l), fn in transforms.items()]
        try:
            return self.model(input_ids=input_ids, attention_mask=mask).logits
        finally:
            for handle in handles:
                handle.remove()


@dataclass
class PatchResult:
    """Per configuration (row 0 the unpatched model) the summary numbers, and per prompt the
    predicted number, the answer's log-probability and the KL to the unpatched model."""
    dump: DumpPrompts
    start: int
    end: int
    sets: list
    rows: list                 # one dict per configuration
    predicted: np.ndarray      # [configurations, n] predicted number (argmax over the number tokens)
    top_token: np.ndarray      # [configurations, n] argmax over the vocabulary
    answer_logprob: np.ndarray # [configurations, n] (NaN where the answer token is unknown)
    kl: np.ndarray             # [configurations, n] KL(unpatched ‖ patched) over the vocabulary
    largest_check_error: float

    @property
    def table(self):
        import pandas as pd

        return pd.DataFrame(self.rows)


def _log_softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _tolerance(dump_path):
    """How far the model may be from the dump's own activations: float32 dumps to 1e-3 of the
    largest value (batching changes the last bits), half-precision ones to their rounding."""
    with h5py.File(dump_path, "r") as f:
        for name, data in (f["acts"].items() if "acts" in f else []):
            if isinstance(data, h5py.Dataset) and name.startswith("blocks."):
                return 1e-3 if data.dtype.itemsize >= 4 and data.attrs.get("dtype") != "bfloat16" else 2e-2
    return 1e-3


def _clean_rows(dump_path, readouts, rows):
    """The dump's own activations at `readouts` for prompt indices `rows` (a slice)."""
    out = {}
    with h5py.File(dump_path, "r") as f:
        for site, layer in readouts:
            name = f"acts/{_hook_name(site, layer)}"
            if name not in f:
                continue
            data = f[name]
            if data.attrs.get("dtype") == "bfloat16":
                words = np.asarray(data[rows], dtype=np.uint32)
                out[(site, layer)] = (words << 16).view(np.float32)
            elif data.ndim == 2:
                out[(site, layer)] = np.asarray(data[rows], dtype=np.float32)
    return out


def patch(model, tokenizer, dump, filtered, together=None, batch_size=64, progress=None, out=None, force=False):
    """Runs the prompts of `dump` through `model` unpatched and with each patch set of the
    `filtered` dumps in place; returns a PatchResult (and writes the report to `out` when given:
    patch.csv, patch_prompts.h5, summary.json, index.html)."""
    import torch

    from .activations import _tokenize, token_texts

    if batch_size < 1:
        raise ExportError(f"expected a batch size of at least 1, found {batch_size}")
    runner = _Runner(model)
    prompts = read_dump(dump)
    if prompts.d_model != runner.d_model or prompts.n_layers != runner.n_layers:
        raise ExportError(f"{dump}: /: expected the model's size (d_model {runner.d_model}, {runner.n_layers} layers), "
                          f"found d_model {prompts.d_model} and {prompts.n_layers} layers: the dump is of another model")
    filtered = [filtered] if isinstance(filtered, (str, os.PathLike)) else list(filtered)
    if not filtered:
        raise ExportError("expected at least one filtered dump (filtered.h5 or a filter report directory)")
    sets, span = [], None
    names = _names(filtered)
    for path, name in zip(filtered, names):
        found, range_ = read_filtered(os.fspath(path), prompts, together=together, name=name)
        if span is not None and range_ != span:
            raise ExportError(f"{path}: /: expected the same prompts as {filtered[0]} ({span[0]}:{span[1]}), found {range_[0]}:{range_[1]}")
        span = range_
        sets += found
    start, end = span
    token_ids = _tokenize(tokenizer if tokenizer is not None else model.tokenizer, prompts.texts[start:end])
    for i, ids in enumerate(token_ids):
        position = int(prompts.positions[start + i])
        if not 0 <= position < len(ids):
            raise ExportError(f"{dump}: /prompts/position: expected positions inside each prompt; prompt {start + i} "
                              f"has {len(ids)} tokens and position {position} (another tokenizer?)")
    if prompts.token_at_position is not None:
        texts = token_texts(tokenizer if tokenizer is not None else model.tokenizer,
                            [ids[int(prompts.positions[start + i])] for i, ids in enumerate(token_ids)])
        wrong = next((i for i, t in enumerate(texts) if t != prompts.token_at_position[start + i]), None)
        if wrong is not None:
            raise ExportError(f"{dump}: /prompts/tokens: expected the tokenizer to give the dump's tokens; prompt {start + wrong} "
                              f"reads {texts[wrong]!r} at its position where the dump has {prompts.token_at_position[start + wrong]!r}")

    n, configurations = end - start, len(sets) + 1
    predicted = np.full((configurations, n), -1, dtype=np.int64)
    top_token = np.full((configurations, n), -1, dtype=np.int64)
    logprob = np.full((configurations, n), np.nan)
    kl = np.zeros((configurations, n))
    all_readouts = sorted({r for s in sets for r in s.readouts}, key=lambda r: (r[1], SITES.index(r[0])))
    tolerance, largest = _tolerance(dump), 0.0
    progress = sys.stderr.isatty() if progress is None else progress
    was_training = getattr(model, "training", False)
    model.eval()
    with torch.no_grad():
        for begin in range(0, n, batch_size):
            batch = token_ids[begin:begin + batch_size]
            width = max(len(ids) for ids in batch)
            input_ids = torch.zeros((len(batch), width), dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for i, ids in enumerate(batch):  # right padding: real tokens keep their positions
                input_ids[i, :len(ids)] = torch.tensor(ids)
                mask[i, :len(ids)] = 1
            rows = torch.arange(len(batch))
            at = torch.tensor(prompts.positions[start + begin:start + begin + len(batch)])
            last = torch.tensor([len(ids) - 1 for ids in batch])
            # The unpatched run, capturing each patched site to check that the model is the dump's.
            captured = {}

            def capture(key):
                def keep(tensor):
                    captured[key] = tensor[rows, at].detach().float().cpu().numpy()
                    return None
                return keep

            clean = runner.logits(input_ids, mask, {r: capture(r) for r in all_readouts})[rows, last].double().numpy()
            stored = _clean_rows(dump, all_readouts, slice(start + begin, start + begin + len(batch)))
            for key, value in stored.items():
                scale = max(float(np.abs(value).max()), 1e-6)
                error = float(np.abs(captured[key] - value).max()) / scale
                largest = max(largest, error)
                if error > tolerance:
                    raise ExportError(f"{dump}: /acts/{_hook_name(*key)}: expected the model to compute the dump's activations; "
                                      f"they differ by {error:.3g} of their largest value (is it the model the dump was exported from?)")
            clean_log = _log_softmax(clean)
            _measure(0, clean_log, clean_log, prompts, start + begin, begin, predicted, top_token, logprob, kl)
            for c, patch_set in enumerate(sets, 1):
                def replace(key, patch_set=patch_set):
                    patch_rows = torch.from_numpy(patch_set.values[key][begin:begin + len(batch)])

                    def fn(tensor):
                        tensor = tensor.clone()
                        tensor[rows, at] = patch_rows.to(tensor.dtype)
                        return tensor
                    return fn

                logits = runner.logits(input_ids, mask, {r: replace(r) for r in patch_set.readouts})[rows, last].double().numpy()
                _measure(c, clean_log, _log_softmax(logits), prompts, start + begin, begin, predicted, top_token, logprob, kl)
            show_progress("patching", min(begin + batch_size, n), n, progress)
    if was_training:
        model.train()
    result = PatchResult(prompts, start, end, sets, [], predicted, top_token, logprob, kl, largest)
    result.rows = _summary_rows(result)
    if out is not None:
        from .patch_report import write_report

        write_report(result, out, force=force)
    return result


def _names(paths):
    """Short, distinct names for the filtered dumps (their report folders or file stems)."""
    names = [os.path.basename(os.path.normpath(p if os.path.isdir(p) else os.path.splitext(os.fspath(p))[0])) for p in paths]
    if len(set(names)) < len(names):
        names = [f"{i + 1}:{name}" for i, name in enumerate(names)]
    return names


def _measure(c, clean_log, patched_log, prompts, first, local, predicted, top_token, logprob, kl):
    """Configuration c's numbers for the prompts first.. (global index) at local offset `local`."""
    rows = range(patched_log.shape[0])
    number_logits = patched_log[:, prompts.number_ids]
    predicted[c, local:local + len(rows)] = prompts.number_values[number_logits.argmax(axis=1)]
    top_token[c, local:local + len(rows)] = patched_log.argmax(axis=1)
    kl[c, local:local + len(rows)] = (np.exp(clean_log) * (clean_log - patched_log)).sum(axis=1)
    for r in rows:
        answer = prompts.answer_ids[first + r]
        if answer is not None and 0 <= answer < patched_log.shape[1]:
            logprob[c, local + r] = patched_log[r, answer]


def _summary_rows(result):
    """One row per configuration: accuracies over the prompts whose answer is a number token,
    the full-vocabulary accuracy and loss over those whose answer token is known, the mean KL."""
    prompts, start, end = result.dump, result.start, result.end
    answers = np.array([a if a is not None else -1 for a in prompts.answer_values[start:end]])
    numeric = np.array([a is not None for a in prompts.answer_values[start:end]])
    known = np.array([a is not None for a in prompts.answer_ids[start:end]])
    answer_ids = np.array([a if a is not None else -1 for a in prompts.answer_ids[start:end]])

    def mean(values, where):
        return float(values[where].mean()) if where.any() else None

    rows = []
    for c in range(result.predicted.shape[0]):
        patch_set = result.sets[c - 1] if c else None
        distance = np.abs(result.predicted[c] - answers)
        row = {"configuration": patch_set.name if patch_set else "unpatched",
               "band": patch_set.band if patch_set else "", "removed": patch_set.removed if patch_set else "",
               "sites": patch_set.sites if patch_set else "", "layers": patch_set.layers if patch_set else "",
               "readouts": len(patch_set.readouts) if patch_set else 0,
               "prompts": int(end - start), "acc_exact": mean(distance == 0, numeric)}
        for k in WITHIN:
            row[f"acc_pm{k}"] = mean(distance <= k, numeric)
        row["acc_vocab"] = mean(result.top_token[c] == answer_ids, known)
        row["mean_loss"] = mean(-result.answer_logprob[c], known)
        row["mean_kl"] = float(result.kl[c].mean())
        direct = patch_set.direct.get(patch_set.readouts[0]) if patch_set and len(patch_set.readouts) == 1 else None
        row["direct_acc_before"], row["direct_acc_after"] = direct if direct else (None, None)
        rows.append(row)
    return rows
