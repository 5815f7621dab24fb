from django.db import migrations

from workers.schedules import DefaultSchedule, schedules_operation

SCHEDULES = [
    DefaultSchedule(
        name="Preload the most used models",
        task="models_suite.tasks.models_preload_task",
        every=60, period="seconds",
        description="Makes the three models most used in the last hour resident where they live.",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("models_suite", "0003_placement"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [schedules_operation(SCHEDULES)]
