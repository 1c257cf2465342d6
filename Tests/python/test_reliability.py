"""Reliability: on bad input, interruption or a full disk, `fourierlens` exits 0 or 2 (1 for the
machine's own failures) with one line, never crashes or hangs, never loses or replaces data it
was not allowed to, and leaves nothing behind. Every input here is written by h5py."""
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from report_helpers import DEMO, REPO

TOOL = os.environ.get("FOURIERLENS_BIN", os.path.join(REPO, ".build", "release", "fourierlens"))


def run(*args, cwd=None, timeout=120):
    return subprocess.run([TOOL, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=timeout)


def expect_refusal(result, *fragments, code=2):
    """Exit `code`, exactly one stderr line holding every fragment, no backtrace."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("fourierlens: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert "..<" not in lines[0] and "Fatal error" not in lines[0]


def leftovers(directory):
    """Hidden temporary names a run may create beside its output."""
    return [n for n in os.listdir(directory) if ".staging-" in n or ".tmp-" in n or ".replaced-" in n]


def write_dump(path, p=12, d=4, n=6, layers=2, **overrides):
    """A small complete dump: number tokens 0..p-1, W_E, W_U over a vocabulary of p + 4,
    prompts and per-layer resid_post activations. `overrides` replace datasets or root
    attributes (None deletes)."""
    rng = np.random.default_rng(1)
    vocab = p + 4
    data = {
        "weights/W_E": rng.standard_normal((p, d)).astype("f4"),
        "weights/W_U": rng.standard_normal((d, vocab)).astype("f4"),
        "tokens/ids": np.arange(p, dtype=np.int64),
        "tokens/values": np.arange(p, dtype=np.int64),
        "prompts/answer": (np.arange(n) % p).astype(np.int64),
        "prompts/values": np.arange(n, dtype=np.int64),
    }
    for layer in range(layers):
        data[f"acts/blocks.{layer}.hook_resid_post"] = rng.standard_normal((n, d)).astype("f4")
    attrs = {"schema": "fourierlens/1", "d_model": d, "n_layers": layers}
    for key, value in overrides.items():
        target = attrs if key in ("schema", "d_model", "n_layers") else data
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    with h5py.File(path, "w") as f:
        for key, value in attrs.items():
            f.attrs[key] = value
        for key, value in data.items():
            f[key] = value
    return str(path)


# --- 0. The newcomer's first command -------------------------------------------------------

def test_out_parents_are_created_and_removed_again_on_failure(tmp_path):
    out = tmp_path / "a" / "b" / "c"
    assert run("spectrum", DEMO, "--permutations", 20, "--out", out, "--quiet").returncode == 0
    assert (out / "index.html").exists()
    # A run that fails leaves no parent it created.
    bad = write_dump(tmp_path / "bad.h5", **{"tokens/values": np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 99])})
    expect_refusal(run("spectrum", bad, "--out", tmp_path / "x" / "y" / "z"), "/tokens/values")
    assert not (tmp_path / "x").exists()


def test_make_demo_commands_run_in_a_fresh_clone(tmp_path):
    """`make demo` in a fresh clone: its commands, read from the Makefile, run from the clone's
    root with no reports/ directory (the binary already built stands in for `make build`)."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", REPO, str(clone)], check=True)
    assert not (clone / "reports").exists()
    recipe = subprocess.run(["make", "-n", "-C", str(clone), "demo"], capture_output=True, text=True).stdout
    # The tool's lines, and the Python scripts that make their inputs (the causal demo's dump),
    # in the recipe's order; this interpreter stands in for the clone's .venv.
    commands = [line.split() for line in recipe.splitlines()
                if line.startswith(".build/release/fourierlens ") or line.split()[0:1] and line.split()[0].endswith("/.venv/bin/python")]
    assert sum(c[0].startswith(".build/") for c in commands) >= 4, recipe
    for command in commands:
        program = TOOL if command[0].startswith(".build/") else sys.executable
        result = subprocess.run([program, *command[1:]], cwd=clone, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, (command, result.stderr)
    assert (clone / "reports" / "minilm_numbers" / "index.html").exists()
    assert (clone / "reports" / "minilm_numbers" / "tasks" / "embeddings.minilm.W_E" / "compare.csv").exists()
    assert leftovers(clone / "reports") == []


# --- 1-4. Data loss -------------------------------------------------------------------------

def test_out_that_holds_the_working_directory_or_the_input_is_refused(tmp_path):
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    dump = shutil.copy(DEMO, work / "dump.h5")
    (work / "keep.txt").write_text("unrelated")
    for out in [".", "sub/..", str(tmp_path), "/", str(work)]:
        expect_refusal(run("spectrum", "dump.h5", "--out", out, "--force", cwd=work), "working directory")
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(DEMO, inputs / "d.h5")
    expect_refusal(run("spectrum", inputs / "d.h5", "--out", inputs, "--force"), "contain the input")
    expect_refusal(run("compare", DEMO, f"{inputs / 'd.h5'}:/weights/W_E", "--out", inputs, "--force"), "contain the input")
    expect_refusal(run("inspect", inputs / "d.h5", "--out", inputs, "--force", "--no-scan"), "contain the input")
    assert (work / "keep.txt").read_text() == "unrelated" and os.path.exists(dump)
    assert (inputs / "d.h5").exists()


def test_a_directory_that_appears_during_the_run_is_not_replaced(tmp_path):
    """Two runs to one --out without --force: one wins, the other exits 2, nothing is replaced."""
    out = tmp_path / "report"
    procs = [subprocess.Popen([TOOL, "compare", DEMO, "--random", "gaussian", "--permutations", "200", "--out", str(out), "--quiet"],
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert "already exists" in loser or "appeared there while this run was writing" in loser
    assert leftovers(tmp_path) == []


def test_a_directory_created_after_the_check_is_kept(tmp_path):
    """The check at start passes, then a directory appears; the commit refuses to replace it."""
    out = tmp_path / "report"
    proc = subprocess.Popen([TOOL, "compare", DEMO, "--random", "gaussian", "--permutations", "400", "--out", str(out), "--quiet"],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not any(".staging-" in n for n in os.listdir(tmp_path)) and time.time() < deadline:
        time.sleep(0.01)
    out.mkdir()
    (out / "mine.txt").write_text("someone else's")
    assert proc.wait(timeout=600) == 2
    assert "appeared there while this run was writing" in proc.stderr.read()
    assert os.listdir(out) == ["mine.txt"]
    assert leftovers(tmp_path) == []


def test_forced_replacement_is_one_swap(tmp_path):
    """With --force the old report is swapped for the new one: a reader polling the directory
    always finds index.html, never nothing."""
    out = tmp_path / "report"
    assert run("spectrum", DEMO, "--permutations", 20, "--out", out, "--quiet").returncode == 0
    (out / "old-marker").write_text("old")
    proc = subprocess.Popen([TOOL, "spectrum", DEMO, "--permutations", "300", "--out", str(out), "--force", "--quiet"])
    missing = 0
    while proc.poll() is None:
        if not (out / "index.html").exists():
            missing += 1
    assert proc.returncode == 0 and missing == 0
    assert not (out / "old-marker").exists()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_leaves_nothing_and_keeps_the_old_report(tmp_path, sig):
    out = tmp_path / "report"
    assert run("spectrum", DEMO, "--permutations", 20, "--out", out, "--quiet").returncode == 0
    before = sorted(os.listdir(out))
    proc = subprocess.Popen([TOOL, "compare", DEMO, "--random", "gaussian", "--permutations", "5000", "--out", str(out),
                             "--force", "--quiet"], stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while not leftovers(tmp_path) and time.time() < deadline:
        time.sleep(0.01)
    assert leftovers(tmp_path), "the run never started staging"
    time.sleep(0.2)
    proc.send_signal(sig)
    assert proc.wait(timeout=60) == -sig
    assert leftovers(tmp_path) == []
    assert sorted(os.listdir(out)) == before


def test_stale_staging_of_a_dead_process_is_removed(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".report.staging-{dead.pid}-12345"
    stale.mkdir()
    (stale / "half.csv").write_text("half")
    stale_file = tmp_path / f".filtered.h5.tmp-{dead.pid}-999"
    stale_file.write_text("half")
    alive = tmp_path / f".other.staging-{os.getpid()}-1"  # this process is alive: kept
    alive.mkdir()
    assert run("spectrum", DEMO, "--permutations", 20, "--out", tmp_path / "report", "--quiet").returncode == 0
    assert not stale.exists() and not stale_file.exists() and alive.exists()


def small_tmpfs(tmp_path, size="1M"):
    mount = tmp_path / "tiny"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({result.stderr.strip()})")
    return mount


def test_full_disk_is_one_line_naming_out_and_leaves_nothing(tmp_path):
    mount = small_tmpfs(tmp_path)
    try:
        out = mount / "filtered"
        result = run("filter", DEMO, "--remove", "high", "--tau", 10, "--out", out, "--quiet")
        expect_refusal(result, str(out), "No space left on device", code=1)
        assert "staging" not in result.stderr
        assert os.listdir(mount) == []
        result = run("spectrum", DEMO, "--permutations", 20, "--out", mount / "spectrum", "--quiet")
        assert result.returncode in (0, 1) and len(result.stderr.strip().splitlines()) <= 1
        assert leftovers(mount) == []
    finally:
        subprocess.run(["umount", str(mount)])


def test_filtered_h5_is_byte_identical_across_runs(tmp_path):
    for name in ("one", "two"):
        assert run("filter", DEMO, "--remove", "low", "--tau", 5, "--out", tmp_path / name, "--quiet").returncode == 0
        time.sleep(1.1)  # HDF5 timestamps have one-second resolution
    assert (tmp_path / "one" / "filtered.h5").read_bytes() == (tmp_path / "two" / "filtered.h5").read_bytes()


# --- 5-10. Crashes --------------------------------------------------------------------------

@pytest.mark.parametrize("name,value", [("d_model", np.nan), ("d_model", 1e300), ("n_layers", np.inf),
                                        ("n_layers", -3), ("d_model", "sixteen"), ("d_model", 2.5)])
def test_bad_root_counts_are_refused_everywhere(tmp_path, name, value):
    dump = write_dump(tmp_path / "d.h5", **{name: value})
    for command in (["inspect", "--no-scan"], ["spectrum"], ["probe"], ["compare", "--random", "permute"], ["lens"],
                    ["filter", "--remove", "high", "--tau", "2"]):
        args = [command[0], dump, *command[1:]] + ([] if command[0] == "inspect" else ["--out", tmp_path / "o"])
        result = run(*args)
        assert result.returncode == 2, (command, result.stderr)
        assert f"root attribute {name}" in result.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "o").exists()


def test_schema_problems_are_refused_by_every_command(tmp_path):
    dump = write_dump(tmp_path / "d.h5", schema="fourierlens/2")
    for command in (["spectrum"], ["probe"], ["compare", "--random", "gaussian"], ["lens"]):
        expect_refusal(run(command[0], dump, *command[1:], "--out", tmp_path / "o"), "schema")


def test_huge_finite_values_draw_a_chart(tmp_path):
    dump = write_dump(tmp_path / "d.h5", **{"weights/W_E": np.full((12, 4), 1e19, "f4") * np.arange(1, 13)[:, None].astype("f4")})
    result = run("spectrum", dump, "--permutations", 20, "--out", tmp_path / "o", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "<svg" in (tmp_path / "o" / "spectrum.svg").read_text()


def test_numbers_near_the_integer_limits(tmp_path):
    top = np.iinfo(np.int64).max
    values = np.array([top - 11 + i for i in range(12)], dtype=np.int64)
    dump = write_dump(tmp_path / "d.h5", **{"tokens/values": values, "prompts/answer": values[:6]})
    for args in (["probe"], ["compare", "--random", "gaussian", "--permutations", 20], ["spectrum", "--permutations", 20],
                 ["lens"]):
        result = run(args[0], dump, *args[1:], "--out", tmp_path / args[0], "--quiet")
        assert result.returncode == 0, (args, result.stderr)
    spread = np.array([np.iinfo(np.int64).min, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, top], dtype=np.int64)
    dump = write_dump(tmp_path / "s.h5", **{"tokens/values": spread, "prompts/answer": spread[[0, 11, 0, 11, 3, 4]]})
    for args in (["lens"], ["probe"]):
        result = run(args[0], dump, *args[1:], "--out", tmp_path / ("s" + args[0]), "--quiet")
        assert result.returncode == 0, (args, result.stderr)
    expect_refusal(run("spectrum", dump, "--out", tmp_path / "gap"), "after")


def test_lens_with_one_number_token(tmp_path):
    dump = write_dump(tmp_path / "d.h5", **{"weights/W_E": None, "tokens/ids": np.array([3], dtype=np.int64),
                                            "tokens/values": np.array([7], dtype=np.int64), "prompts/answer": np.full(6, 7, dtype=np.int64)})
    result = run("lens", dump, "--out", tmp_path / "o", "--quiet")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "lens_layers.csv").exists()


def test_filter_with_no_prompts_is_refused(tmp_path):
    dump = write_dump(tmp_path / "d.h5", n=0, **{"prompts/answer": np.zeros(0, dtype=np.int64), "prompts/values": np.zeros(0, dtype=np.int64)})
    expect_refusal(run("filter", dump, "--remove", "high", "--tau", 2, "--out", tmp_path / "o"), "at least one prompt")
    expect_refusal(run("lens", dump, "--out", tmp_path / "o"), "at least one prompt")


def test_huge_declared_dataset_is_refused_without_allocating(tmp_path):
    path = tmp_path / "huge.h5"
    write_dump(path)
    with h5py.File(path, "a") as f:
        f.create_dataset("extra/huge", shape=(10**6, 10**6), dtype="f4", chunks=(1, 1024))
    assert os.path.getsize(path) < 100_000
    inspect = run("inspect", path, timeout=60)  # the scan skips what is not stored: no hang
    assert inspect.returncode == 0 and "not scanned" in inspect.stdout, inspect.stderr
    for args in (["spectrum"], ["probe"], ["compare", "--random", "gaussian"]):
        expect_refusal(run(*args[:1], path, *args[1:], "--dataset", "/extra/huge", "--out", tmp_path / "o", timeout=60),
                       "/extra/huge", "fits in memory")
    # A role of that size is refused by the schema check before anything is read.
    with h5py.File(path, "a") as f:
        del f["weights/W_E"]
        f["weights/W_E"] = f["extra/huge"]
    expect_refusal(run("spectrum", path, "--out", tmp_path / "o", timeout=60), "/weights/W_E", "found 1000000")


@pytest.mark.parametrize("args,fragment", [
    (["spectrum", "--permutations", "1000000000"], "--permutations"),
    (["lens", "--layers", "0-100000000000"], "--layers"),
    (["probe", "--probes", "mod1000000000"], "mod1000000000"),
    (["lens", "--top-k", "1000000000000"], "--top-k"),
])
def test_huge_options_are_refused(tmp_path, args, fragment):
    expect_refusal(run(args[0], DEMO, *args[1:], "--out", tmp_path / "o", timeout=60), fragment)
    assert not (tmp_path / "o").exists()


# --- 11-12. Hangs ---------------------------------------------------------------------------

def test_non_regular_files_are_refused(tmp_path):
    fifo = tmp_path / "fifo.h5"
    os.mkfifo(fifo)
    expect_refusal(run("inspect", fifo, timeout=20), "FIFO")
    expect_refusal(run("inspect", "/dev/zero", timeout=20), "device")
    expect_refusal(run("inspect", tmp_path, timeout=20), "directory")


def test_hard_link_cycle_and_external_self_link_finish(tmp_path):
    path = tmp_path / "cycle.h5"
    write_dump(path)
    with h5py.File(path, "a") as f:
        f["acts/loop"] = f["acts"]          # a hard link back to its parent: a cycle
        f["weights/inner/up"] = f["weights"]
        f["self"] = h5py.ExternalLink(path.name, "/")
    result = run("inspect", path, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "external link to cycle.h5:/, not followed" in result.stdout
    assert "another link to the group /acts" in result.stdout


def test_deep_trees_are_walked_in_linear_time(tmp_path):
    path = tmp_path / "deep.h5"
    write_dump(path)
    with h5py.File(path, "a") as f:
        f.create_group("deep/" + "/".join(["g"] * 400))
    start = time.time()
    result = run("inspect", path, "--no-scan", timeout=60)
    assert result.returncode == 0, result.stderr
    assert time.time() - start < 5


# --- 13-16. Wrong or silent results ---------------------------------------------------------

@pytest.mark.parametrize("args,fragment", [
    (["lens", "--layers=-1"], "--layers"),
    (["lens", "--layers", "0,0,0"], "named twice"),
    (["lens", "--sites", ","], "--sites"),
    (["lens", "--sites", "resid_post,resid_post"], "twice"),
    (["spectrum", "--tau", "1000"], "--tau"),
    (["spectrum", "--key-periods", "inf"], "--key-periods"),
    (["spectrum", "--key-periods", "2,nan"], "--key-periods"),
    (["spectrum", "--permutations", "1"], "--permutations"),
])
def test_every_option_is_validated_in_one_line(tmp_path, args, fragment):
    expect_refusal(run(args[0], DEMO, *args[1:], "--out", tmp_path / "o", timeout=60), fragment)


def test_tau_beyond_half_of_p_is_refused_for_a_small_axis(tmp_path):
    dump = write_dump(tmp_path / "d.h5", p=24, **{"weights/W_U": np.ones((4, 28), "f4")})
    expect_refusal(run("spectrum", dump, "--tau", 13, "--out", tmp_path / "o"), "--tau", "1 to 12")
    assert run("spectrum", dump, "--tau", 12, "--permutations", 20, "--out", tmp_path / "ok", "--quiet").returncode == 0


@pytest.mark.parametrize("eps,kind,fragment", [(np.inf, "layernorm", "eps"), (np.nan, "rmsnorm", "eps"), (0.0, "layernorm", "eps"),
                                               (1e-5, "batchnorm", "kind")])
def test_final_norm_attributes_are_validated(tmp_path, eps, kind, fragment):
    path = tmp_path / "d.h5"
    write_dump(path)
    with h5py.File(path, "a") as f:
        w = f.create_dataset("weights/ln_final.w", data=np.ones(4, "f4"))
        w.attrs["eps"], w.attrs["kind"] = eps, kind
    expect_refusal(run("lens", path, "--norm", "recompute", "--out", tmp_path / "o"), "ln_final.w", fragment)


# --- Layer numbering and W_U orientation -----------------------------------------------------

def test_hidden_states_with_one_layer_too_many_are_refused(tmp_path):
    dump = write_dump(tmp_path / "d.h5", layers=3, n_layers=2)
    expect_refusal(run("inspect", dump, "--no-scan"), "n_layers = 2", "found 3", "hidden_states")


def test_last_layer_equal_to_the_final_norm_output_is_warned(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 4))
    normed = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)
    weight = np.array([0.5, 2.0, 1.5, 1.0])
    path = tmp_path / "d.h5"
    write_dump(path, n_layers=None, **{"acts/blocks.1.hook_resid_post": (normed * weight).astype("f4")})
    with h5py.File(path, "a") as f:
        w = f.create_dataset("weights/ln_final.w", data=weight.astype("f4"))
        w.attrs["kind"], w.attrs["eps"] = "layernorm", 1e-5
    result = run("inspect", path, "--no-scan")
    assert result.returncode == 0, result.stderr
    assert "looks like the final norm's output" in result.stdout
    # The same layer before the norm: no warning.
    with h5py.File(path, "a") as f:
        f["acts/blocks.1.hook_resid_post"][...] = (x * 3 + 1).astype("f4")
    assert "final norm's output" not in run("inspect", path, "--no-scan").stdout


def test_transposed_unembedding_is_named(tmp_path):
    dump = write_dump(tmp_path / "d.h5", **{"weights/W_U": np.ones((16, 4), "f4")})
    expect_refusal(run("lens", dump, "--out", tmp_path / "o"), "W_U", "looks transposed")


# --- 17. Messages ---------------------------------------------------------------------------

def test_messages_are_precise(tmp_path):
    loop = tmp_path / "loop.h5"
    os.symlink(tmp_path / "loop2.h5", loop)
    os.symlink(loop, tmp_path / "loop2.h5")
    expect_refusal(run("inspect", loop), "loop of symbolic links")
    dump = write_dump(tmp_path / "d.h5")
    os.chmod(dump, 0)
    unreadable = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", TOOL, "inspect", dump],
                                capture_output=True, text=True)
    os.chmod(dump, 0o644)
    if unreadable.returncode != 127:
        expect_refusal(unreadable, "ermission denied")
    values = np.array([0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], dtype=np.int64)  # a repeat, no gap
    dup = write_dump(tmp_path / "dup.h5", **{"tokens/values": values})
    expect_refusal(run("spectrum", dup, "--no-average", "--allow-gaps", "--out", tmp_path / "o"), "/tokens/values", "1 more than once")
    expect_refusal(run("spectrum", dup, "--no-average", "--out", tmp_path / "o"), "/tokens/values", "1 more than once")
    ids = write_dump(tmp_path / "ids.h5", **{"tokens/ids": np.arange(100, 112, dtype=np.int64)})
    expect_refusal(run("inspect", ids, "--no-scan"), "0–15")
    result = run("spectrum", DEMO, "--permutations", 1, "--out", tmp_path / "o")
    expect_refusal(result, "--permutations")
    assert "fourierlens --help" not in result.stderr


def test_a_file_being_written_is_named_as_locked(tmp_path):
    path = tmp_path / "busy.h5"
    write_dump(path)
    writer = subprocess.Popen([sys.executable, "-c", f"import h5py, time; f = h5py.File({str(path)!r}, 'a'); print('open', flush=True); time.sleep(30)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        result = run("inspect", path, "--no-scan")
        if result.returncode == 0:
            pytest.skip("HDF5 file locking is off here (HDF5_USE_FILE_LOCKING)")
        expect_refusal(result, "locked")
    finally:
        writer.kill()
        writer.wait()


def test_absurd_layer_counts_are_bounded(tmp_path):
    path = tmp_path / "layers.h5"
    write_dump(path, n_layers=None)
    with h5py.File(path, "a") as f:
        f["acts/blocks.99999999999.hook_mlp_out"] = np.zeros((6, 4), "f4")
        f.create_dataset("acts/attn_out", shape=(10**12, 6, 4), dtype="f4", chunks=(1, 6, 4))
    result = run("inspect", path, "--no-scan", timeout=30)
    expect_refusal(result, "/acts/attn_out", "stacked layers")
    assert "/acts/blocks.99999999999.hook_mlp_out" in result.stdout  # listed, outside the schema


def test_finite_values_beyond_float32_are_named_as_such(tmp_path):
    e = np.random.default_rng(0).standard_normal((12, 4))
    e[5, 2] = 1e300
    dump = write_dump(tmp_path / "d.h5", **{"weights/W_E": e})
    for args in (["inspect"], ["spectrum", "--out", tmp_path / "o"]):
        expect_refusal(run(args[0], dump, *args[1:]), "/weights/W_E", "float32's range", "1e+300")
