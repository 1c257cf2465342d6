# FourierLens: the two commands a newcomer needs.
#   make demo   installs what is missing, builds, and runs the main job on the embedded demo dump
#   make test   installs what is missing and runs the whole test suite (Swift and Python)
#   make check  the fast tier for every change: the Swift suite and the Python tests not marked
#               slow (conftest.py lists the slow files: studies, clusters, notebooks, browsers)

PYTHON    := $(CURDIR)/.venv/bin/python
DEMO_DUMP := probes/data/minilm_demo.h5
# The causal demo's dump is made from the committed model (probes/modular) in seconds.
MODULAR_DUMP := probes/data/modular_demo.h5
REPORTS   := reports
FIXTURES  := Tests/Fixtures/generated

.PHONY: demo test check setup build fixtures swift-test python-test python-check bench clean fuzz fuzz-build asan slurm-check

setup:
	@scripts/bootstrap.sh

# One release build of every target, tests included, compiled for testing (which costs the tool no
# speed: same user time on the spectrum, lens and boolean demos), serves the Swift suite, the Python
# suite, the demo and the benchmarks, so the package is compiled once. (A build of the tool alone
# and `swift test` would each compile everything: their products' flags differ.)
SWIFT_BUILD := -c release -Xswiftc -enable-testing

build: setup
	swift build $(SWIFT_BUILD) --build-tests

demo: build $(MODULAR_DUMP)
	.build/release/fourierlens inspect $(DEMO_DUMP) --no-scan
	.build/release/fourierlens run probes/minilm_numbers.yaml --out $(REPORTS)/minilm_numbers
	.build/release/fourierlens spectrum probes/data/minilm_counts.h5 --dataset /tokens/counts --log --out $(REPORTS)/minilm-counts-spectrum --force
	.build/release/fourierlens spectrum $(MODULAR_DUMP) --trend-period 0 --out $(REPORTS)/modular-spectrum --force
	.build/release/fourierlens lens $(MODULAR_DUMP) --norm cached --out $(REPORTS)/modular-lens --force
	.build/release/fourierlens filter $(MODULAR_DUMP) --keep key --trend-period 0 --fold-final-norm --out $(REPORTS)/modular-keep-key --force
	.build/release/fourierlens filter $(MODULAR_DUMP) --remove key --trend-period 0 --fold-final-norm --out $(REPORTS)/modular-remove-key --force
	.build/release/fourierlens run probes/paper_table1.yaml --out $(REPORTS)/paper_table1
	.build/release/fourierlens boolean probes/boolean/majority10.h5 --target majority --columns logit_diff --out $(REPORTS)/demo-boolean-majority --force
	.build/release/fourierlens boolean probes/boolean/parity3of10.h5 --target parity:1,4,7 --columns logit_diff --out $(REPORTS)/demo-boolean-parity --force
	@echo "Open $(REPORTS)/minilm_numbers/index.html in a browser: the study page (pretrained vs matched random:"
	@echo "spectra of the embeddings and of every layer, probes per layer, the logit lens), each task's report linked from it."
	@echo "Model or corpus? Its frequency-control answer: the key-period energy of the embeddings before and after regressing out"
	@echo "log corpus count (Python 3.11 docs), beside a frequency-matched baseline; the counts' own spectrum: $(REPORTS)/minilm-counts-spectrum."
	@echo "Zhou et al.'s Table 1 on the patched causal demo (filter, then patch back into the model): $(REPORTS)/paper_table1/index.html."
	@echo "The causal demo (modular addition, key frequencies): $(REPORTS)/modular-spectrum, modular-lens,"
	@echo "modular-keep-key and modular-remove-key; notebooks-export/modular_ablation.ipynb patches them back."
	@echo "Functions on bit strings (a small transformer's majority and parity): $(REPORTS)/demo-boolean-*."

$(MODULAR_DUMP): probes/modular/model/model.safetensors probes/modular/export_dump.py | setup
	$(PYTHON) probes/modular/export_dump.py --out $@ --overwrite

fixtures: setup
	$(PYTHON) Tests/Fixtures/make_fixtures.py $(FIXTURES)
	$(PYTHON) Tests/Fixtures/make_lens_reference.py $(FIXTURES)
	$(PYTHON) Tests/Fixtures/make_probe_cv_reference.py $(FIXTURES)

swift-test: fixtures build
	FOURIERLENS_PYTHON=$(PYTHON) swift test $(SWIFT_BUILD) --skip-build

# PYTHONPATH: the package of this checkout, whichever checkout .venv was built from.
# Two workers (pytest-xdist), a file each at a time: much of a test's time is a process starting,
# importing torch or waiting on a child, so two files side by side use both cores.
PYTEST := $(PYTHON) -m pytest -q -n 2 --dist loadfile

python-test: setup build
	FOURIERLENS_BIN=$(CURDIR)/.build/release/fourierlens PYTHONPATH=$(CURDIR)/notebooks-export \
		$(PYTEST) notebooks-export/tests Tests/python

python-check: setup build
	FOURIERLENS_BIN=$(CURDIR)/.build/release/fourierlens PYTHONPATH=$(CURDIR)/notebooks-export \
		$(PYTEST) -m "not slow" notebooks-export/tests Tests/python

test: swift-test python-test

check: swift-test python-check

# A single-node Slurm on loopback runs a small study through `run-dask --slurm` (not part of test).
slurm-check: build
	FOURIERLENS_BIN=$(CURDIR)/.build/release/fourierlens scripts/slurm_check.sh

bench: build
	$(PYTHON) benchmarks/spectrum_benchmark.py
	$(PYTHON) benchmarks/probe_benchmark.py
	$(PYTHON) benchmarks/lens_benchmark.py
	$(PYTHON) benchmarks/lens_scale_benchmark.py
	$(PYTHON) benchmarks/boolean_benchmark.py
	$(PYTHON) benchmarks/lens_paper_benchmark.py

# Coverage-guided fuzzing (libFuzzer), one binary with three targets (FUZZ_TARGET): dump (the
# HDF5 reader and the dump validator, seeded from Tests/Fuzz/corpus), spec (a study spec made into
# a plan, dry-run only: Tests/Fuzz/spec-corpus) and merge (a shard's lens_prompts.h5 or
# filter_prompts.h5 merged: Tests/Fuzz/merge-corpus); the spec and merge targets set the files of
# Tests/Fuzz/fixtures beside each input. Crashing inputs land in $(FUZZ_DIR)/crashes-TARGET: copy
# each one to Tests/Fuzz/regressions/ (dump), regressions-spec/ or regressions-merge/, where the
# tests replay it. FUZZ_FLAGS passes more libFuzzer options, e.g. "-fork=1 -ignore_crashes=1
# -ignore_timeouts=1" to go on past a finding and count them all.
FUZZ_DIR     := .build-fuzz
FUZZ_SECONDS := 600
FUZZ_FLAGS   :=
FUZZ_TARGET  := dump
FUZZ_SEEDS_dump  := Tests/Fuzz/corpus
FUZZ_SEEDS_spec  := Tests/Fuzz/spec-corpus
FUZZ_SEEDS_merge := Tests/Fuzz/merge-corpus
fuzz-build: setup
	swift build -c release --build-path $(FUZZ_DIR) --product fourierlens-fuzz --sanitize=fuzzer -Xswiftc -DFUZZING

fuzz: fuzz-build
	mkdir -p $(FUZZ_DIR)/corpus-$(FUZZ_TARGET) $(FUZZ_DIR)/crashes-$(FUZZ_TARGET)
	FOURIERLENS_FUZZ_TARGET=$(FUZZ_TARGET) FOURIERLENS_FUZZ_FIXTURES=$(CURDIR)/Tests/Fuzz/fixtures \
	$(FUZZ_DIR)/release/fourierlens-fuzz $(FUZZ_DIR)/corpus-$(FUZZ_TARGET) $(FUZZ_SEEDS_$(FUZZ_TARGET)) \
		-max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=20 -rss_limit_mb=4096 -malloc_limit_mb=4096 \
		-artifact_prefix=$(FUZZ_DIR)/crashes-$(FUZZ_TARGET)/ -print_final_stats=1 $(FUZZ_FLAGS)

# The Swift test suite under AddressSanitizer and LeakSanitizer (a build of its own, beside the
# normal one; the tools it spawns are instrumented too). The streaming-memory tests measure
# resident memory, which ASan's shadow memory inflates: they are left to `make test`.
asan: fixtures
	FOURIERLENS_PYTHON=$(PYTHON) LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/asan.supp \
		swift test --build-path .build-asan --sanitize=address --skip StreamingMemoryTests

clean:
	rm -rf .build .build-fuzz .build-asan $(FIXTURES) $(REPORTS)
