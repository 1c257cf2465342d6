"""Test tiers (hooks of Tests/python/conftest.py, which apply to the whole session, notebooks-export/tests too):
`make check` runs every test but those of the files below (`-m "not slow"`);
`make test` runs them all. The slow files start whole studies, clusters, Chromium sessions,
notebooks, trainings or model exports; what they test is also covered in part by fast tests."""
import os

import pytest

SLOW = {
    "test_study.py", "test_study_charts.py", "test_study_dask.py", "test_study_patch.py", "test_patch.py", "test_reliability.py",
    "test_lens_memory.py", "test_modular_demo.py", "test_boolean_demo.py", "test_figures.py",
    "test_report_render.py", "test_report_interaction.py", "test_notebook.py", "test_transformer_lens_equivalence.py",
    "test_nnsight_recipe.py", "test_minilm_export.py", "test_demo_dump.py", "test_study_kill.py", "test_study_dask_lost.py",
    "test_families_transformer_lens.py", "test_docs_examples.py",
}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: in make test only, not in make check")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if os.path.basename(str(item.fspath)) in SLOW:
            item.add_marker(pytest.mark.slow)
