"""A worker's error, as Celery brings it back to the web process, becomes the client's status and code.

Each exception is stored as a worker stores a task's failure (the result backend's mark_as_failure, JSON) and
read back by answer_within through AsyncResult.get, so Celery's own exception_to_python rebuilds it: as the real
class when its module is imported here, as a class made up in celery.exceptions when it is not, or as a plain
Exception naming the class when the real one will not take its arguments (BudgetExceeded). Needs Redis.
"""

from __future__ import annotations

import json
import sys
import uuid

import pytest
from celery.result import AsyncResult
from rest_framework.test import APIRequestFactory

from core.errors import ServiceUnavailable, api_exception_handler
from models_suite.backends import BackendUnavailable, InvalidRequest
from models_suite.backends.llamacpp_backend import INSTALL_HINT
from models_suite.host import BudgetExceeded, DeviceBusy, HostError, UnknownModel
from models_suite.models import ModelArtifact
from workers.celery import app
from workers.results import (
    WorkerError,
    answer_within,
    refusal_error,
    refusal_for,
    worker_error,
)


def over_budget() -> BudgetExceeded:
    return BudgetExceeded(
        "loading 'huge' needs 1.0 PB on cpu; the budget is 8.0 GB, resident: tiny (pinned)",
        name="huge",
        device="cpu",
        needed=10**15,
        used=1,
        budget=8 * 10**9,
        resident=["tiny"],
        pinned=["tiny"],
        in_use=[],
    )


# (the exception as the worker raises it, the status and code the client gets: as in process, where the gateway
# answers with the same)
KINDS = [
    pytest.param(
        lambda: InvalidRequest("a prompt is 100 tokens; this model's context is 48 tokens"),
        400,
        "invalid_request",
        id="bad-request",
    ),
    pytest.param(lambda: UnknownModel("'tiny' is not resident"), 409, "not_resident", id="unknown-model"),
    pytest.param(over_budget, 409, "over_memory_budget", id="over-budget"),
    pytest.param(lambda: BackendUnavailable(INSTALL_HINT), 503, "model_unavailable", id="unavailable-backend"),
    pytest.param(
        lambda: DeviceBusy("cuda:0 on alpha has been loading another model for over 600 s"),
        503,
        "model_unavailable",
        id="device-busy",
    ),
    pytest.param(
        lambda: HostError("cannot swap 'tiny' for one of its own adapters"), 503, "model_unavailable", id="host-error"
    ),
]


def failed_task(exc: BaseException) -> AsyncResult:
    """A task that failed with `exc` in a worker: its failure stored as the worker stores it."""
    task_id = str(uuid.uuid4())
    app.backend.mark_as_failure(task_id, exc)
    return AsyncResult(task_id, app=app)


def answered_task(value) -> AsyncResult:
    task_id = str(uuid.uuid4())
    app.backend.mark_as_done(task_id, value)
    return AsyncResult(task_id, app=app)


def rebuilt(exc: BaseException) -> BaseException:
    """The exception as result.get() hands it to the web process."""
    return failed_task(exc).get(timeout=5, propagate=False)


def raised_by_answer_within(result: AsyncResult, who: str = "models worker on alpha") -> WorkerError:
    with pytest.raises(WorkerError) as raised:
        answer_within(result, seconds=5, who=who)
    return raised.value


@pytest.mark.parametrize("make, status, code", KINDS)
def test_each_kind_keeps_its_status_code_and_message_when_its_class_is_known_here(make, status, code):
    exc = make()
    back = rebuilt(exc)
    if isinstance(exc, BudgetExceeded):  # keyword-only arguments: Celery cannot rebuild it, and says what it was
        assert type(back) is Exception and str(back).startswith("<class 'models_suite.host.spec.BudgetExceeded'>(")
    else:
        assert type(back) is type(exc)
    error = raised_by_answer_within(failed_task(exc))
    assert (error.status, error.code, error.message) == (status, code, str(exc))


@pytest.mark.parametrize("make, status, code", KINDS)
def test_each_kind_keeps_its_status_code_and_message_when_its_module_is_not_imported(make, status, code, monkeypatch):
    exc = make()
    # As in a web process that never imported the worker's module: Celery makes up a class of that name.
    monkeypatch.delitem(sys.modules, type(exc).__module__)
    back = rebuilt(exc)
    assert type(back).__module__ == "celery.exceptions" and type(back).__name__ == type(exc).__name__
    assert type(back).__mro__[1] is Exception  # none of our base classes: the name is all there is to go by
    error = raised_by_answer_within(failed_task(exc))
    assert (error.status, error.code, error.message) == (status, code, str(exc))


def test_a_subclass_of_a_known_kind_maps_as_its_base_when_its_class_is_known_here():
    class GpuMelted(BackendUnavailable):  # a backend's own variety of "cannot run here"
        pass

    error = worker_error(GpuMelted("the GPU is gone"))
    assert (error.status, error.code, error.message) == (503, "model_unavailable", "the GPU is gone")


def test_anything_else_is_a_502_naming_the_worker_the_exception_and_its_message(monkeypatch):
    error = raised_by_answer_within(failed_task(ValueError("device must be 'cpu' or 'cuda', not 'tpu'")))
    assert (error.status, error.code) == (502, "worker_failed")
    assert error.message == "The models worker on alpha failed: ValueError: device must be 'cpu' or 'cuda', not 'tpu'"

    # A nested class travels by its qualified name; the client reads the class's own name.
    missing = ModelArtifact.DoesNotExist("ModelArtifact matching query does not exist.")
    for form in ("known", "made up"):
        if form == "made up":
            monkeypatch.delitem(sys.modules, "models_suite.models")
        error = raised_by_answer_within(failed_task(missing), who="worker on beta")
        assert (error.status, error.code) == (502, "worker_failed")
        assert error.message.startswith("The worker on beta failed: DoesNotExist: ModelArtifact matching query")


def test_a_task_that_answers_with_a_refusal_raises_it_and_any_other_answer_is_returned():
    refusal = {"error": {"status": 409, "code": "over_memory_budget", "message": "it does not fit"}}
    error = raised_by_answer_within(answered_task(refusal))
    assert (error.status, error.code, error.message) == (409, "over_memory_budget", "it does not fit")
    for answer in (
        {"error": "a field of an ordinary answer", "count": 1},
        {"error": {"status": 200}},
        True,
        None,
        {"name": "tiny", "pinned": False},
    ):
        assert answer_within(answered_task(answer), seconds=5, who="worker") == answer
        assert refusal_error(answer) is None


def test_a_worker_that_does_not_answer_in_time_is_still_a_503():
    with pytest.raises(ServiceUnavailable, match="No worker on alpha answered within 0.2 s"):
        answer_within(AsyncResult(str(uuid.uuid4()), app=app), seconds=0.2, who="worker on alpha")


@pytest.mark.parametrize("make, status, code", KINDS)
def test_a_worker_that_answers_instead_of_raising_uses_the_same_table(make, status, code):
    exc = make()
    assert refusal_for(exc) == {"error": {"status": status, "code": code, "message": str(exc)}}
    assert refusal_error(refusal_for(exc)).status == status
    assert refusal_for(RuntimeError("a bug")) is None  # a failure, not a refusal: it is raised


def test_the_client_reads_the_status_and_the_code_in_the_product_s_error_shape():
    request = APIRequestFactory().post("/api/v1/models/tiny/load")
    response = api_exception_handler(worker_error(over_budget()), {"request": request, "view": None})
    assert response.status_code == 409
    assert json.loads(response.content) == {
        "error": {"code": "over_memory_budget", "message": str(over_budget()), "details": {}}
    }
