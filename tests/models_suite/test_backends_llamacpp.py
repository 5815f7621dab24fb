"""GGUF files through llama-cpp-python (an optional extra): a real tiny GGUF, loaded, hosted and served."""

import sys

import pytest

from models_suite.backends import BackendUnavailable, GenerationRequest, InvalidRequest
from tests.models_suite.tiny_gguf import build_tiny_gguf


@pytest.fixture(scope="module")
def gguf_path(tmp_path_factory):
    return build_tiny_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf", n_ctx=64)


def test_without_the_extra_a_gguf_model_is_refused_saying_how_to_install_it(gguf_path, monkeypatch):
    from models_suite.backends.llamacpp_backend import LlamaCppBackend

    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as if the package were not installed
    with pytest.raises(BackendUnavailable, match="pip install -r requirements-gguf.txt"):
        LlamaCppBackend(gguf_path)


@pytest.fixture(scope="module")
def backend(gguf_path):
    pytest.importorskip("llama_cpp", reason="the optional GGUF extra (requirements-gguf.txt) is not installed")
    from models_suite.backends.llamacpp_backend import LlamaCppBackend

    backend = LlamaCppBackend(gguf_path)
    yield backend
    backend.close()


def test_it_generates_greedily_and_reproducibly_within_its_context(backend):
    assert backend.context_length == 64  # from the file's metadata
    request = GenerationRequest(prompt="Q:12+34=", max_tokens=6)
    first, again = backend.generate(request), backend.generate(request)
    assert first.text == again.text and 1 <= first.completion_tokens <= 6
    assert first.prompt_tokens >= len("Q:12+34=")  # one token per character, after the bos token
    assert first.finish_reason in {"stop", "length"} and first.seconds > 0
    with pytest.raises(InvalidRequest, match="context is 64 tokens"):
        backend.generate(GenerationRequest(prompt="x" * 100, max_tokens=2))


def test_streaming_gives_the_same_text_and_chat_messages_are_rendered(backend):
    request = GenerationRequest(prompt="Q:7+8=", max_tokens=8)
    assert "".join(backend.stream(request)) == backend.generate(request).text
    chat = backend.generate(GenerationRequest(messages=[{"role": "user", "content": "hi"}], max_tokens=3))
    assert chat.prompt_tokens >= len("user: hi\nassistant:")


def test_adapters_are_refused_on_gguf(backend):
    backend.use_adapter(None)
    with pytest.raises(BackendUnavailable, match="transformers models only"):
        backend.use_adapter("arith")


def test_a_registered_gguf_is_served_from_the_host(db, gguf_path, backend):
    from models_suite.services.generation import generate
    from models_suite.services.hosting import host_shutdown
    from models_suite.services.registry import model_register

    artifact = model_register(target=str(gguf_path), name="tiny-gguf")
    assert artifact.kind == "gguf" and artifact.context_length == 64
    try:
        outcome = generate(model_name="tiny-gguf", request={"prompt": "Q:12+34=", "max_tokens": 6})
        assert outcome["result"]["text"] == backend.generate(GenerationRequest(prompt="Q:12+34=", max_tokens=6)).text
        from models_suite.models import Placement

        assert Placement.objects.get(name="tiny-gguf").measured_bytes >= 0
    finally:
        host_shutdown()
