import pytest

from export_helpers import load_minilm


@pytest.fixture(scope="session")
def minilm():
    return load_minilm()
