"""Sessions: create, read, merge, extend, expire; the hourly clean-up removes only expired ones."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.errors import Invalid, NotFound
from memoryhub.models import MemorySession
from memoryhub.services import sessions


def test_a_session_lives_24_hours_by_default_and_is_gone_after(db):
    session, created = sessions.session_put(
        namespace="session_memory", session_id="s1", user_id="agent-7", data={"step": 1}
    )
    assert created and timedelta(hours=23, minutes=59) < session.expires_at - timezone.now() <= timedelta(hours=24)
    assert sessions.session_get(namespace="session_memory", session_id="s1").data == {"step": 1}
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        with pytest.raises(NotFound):
            sessions.session_get(namespace="session_memory", session_id="s1")  # expired: gone already
        assert sessions.sessions_expire() == 1
    assert not MemorySession.objects.exists()


def test_updates_merge_data_and_can_extend_the_life(db):
    sessions.session_put(namespace="session_memory", session_id="s1", data={"a": 1, "b": 2}, expires_hours=1)
    updated = sessions.session_update(
        namespace="session_memory", session_id="s1", data={"b": 3, "c": 4}, expires_hours=48
    )
    assert updated.data == {"a": 1, "b": 3, "c": 4}
    assert updated.expires_at - timezone.now() > timedelta(hours=47)
    _, created = sessions.session_put(namespace="session_memory", session_id="s1", data={"fresh": True})
    assert not created and sessions.session_get(namespace="session_memory", session_id="s1").data == {"fresh": True}


def test_the_clean_up_keeps_live_sessions(db):
    sessions.session_put(namespace="session_memory", session_id="short", expires_hours=1)
    sessions.session_put(namespace="session_memory", session_id="long", expires_hours=5)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert sessions.sessions_expire() == 1
    assert list(MemorySession.objects.values_list("session_id", flat=True)) == ["long"]


def test_the_clean_up_is_scheduled_hourly(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="memoryhub.tasks.sessions_expire_task")
    assert (task.interval.every, task.interval.period) == (1, "hours") and task.enabled


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"namespace": "Bad Space", "session_id": "s"}, "namespace"),
        ({"namespace": "session_memory", "session_id": ""}, "session_id"),
        ({"namespace": "session_memory", "session_id": "s", "expires_hours": 0}, "expires_hours"),
        ({"namespace": "session_memory", "session_id": "s", "data": [1, 2]}, "data"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(db, kwargs, field):
    with pytest.raises(Invalid) as refused:
        sessions.session_put(**kwargs)
    assert field in refused.value.details and not MemorySession.objects.exists()
