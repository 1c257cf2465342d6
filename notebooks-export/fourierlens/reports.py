"""Read a FourierLens report directory back into pandas: every CSV as a DataFrame with typed
columns, and summary.json as a dict.

    from fourierlens import reports
    report = reports.load("reports/minilm_numbers/tasks/embedding-spectrum.minilm.W_E")
    report["summary"]["outlier_periods"]      # [300.0, 150.0, ...]
    report["spectrum"].query("outlier")       # the outlier rows, k as Int64, outlier as boolean

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

__all__ = ["load", "read_csv", "column_type", "COLUMN_TYPES"]

_INT = "Int64"
_FLOAT = "float64"
_BOOL = "boolean"
_TEXT = "string"


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
    **_columns(_TEXT, "function role set"),
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
    except (ValueError, KeyError) as error:
        raise ValueError(f"{where}: expected {kind} values, found {error}") from None
    return pd.array([None if c == "" else c for c in cells], dtype=_TEXT)


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
    """A report directory as ``{"summary": dict, NAME: DataFrame for each NAME.csv}``.

    Raises ``FileNotFoundError`` when ``path`` is not a report directory (no summary.json).
    """
    summary_path = os.path.join(path, "summary.json")
    if not os.path.isfile(summary_path):
        raise FileNotFoundError(f"{path}: expected a FourierLens report directory with summary.json")
    with open(summary_path) as f:
        report = {"summary": json.load(f)}
    for name in sorted(os.listdir(path)):
        stem, extension = os.path.splitext(name)
        if extension == ".csv":
            report[stem] = read_csv(os.path.join(path, name))
    return report
