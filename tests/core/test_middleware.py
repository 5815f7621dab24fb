"""ErrorShapeMiddleware and the exceptions Django answers itself: a PermissionDenied is a 403 and an Http404 a
404, in the JSON shape for clients and as Django's own page where people browse; neither is a 500, and
neither is recorded as an error event."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from core.models import ErrorEvent
from core.urls import handler404, handler500  # noqa: F401
from core.urls import urlpatterns as product_urlpatterns


def refuse(request):
    raise PermissionDenied("staff only, and a detail no client should read")


def missing(request):
    raise Http404("row 42 of a private table")


urlpatterns = [
    path("api/v1/refuse", refuse),
    path("api/v1/missing", missing),
    path("plain/refuse", refuse),
    path("accounts/refuse", refuse),
    path("accounts/missing", missing),
    *product_urlpatterns,
]

pytestmark = pytest.mark.urls("tests.core.test_middleware")


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)["error"]


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("url", ["/api/v1/refuse", "/plain/refuse"])
def test_permission_denied_outside_pages_is_json_403(client, db, settings, debug, url):
    settings.DEBUG = debug
    error = error_of(client.get(url), 403)
    assert error["code"] == "forbidden" and "staff only" not in error["message"]
    assert not ErrorEvent.objects.exists()


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_http404_from_a_view_is_json_404(client, db, settings, debug):
    settings.DEBUG = debug
    error = error_of(client.get("/api/v1/missing"), 404)
    assert error["code"] == "not_found" and "private table" not in error["message"]
    assert not ErrorEvent.objects.exists()


def test_permission_denied_on_a_page_is_djangos_403_page(client, db):
    response = client.get("/accounts/refuse")
    assert response.status_code == 403
    assert not response["Content-Type"].startswith("application/json")
    assert b"403 Forbidden" in response.content
    assert not ErrorEvent.objects.exists()


def test_http404_on_a_page_is_the_404_handlers_answer(client, db):
    response = client.get("/accounts/missing")
    assert response.status_code == 404
    assert not ErrorEvent.objects.exists()
