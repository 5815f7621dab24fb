import pytest

from models_suite.services.hosting import host_shutdown
from models_suite.services.registry import model_register
from tests.models_suite.fake_cloud import FakeCloud
from tests.models_suite.tiny_models import build_tiny_model


@pytest.fixture
def cloud():
    """An OpenAI-compatible cloud LLM on loopback (see fake_cloud)."""
    server = FakeCloud()
    yield server
    server.close()


@pytest.fixture
def tiny(db, tmp_path):
    """A tiny random model (context 64) registered as "tiny"; this process's host is emptied afterwards."""
    artifact = model_register(target=str(build_tiny_model(tmp_path / "tiny", n_ctx=64)), name="tiny")
    yield artifact
    host_shutdown()
