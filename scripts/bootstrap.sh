#!/usr/bin/env bash
# Installs what FourierLens needs and is missing, and nothing else:
#   1. Debian packages (C libraries and tools) with apt-get, when run as root; otherwise it
#      prints the exact apt-get line to run and exits 2.
#   2. The project's Python environment in .venv (numpy, h5py, torch CPU, transformers, the
#      offline MiniLM model, TransformerLens, nnsight, the fourierlens package), rebuilt only
#      when its requirements change.
set -euo pipefail
cd "$(dirname "$0")/.."

# librsvg2-dev: librsvg and cairo draw every chart's PNG and PDF; chromium renders the HTML
# reports in the tests (headless); librsvg2-bin's rsvg-convert is the tests' reference for the
# PNGs; iproute2's `ip netns` isolates the Dask test's loopback cluster.
DEBIAN_PACKAGES=(pkg-config libhdf5-dev libfftw3-dev libopenblas-dev liblapacke-dev libssl-dev librsvg2-dev chromium time librsvg2-bin iproute2)

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "bootstrap: missing Debian packages; run as root: apt-get install -y ${missing[*]}" >&2
        exit 2
    fi
fi

want=$(cat scripts/requirements.txt notebooks-export/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.requirements.sha256 2>/dev/null)" != "$want" ]; then
    echo "bootstrap: creating the Python environment in .venv (first run takes a few minutes)" >&2
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements.txt
    echo "$want" > .venv/.requirements.sha256
fi
