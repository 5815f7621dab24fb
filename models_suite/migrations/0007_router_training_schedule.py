from django.db import migrations

from workers.schedules import DefaultSchedule, schedules_operation

SCHEDULES = [
    DefaultSchedule(
        name="Retrain the learned router",
        task="models_suite.tasks.router_train_task",
        every=1, period="hours",
        description="Trains a new version of the learned router when graded attempts grew by a fifth since the last.",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("models_suite", "0006_routes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [schedules_operation(SCHEDULES)]
