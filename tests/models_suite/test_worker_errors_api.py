"""Errors survive the trip through a real models worker: each kind reaches the client with the status and code
it has in process (workers.results.WORKER_ERRORS), through the views that wait on a Celery result (load,
unload) and through the gateway, which waits on the worker's reply."""

import os
import sys

import pytest

from models_suite import tasks
from models_suite.backends.llamacpp_backend import INSTALL_HINT
from models_suite.models import Placement
from models_suite.services.registry import model_register
from tests.models_suite.tiny_gguf import build_tiny_gguf
from tests.models_suite.tiny_models import build_tiny_model
from workers.results import WORKER_ERRORS, WorkerError, answer_within

pytestmark = pytest.mark.slow


def on_alpha(artifact, **changes):
    for field, value in {"machine": "alpha", **changes}.items():
        setattr(artifact, field, value)
    artifact.save()
    return artifact


def refused(response, kind: str) -> str:
    """The message of an error response that must be the status and code WORKER_ERRORS gives `kind`."""
    body = response.json()
    assert (response.status_code, body["error"]["code"]) == WORKER_ERRORS[kind], body
    return body["error"]["message"]


def test_each_kind_of_worker_error_reaches_the_client_as_it_is_in_process(
    start_worker, personas, tmp_path, monkeypatch
):
    on_alpha(model_register(target=str(build_tiny_model(tmp_path / "tiny", n_ctx=48)), name="tiny"))
    # More than any machine has: refused whatever is resident, with nothing to evict.
    on_alpha(
        model_register(target=str(build_tiny_model(tmp_path / "huge", seed=1)), name="huge"),
        estimated_memory_bytes=10**15,
    )
    on_alpha(model_register(target=str(build_tiny_gguf(tmp_path / "tiny.gguf")), name="tiny-gguf"))
    # The worker runs without the optional GGUF extra, whether or not this machine has it.
    without_extra = tmp_path / "without-extra"
    (without_extra / "llama_cpp").mkdir(parents=True)
    (without_extra / "llama_cpp" / "__init__.py").write_text('raise ImportError("llama_cpp is not installed")\n')
    start_worker(
        "alpha",
        roles=["models"],
        env={"PYTHONPATH": os.pathsep.join(filter(None, [str(without_extra), os.environ.get("PYTHONPATH")]))},
    )
    operator, agent = personas["operator"].client(), personas["agent"].client()

    # Views that wait on a Celery result: the worker raised (unknown model, unavailable backend) or answered
    # with a refusal (over budget).
    message = refused(operator.post("/api/v1/models/tiny/unload", {}, format="json"), "UnknownModel")
    assert message == "'tiny' is not resident"
    with monkeypatch.context() as patch:
        # As in the web process, which never imports the backends: Celery makes up celery.exceptions.
        # BackendUnavailable, named as the worker's class, with none of its bases.
        patch.delitem(sys.modules, "models_suite.backends.base")
        message = refused(operator.post("/api/v1/models/tiny-gguf/load", {}, format="json"), "BackendUnavailable")
    assert message == INSTALL_HINT
    message = refused(operator.post("/api/v1/models/huge/load", {}, format="json"), "BudgetExceeded")
    assert "huge" in message
    assert not Placement.objects.exists()

    # Anything else the worker raised: a 502 naming the exception, with the worker's message.
    with pytest.raises(WorkerError) as failed:
        answer_within(
            tasks.model_swap_task.delay(model_name="tiny", new_model_name="gone"),
            seconds=60,
            who="models worker on alpha",
        )
    assert (failed.value.status, failed.value.code) == (502, "worker_failed")
    assert failed.value.message.startswith("The models worker on alpha failed: DoesNotExist: ModelArtifact")

    # The gateway waits on the worker's reply: the same status and code for the same kinds.
    def complete(model, prompt="Q:1+1="):
        return agent.post("/v1/completions", {"model": model, "prompt": prompt, "max_tokens": 2}, format="json")

    assert "context is 48 tokens" in refused(complete("tiny", prompt="x" * 100), "InvalidRequest")
    assert "huge" in refused(complete("huge"), "BudgetExceeded")
    assert INSTALL_HINT in refused(complete("tiny-gguf"), "BackendUnavailable")

    # And what works still works: tiny is resident now (the gateway loaded it), so it unloads.
    unloaded = operator.post("/api/v1/models/tiny/unload", {}, format="json")
    assert unloaded.status_code == 200 and unloaded.json()["result"] is True
