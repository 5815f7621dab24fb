"""Every 4xx and 5xx answers one JSON shape: {"error": {"code", "message", "details"}}.

Clients (sub-agents, scripts, the UI) branch on error.code; an HTML page or a DRF-style {"detail": ...} body
anywhere would break them, and a traceback in a body would leak internals.
"""

from __future__ import annotations

import json

import pytest
import redis
from django.conf import settings as django_settings
from rest_framework.authtoken.models import Token

from core.models import ErrorEvent
from tests.core.urls_for_errors import SECRET_IN_MESSAGE
from workers.models import Machine
from workers.queues import queue_name

ONE_MIB = 1024 * 1024
MACHINE = "errors-test-machine"


def assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["details"], dict), error
    return error


@pytest.fixture
def broker():
    return redis.Redis.from_url(django_settings.CELERY_BROKER_URL)


@pytest.fixture
def machine(db, broker):
    row = Machine.objects.create(name=MACHINE, roles=["control"])
    queue = queue_name("control", MACHINE)
    broker.delete(queue)
    yield row
    # No worker consumes this machine's queue: leave nothing behind for later tests.
    broker.delete(queue)


def ping_url(name: str = MACHINE) -> str:
    return f"/api/v1/machines/{name}/ping"


def queued(broker) -> int:
    return broker.llen(queue_name("control", MACHINE))


# --- 400 --------------------------------------------------------------------------------------------------


def test_malformed_json_is_400_malformed_json(operator_client, machine, broker):
    response = operator_client.post(ping_url(), data='{"wait_seconds": 0,', content_type="application/json")
    assert_error_shape(response, 400, "malformed_json")
    assert queued(broker) == 0  # nothing was sent on a body that could not be read


def test_wrong_type_is_400_invalid_naming_the_field(operator_client, machine, broker):
    response = operator_client.post(ping_url(), {"wait_seconds": "soon"}, format="json")
    error = assert_error_shape(response, 400, "invalid")
    assert set(error["details"]) == {"wait_seconds"}
    assert error["details"]["wait_seconds"]  # a message per field, not an empty list
    assert queued(broker) == 0


def test_unknown_field_is_400_naming_it(operator_client, machine, broker):
    # A typo must fail loudly instead of silently leaving the default (10 s wait) in place.
    response = operator_client.post(ping_url(), {"wait_secnds": 0}, format="json")
    error = assert_error_shape(response, 400, "invalid")
    assert error["details"] == {"wait_secnds": ["Unknown field."]}
    assert queued(broker) == 0


def test_a_valid_ping_is_sent_so_the_refusals_above_mean_something(operator_client, machine, broker):
    # The control case for the "nothing was sent" checks: a good request does put a task on the queue.
    response = operator_client.post(ping_url(), {"wait_seconds": 0}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["queue"] == queue_name("control", MACHINE)
    assert queued(broker) == 1


def test_non_numeric_content_length_is_400_bad_request(operator_client, machine, broker):
    response = operator_client.post(ping_url(), data="{}", content_type="application/json", CONTENT_LENGTH="lots")
    assert_error_shape(response, 400, "bad_request")
    assert queued(broker) == 0


# --- 413 --------------------------------------------------------------------------------------------------


def padded_json(size: int) -> str:
    """{"wait_seconds": 0} padded with whitespace to exactly `size` bytes: valid JSON of that length."""
    core = '{"wait_seconds": 0}'
    return core[:-1] + " " * (size - len(core)) + "}"


def test_body_over_1_mib_is_413_and_nothing_is_sent(operator_client, machine, broker):
    response = operator_client.post(ping_url(), data=padded_json(ONE_MIB + 1), content_type="application/json")
    error = assert_error_shape(response, 413, "payload_too_large")
    assert error["details"]["limit_bytes"] == ONE_MIB
    assert error["details"]["content_length"] == ONE_MIB + 1
    assert queued(broker) == 0


def test_body_over_1_mib_does_not_rotate_a_token(personas):
    # A write that ignores its body must still be refused before it runs.
    viewer = personas["viewer"]
    response = viewer.client().post(
        f"/api/v1/users/{viewer.username}/token", data=" " * (2 * ONE_MIB), content_type="application/json"
    )
    assert_error_shape(response, 413, "payload_too_large")
    assert Token.objects.get(user=viewer.user).key == viewer.token


def test_declared_length_over_1_mib_is_refused_before_reading(operator_client, machine, broker):
    # The guard works on the declared Content-Length, so a client cannot make the server buffer first.
    response = operator_client.post(
        ping_url(), data='{"wait_seconds": 0}', content_type="application/json", CONTENT_LENGTH=str(ONE_MIB + 1)
    )
    assert_error_shape(response, 413, "payload_too_large")
    assert queued(broker) == 0


def test_body_of_exactly_1_mib_is_accepted(operator_client, machine, broker):
    # The limit is inclusive: 1 MiB is allowed, one byte more is not.
    response = operator_client.post(ping_url(), data=padded_json(ONE_MIB), content_type="application/json")
    assert response.status_code == 202, response.content[:500]
    assert queued(broker) == 1


# --- 404 --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/api/v1/nope", "/api/v1/machines/no-such-machine", "/api/v1/errors/999999"])
def test_unknown_route_or_object_is_json_404(operator_client, path):
    assert_error_shape(operator_client.get(path), 404, "not_found")


@pytest.mark.parametrize("path", ["/nope", "/api/v1/nope", "/api/v1/errors/999999", "/static/nope.js"])
def test_404_stays_json_with_debug_on(operator_client, settings, path):
    # DEBUG makes Django answer unknown routes with its HTML "Page not found" page; clients must not see it.
    settings.DEBUG = True
    response = operator_client.get(path)
    assert_error_shape(response, 404, "not_found")
    assert b"<html" not in response.content.lower()


def test_anonymous_unknown_route_is_json_404(client, db):
    # Unknown routes resolve before any authentication: an anonymous caller still gets the JSON shape.
    error = assert_error_shape(client.get("/nope", HTTP_ACCEPT="text/html"), 404, "not_found")
    assert "/nope" in error["message"]


# --- 405 --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path", [("get", ping_url()), ("delete", "/api/v1/me"), ("put", "/api/v1/errors/"), ("post", "/health")]
)
def test_wrong_method_is_405_method_not_allowed(operator_client, machine, method, path):
    response = getattr(operator_client, method)(path)
    assert_error_shape(response, 405, "method_not_allowed")


# --- 401 / 403 --------------------------------------------------------------------------------------------


def test_no_credentials_is_401_in_the_shape(personas):
    response = personas["stranger"].client().get("/api/v1/errors/")
    assert_error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_bad_credentials_is_401_in_the_shape(client, db):
    response = client.get("/api/v1/errors/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error_shape(response, 401, "authentication_failed")


def test_wrong_role_is_403_in_the_shape(personas, machine):
    assert_error_shape(personas["rater"].client().get("/api/v1/errors/"), 403, "forbidden")
    response = personas["viewer"].client().post(ping_url(), {"wait_seconds": 0}, format="json")
    assert_error_shape(response, 403, "forbidden")


# --- 500 --------------------------------------------------------------------------------------------------


@pytest.mark.urls("tests.core.urls_for_errors")
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("path", ["/boom/plain", "/api/v1/boom"], ids=["django-view", "drf-view"])
def test_unhandled_exception_is_json_500_and_recorded(client, db, settings, debug, path):
    # DEBUG=True would normally render Django's technical 500 page (traceback, settings); never to a client.
    settings.DEBUG = debug
    response = client.get(path)

    assert_error_shape(response, 500, "server_error")
    text = response.content.decode()
    for leak in ("Traceback", "RuntimeError", SECRET_IN_MESSAGE, "urls_for_errors", 'File "'):
        assert leak not in text, f"{leak!r} leaked into the 500 body"

    # Recorded once (the middleware sees both the exception and the 500 response), with what debugging needs.
    event = ErrorEvent.objects.get()
    assert event.source == ErrorEvent.Source.REQUEST
    assert event.route == f"GET {path}"
    assert event.status_code == 500
    assert event.exception_type == "RuntimeError"
    assert event.message == SECRET_IN_MESSAGE
    assert "Traceback" in event.traceback and "raise RuntimeError" in event.traceback
    assert event.machine == django_settings.MACHINE_NAME


@pytest.mark.urls("tests.core.urls_for_errors")
def test_each_crash_is_recorded_separately(client, db):
    for _ in range(2):
        assert client.get("/boom/plain").status_code == 500
    assert ErrorEvent.objects.filter(route="GET /boom/plain").count() == 2


@pytest.mark.urls("tests.core.urls_for_errors")
def test_recorded_crash_is_readable_through_the_api(client, operator_client):
    # The error bus is how operators learn about a 500; the event must show up in /api/v1/errors/.
    client.get("/api/v1/boom")
    response = operator_client.get("/api/v1/errors/", {"source": "request"})
    assert response.status_code == 200
    [event] = response.json()["results"]
    assert event["route"] == "GET /api/v1/boom" and event["exception_type"] == "RuntimeError"


def test_a_chunked_body_is_refused_rather_than_silently_dropped(operator_client, machine, broker):
    # WSGI gives Django no length for a chunked body and Django reads it as empty: the ping would run with
    # its defaults while the client thinks its body counted.
    response = operator_client.post(
        ping_url(), data=b'{"wait_seconds": 0}', content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )
    assert_error_shape(response, 411, "length_required")
    assert queued(broker) == 0


def test_a_5xx_from_an_api_exception_is_recorded_with_its_exception(operator_client, machine, settings):
    from core.models import ErrorEvent

    # No worker consumes the machine's queue: the ping waits its time out and answers 503.
    response = operator_client.post(ping_url(), {"wait_seconds": 0.2}, format="json")
    assert_error_shape(response, 503, "unavailable")
    event = ErrorEvent.objects.get()
    assert event.exception_type == "ServiceUnavailable" and event.status_code == 503
    assert "answered within" in event.message and event.route == f"POST {ping_url()}"


@pytest.mark.urls("tests.core.urls_for_errors")
def test_sending_work_no_machine_can_take_is_503_naming_the_role(operator_client, settings):
    settings.MACHINE_NAME, settings.MACHINE_ROLES = "web", ["hobbies"]  # and no live worker anywhere
    response = operator_client.post("/api/v1/send-control-work")
    body = assert_error_shape(response, 503, "unavailable")
    assert "'control' role" in body["message"]
    assert ErrorEvent.objects.get().exception_type == "NoMachineForRole"


@pytest.mark.urls("tests.core.urls_for_errors")
def test_only_operators_see_tracebacks(personas, client, db):
    client.get("/boom/plain")
    event_url = "/api/v1/errors/"
    assert personas["operator"].client().get(event_url).json()["results"][0]["traceback"]
    assert personas["viewer"].client().get(event_url).json()["results"][0]["traceback"] is None


# --- The JSON type the schema documents, and no other ---------------------------------------------------------


@pytest.mark.parametrize("body", [{"wait_seconds": True}, {"wait_seconds": "5"}, {"wait_seconds": [5]}])
def test_a_number_given_as_another_json_type_is_400_naming_it_and_nothing_is_sent(
    operator_client, machine, broker, body
):
    # DRF's FloatField took true as 1.0 and "5" as 5.0: the schema says number, so the client is told.
    error = assert_error_shape(operator_client.post(ping_url(), body, format="json"), 400, "invalid")
    assert set(error["details"]) == {"wait_seconds"} and "wait_seconds" in error["message"]
    assert queued(broker) == 0


def test_json_types_are_checked_as_the_schema_documents_them():
    from rest_framework import serializers

    from core.errors import StrictSerializer

    class Sample(StrictSerializer):
        text = serializers.CharField(required=False)
        flag = serializers.BooleanField(required=False)
        count = serializers.IntegerField(required=False)
        share = serializers.FloatField(required=False)
        kind = serializers.ChoiceField(choices=["a", "b"], required=False)
        names = serializers.ListField(child=serializers.CharField(), required=False)
        switches = serializers.DictField(child=serializers.BooleanField(), required=False)
        anything = serializers.JSONField(required=False)
        maybe = serializers.CharField(required=False, allow_null=True)

    def errors(data):
        serializer = Sample(data=data)
        return {} if serializer.is_valid() else serializer.errors

    assert (
        errors(
            {
                "text": "x",
                "flag": False,
                "count": 3,
                "share": 0.5,
                "kind": "a",
                "names": ["n"],
                "switches": {"a": True},
                "anything": [1, "x", None],
                "maybe": None,
            }
        )
        == {}
    )
    assert errors({"count": 3.0, "share": 2}) == {}  # JSON Schema: 3.0 is an integer, 2 a number
    refused = {
        "text": 0,
        "flag": 0,
        "count": "3",
        "share": False,
        "kind": 1,
        "names": ["n", 2],
        "switches": {"a": "yes"},
    }
    assert set(errors(refused)) == set(refused)
    assert errors({"count": True}) and errors({"count": 1.5}) and errors({"flag": "true"}) and errors({"share": "1"})
    # No NUL inside a list, an object or a JSON value (PostgreSQL stores none): a 400 instead of a failed write.
    for nul in ({"anything": {"a": ["x\x00"]}}, {"switches": {"\x00": True}}, {"names": ["\x00"]}):
        assert set(errors(nul)) == set(nul)


@pytest.mark.django_db
def test_an_error_in_a_list_item_reads_as_words_naming_the_item(personas):
    response = (
        personas["agent"]
        .client()
        .post(
            "/hobby/subagents/register", {"subagent_id": "words", "capabilities": ["SKILL_PRACTICE", ""]}, format="json"
        )
    )
    assert response.status_code == 400, response.content
    message = response.json()["error"]["message"]
    assert "capabilities: [1] This field may not be blank." in message and "ErrorDetail" not in message
