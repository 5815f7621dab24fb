from django.db import migrations

from workers.schedules import DefaultSchedule, schedules_operation

SCHEDULES = [
    DefaultSchedule(
        name="Resume stalled training jobs",
        task="learning.tasks.training_jobs_resume_task",
        every=1, period="minutes",
        description="Sends again training jobs whose lease expired (their worker died) or whose message was lost; "
                    "they resume from their last checkpoint.",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0003_learning_loop"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [schedules_operation(SCHEDULES)]
