from django.db import migrations

from workers.schedules import DefaultSchedule, ensure_schedules, remove_schedules

SCHEDULES = [
    DefaultSchedule(
        name="Preload the most used models",
        task="models_suite.tasks.models_preload_task",
        every=60, period="seconds",
        description="Makes the three models most used in the last hour resident where they live.",
    ),
]


def forwards(apps, schema_editor):
    ensure_schedules(apps, SCHEDULES)


def backwards(apps, schema_editor):
    remove_schedules(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("models_suite", "0003_placement"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
