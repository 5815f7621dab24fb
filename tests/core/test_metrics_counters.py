"""Counters in /metrics only go up: autodidact_error_events_total survives the prune of old events, and
autodidact_throttle_store_errors_total counts the requests let through while the throttle's Redis is down."""

from __future__ import annotations

import importlib
import logging
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache

from core import throttling
from core.models import ErrorEvent, ErrorEventTotal
from core.services import error_event_record, error_events_prune
from tests.core.test_metrics import promtool_check, samples


@pytest.fixture
def scrape(personas, flush_redis):
    def get() -> dict[tuple, float]:
        response = personas["operator"].client().get("/metrics")
        assert response.status_code == 200, response.content[:300]
        text = response.content.decode()
        checked = promtool_check(text)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        return samples(text)

    return get


def errors_total(found: dict, source: str) -> float:
    return found[("autodidact_error_events_total", (("source", source),))]


# --- autodidact_error_events_total ------------------------------------------------------------------------


def test_pruning_old_error_events_does_not_lower_the_counter(scrape):
    for _ in range(2):
        error_event_record(source="task", message="boom", task_name="t")
    error_event_record(source="request", message="oops", route="GET /x", status_code=500)
    before = scrape()
    assert errors_total(before, "task") == 2 and errors_total(before, "request") == 1
    assert errors_total(before, "worker") == 0  # every source has its series, from 0

    assert error_events_prune(older_than_days=0) == 3  # the real prune: everything recorded before now
    assert not ErrorEvent.objects.exists()
    after_prune = scrape()
    for source in ErrorEvent.Source.values:
        assert errors_total(after_prune, source) == errors_total(before, source), source

    error_event_record(source="task", message="again", task_name="t")
    again = scrape()
    assert errors_total(again, "task") == 3
    assert errors_total(again, "request") == 1


def test_the_event_and_its_total_are_written_together(db, monkeypatch):
    # The total is bumped in the event's transaction: when the total cannot be written, neither is the event
    # (and error_event_record, as always, does not raise).
    from django.db import DatabaseError

    from core import services

    def broken(**kwargs):
        raise DatabaseError("the totals table is gone")

    monkeypatch.setattr(services, "_error_event_total_increment", broken)
    assert error_event_record(source="task", message="lost", task_name="t") is None
    assert not ErrorEvent.objects.exists()


def test_the_first_event_of_a_source_creates_its_total(db):
    ErrorEventTotal.objects.all().delete()  # as for a source added after the migration that seeded the rows
    error_event_record(source="service", message="first")
    error_event_record(source="service", message="second")
    assert ErrorEventTotal.objects.get(source="service").count == 2


def test_the_migration_starts_the_totals_at_the_events_already_stored(db):
    # Until the migration the counter was a count of rows: it must not start below that.
    migration = importlib.import_module("core.migrations.0003_error_event_totals")
    for _ in range(3):
        error_event_record(source="task", message="old", task_name="t")
    error_event_record(source="worker", message="old")
    ErrorEventTotal.objects.all().delete()  # as before the migration

    from django.apps import apps

    migration.backfill(apps, None)
    assert dict(ErrorEventTotal.objects.values_list("source", "count")) == {
        "request": 0,
        "service": 0,
        "task": 3,
        "worker": 1,
    }


# --- autodidact_throttle_store_errors_total -----------------------------------------------------------------


def store_errors(found: dict) -> float:
    return found[("autodidact_throttle_store_errors_total", (("scope", "client_route"),))]


@pytest.fixture
def fresh_outage(monkeypatch):
    """This process' outage bookkeeping from scratch, so earlier tests' outages do not hide the log line."""
    outage = throttling.StoreOutage()
    monkeypatch.setattr(throttling, "store_outage", outage)
    return outage


@pytest.fixture
def throttle_store(settings):
    """Takes the cache (the throttle's store) down and up again. Down is a real closed port: nothing listens on
    127.0.0.1:1, so a connection is refused at once. Overriding CACHES drops Django's cache connections; the
    throttle reads the address from CACHES on every request."""
    working = django_settings.CACHES["default"]

    class Store:
        @staticmethod
        def down():
            settings.CACHES = {"default": {**working, "LOCATION": "redis://127.0.0.1:1/0"}}
            with pytest.raises(redis.exceptions.ConnectionError):
                cache.get("probe")  # the override really took effect: the store is unreachable

        @staticmethod
        def up():
            settings.CACHES = {"default": working}
            cache.get("probe")

    return Store


def test_requests_pass_unthrottled_when_redis_is_down_and_metrics_count_them(
    personas, scrape, settings, throttle_store, fresh_outage, caplog
):
    settings.THROTTLE_RATE = "2/min"
    before = store_errors(scrape())  # the series exists before any outage (other tests may have counted)

    throttle_store.down()
    client = personas["viewer"].client()
    with caplog.at_level(logging.INFO, logger="core.throttling"):
        for _ in range(5):  # more than the limit: fail open, nothing is refused
            assert client.get("/api/v1/errors/").status_code == 200
        during = scrape()  # /metrics answers too, itself let through unthrottled
    assert store_errors(during) == before + 5 + 1

    # One warning for the outage, not one per request.
    warnings = [r for r in caplog.records if r.name == "core.throttling" and r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "throttle skipped: Redis unavailable" in warnings[0].getMessage()
    assert "ConnectionError" in warnings[0].getMessage()

    # Redis is back: the throttle counts again, says so once, and the counter stays where it was.
    throttle_store.up()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="core.throttling"):
        assert client.get("/api/v1/errors/").status_code == 200
        assert client.get("/api/v1/errors/").status_code == 200
        assert client.get("/api/v1/errors/").status_code == 429
    [back] = [r.getMessage() for r in caplog.records if r.name == "core.throttling"]
    assert re.fullmatch(r"throttle store answers again after \d+ s; 6 requests were let through unthrottled", back)
    assert store_errors(scrape()) == before + 6


def test_a_long_outage_is_logged_again_once_per_interval(fresh_outage, caplog):
    error = redis.exceptions.ConnectionError("refused")
    with caplog.at_level(logging.WARNING, logger="core.throttling"):
        for _ in range(10):
            fresh_outage.failed("client_route", error)
        assert len(caplog.records) == 1
        fresh_outage.interval = 0.0  # as if a minute had passed
        fresh_outage.failed("client_route", error)
    assert len(caplog.records) == 2
    assert "11 requests let through unthrottled so far" in caplog.records[1].getMessage()


def test_gunicorn_workers_counts_add_up_in_one_scrape(tmp_path):
    """Several web processes (PROMETHEUS_MULTIPROC_DIR, as `make run` sets it): each counts in its own file and
    one scrape, whichever process answers it, sums them. A forked child stands in for a second worker."""
    script = textwrap.dedent("""
        import os, django
        django.setup()
        from core import metrics
        metrics._extra_collectors.clear()  # only the in-process metrics: no database here
        counter = metrics.THROTTLE_STORE_ERRORS.labels(scope="client_route")
        counter.inc()
        pid = os.fork()
        if pid == 0:
            counter.inc(); counter.inc()
            os._exit(0)
        os.waitpid(pid, 0)
        print(metrics.render_metrics().decode())
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "core.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert promtool_check(done.stdout).returncode == 0, done.stdout
    assert samples(done.stdout)[("autodidact_throttle_store_errors_total", (("scope", "client_route"),))] == 3


def test_operators_read_the_totals_in_admin_and_nobody_edits_them(client, db):
    from core.services import role_user_ensure

    role_user_ensure(username="op", role="operator", password="pw-for-tests-1")
    client.login(username="op", password="pw-for-tests-1")
    error_event_record(source="task", message="boom", task_name="t")
    page = client.get("/admin/core/erroreventtotal/?source=task")
    assert page.status_code == 200 and b"Celery task" in page.content
    assert client.get("/admin/core/erroreventtotal/add/").status_code == 403
    assert client.post("/admin/core/erroreventtotal/task/delete/", {"post": "yes"}).status_code == 403
    assert ErrorEventTotal.objects.get(source="task").count == 1
