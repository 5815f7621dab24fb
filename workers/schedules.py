"""Default beat schedules, created by data migrations and then owned by operators (edit them in admin).

`ensure_schedules` creates what is missing and leaves existing rows alone, so re-running migrations never
duplicates a schedule nor undoes an operator's change. Each app's data migration calls it with its own list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import migrations


@dataclass(frozen=True)
class DefaultSchedule:
    name: str
    task: str
    description: str
    every: int = 1
    period: str = "days"  # django-celery-beat's IntervalSchedule periods: seconds, minutes, hours, days
    crontab: str = ""  # "minute hour day-of-month month day-of-week" (e.g. "0 2 * * *"): at a time of day instead
    expire_seconds: int | None = None  # a tick nobody ran in time is dropped, not piled up

    def expires(self) -> int:
        if self.crontab:
            return self.expire_seconds or 3600  # a nightly run missed by more than an hour waits for the next night
        seconds_per = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}[self.period]
        return self.expire_seconds or seconds_per * self.every


def ensure_schedules(apps, schedules: list[DefaultSchedule]) -> None:
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab_model = apps.get_model("django_celery_beat", "CrontabSchedule")
    for entry in schedules:
        if entry.crontab:
            minute, hour, day_of_month, month_of_year, day_of_week = entry.crontab.split()
            when, _ = crontab_model.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_month=day_of_month,
                month_of_year=month_of_year,
                day_of_week=day_of_week,
                timezone="UTC",
            )
            timing = {"crontab": when}
        else:
            timing = {"interval": interval_model.objects.get_or_create(every=entry.every, period=entry.period)[0]}
        task_model.objects.get_or_create(
            name=entry.name,
            defaults={
                "task": entry.task,
                "description": entry.description,
                "expire_seconds": entry.expires(),
                "enabled": True,
                **timing,
            },
        )


def schedules_operation(schedules: list[DefaultSchedule]):
    """The RunPython operation of a data migration that adds these default schedules (and removes them when
    migrated backwards)."""
    return migrations.RunPython(
        lambda apps, editor: ensure_schedules(apps, schedules), lambda apps, editor: remove_schedules(apps, schedules)
    )


def remove_schedules(apps, schedules: list[DefaultSchedule]) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[entry.name for entry in schedules]
    ).delete()


FOUNDATION_SCHEDULES = [
    DefaultSchedule(
        name="Prune old error events",
        task="core.tasks.error_events_prune_task",
        every=1,
        period="days",
        description="Deletes error events older than ERROR_EVENT_RETENTION_DAYS (30 by default).",
    ),
    DefaultSchedule(
        name="Prune old worker heartbeats",
        task="workers.tasks.heartbeats_prune_task",
        every=1,
        period="days",
        description="Forgets workers that stopped or went silent more than 7 days ago.",
    ),
]
