"""The per-task hooks' database side: a connection a task left cleanly a moment ago is not pinged again."""

from types import SimpleNamespace

import pytest
from django.db import connection

from workers import signals

TASK = SimpleNamespace(name="tests.task", request=SimpleNamespace(delivery_info={"routing_key": "control.m"}))


@pytest.fixture
def fresh_thread_state(monkeypatch, flush_redis):
    monkeypatch.setattr(signals, "_clean_use", type(signals._clean_use)())
    connection.ensure_connection()


def pinged_before_next_task(monkeypatch) -> bool:
    """Whether the next task's start and first query ping the connection (Django's SELECT 1)."""
    pings = []
    real = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: pings.append(1) or real())
    signals.note_start(task_id="next")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
    return bool(pings)


def finish(task_id: str = "last", *, query: bool = True) -> None:
    signals.note_start(task_id=task_id)
    if query:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 3")
    signals.count_finished(task_id=task_id, task=TASK, state="SUCCESS")


def test_the_first_task_of_a_thread_pings_its_connection(transactional_db, fresh_thread_state, monkeypatch):
    assert pinged_before_next_task(monkeypatch)


def test_a_connection_left_cleanly_under_a_second_ago_is_trusted(transactional_db, fresh_thread_state, monkeypatch):
    finish()
    assert not pinged_before_next_task(monkeypatch)


def test_a_connection_idle_longer_is_pinged_again(transactional_db, fresh_thread_state, monkeypatch):
    finish()
    signals._clean_uses()[connection.alias] -= signals.CONNECTION_TRUSTED_SECONDS + 0.5  # as if that much earlier
    assert pinged_before_next_task(monkeypatch)


def test_a_task_that_met_a_database_error_leaves_its_connection_to_be_pinged(
    transactional_db, fresh_thread_state, monkeypatch
):
    signals.note_start(task_id="broken")
    connection.errors_occurred = True  # what Django marks when a query fails with a database error
    signals.count_finished(task_id="broken", task=TASK, state="FAILURE")
    assert pinged_before_next_task(monkeypatch)


def test_a_task_that_did_not_use_the_database_does_not_vouch_for_its_connection(
    transactional_db, fresh_thread_state, monkeypatch
):
    finish()
    signals._clean_uses()[connection.alias] -= signals.CONNECTION_TRUSTED_SECONDS + 0.5
    finish("ping", query=False)  # a no-op task since: the connection has still not been used for that long
    assert pinged_before_next_task(monkeypatch)


def test_tasks_that_started_on_trust_do_not_renew_it(transactional_db, fresh_thread_state, monkeypatch):
    finish()
    checked_at = signals._clean_uses()[connection.alias]
    finish("trusted")  # used the connection, but nobody checked it: the trust still dates from the check
    assert signals._clean_uses()[connection.alias] == checked_at
