"""The report of a patch run, in the layout of the Swift commands' reports (docs/REPORTS.md):
patch.csv, patch_prompts.h5, summary.json and index.html in one directory, written atomically."""
import csv
import html
import io
import json
import os
import shutil
import signal
import tempfile
from contextlib import contextmanager

import h5py
import numpy as np

from .errors import ExportError

COLUMNS = ("configuration", "band", "removed", "sites", "layers", "readouts", "prompts", "acc_exact", "acc_pm2", "acc_pm10",
           "acc_vocab", "mean_loss", "mean_kl", "direct_acc_before", "direct_acc_after")
PAGE_STYLE = ("body{font-family:Helvetica,Arial,sans-serif;margin:24px auto;max-width:1000px;color:#222;line-height:1.45;padding:0 16px}"
              "h1{font-size:24px;margin-bottom:4px}.subtitle{color:#555;margin-top:0}"
              "table{border-collapse:collapse;margin:12px 0 24px;font-size:14px}"
              "th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f3f3f3}"
              "td:first-child,th:first-child{text-align:left}caption{text-align:left;font-weight:bold;padding:6px 0}")


@contextmanager
def staged_directory(out, force=False):
    """A hidden directory beside `out` to write into, renamed to `out` when the block ends
    without an error (an existing `out` is replaced only with `force`, and only then); removed
    on an error or on SIGTERM/SIGHUP, so nothing half-written is ever left."""
    out = os.path.abspath(os.fspath(out))
    if os.path.lexists(out) and not force:
        raise ExportError(f"{out}: expected a new report directory; it already exists (pass --force to replace it)")
    if os.path.lexists(out) and not os.path.isdir(out):
        raise ExportError(f"{out}: expected a report directory to replace, found a file")
    parent = os.path.dirname(out)
    if not os.path.isdir(parent):
        raise ExportError(f"{out}: expected an output path whose directory {parent} exists")
    try:
        staging = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.", suffix=".tmp", dir=parent)
    except OSError as error:
        raise ExportError(f"{out}: expected a writable directory for the report ({error.strerror})") from None
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}

    def stop(number, frame):
        raise SystemExit(128 + number)

    for s in previous:
        signal.signal(s, stop)
    try:
        yield staging
        if os.path.isdir(out):
            aside = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.", suffix=".old", dir=parent)
            os.rename(out, os.path.join(aside, "report"))
            os.rename(staging, out)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.rename(staging, out)
    except OSError as error:
        raise ExportError(f"{out}: expected to write the report ({error.strerror})") from None
    finally:
        if os.path.isdir(staging):
            shutil.rmtree(staging, ignore_errors=True)
        for s, handler in previous.items():
            signal.signal(s, handler)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return "nan" if np.isnan(value) else repr(value)
    return str(value)


def _csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return buffer.getvalue()


def _fixed(value, digits=3):
    return "–" if value is None else f"{value:.{digits}f}"


def removal(row):
    """"the high band (6 ≤ k ≤ 29)", "k ∈ {1, 3}": what a configuration removed."""
    return f"the {row['band']} band ({row['removed']})" if row["band"] in ("low", "high") else row["removed"]


def describe_change(row, unpatched):
    """"bands: removing the high band (6 ≤ k ≤ 29) from mlp_out, layer 0: number accuracy 1.000 → 0.229, loss …"."""
    layers = row["layers"]
    where = f"{row['sites']}, layer{'s' if ('-' in layers or ',' in layers) else ''} {layers}"
    return (f"{row['configuration']}: removing {removal(row)} from {where}: number accuracy {_fixed(unpatched['acc_exact'])} → "
            f"{_fixed(row['acc_exact'])}, loss {_fixed(unpatched['mean_loss'])} → {_fixed(row['mean_loss'])}")


def _page(result, summary):
    e = html.escape
    rows, unpatched = result.rows, result.rows[0]
    chance = summary["chance"]
    worst = min(rows[1:], key=lambda r: (r["acc_exact"] if r["acc_exact"] is not None else 2.0), default=None)
    headline = (f"Unpatched, the model's number accuracy is {_fixed(unpatched['acc_exact'])} (loss {_fixed(unpatched['mean_loss'])}) "
                f"over {unpatched['prompts']} prompts; chance is {chance:.3f} (1/{len(result.dump.number_ids)} number tokens).")
    if worst is not None:
        headline += f" The largest drop: {describe_change(worst, unpatched)}."
    header = ["configuration", "band", "removed", "sites", "layers", "accuracy", "±2", "±10", "vocabulary accuracy", "loss", "KL to unpatched",
              "direct readout before", "after"]
    body = "\n".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in [
        r["configuration"], r["band"], r["removed"], r["sites"], r["layers"], _fixed(r["acc_exact"]), _fixed(r["acc_pm2"]), _fixed(r["acc_pm10"]),
        _fixed(r["acc_vocab"]), _fixed(r["mean_loss"]), _fixed(r["mean_kl"], 4), _fixed(r["direct_acc_before"]),
        _fixed(r["direct_acc_after"])]) + "</tr>" for r in rows)
    files = [("patch.csv", "one row per configuration (the unpatched model first)"),
             ("patch_prompts.h5", "per configuration and prompt: the predicted number, the top token, the answer's log-probability and the KL"),
             ("summary.json", "the same for scripts")]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(summary['title'])}</title>", f"<style>{PAGE_STYLE}</style>", "</head>", "<body>",
        f"<h1>{e(summary['title'])}</h1>",
        f'<p class="subtitle">{e(summary["subtitle"])}</p>',
        f"<p>{e(headline)}</p>",
        "<table>", f"<caption>{e(summary['table_caption'])}</caption>",
        "<tr>" + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr>", body, "</table>",
        "<h2>Files</h2>", "<ul>"] + [f'<li><a href="{e(n)}">{e(n)}</a>: {e(d)}</li>' for n, d in files] + ["</ul>", "</body>", "</html>"]) + "\n"


def summary_of(result):
    p = len(result.dump.number_ids)
    model = result.dump.model_name or "the model"
    return {
        "tool": "fourierlens (python)", "command": "patch", "model": result.dump.model_name, "dump": result.dump.path,
        "prompt_start": result.start, "prompt_end": result.end, "prompts": result.end - result.start, "numbers": p,
        "chance": 1.0 / p, "patch_position": "each prompt's readout position (/prompts/position)",
        "prediction_position": "each prompt's last token",
        "largest_check_error": result.largest_check_error,
        "configurations": [{k: v for k, v in row.items() if v is not None} for row in result.rows],
        "title": f"FourierLens patch: {model}",
        "subtitle": (f"{result.end - result.start} prompts of {os.path.basename(result.dump.path)}; the filtered activations of "
                     f"{len(result.sets)} configuration{'s' if len(result.sets) != 1 else ''} patched back at each prompt's readout "
                     f"position, the prediction read at its last token"),
        "table_caption": ("The patched model against the unpatched one. Accuracy: the number token with the largest logit is the answer "
                          "(exact, within ±2, ±10); vocabulary accuracy: the top token over the whole vocabulary is the answer's; loss: "
                          "the answer token's cross-entropy; KL: KL(unpatched ‖ patched) over the vocabulary, mean over prompts; direct "
                          "readout: the filtered site's own accuracy through W_U before and after filtering (fourierlens filter), for a "
                          "configuration of one readout."),
    }


def write_report(result, out, force=False):
    summary = summary_of(result)
    with staged_directory(out, force=force) as staging:
        with open(os.path.join(staging, "patch.csv"), "w") as f:
            f.write(_csv(result.rows))
        with h5py.File(os.path.join(staging, "patch_prompts.h5"), "w", libver="earliest") as f:
            f.attrs["schema"] = "fourierlens/patch-prompts/1"
            f.create_dataset("prompts/index", data=np.arange(result.start, result.end, dtype=np.int64), track_times=False)
            answers = [a if a is not None else -1 for a in result.dump.answer_values[result.start:result.end]]
            f.create_dataset("prompts/answer", data=np.asarray(answers, dtype=np.int64), track_times=False)
            names = ["unpatched"] + [s.name for s in result.sets]
            f.create_dataset("patch/configurations", data=np.array(names, dtype=object), dtype=h5py.string_dtype("utf-8"), track_times=False)
            for name, data in (("predicted", result.predicted), ("top_token", result.top_token),
                               ("answer_logprob", result.answer_logprob), ("kl", result.kl)):
                f.create_dataset(f"patch/{name}", data=data, track_times=False)
        with open(os.path.join(staging, "summary.json"), "w") as f:
            json.dump(summary, f, indent=2, sort_keys=True)
            f.write("\n")
        with open(os.path.join(staging, "index.html"), "w") as f:
            f.write(_page(result, summary))
