from django.db import migrations

from workers.schedules import FOUNDATION_SCHEDULES, schedules_operation


class Migration(migrations.Migration):
    dependencies = [
        ("workers", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [schedules_operation(FOUNDATION_SCHEDULES)]
