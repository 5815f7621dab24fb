"""The metrics routes: who may read them, the originals' /hobby/ paths and their /api/v1/hobbies/ twins, Prometheus
text with its content type (in /metrics too), and the dashboard page's way with browsers and API clients."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from prometheus_client.parser import text_string_to_metric_families

from hobbies import metrics
from tests.hobbies.metrics_factories import finished, started, subagent
from tests.hobbies.test_metrics import promtool_check, samples

JSON_ROUTES = [
    "/hobby/progress",
    "/hobby/metrics/summary",
    "/hobby/dashboard",
    "/api/v1/hobbies/metrics/summary",
    "/api/v1/hobbies/dashboard",
]
TEXT_ROUTES = ["/hobby/metrics/prometheus", "/api/v1/hobbies/metrics/prometheus"]
PAGE = "/hobby/dashboard/page"


@pytest.fixture
def data(db):
    agent = subagent()
    finished(hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.55, seconds=300)
    finished(hobby_type="PATTERN_RECOGNITION", agent=agent, status="failed", seconds=60)
    started(hobby_type="CODE_ANALYSIS", agent=agent, description="answering code items")


@pytest.mark.parametrize("route", JSON_ROUTES + TEXT_ROUTES + [PAGE])
@pytest.mark.parametrize(
    "persona, status", [("operator", 200), ("viewer", 200), ("rater", 403), ("agent", 403), ("stranger", 401)]
)
def test_operators_and_viewers_read_metrics_and_nobody_else(personas, route, persona, status):
    assert personas[persona].client().get(route).status_code == status


@pytest.mark.parametrize("route", JSON_ROUTES + TEXT_ROUTES)
def test_metrics_are_read_only(operator_client, route):
    assert operator_client.post(route, {}, format="json").status_code == 405


def test_the_legacy_and_v1_routes_answer_the_same_payloads(operator_client, data):
    summary = operator_client.get("/hobby/metrics/summary").json()
    assert summary == metrics.metrics_summary()
    assert operator_client.get("/api/v1/hobbies/metrics/summary").json() == summary
    dashboard = operator_client.get("/hobby/dashboard").json()
    assert dashboard == operator_client.get("/api/v1/hobbies/dashboard").json() == metrics.dashboard_data()
    assert dashboard["current_stats"] == {
        "total_activities": 2,
        "overall_engagement": summary["summary"]["overall_engagement"],
        "active_hobbies": 1,
        "is_learning": True,
    }
    assert summary["system"]["current_activity"]["description"] == "answering code items"
    assert summary["summary"]["hobbies"]["SKILL_PRACTICE"]["proficiency"] == pytest.approx(0.55)


def test_progress_is_the_originals_progress_summary(operator_client, data):
    progress = operator_client.get("/hobby/progress").json()
    assert progress == metrics.progress_summary()
    assert progress["total_activities"] == 2 and progress["current_activity"] == "CODE_ANALYSIS"
    assert progress["hobbies"]["SKILL_PRACTICE"]["activities_completed"] == 1


@pytest.mark.parametrize("route", TEXT_ROUTES)
def test_prometheus_routes_answer_prometheus_text(personas, data, route):
    response = personas["viewer"].client().get(route)
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.content.decode()
    checked = promtool_check(text)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert {f.name for f in text_string_to_metric_families(text)} >= {
        "hobby_system_enabled",
        "hobby_system_running",
        "hobby_system_is_idle",
        "hobby_activities",
        "hobby_proficiency",
        "hobby_time_invested_seconds",
        "hobby_activities_completed",
        "hobby_success_rate",
        "hobby_insights",
        "hobby_current_activity_active",
        "hobby_current_activity_duration_seconds",
    }


def test_the_product_metrics_carry_the_same_hobby_series(operator_client, data):
    own = samples(operator_client.get("/hobby/metrics/prometheus").content.decode())
    response = operator_client.get("/metrics")
    text = response.content.decode()
    assert promtool_check(text).returncode == 0
    everything = samples(text)
    hobby = {key: value for key, value in everything.items() if key[0].startswith("hobby_")}
    assert hobby == own and own[("hobby_activities_total", ())] == 2


def test_a_second_request_is_answered_from_the_cache(operator_client, data):
    with CaptureQueriesContext(connection) as first:
        operator_client.get("/hobby/metrics/summary")
    with CaptureQueriesContext(connection) as second:
        operator_client.get("/hobby/dashboard")
        operator_client.get("/hobby/metrics/prometheus")
    assert any("hobbies_" in q["sql"] for q in first)
    assert not any("hobbies_" in q["sql"] for q in second), [q["sql"] for q in second]  # only auth's queries


def test_the_dashboard_page_sends_browsers_to_log_in_and_api_clients_a_401(client, db):
    browser = client.get(PAGE, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert browser.status_code == 302 and browser["Location"] == "/admin/login/?next=/hobby/dashboard/page"
    api = client.get(PAGE)
    assert api.status_code == 401 and api.json()["error"]["code"] == "not_authenticated"


def test_the_dashboard_page_is_served_with_its_script_and_charts(client, personas):
    client.force_login(personas["operator"].user)
    response = client.get(PAGE, HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for chart in ("chart-proficiency", "chart-hourly", "chart-daily", "chart-time", "chart-success"):
        assert f'id="{chart}"' in html
    assert 'data-dashboard-url="/hobby/dashboard"' in html and "hobbies/dashboard.js" in html
    index = client.get("/admin/").content.decode()
    assert f'href="{PAGE}"' in index  # linked from the admin index
