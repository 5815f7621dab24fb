from django.db import migrations

from workers.schedules import DefaultSchedule, schedules_operation

SCHEDULES = [
    DefaultSchedule(
        name="Hobby scheduler tick",
        task="hobbies.tasks.scheduler_tick_task",
        every=1, period="minutes",
        description="Starts a hobby on each idle sub-agent with nothing running, once per interval_minutes of "
                    "the hobby configuration (the tick itself checks the interval, so editing it there is enough).",
    ),
    DefaultSchedule(
        name="Resume stalled hobby assignments",
        task="hobbies.tasks.assignments_resume_task",
        every=1, period="minutes",
        description="Sends again running assignments whose lease expired (their worker died); they resume "
                    "where they stopped.",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("hobbies", "0007_enable_new_practice"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [schedules_operation(SCHEDULES)]
