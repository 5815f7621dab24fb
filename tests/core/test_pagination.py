"""List pagination: limit and offset are checked, a malformed one is a 400 naming it (DRF's own ignored it)."""

from __future__ import annotations

import pytest

from workers.models import Machine

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query, field",
    [
        ("offset=null", "offset"),
        ("offset=-1", "offset"),
        ("offset=", "offset"),
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=1.5", "limit"),
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/machines/",
        "/api/v1/workers/",
        "/api/v1/placements/",
        "/api/v1/models/",
        "/api/v1/eval-runs/",
        "/api/v1/errors/",
    ],
)
def test_a_malformed_limit_or_offset_is_a_400_naming_it(operator_client, path, query, field):
    response = operator_client.get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["details"]) == {field} and field in error["message"]


def test_well_formed_pages_are_served(operator_client):
    for name in ("a", "b", "c"):
        Machine.objects.create(name=name, roles=["control"])
    page = operator_client.get("/api/v1/machines/?limit=2&offset=1").json()
    assert page["count"] == 3 and [row["name"] for row in page["results"]] == ["b", "c"]


def test_the_schema_documents_the_bounds(operator_client):
    schema = operator_client.get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/machines/"]["get"]["parameters"]}
    assert parameters["limit"] == {"type": "integer", "minimum": 1}
    assert parameters["offset"] == {"type": "integer", "minimum": 0}
    assert "400" in schema["paths"]["/api/v1/machines/"]["get"]["responses"]
