"""The OpenAPI schema: valid, complete, honest about errors; and the Swagger UI that renders it offline."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from core.services import role_user_ensure
from tests.routes import all_routes

ERROR_REF = "#/components/schemas/Error"
DOCUMENTED_PREFIXES = ("api/v1/", "health", "metrics")
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def as_openapi_path(route: str) -> str:
    """The route as an OpenAPI path with its parameters unnamed: spectacular documents <pk> as {id}."""
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "{}", route)


def unnamed(openapi_path: str) -> str:
    return re.sub(r"\{\w+\}", "{}", openapi_path)


@pytest.fixture
def schema(db) -> dict:
    """The schema as the API serves it, to an operator, in JSON."""
    token = role_user_ensure(username="schema-reader", role="operator").token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def needs_auth(operation: dict) -> bool:
    # drf-spectacular lists {} among the security requirements of an operation that anyone may call.
    return {} not in operation.get("security", [{}])


def assert_documents_error(path: str, method: str, operation: dict, status: str) -> None:
    where = f"{method.upper()} {path}"
    response = operation["responses"].get(status)
    assert response is not None, f"{where} does not document {status}"
    assert response["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, f"{where} {status}"
    assert response["description"], f"{where} {status} has no description"


# --- Validity ---------------------------------------------------------------------------------------------


def test_generation_is_valid_and_warning_free(db, tmp_path):
    # --fail-on-warn: a view whose serializer spectacular cannot guess fails here instead of shipping a
    # schema that silently says "any object".
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    written = yaml.safe_load(target.read_text())
    assert written["openapi"].startswith("3.")
    assert written["info"]["title"] == "Autodidact API"


def test_served_schema_is_valid_openapi(schema):
    validate(schema)


def test_error_component_is_the_one_error_shape(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["error"]
    assert components["Error"]["properties"]["error"] == {"$ref": "#/components/schemas/ErrorDetail"}
    detail = components["ErrorDetail"]
    assert set(detail["properties"]) == {"code", "message", "details"}
    assert set(detail["required"]) == {"code", "message", "details"}


# --- Completeness -----------------------------------------------------------------------------------------


def documented_routes() -> list[str]:
    return [route for route in all_routes() if route.startswith(DOCUMENTED_PREFIXES)]


def test_route_walk_finds_the_routes_to_check():
    # Guard: if the walk found nothing, the completeness test below would pass without checking anything.
    assert {"health", "metrics", "api/v1/me", "api/v1/machines/<str:name>/ping"} <= set(documented_routes())


@pytest.mark.parametrize("route", documented_routes())
def test_every_api_route_is_in_the_schema(schema, route):
    assert as_openapi_path(route) in {unnamed(path) for path in schema["paths"]}


def test_the_schema_has_no_path_the_urlconf_lacks(schema):
    real = {as_openapi_path(route) for route in all_routes()}
    assert {unnamed(path) for path in schema["paths"]} - real == set()


# --- Documented errors ------------------------------------------------------------------------------------


def test_operations_that_need_auth_document_401_and_403(schema):
    checked = 0
    for path, method, operation in operations(schema):
        if needs_auth(operation):
            assert_documents_error(path, method, operation, "401")
            assert_documents_error(path, method, operation, "403")
            checked += 1
    assert checked >= 10


def test_public_operations_are_only_the_health_probes(schema):
    public = {(path, method) for path, method, operation in operations(schema) if not needs_auth(operation)}
    assert public == {("/health", "get"), ("/health/ready", "get")}
    for path, method in public:
        assert "401" not in schema["paths"][path][method]["responses"]


def test_post_operations_document_400_and_413(schema):
    posts = [(path, method, op) for path, method, op in operations(schema) if method in {"post", "put", "patch"}]
    assert posts, "no write operation found"
    for path, method, operation in posts:
        assert_documents_error(path, method, operation, "400")
        assert_documents_error(path, method, operation, "413")


def test_detail_routes_document_404(schema):
    details = [(path, method, op) for path, method, op in operations(schema) if "{" in path]
    assert len(details) >= 4
    for path, method, operation in details:
        assert_documents_error(path, method, operation, "404")


def test_every_operation_documents_500(schema):
    for path, method, operation in operations(schema):
        assert_documents_error(path, method, operation, "500")


def test_throttled_operations_document_429(schema):
    for path, method, operation in operations(schema):
        if path.startswith("/health"):
            assert "429" not in operation["responses"]  # never throttled, so never documented as such
        else:
            assert_documents_error(path, method, operation, "429")


# --- Who may read it --------------------------------------------------------------------------------------


def test_anonymous_schema_request_is_401_in_the_error_shape_for_json_clients(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_anonymous_schema_request_is_401_json_without_an_accept_header(client, db):
    # Every error is JSON; a YAML error body breaks clients that read error.code.
    response = client.get("/api/schema/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("persona", ["viewer", "rater", "agent"])
def test_every_role_may_read_the_schema(personas, persona):
    # The schema describes the API each client calls; it holds no data, so any authenticated role reads it.
    response = personas[persona].client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200


# --- Swagger UI -------------------------------------------------------------------------------------------


def test_docs_send_anonymous_visitors_to_log_in(client, db):
    # People open the docs in a browser: a login page helps them, a bare 401 does not.
    response = client.get("/api/docs/")
    assert response.status_code == 302, response.status_code
    assert response["Location"] == "/admin/login/?next=/api/docs/"
    assert b"swagger-ui" not in response.content


class AssetCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.urls.append(value)


@pytest.fixture
def operator_browser(personas) -> Client:
    browser = Client()
    browser.force_login(personas["operator"].user)
    return browser


def test_docs_render_for_a_logged_in_operator_from_local_assets(operator_browser):
    response = operator_browser.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    collector = AssetCollector()
    collector.feed(html)
    scripts_and_styles = [url for url in collector.urls if url.endswith((".js", ".css"))]
    assert any("swagger-ui" in url for url in scripts_and_styles), collector.urls
    # No CDN: every asset is on this server, so the docs work offline and leak no visits to third parties.
    for url in collector.urls:
        assert urlsplit(url).netloc in ("", "testserver"), url
    assert set(re.findall(r"https?://([^/\"'\s]+)", html)) <= {"testserver"}  # inline script included
    for url in collector.urls:  # and this server really serves them
        asset = operator_browser.get(urlsplit(url).path)
        assert asset.status_code == 200, url


# --- What the fuzz test (test_fuzz_api) found undocumented ---------------------------------------------------


def test_generation_documents_its_event_stream_beside_json(schema):
    for path in ("/v1/completions", "/v1/chat/completions"):
        responses = schema["paths"][path]["post"]["responses"]
        assert set(responses["200"]["content"]) == {"application/json", "text/event-stream"}, path
        event = responses["200"]["content"]["text/event-stream"]["schema"]  # OpenAPI 3.0: one event's schema
        assert event["required"] == ["data"] and event["properties"]["data"]["type"] == "string", path
        assert {"404", "409", "502", "503"} <= set(responses), path


@pytest.mark.parametrize(
    "path, method",
    [
        ("/doc", "post"),
        ("/doc/{namespace}/{doc_id}", "put"),
        ("/embedding", "post"),
        ("/session", "post"),
        ("/api/v1/hobbies/subagents/", "post"),
        ("/api/v1/feedback/", "post"),
    ],
)
def test_routes_that_create_or_replace_document_both_answers(schema, path, method):
    responses = schema["paths"][path][method]["responses"]
    assert {"200", "201"} <= set(responses) and responses["200"]["description"] != responses["201"]["description"]


@pytest.mark.parametrize(
    "path, method, status",
    [
        ("/api/v1/hobbies/assignments/{assignment_id}/cancel", "post", "409"),
        ("/api/v1/hobbies/assignments/", "post", "409"),
        ("/hobby/assign-to-subagent", "post", "409"),
        ("/api/v1/hobbies/distribute", "post", "409"),
        ("/api/v1/feedback/reward-models", "post", "409"),
        ("/api/v1/learning/jobs/{job_id}/cancel/", "post", "409"),
        ("/api/v1/learning/adapters/{adapter_id}/activate/", "post", "409"),
        ("/hobby/lora/apply", "post", "409"),
        ("/hobby/lora/apply", "post", "404"),
        ("/hobby/lora/compare", "get", "404"),
        ("/api/v1/feedback/", "post", "404"),
        ("/hobby/feedback", "post", "404"),
        ("/api/v1/hobbies/consensus/", "post", "404"),
        # A malformed filter, page or path parameter is a 400 on reads too.
        ("/api/v1/models/", "get", "400"),
        ("/api/v1/errors/", "get", "400"),
        ("/kv/{namespace}/{key}", "get", "400"),
        ("/doc/{namespace}/{doc_id}", "delete", "400"),
    ],
)
def test_errors_the_routes_answer_are_documented(schema, path, method, status):
    assert_documents_error(path, method, schema["paths"][path][method], status)


def test_the_legacy_activity_list_is_documented_as_a_list(schema):
    answer = schema["paths"]["/hobby/activities"]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"] == {"type": "array", "items": {"type": "object"}}


def test_a_list_that_may_not_be_empty_says_so(schema):
    components = schema["components"]["schemas"]
    assert components["SubAgentRequest"]["properties"]["capabilities"]["minItems"] == 1
    assert components["EmbeddingBatchRequest"]["properties"]["items"]["minItems"] == 1
