from django.db import migrations

from workers.schedules import DefaultSchedule, schedules_operation

SCHEDULES = [
    DefaultSchedule(
        name="Remove expired memory sessions",
        task="memoryhub.tasks.sessions_expire_task",
        every=1, period="hours",
        description="Deletes memory-hub sessions whose expiry has passed (the originals' hourly clean-up).",
    ),
    DefaultSchedule(
        name="Compact deleted embeddings",
        task="memoryhub.tasks.embeddings_compact_task",
        every=1, period="days",
        description="Removes embeddings deleted more than an hour ago and rebuilds their namespaces' indexes.",
    ),
    DefaultSchedule(
        name="Resume stalled embedding batches",
        task="memoryhub.tasks.ingest_batches_resume_task",
        every=1, period="minutes",
        description="Sends again bulk loads no memory worker has moved for five minutes (a worker died).",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("memoryhub", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [schedules_operation(SCHEDULES)]
