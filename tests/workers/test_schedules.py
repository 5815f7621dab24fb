"""Default beat schedules: created by a data migration, owned by operators afterwards."""

from django.apps import apps
from django_celery_beat.models import PeriodicTask

from workers.schedules import FOUNDATION_SCHEDULES, ensure_schedules


def test_migrations_create_the_default_schedules_for_real_tasks(db):
    from workers.celery import app

    app.loader.import_default_modules()
    for entry in FOUNDATION_SCHEDULES:
        task = PeriodicTask.objects.get(name=entry.name)
        assert task.enabled and task.interval is not None
        assert task.task in app.tasks, f"{task.task} is not a registered task"
        assert task.expire_seconds, "a tick nobody ran in time must expire, not pile up"


def test_running_the_defaults_again_neither_duplicates_nor_undoes_an_operators_edit(db):
    edited = PeriodicTask.objects.get(name=FOUNDATION_SCHEDULES[0].name)
    edited.enabled = False
    edited.description = "paused by the operator"
    edited.save()

    ensure_schedules(apps, FOUNDATION_SCHEDULES)
    ensure_schedules(apps, FOUNDATION_SCHEDULES)

    names = [entry.name for entry in FOUNDATION_SCHEDULES]
    assert PeriodicTask.objects.filter(name__in=names).count() == len(names)
    edited.refresh_from_db()
    assert not edited.enabled and edited.description == "paused by the operator"


def test_beat_uses_the_database_scheduler(settings):
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


def test_every_default_schedule_of_every_app_names_a_real_task_and_the_nightly_cycle_runs_at_two(db):
    from workers.celery import app

    app.loader.import_default_modules()
    for task in PeriodicTask.objects.all():
        assert task.task in app.tasks, f"{task.name}: {task.task} is not a registered task"
        assert (task.interval is None) != (task.crontab is None) and task.expire_seconds
    nightly = PeriodicTask.objects.get(name="Nightly learning cycle")
    assert (nightly.crontab.minute, nightly.crontab.hour, str(nightly.crontab.timezone)) == ("0", "2", "UTC")
    assert PeriodicTask.objects.get(name="Resume stalled training jobs").interval.every == 1
