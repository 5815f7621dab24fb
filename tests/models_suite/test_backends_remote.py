"""The remote backend against an OpenAI-compatible server on loopback."""

import pytest

from models_suite.backends import BackendError, BackendUnavailable, GenerationRequest, InvalidRequest
from models_suite.backends.remote_backend import RemoteBackend


@pytest.fixture
def backend(cloud):
    client = RemoteBackend(cloud.base_url, cloud.model, api_key="sk-test", backoff_seconds=0.01)
    yield client
    client.close()


def test_completions_and_chat_with_token_counts(backend, cloud):
    result = backend.generate(GenerationRequest(prompt="Q:1+1=", max_tokens=20))
    assert result.text == "echo: Q:1+1=" and result.completion_tokens == len("echo: Q:1+1=")
    chat = backend.generate(GenerationRequest(messages=[{"role": "user", "content": "hi"}], max_tokens=20))
    assert chat.text == "echo: hi"
    assert [r["path"] for r in cloud.requests] == ["/v1/completions", "/v1/chat/completions"]


def test_rate_limits_and_server_errors_are_retried_with_backoff(backend, cloud):
    cloud.failures = [429, 503, 500]
    assert backend.generate(GenerationRequest(prompt="x", max_tokens=20)).text == "echo: x"
    assert len(cloud.requests) == 4


def test_retries_end_and_the_endpoints_message_is_kept(backend, cloud):
    cloud.failures = [503] * 10
    with pytest.raises(BackendError, match="503"):
        backend.generate(GenerationRequest(prompt="x"))
    assert len(cloud.requests) == backend.max_retries + 1


def test_a_client_error_is_not_retried(cloud):
    wrong_model = RemoteBackend(cloud.base_url, "cloud-tiny", api_key="sk-test", backoff_seconds=0.01)
    with pytest.raises(BackendError, match="404.*no model cloud-tiny"):
        wrong_model.generate(GenerationRequest(prompt="x"))
    assert len(cloud.requests) == 1


def test_streaming_yields_the_pieces(backend):
    pieces = list(backend.stream(GenerationRequest(prompt="hello there", max_tokens=30)))
    assert len(pieces) > 1 and "".join(pieces) == "echo: hello there"
    chat = backend.stream(GenerationRequest(messages=[{"role": "user", "content": "hey"}], max_tokens=30))
    assert "".join(chat) == "echo: hey"


def test_an_unreachable_endpoint_is_unavailable():
    gone = RemoteBackend("http://127.0.0.1:1/v1", "m", max_retries=1, backoff_seconds=0.01)
    with pytest.raises(BackendUnavailable, match="unreachable"):
        gone.generate(GenerationRequest(prompt="x"))


def test_bad_parameters_never_leave_the_machine(backend, cloud):
    with pytest.raises(InvalidRequest):
        backend.generate(GenerationRequest(prompt="x", temperature=5))
    assert cloud.requests == []
