# FourierLens: the two commands a newcomer needs.
#   make demo   installs what is missing, builds, and runs the main job on the embedded demo dump
#   make test   installs what is missing and runs the whole test suite (Swift and Python)

PYTHON    := $(CURDIR)/.venv/bin/python
DEMO_DUMP := probes/data/minilm_demo.h5
REPORTS   := reports
FIXTURES  := Tests/Fixtures/generated

.PHONY: demo test setup build fixtures swift-test python-test bench clean

setup:
	@scripts/bootstrap.sh

build: setup
	swift build -c release --product fourierlens

demo: build
	.build/release/fourierlens inspect $(DEMO_DUMP) --no-scan
	.build/release/fourierlens spectrum $(DEMO_DUMP) --out $(REPORTS)/demo-spectrum --force
	.build/release/fourierlens compare $(DEMO_DUMP) --random gaussian --out $(REPORTS)/demo-compare --force
	.build/release/fourierlens lens $(DEMO_DUMP) --out $(REPORTS)/demo-lens --force
	@echo "Open $(REPORTS)/demo-spectrum/index.html (the spectrum), $(REPORTS)/demo-compare/index.html"
	@echo "(pretrained vs random: spectra and probes) and $(REPORTS)/demo-lens/index.html (the logit lens) in a browser."

fixtures: setup
	$(PYTHON) Tests/Fixtures/make_fixtures.py $(FIXTURES)
	$(PYTHON) Tests/Fixtures/make_lens_reference.py $(FIXTURES)
	$(PYTHON) Tests/Fixtures/make_probe_cv_reference.py $(FIXTURES)

swift-test: fixtures
	FOURIERLENS_PYTHON=$(PYTHON) swift test

python-test: setup build
	FOURIERLENS_BIN=$(CURDIR)/.build/release/fourierlens $(PYTHON) -m pytest -q notebooks-export/tests Tests/python

test: swift-test python-test

bench: build
	$(PYTHON) benchmarks/spectrum_benchmark.py
	$(PYTHON) benchmarks/probe_benchmark.py
	$(PYTHON) benchmarks/lens_benchmark.py

clean:
	rm -rf .build $(FIXTURES) $(REPORTS)
