"""fourierlens.reports.load reads every report kind the demo dump gives back into pandas: each
CSV cell by cell (typed columns, no object dtype) and summary.json as written."""
import csv
import json
import math
import os

import pandas as pd
import pytest

from fourierlens import reports
from report_helpers import REPORT_RUNS

def cell_matches(text, value, dtype):
    if text == "":
        return value is pd.NA or (isinstance(value, float) and math.isnan(value))
    if dtype == "Int64":
        return int(text) == value
    if dtype == "float64":
        return float(text) == value
    if dtype == "boolean":
        return {"true": True, "false": False}[text] == value
    if dtype == "object":  # a set of bits, "{1, 4, 7}", as a tuple
        inner = text.strip("{}").strip()
        return value == (tuple(int(i) for i in inner.split(",")) if inner else ())
    return text == value


@pytest.mark.parametrize("kind", list(REPORT_RUNS))
def test_every_csv_round_trips_typed(demo_reports, kind):
    directory = demo_reports[kind]
    report = reports.load(directory)
    csv_files = sorted(n for n in os.listdir(directory) if n.endswith(".csv"))
    assert csv_files, kind
    assert sorted(report) == sorted(["summary"] + [n[:-4] for n in csv_files])
    with open(os.path.join(directory, "summary.json")) as f:
        assert report["summary"] == json.load(f)
    for name in csv_files:
        frame = report[name[:-4]]
        with open(os.path.join(directory, name), newline="") as f:
            rows = list(csv.reader(f))
        assert list(frame.columns) == rows[0] and len(frame) == len(rows) - 1, name
        for column in frame.columns:
            dtype = str(frame[column].dtype)
            assert dtype in ("Int64", "float64", "boolean", "string", "object"), (name, column, dtype)
            # Every column the demo's reports write has its declared type (sets of bits: tuples).
            assert reports.column_type(column) == ("set" if dtype == "object" else dtype), (name, column, dtype)
        for i, row in enumerate(rows[1:]):
            for column, text in zip(frame.columns, row):
                value = frame[column].iloc[i]
                assert cell_matches(text, value, str(frame[column].dtype)), (name, i, column, text, value)


def test_typed_columns_are_usable_as_such(demo_reports):
    spectrum = reports.load(demo_reports["spectrum"])
    outliers = spectrum["spectrum"].query("outlier and not trend")  # the trend's outliers are listed apart
    assert sorted(outliers["period"]) == sorted(spectrum["summary"]["outlier_periods"])
    assert spectrum["spectrum"]["k"].dtype == "Int64" and pd.isna(spectrum["spectrum"]["period"].iloc[0])
    probes = reports.load(demo_reports["probe"])["probes"]
    assert list(probes["layer"].unique()) == [0, 1, 2] and set(probes["site"]) == {"resid_post"}
    assert set(probes["dataset"]) == {f"/acts/blocks.{layer}.hook_resid_post" for layer in range(3)}
    compare = reports.load(demo_reports["compare"])
    assert set(compare["probes"]["series"]) == {"A", "B"}
    assert compare["probes"]["layer"].isna().all()


def test_a_directory_without_summary_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="summary.json"):
        reports.load(str(tmp_path))


def test_a_cell_of_the_wrong_type_names_file_and_column(tmp_path):
    (tmp_path / "summary.json").write_text("{}")
    (tmp_path / "spectrum.csv").write_text("k,period\r\n1,2.5\r\nten,3\r\n")
    with pytest.raises(ValueError, match=r"spectrum.csv: column k: expected Int64"):
        reports.load(str(tmp_path))


def test_unknown_columns_are_typed_from_their_cells(tmp_path):
    (tmp_path / "summary.json").write_text("{}")
    (tmp_path / "extra.csv").write_text("n,x,flag,name\r\n1,0.5,true,a\r\n,inf,,\r\n")
    frame = reports.load(str(tmp_path))["extra"]
    assert [str(t) for t in frame.dtypes] == ["Int64", "float64", "boolean", "string"]
    assert frame["x"].iloc[1] == math.inf and frame["n"].iloc[1] is pd.NA
