# FourierLens: the two commands a newcomer needs.
#   make demo   installs what is missing, builds, and runs the main job on the embedded demo dump
#   make test   installs what is missing and runs the whole test suite (Swift and Python)

PYTHON    := $(CURDIR)/.venv/bin/python
DEMO_DUMP := probes/data/minilm_demo.h5
REPORTS   := reports
FIXTURES  := Tests/Fixtures/generated

.PHONY: demo test setup build fixtures swift-test python-test clean

setup:
	@scripts/bootstrap.sh

build: setup
	swift build -c release --product fourierlens

demo: build
	.build/release/fourierlens inspect $(DEMO_DUMP)

fixtures: setup
	$(PYTHON) Tests/Fixtures/make_fixtures.py $(FIXTURES)

swift-test: fixtures
	FOURIERLENS_PYTHON=$(PYTHON) swift test

python-test: setup build
	FOURIERLENS_BIN=$(CURDIR)/.build/release/fourierlens $(PYTHON) -m pytest -q notebooks-export/tests

test: swift-test python-test

clean:
	rm -rf .build $(FIXTURES) $(REPORTS)
