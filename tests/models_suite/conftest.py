import pytest

from tests.models_suite.fake_cloud import FakeCloud


@pytest.fixture
def cloud():
    """An OpenAI-compatible cloud LLM on loopback (see fake_cloud)."""
    server = FakeCloud()
    yield server
    server.close()
