"""Read FourierLens reports back into pandas: every CSV as a DataFrame with typed columns,
summary.json as a dict, a whole study, and the per-prompt files.

    from fourierlens import reports
    report = reports.load("reports/minilm_numbers/tasks/embedding-spectrum.minilm.W_E")
    report["summary"]["outlier_periods"]      # [300.0, 150.0, ...]
    report["spectrum"].query("outlier")       # the outlier rows, k as Int64, outlier as boolean
    study = reports.load_study("reports/paper_table1")
    study["tables"]["table1"]["patch"]        # every patch task's rows, with a task column
    prompts = reports.load_prompts("reports/modular-lens")   # one row per readout and prompt

Each CSV ``NAME.csv`` becomes ``report[NAME]``. A column takes one type wherever it appears
(the reports name their columns by one convention, docs/REPORTS.md): whole numbers are pandas'
nullable ``Int64``, measurements ``float64`` (``inf``/``-inf`` kept), flags nullable
``boolean``, text ``string``. An empty cell is missing (``<NA>``, or NaN in a float column).
A column this module does not know is typed from its cells: ``Int64`` if every cell is a whole
number, ``float64`` if a number, ``boolean`` if ``true``/``false``, else ``string``.
"""
import json
import os

import pandas as pd

__all__ = ["load", "load_study", "load_prompts", "read_csv", "column_type", "COLUMN_TYPES"]

_INT = "Int64"
_FLOAT = "float64"
_BOOL = "boolean"
_TEXT = "string"
#: Sets of bits written "{1, 4, 7}" (the Boolean reports): tuples of ints in Python.
_SET = "set"


def _columns(kind, names):
    return {name: kind for name in names.split()}


#: The type of each column name the reports write.
COLUMN_TYPES = {
    **_columns(_INT, "k layer column top_k top_columns folds prompt rank token_id position prompts tau d_model top_token_id answer_rank"),
    **_columns(_FLOAT, """period magnitude energy_fraction cos_fraction sin_fraction null_mean null_sd
        null_lower null_upper z p_value q_value share mean std chance control_mean control_std
        acc_exact acc_pm2 acc_pm10 mean_answer_rank mean_answer_logprob mean_entropy mean_kl_to_final
        magnitude_of_mean logit norm_kept band_share_before band_share_after logit_energy_ratio
        acc_before acc_after acc_pm2_before acc_pm2_after mean_abs_logit_change top_prob answer_prob"""),
    **_columns(_BOOL, "outlier in_gap_set in_fraction_set trend significant"),
    **_columns(_TEXT, "series label dataset site probe metric token removed input_token top_token"),
    # boolean
    **_columns(_INT, "columns degree"),
    **_columns(_FLOAT, """mean_square variance average_sensitivity sensitivity_low sensitivity_high
        sensitivity_upper_bound flip_sensitivity flip_sensitivity_low flip_sensitivity_high mean_degree
        energy energy_low energy_high share_of_variance coefficient low high simultaneous_low simultaneous_high"""),
    **_columns(_TEXT, "function role"),
    **_columns(_SET, "set"),
    # patch
    **_columns(_INT, "readouts"),
    **_columns(_FLOAT, "acc_vocab mean_loss mean_kl direct_acc_before direct_acc_after"),
    **_columns(_TEXT, "configuration band sites layers"),
}

#: Numbered columns (the lens's top_period_1, top_period_z_1, …): the type of the name without its number.
_NUMBERED = {"top_period": _FLOAT, "top_period_z": _FLOAT}
#: Columns named by an option's value (boolean's stability_rho_0.5, …): the type of their prefix.
_PREFIXED = {"stability_rho_": _FLOAT}


def column_type(name):
    """The type of a column the reports write, or None for a name this module does not know."""
    if name in COLUMN_TYPES:
        return COLUMN_TYPES[name]
    for prefix, kind in _PREFIXED.items():
        if name.startswith(prefix):
            return kind
    stem, _, number = name.rpartition("_")
    return _NUMBERED.get(stem) if number.isdigit() else None

_BOOLEANS = {"true": True, "false": False}


def _whole(text):
    try:
        int(text)
        return True
    except ValueError:
        return False


def _number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def _infer(cells):
    present = [c for c in cells if c != ""]
    if present and all(_whole(c) for c in present):
        return _INT
    if present and all(_number(c) for c in present):
        return _FLOAT
    if present and all(c in _BOOLEANS for c in present):
        return _BOOL
    return _TEXT


def _typed(cells, kind, where):
    """One column from its cells' text; a cell that is not of the column's type is an error."""
    try:
        if kind == _INT:
            return pd.array([None if c == "" else int(c) for c in cells], dtype=_INT)
        if kind == _FLOAT:
            return pd.array([float("nan") if c == "" else float(c) for c in cells], dtype=_FLOAT)
        if kind == _BOOL:
            return pd.array([None if c == "" else _BOOLEANS[c] for c in cells], dtype=_BOOL)
        if kind == _SET:
            return pd.Series([None if c == "" else _bit_set(c) for c in cells], dtype=object).array
    except (ValueError, KeyError) as error:
        raise ValueError(f"{where}: expected {kind} values, found {error}") from None
    return pd.array([None if c == "" else c for c in cells], dtype=_TEXT)


def _bit_set(text):
    """"{1, 4, 7}" → (1, 4, 7); "{}" → ()."""
    inner = text.strip()
    if not (inner.startswith("{") and inner.endswith("}")):
        raise ValueError(repr(text))
    inner = inner[1:-1].strip()
    return tuple(int(part) for part in inner.split(",")) if inner else ()


def read_csv(path):
    """One report CSV as a DataFrame with typed columns."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    columns = {}
    for name in raw.columns:
        cells = raw[name].tolist()
        kind = column_type(name) or _infer(cells)
        columns[name] = _typed(cells, kind, f"{path}: column {name}")
    return pd.DataFrame(columns, index=pd.RangeIndex(len(raw)))


def load(path):
    """A report directory as ``{"summary": dict, NAME: DataFrame for each NAME.csv}``; a study
    directory (study.json) as ``load_study(path)``.

    Raises ``FileNotFoundError`` when ``path`` is neither (no summary.json, no study.json).
    """
    summary_path = os.path.join(path, "summary.json")
    if not os.path.isfile(summary_path) and os.path.isfile(os.path.join(path, "study.json")):
        return load_study(path)
    if not os.path.isfile(summary_path):
        raise FileNotFoundError(f"{path}: expected a FourierLens report directory with summary.json (or a study directory with study.json)")
    with open(summary_path) as f:
        report = {"summary": json.load(f)}
    for name in sorted(os.listdir(path)):
        stem, extension = os.path.splitext(name)
        if extension == ".csv":
            report[stem] = read_csv(os.path.join(path, name))
    return report


def load_study(path):
    """A study directory (``fourierlens run``) as a dict:

    - ``"manifest"``: study.json (every task's command line, inputs with their SHA-256, timing);
    - ``"tasks"``: ``{task id: load(its report)}`` for every task the page shows (shards left out:
      their merge stands for them);
    - ``"tables"``: ``{analysis name: {NAME: DataFrame}}``, each of the analysis's CSVs ``NAME.csv``
      stacked over its tasks, with a ``task`` column and one column per task label (the grid's
      options, site, layer, dump) first.
    """
    manifest_path = os.path.join(path, "study.json")
    if not os.path.isfile(manifest_path):
        raise FileNotFoundError(f"{path}: expected a FourierLens study directory with study.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    tasks, stacks = {}, {}
    for task in manifest.get("tasks", []):
        if task.get("shard"):
            continue
        folder = os.path.join(path, os.path.dirname(task["report"]))
        if not os.path.isfile(os.path.join(folder, "summary.json")):
            continue  # not run yet (a study stopped part way)
        report = tasks[task["id"]] = load(folder)
        labels = {"task": task["id"], "dump": task.get("dump"), **task.get("labels", {})}
        for name, frame in report.items():
            if name == "summary":
                continue
            front = pd.DataFrame({key: pd.array([value] * len(frame), dtype=_TEXT) for key, value in labels.items()
                                  if key not in frame.columns}, index=frame.index)
            stacks.setdefault(task["analysis"], {}).setdefault(name, []).append(pd.concat([front, frame], axis=1))
    tables = {analysis: {name: pd.concat(frames, ignore_index=True) for name, frames in by_name.items()}
              for analysis, by_name in stacks.items()}
    return {"manifest": manifest, "tasks": tasks, "tables": tables}


def _prompts_file(path, names=("lens_prompts.h5", "filter_prompts.h5", "patch_prompts.h5")):
    if os.path.isdir(path):
        found = [os.path.join(path, name) for name in names if os.path.isfile(os.path.join(path, name))]
        if not found:
            raise FileNotFoundError(f"{path}: expected a lens, filter or patch report with {', '.join(names)}")
        return found[0]
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    return path


def _text(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def load_prompts(path, arrays=False):
    """A per-prompt file as one tidy DataFrame: ``lens_prompts.h5`` and ``filter_prompts.h5`` with
    a row per readout and prompt, ``patch_prompts.h5`` with a row per configuration and prompt.
    ``path`` is the file or the report directory that holds it (docs/CLI.md describes each file).

    Lens rows: prompt, readout, site, layer, asked, answer, answer_is_number, rank, logprob,
    entropy, lse, kl, predicted (the argmax number's value, <NA> when none); with
    ``arrays=True`` also top_token, top_logit and number_logits as numpy rows. Filter rows:
    prompt, readout, site, layer, answer, answer_is_number and the statistics in
    /filter/statistics (predicted_before/after as number values). Patch rows: prompt,
    configuration, answer, predicted, top_token, answer_logprob, kl."""
    import h5py
    import numpy as np

    path = _prompts_file(path)
    with h5py.File(path, "r") as f:
        schema = f.attrs.get("schema", "")
        schema = schema.decode() if isinstance(schema, bytes) else str(schema)
        index = f["prompts/index"][...]
        answer = f["prompts/answer"][...]
        columns = {}
        if "lens" in f:
            names = _text(f["readouts/name"][...])
            numbers = f["numbers/values"][...]
            by_readout = len(names)
            fields = ["rank", "logprob", "entropy", "lse", "kl", "predicted"]
            columns = {name: f[f"lens/{name}"][...] for name in fields}
            asked = np.repeat(f["readouts/asked"][...].astype(bool), len(index))
            is_number = np.tile(f["prompts/answer_is_number"][...].astype(bool), by_readout)
            extra = {"asked": pd.array(asked, dtype=_BOOL), "answer_is_number": pd.array(is_number, dtype=_BOOL)}
            predicted = columns.pop("predicted").reshape(-1)
            extra["predicted"] = pd.array([None if i < 0 else int(numbers[i]) for i in predicted], dtype=_INT)
            if arrays:
                for name in ("top_token", "top_logit", "number_logits"):
                    block = f[f"lens/{name}"][...]
                    extra[name] = list(block.reshape(-1, block.shape[-1]))
        elif "filter" in f:
            header = json.loads(f.attrs["header"])
            names = [f"blocks.{layer}.hook_{site}" for site, layer in zip(header["sites"], header["layers"])]
            numbers = np.asarray(header["numberValues"])
            stats = f["filter/stats"][...]
            by_readout = len(names)
            columns = {name: stats[:, :, j] for j, name in enumerate(_text(f["filter/statistics"][...]))}
            is_number = np.tile(f["prompts/answer_is_number"][...].astype(bool), by_readout)
            extra = {"answer_is_number": pd.array(is_number, dtype=_BOOL)}
            for name in ("predicted_before", "predicted_after"):
                if name in columns:
                    flat = columns.pop(name).reshape(-1)
                    extra[name] = pd.array([None if not np.isfinite(i) or i < 0 else int(numbers[int(i)]) for i in flat], dtype=_INT)
        elif "patch" in f:
            names = _text(f["patch/configurations"][...])
            by_readout = len(names)
            columns = {name: f[f"patch/{name}"][...] for name in ("predicted", "top_token", "answer_logprob", "kl")}
            extra = {}
        else:
            raise ValueError(f"{path}: expected a lens, filter or patch per-prompt file (schema {schema!r})")
    n = len(index)
    frame = {"prompt": pd.array(np.tile(index, by_readout), dtype=_INT)}
    label = "configuration" if "patch" in schema else "readout"
    frame[label] = pd.array(np.repeat(names, n), dtype=_TEXT)
    if label == "readout":
        sites = [name.rsplit("hook_", 1)[-1] for name in names]
        layers = [int(name.split(".")[1]) for name in names]
        frame["site"] = pd.array(np.repeat(sites, n), dtype=_TEXT)
        frame["layer"] = pd.array(np.repeat(layers, n), dtype=_INT)
    frame["answer"] = pd.array(np.tile(answer, by_readout), dtype=_INT)
    for name, values in columns.items():
        flat = values.reshape(-1)
        frame[name] = pd.array(flat, dtype=_INT if flat.dtype.kind in "iu" else _FLOAT)
    frame.update(extra)
    return pd.DataFrame(frame)
