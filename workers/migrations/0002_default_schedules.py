from django.db import migrations

from workers.schedules import FOUNDATION_SCHEDULES, ensure_schedules, remove_schedules


def forwards(apps, schema_editor):
    ensure_schedules(apps, FOUNDATION_SCHEDULES)


def backwards(apps, schema_editor):
    remove_schedules(apps, FOUNDATION_SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("workers", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
