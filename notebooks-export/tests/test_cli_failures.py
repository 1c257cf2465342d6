"""The Python command line on bad input, signals and a full disk: one line on stderr, exit 2
(128 + the signal for SIGTERM/SIGHUP), never a traceback; the hidden temporary file of the dump
being written is removed in every case, and an existing file is never touched."""
import glob
import json
import os
import signal
import struct
import subprocess
import sys
import time

import numpy as np
import pytest
from safetensors.numpy import save_file as save_numpy

from export_helpers import REPO

ENV = dict(os.environ, PYTHONPATH=os.path.join(REPO, "notebooks-export"))


def cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "fourierlens", *args], capture_output=True, text=True, env=ENV, **kwargs)


def one_line(result, code=2):
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fourierlens: "), result.stderr
    return lines[0]


def leftovers(folder):
    return [n for n in os.listdir(folder) if n.startswith(".")]


def write_safetensors_header(path, header_bytes):
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)) + header_bytes)


@pytest.mark.parametrize("case", ["bad safetensors header", "huge safetensors header", "empty npy", "zero-row tensor",
                                  "not a cache"])
def test_a_bad_cache_is_one_line(tmp_path, case):
    if case == "bad safetensors header":
        cache = str(tmp_path / "c.safetensors")
        write_safetensors_header(cache, b"{not json")
    elif case == "huge safetensors header":
        cache = str(tmp_path / "c.safetensors")
        with open(cache, "wb") as f:
            f.write(struct.pack("<Q", 2**62) + b"{}")
    elif case == "empty npy":
        cache = str(tmp_path / "blocks.0.hook_resid_post.npy")
        open(cache, "wb").close()
    elif case == "zero-row tensor":
        cache = str(tmp_path / "c.safetensors")
        save_numpy({"blocks.0.hook_resid_post": np.zeros((0, 4), np.float32)}, cache)
    else:
        cache = str(tmp_path / "c.npz")
        with open(cache, "wb") as f:
            f.write(b"\xff\xfe not a zip")
    one_line(cli("import", cache, "--out", str(tmp_path / "d.h5")))
    assert not os.path.exists(tmp_path / "d.h5") and leftovers(tmp_path) == []


@pytest.mark.parametrize("args,fragment", [
    (["--batch-size", "0"], "--batch-size"), (["--batch-size", "-1"], "--batch-size"),
    (["--count", "1000000000"], "--count"), (["--count", "ten"], "--count"),
])
def test_out_of_range_counts_are_one_line_at_once(tmp_path, args, fragment):
    started = time.monotonic()
    line = one_line(cli("--model", "minilm", "--numbers", "0-9", "--prompts", "addition", *args, "--out", str(tmp_path / "d.h5")))
    assert fragment in line and time.monotonic() - started < 30
    assert os.listdir(tmp_path) == []


def test_a_broken_config_is_one_line(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{broken")
    one_line(cli("--model", str(model), "--out", str(tmp_path / "d.h5")))
    assert not os.path.exists(tmp_path / "d.h5")


def test_patch_batch_size_zero_is_one_line(tmp_path):
    line = one_line(cli("patch", "--model", str(tmp_path), str(tmp_path / "d.h5"), str(tmp_path / "f"), "--batch-size", "0",
                        "--out", str(tmp_path / "r")))
    assert "--batch-size" in line


def big_cache(folder):
    """A safetensors cache that takes seconds to write (gzip over tens of MB)."""
    path = str(folder / "big.safetensors")
    rng = np.random.default_rng(0)
    save_numpy({f"blocks.{layer}.hook_resid_post": rng.standard_normal((6000, 512)).astype(np.float32) for layer in range(6)}, path)
    return path


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_removes_the_temporary_file(tmp_path, number):
    cache = big_cache(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "fourierlens", "import", cache, "--out", str(out / "d.h5")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    deadline = time.time() + 60
    while time.time() < deadline and not leftovers(out):
        time.sleep(0.01)
    assert leftovers(out), "the import began writing"
    time.sleep(0.3)
    process.send_signal(number)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 128 + number and "Traceback" not in errors, (process.returncode, errors)
    assert os.listdir(out) == [], "no temporary file, no dump"


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs: a real full disk (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True).returncode != 0:
        pytest.skip("mount -t tmpfs is not allowed here")
    yield mount
    subprocess.run(["umount", str(mount)])


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, small_disk):
    cache = big_cache(tmp_path)
    result = cli("import", cache, "--out", str(small_disk / "d.h5"))
    line = one_line(result)
    assert "disk is full" in line or "No space left" in line, line
    assert os.listdir(small_disk) == []


class WordLevel:
    """A word-level tokenizer of the numbers 0–99 whose unknown token stands for every other word."""
    unk_token_id = 0

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": [int(text) + 1 if text.isdigit() and int(text) < 100 else self.unk_token_id]}

    def convert_ids_to_tokens(self, token_id):
        return "[UNK]" if token_id == 0 else str(token_id - 1)


def test_numbers_the_tokenizer_does_not_know_are_not_number_tokens():
    """100 and −5 encode as the unknown token: they are left out, never stored as [UNK] labelled 100."""
    from fourierlens.numbers import find_number_tokens

    found = find_number_tokens(WordLevel(), [5, 99, 100, -5])
    assert found.values == [5, 99] and found.strings == ["5", "99"]


@pytest.mark.parametrize("prompts,fragment", [
    ("There are {x} {n} apples.", "found 'There are {x} {n} apples.' (it has {x}"),
    ("There are {n} apples {", "braces doubled elsewhere"),
    ("There are no numbers.", "one slot is {n}"),
    ("@{bad}", "expected UTF-8 text, found byte 0xff at offset 0"),
    ("{bad}.jsonl", "expected UTF-8 text, found byte 0xff at offset 0"),
])
def test_a_bad_template_or_prompt_file_is_one_line(tmp_path, prompts, fragment):
    bad = tmp_path / "prompts"
    for path in (bad, tmp_path / "prompts.jsonl"):
        path.write_bytes(b"\xff\xfe There are {n} apples.\n")
    line = one_line(cli("--model", "minilm", "--numbers", "0-9", "--prompts", prompts.format(bad=bad) if "{bad}" in prompts else prompts,
                        "--out", str(tmp_path / "d.h5")))
    assert fragment in line, line
    assert not os.path.exists(tmp_path / "d.h5") and leftovers(tmp_path) == []


def test_a_template_with_doubled_braces_reads_them_as_braces():
    from fourierlens import number_prompts
    assert [p.text for p in number_prompts("{{n}} is {n}", [3])] == ["{n} is 3"]
