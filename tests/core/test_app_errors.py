"""The application's errors (core.errors.AppError and its subclasses): raised by services, tasks and commands that
know nothing of DRF, answered by the API in the one error shape with the status and code each class names, exactly
as DRF's own exceptions were before; and no module outside the API layer imports DRF."""

from __future__ import annotations

import ast
import json
import pickle
from pathlib import Path

import pytest
from django.test import RequestFactory
from rest_framework import exceptions
from rest_framework.test import APIRequestFactory

from core.errors import (
    AppError,
    Conflict,
    Invalid,
    NotBuiltYet,
    NotFound,
    ServiceUnavailable,
    TooLarge,
    api_exception_handler,
)
from core.middleware import ErrorShapeMiddleware
from learning.loop.adapters import AdapterCorrupt
from memoryhub.services.kv import ValueTooLarge
from workers.results import WorkerError

ROOT = Path(__file__).resolve().parents[2]


def handled(exc: BaseException):
    request = APIRequestFactory().get("/api/v1/anything")
    response = api_exception_handler(exc, {"request": request, "view": None})
    return response.status_code, json.loads(response.content)


def body(code: str, message: str, details=None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


@pytest.mark.parametrize(
    "error, status, expected",
    [
        pytest.param(
            Invalid({"status": ["unknown status 'x'"]}),
            400,
            body("invalid", "The request is invalid: status: unknown status 'x'", {"status": ["unknown status 'x'"]}),
            id="invalid-field",
        ),
        pytest.param(
            Invalid("top_p must be greater than 0."),
            400,
            body(
                "invalid",
                "The request is invalid: request: top_p must be greater than 0.",
                {"non_field_errors": ["top_p must be greater than 0."]},
            ),
            id="invalid-message",
        ),
        pytest.param(
            Invalid({"detail": ["too few"], "num_examples": 7, "data_stats": {"candidates_at_most": 7}}),
            400,
            body(
                "invalid",
                "The request is invalid: detail: too few; num_examples: 7; data_stats: [candidates_at_most] 7",
                {"detail": ["too few"], "num_examples": 7, "data_stats": {"candidates_at_most": 7}},
            ),
            id="invalid-with-figures",
        ),
        pytest.param(NotFound("No adapter 'a1'."), 404, body("not_found", "No adapter 'a1'."), id="not-found"),
        pytest.param(Conflict("at capacity"), 409, body("conflict", "at capacity"), id="conflict"),
        pytest.param(
            Conflict("'tiny' is not resident", code="not_resident"),
            409,
            body("not_resident", "'tiny' is not resident"),
            id="conflict-own-code",
        ),
        pytest.param(AdapterCorrupt("sha256 differs"), 409, body("conflict", "sha256 differs"), id="adapter-corrupt"),
        pytest.param(ValueTooLarge("2 MB"), 413, body("payload_too_large", "2 MB"), id="value-too-large"),
        pytest.param(
            NotBuiltYet(), 501, body("not_implemented", "This capability is not built yet."), id="not-built-yet"
        ),
        pytest.param(
            WorkerError(502, "worker_failed", "The worker failed: ValueError: no"),
            502,
            body("worker_failed", "The worker failed: ValueError: no"),
            id="worker-failed",
        ),
        pytest.param(
            ServiceUnavailable("No worker answered within 1 s."),
            503,
            body("unavailable", "No worker answered within 1 s."),
            id="unavailable",
        ),
    ],
)
@pytest.mark.django_db
def test_each_application_error_answers_its_status_code_and_details(error, status, expected):
    assert handled(error) == (status, expected)
    assert (error.status, error.code) == (status, expected["error"]["code"])


@pytest.mark.parametrize(
    "ours, drf",
    [
        (
            Invalid({"hobby_type": ["unknown", "and more"]}),
            exceptions.ValidationError({"hobby_type": ["unknown", "and more"]}),
        ),
        (Invalid({"capabilities": {1: ["blank"]}}), exceptions.ValidationError({"capabilities": {1: ["blank"]}})),
        (Invalid("a whole-request message"), exceptions.ValidationError("a whole-request message")),
        (Invalid(), exceptions.ValidationError()),
        (NotFound("No document 'd' in namespace 'n'."), exceptions.NotFound("No document 'd' in namespace 'n'.")),
        (NotFound(), exceptions.NotFound()),
    ],
)
@pytest.mark.django_db
def test_clients_read_what_drf_s_own_exception_answered(ours, drf):
    assert handled(ours) == handled(drf)


@pytest.mark.django_db
def test_a_5xx_application_error_is_recorded_with_its_class():
    from core.models import ErrorEvent

    handled(ServiceUnavailable("No worker on alpha answered within 0.2 s."))
    event = ErrorEvent.objects.get()
    assert (event.exception_type, event.status_code) == ("ServiceUnavailable", 503)
    handled(Conflict("a refusal, not a failure"))
    assert ErrorEvent.objects.count() == 1  # 4xx are answers, not failures


@pytest.mark.django_db
def test_a_plain_django_view_s_application_error_gets_the_same_answer():
    middleware = ErrorShapeMiddleware(lambda request: None)
    response = middleware.process_exception(RequestFactory().post("/hobby/anything"), Conflict("already finished"))
    assert response.status_code == 409 and json.loads(response.content) == body("conflict", "already finished")


@pytest.mark.parametrize(
    "error",
    [
        Invalid({"items": ["give at least one item"]}),
        Invalid("a message"),
        Conflict("not resident", code="not_resident"),
        NotFound("No job 'j'."),
        WorkerError(409, "over_memory_budget", "it does not fit"),
    ],
    ids=repr,
)
def test_an_application_error_survives_pickling_as_a_task_s_failure_does(error):
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert (back.status, back.code, back.message, back.details) == (
        error.status,
        error.code,
        error.message,
        error.details,
    )


def test_catching_a_subclass_does_not_catch_its_siblings():
    # Code that expects a conflict catches Conflict: a missing object or invalid input must not pass for one.
    for sibling in (NotFound("gone"), Invalid({"x": ["bad"]}), ServiceUnavailable()):
        with pytest.raises(type(sibling)):
            try:
                raise sibling
            except Conflict:
                pytest.fail(f"{type(sibling).__name__} was caught as a Conflict")
    assert issubclass(AdapterCorrupt, Conflict) and issubclass(ValueTooLarge, TooLarge)
    assert all(
        issubclass(cls, AppError) and not issubclass(cls, exceptions.APIException)
        for cls in (Invalid, NotFound, Conflict, TooLarge, NotBuiltYet, ServiceUnavailable, WorkerError)
    )


# --- Only the API layer imports DRF --------------------------------------------------------------------------------

# core's modules that are the API layer: the exception handler and the serializer helpers (errors), the list filters,
# pagination, token authentication, the error-shaping middleware, the schema, permissions, throttling and the URLs.
API_LAYER_IN_CORE = {
    "core/errors.py",
    "core/filters.py",
    "core/pagination.py",
    "core/auth.py",
    "core/middleware.py",
    "core/schema.py",
    "core/permissions.py",
    "core/throttling.py",
    "core/urls.py",
}
NOT_SOURCE = {".venv", "tests", "var", "docs", "docker", "node_modules", ".git"}


def imports_drf(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        if any(
            name == "rest_framework" or name.startswith("rest_framework.") or ".rest_framework" in name
            for name in names
        ):
            lines.append(node.lineno)
    return lines


def test_only_the_api_layer_imports_drf():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_SOURCE or "api" in relative.parts[:-1] or relative.as_posix() in API_LAYER_IN_CORE:
            continue
        lines = imports_drf(ast.parse(path.read_text(), filename=str(relative)))
        offenders += [f"{relative.as_posix()}:{line}" for line in lines]
    assert not offenders, "DRF imported outside the API layer (raise core.errors' AppError subclasses): " + ", ".join(
        offenders
    )


def test_the_scan_sees_each_form_of_import():
    for source in (
        "import rest_framework",
        "from rest_framework import exceptions",
        "from rest_framework.exceptions import NotFound",
        "def f():\n    from rest_framework.authtoken.models import Token",
        "from django_filters import rest_framework",
    ):
        assert imports_drf(ast.parse(source)), source
    assert not imports_drf(ast.parse("from core.errors import NotFound\nimport django"))
