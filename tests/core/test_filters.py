"""List filters: a value the schema does not allow (an empty date-time, a boolean that is not true or false, a
fraction for a whole number) is a 400 naming the filter; django-filter alone read them as "no filter"."""

from __future__ import annotations

import pytest

from core.models import ErrorEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path, query, field",
    [
        ("/api/v1/errors/", "until=", "until"),
        ("/api/v1/errors/", "since=", "since"),
        ("/api/v1/errors/", "until=yesterday", "until"),
        ("/api/v1/errors/", "status_code=", "status_code"),
        ("/api/v1/errors/", "status_code=1.5", "status_code"),
        ("/api/v1/errors/", "source=", "source"),
        ("/api/v1/models/", "builtin=maybe", "builtin"),
        ("/api/v1/models/", "builtin=", "builtin"),
        ("/api/v1/models/", "status=", "status"),
        ("/api/v1/eval-runs/", "status=AAA", "status"),
    ],
)
def test_a_filter_value_the_schema_forbids_is_a_400_naming_it(operator_client, path, query, field):
    response = operator_client.get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["details"] and field in error["message"]


def test_well_formed_filters_filter(operator_client):
    ErrorEvent.objects.create(source="request", message="a", status_code=500)
    ErrorEvent.objects.create(source="task", message="b", status_code=None)
    assert operator_client.get("/api/v1/errors/?status_code=500").json()["count"] == 1
    assert operator_client.get("/api/v1/errors/?until=2999-01-01T00:00:00Z").json()["count"] == 2
    assert operator_client.get("/api/v1/errors/?until=2000-01-01T00:00:00Z").json()["count"] == 0
    assert operator_client.get("/api/v1/errors/?machine=").status_code == 200  # any text is a string
    assert operator_client.get("/api/v1/models/?builtin=false").status_code == 200
