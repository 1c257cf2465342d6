"""`python -m fourierlens count-numbers`: counts of number tokens in a corpus, streamed; counts from a
CSV; bad input one line with exit 2 and nothing overwritten."""
import gzip
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

from export_helpers import REPO
from fourierlens import count_numbers
from fourierlens.errors import ExportError

TEXT = "In 1999 I had 3 cats and 12 dogs.\nThen 3 + 3 = 6, and 12 - 6 = 6; item 3b, 33.\n"
# MiniLM's WordPiece: 3, 12, 6, 33 and 1999 are whole tokens; "3b" is "3" + "##b", so it counts as a 3.
EXPECTED = {3: 4, 6: 3, 12: 2, 33: 1, 0: 0, 1: 0}


def cli(*args):
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "notebooks-export"))
    return subprocess.run([sys.executable, "-m", "fourierlens", "count-numbers", *args], capture_output=True, text=True, env=env)


def read(path):
    with h5py.File(path, "r") as f:
        values = f["tokens/values"][:]
        counts = f["tokens/counts"][:]
        attrs = dict(f["tokens/counts"].attrs)
    return dict(zip(values.tolist(), counts.tolist())), attrs


def test_counts_of_a_small_corpus_plain_and_gzip(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT)
    with gzip.open(tmp_path / "b.txt.gz", "wt") as f:
        f.write(TEXT)
    out = tmp_path / "counts.h5"
    result = cli(str(tmp_path / "a.txt"), str(tmp_path / "b.txt.gz"), "--tokenizer", "minilm", "--numbers", "0-40",
                 "--corpus-name", "two copies", "--out", str(out))
    assert result.returncode == 0, result.stderr
    counts, attrs = read(out)
    for number, count in EXPECTED.items():
        assert counts[number] == 2 * count, number
    assert attrs["corpus"] == "two copies" and "minilm" in attrs["tokenizer"]


def test_batches_and_long_lines_do_not_change_the_counts(tmp_path, monkeypatch):
    tokenizer = count_numbers.load_tokenizer("minilm")
    ids = [tokenizer.token_to_id(str(n)) for n in (3, 6, 12)]
    path = tmp_path / "long.txt"
    path.write_text((TEXT.replace("\n", " ") * 400) + "\n" + TEXT * 50)
    whole = count_numbers.count_tokens(tokenizer, [str(path)], ids, show_progress=False)
    monkeypatch.setattr(count_numbers, "BATCH_CHARS", 100)
    monkeypatch.setattr(count_numbers, "LONGEST_LINE", 37)
    pieces = count_numbers.count_tokens(tokenizer, [str(path)], ids, show_progress=False)
    np.testing.assert_array_equal(whole, pieces)
    np.testing.assert_array_equal(whole, [4 * 450, 3 * 450, 2 * 450])


def test_counts_from_a_csv_and_as_csv(tmp_path):
    given = tmp_path / "given.csv"
    given.write_text("number,count\n0,10\n1,2.5\n2,0\n7,4\n")
    out = tmp_path / "c.h5"
    assert cli("--counts", str(given), "--numbers", "0-5", "--out", str(out)).returncode == 0
    counts, attrs = read(out)
    assert counts == {0: 10, 1: 2.5, 2: 0} and attrs["corpus"] == "given.csv"
    back = tmp_path / "c.csv"
    assert cli("--counts", str(given), "--numbers", "0-9", "--out", str(back)).returncode == 0
    assert back.read_text().splitlines() == ["number,count", "0,10", "1,2.5", "2,0", "7,4"]


def test_bad_input_is_one_line_exit_2_and_nothing_overwritten(tmp_path):
    keep = tmp_path / "keep.h5"
    keep.write_bytes(b"precious")
    (tmp_path / "t.txt").write_text(TEXT)
    (tmp_path / "bad.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    (tmp_path / "bad.csv").write_text("number,count\n1,-3\n")
    (tmp_path / "nohead.csv").write_text("1,2\n")
    cases = [
        ([str(tmp_path / "t.txt"), "--tokenizer", "minilm", "--out", str(keep)], "it exists"),
        ([str(tmp_path / "missing"), "--tokenizer", "minilm", "--out", str(tmp_path / "o.h5")], "found nothing there"),
        ([str(tmp_path / "t.txt"), "--tokenizer", str(tmp_path), "--out", str(tmp_path / "o.h5")], "tokenizer.json"),
        ([str(tmp_path / "t.txt"), "--out", str(tmp_path / "o.h5")], "--tokenizer"),
        ([str(tmp_path / "bad.gz"), "--tokenizer", "minilm", "--out", str(tmp_path / "o.h5")], "bad.gz: expected readable text or gzip"),
        (["--counts", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "o.h5")], "bad.csv:2: expected a count that is finite"),
        (["--counts", str(tmp_path / "nohead.csv"), "--out", str(tmp_path / "o.h5")], "header number,count"),
        (["--tokenizer", "minilm", "--out", str(tmp_path / "o.h5")], "expected CORPUS files"),
    ]
    for args, fragment in cases:
        result = cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert keep.read_bytes() == b"precious"
    assert sorted(os.listdir(tmp_path)) == ["bad.csv", "bad.gz", "keep.h5", "nohead.csv", "t.txt"]


def test_the_committed_demo_counts_cover_the_demo_numbers():
    counts, attrs = read(os.path.join(REPO, "probes", "data", "minilm_counts.h5"))
    assert sorted(counts) == list(range(300)) and sum(counts.values()) > 10_000
    assert "python3.11-doc" in attrs["corpus"]


def test_read_counts_csv_refuses_a_repeated_number(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("number,count\n1,2\n1,3\n")
    with pytest.raises(ExportError, match="found 1 again"):
        count_numbers.read_counts_csv(str(path), None)
