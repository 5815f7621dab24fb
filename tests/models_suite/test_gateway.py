"""The OpenAI-compatible gateway, driven by the official openai client over HTTP, served by a real worker."""

import openai
import pytest

from models_suite.services.hosting import host_shutdown
from models_suite.services.registry import model_register
from tests.models_suite.tiny_models import build_tiny_model

pytestmark = pytest.mark.slow


@pytest.fixture
def gateway(start_worker, live_server, tmp_path, personas):
    """A tiny model on machine alpha, alpha's models worker, and an openai client holding an agent token."""
    artifact = model_register(target=str(build_tiny_model(tmp_path / "tiny", n_ctx=48)), name="tiny")
    artifact.machine = "alpha"
    artifact.save()
    start_worker("alpha", roles=["models"])
    client = openai.OpenAI(base_url=f"{live_server.url}/v1", api_key=personas["agent"].token, max_retries=0)
    yield client
    host_shutdown()


def test_models_are_listed(gateway):
    assert [m.id for m in gateway.models.list()] == ["tiny"]


def test_chat_and_text_completions_come_from_the_model(gateway, tmp_path):
    from models_suite.backends import GenerationRequest
    from models_suite.backends.transformers_backend import TransformersBackend

    expected = (
        TransformersBackend(tmp_path / "tiny", device="cpu")
        .generate(GenerationRequest(prompt="Q:12+34=", max_tokens=6))
        .text
    )
    completion = gateway.completions.create(model="tiny", prompt="Q:12+34=", max_tokens=6, temperature=0)
    assert completion.choices[0].text == expected  # what the worker's resident model said, not a canned text
    assert completion.usage.prompt_tokens == len("Q:12+34=") and completion.usage.completion_tokens <= 6

    chat = gateway.chat.completions.create(
        model="tiny", messages=[{"role": "user", "content": "hi"}], max_tokens=5, temperature=0
    )
    assert chat.choices[0].message.role == "assistant" and chat.usage.prompt_tokens == len("user: hi\nassistant:")


def test_streaming_delivers_the_same_text_in_pieces(gateway):
    plain = gateway.completions.create(model="tiny", prompt="Q:7+8=", max_tokens=8, temperature=0).choices[0].text
    pieces = [
        chunk.choices[0].text
        for chunk in gateway.completions.create(model="tiny", prompt="Q:7+8=", max_tokens=8, temperature=0, stream=True)
    ]
    assert "".join(pieces) == plain
    chat_pieces = [
        chunk.choices[0].delta.content or ""
        for chunk in gateway.chat.completions.create(
            model="tiny", messages=[{"role": "user", "content": "hi"}], max_tokens=5, temperature=0, stream=True
        )
    ]
    assert (
        "".join(chat_pieces)
        == gateway.chat.completions.create(
            model="tiny",
            messages=[{"role": "user", "content": "hi"}],
            max_tokens=5,
            temperature=0,
        )
        .choices[0]
        .message.content
    )


def test_a_request_is_answered_while_a_long_task_occupies_the_models_worker(gateway, tmp_path):
    from tests.workers.processes import wait_for
    from tests.workers.tasks_for_tests import models_hold_task

    started, release = tmp_path / "started", tmp_path / "release"
    held = models_hold_task.delay(str(started), str(release), machine="alpha")
    wait_for(started.exists, timeout=30, what="the long task to start on alpha's models worker")
    # A second thread of the same process (and model host) answers; one pool process would wait for release.
    completion = gateway.completions.create(model="tiny", prompt="Q:1+1=", max_tokens=2, temperature=0, timeout=30)
    assert completion.choices[0].text and not held.ready()
    release.touch()
    assert held.get(timeout=30) == "released"


def test_bad_requests_get_clear_errors(gateway):
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        gateway.completions.create(model="nope", prompt="x", max_tokens=2)
    with pytest.raises(openai.BadRequestError, match="context is 48 tokens"):
        gateway.completions.create(model="tiny", prompt="x" * 100, max_tokens=2)
    with pytest.raises(openai.BadRequestError, match="temperature"):
        gateway.completions.create(model="tiny", prompt="x", max_tokens=2, temperature=7)
    with pytest.raises(openai.BadRequestError, match="n"):
        gateway.completions.create(model="tiny", prompt="x", max_tokens=2, n=3)
    with pytest.raises(openai.NotFoundError, match="no adapter 'skills-v1'"):  # adapters: model:<id or alias>
        gateway.completions.create(model="tiny:skills-v1", prompt="x", max_tokens=2)
    with pytest.raises(openai.BadRequestError, match="max_tokens"):  # a JSON string is no number: refused, not cast
        gateway.completions.create(model="tiny", prompt="x", max_tokens="2")


def test_a_wrong_token_or_role_is_refused(gateway, live_server, personas):
    stranger = openai.OpenAI(base_url=f"{live_server.url}/v1", api_key="not-a-token", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        stranger.models.list()
    rater = openai.OpenAI(base_url=f"{live_server.url}/v1", api_key=personas["rater"].token, max_retries=0)
    with pytest.raises(openai.PermissionDeniedError):
        rater.completions.create(model="tiny", prompt="x", max_tokens=2)
