from django.db import migrations

from workers.schedules import DefaultSchedule, schedules_operation

SCHEDULES = [
    DefaultSchedule(
        name="Nightly learning cycle",
        task="learning.tasks.learning_cycle_task",
        crontab="0 2 * * *",
        description="At 02:00 (UTC; edit the time here): measure, practise the weakest skill with replay of the "
                    "others, build a dataset, train a LoRA when there are at least 10 examples, A/B it against "
                    "the champion, promote or keep, watch. Each step is recorded on a learning cycle.",
    ),
    DefaultSchedule(
        name="Watch promoted adapters",
        task="learning.tasks.adapters_watch_task",
        every=1, period="hours",
        description="Measures champions promoted since their last watch against the baseline taken before their "
                    "promotion; a proficiency drop or a CPU, memory or latency regression rolls back to the "
                    "previous champion.",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0004_training_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [schedules_operation(SCHEDULES)]
