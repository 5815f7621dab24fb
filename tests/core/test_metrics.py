"""/metrics: Prometheus text that promtool accepts, with the error bus and Celery figures in it."""

import shutil
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families

from core import redis_clients
from core.services import error_event_record
from workers import metrics as celery_metrics


def promtool_check(text: str) -> subprocess.CompletedProcess:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: `make test` installs Debian's prometheus package"
    return subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)


def samples(text: str) -> dict[tuple, float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
def scrape(personas, flush_redis):
    def get(persona="operator"):
        return personas[persona].client().get("/metrics")

    return get


def test_metrics_are_prometheus_text_that_promtool_accepts(scrape):
    error_event_record(source="task", message="boom", task_name="t")
    celery_metrics.record_task(task="workers.tasks.ping_task", queue="control.m", outcome="success", runtime=0.3)
    celery_metrics.record_task(task="workers.tasks.ping_task", queue="control.m", outcome="failure", runtime=2.0)
    response = scrape()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.content.decode()
    checked = promtool_check(text)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    found = samples(text)
    assert found[("autodidact_error_events_total", (("source", "task"),))] == 1
    assert (
        found[
            (
                "autodidact_celery_tasks_total",
                (("outcome", "success"), ("queue", "control.m"), ("task", "workers.tasks.ping_task")),
            )
        ]
        == 1
    )
    le_half = (
        "autodidact_celery_task_runtime_seconds_bucket",
        (("le", "0.5"), ("queue", "control.m"), ("task", "workers.tasks.ping_task")),
    )

    # Each run is stored in one bucket; the scrape adds them up into Prometheus' cumulative buckets.
    def bucket(le):
        return found[(le_half[0], (("le", le),) + le_half[1][1:])]

    assert [bucket(le) for le in ("0.25", "0.5", "1.0", "2.5", "+Inf")] == [0, 1, 1, 2, 2]
    runtime_count = ("autodidact_celery_task_runtime_seconds_count", le_half[1][1:])
    assert found[runtime_count] == 2
    assert any(name.startswith("django_http_requests") for name, _ in found)


def test_viewers_may_scrape_and_others_may_not(scrape):
    assert scrape("viewer").status_code == 200
    assert scrape("rater").status_code == 403
    assert scrape("stranger").status_code == 401


def test_metrics_still_answer_when_redis_is_down(scrape, settings):
    settings.METRICS_REDIS_URL = settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    redis_clients.reset()
    try:
        response = scrape()
    finally:
        redis_clients.reset()
    text = response.content.decode()
    assert response.status_code == 200 and promtool_check(text).returncode == 0
    found = samples(text)
    assert found[("autodidact_metrics_source_up", (("source", "redis"),))] == 0
    assert found[("autodidact_metrics_source_up", (("source", "database"),))] == 1
