from django.db import migrations

# The types whose practice now exists and which the originals enable by default (CODE_ANALYSIS stays off).
ENABLED = ["SKILL_PRACTICE", "PATTERN_RECOGNITION", "BENCHMARK_RUNNING"]


def enable(apps, schema_editor):
    apps.get_model("hobbies", "HobbyType").objects.filter(name__in=ENABLED).update(enabled=True)


def disable(apps, schema_editor):
    apps.get_model("hobbies", "HobbyType").objects.filter(name__in=ENABLED).update(enabled=False)


class Migration(migrations.Migration):
    dependencies = [("hobbies", "0003_activities_attempts_insights_patterns")]

    operations = [migrations.RunPython(enable, disable)]
