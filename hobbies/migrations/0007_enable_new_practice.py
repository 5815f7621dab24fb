from django.db import migrations

# The types whose practice now exists (documents, tools, creative problems) and which the originals enable by
# default. RESEARCH_INTEGRATION is built too but, like CODE_ANALYSIS, off by default as in the originals.
ENABLED = ["KNOWLEDGE_EXPLORATION", "TOOL_MASTERY", "CREATIVE_PROBLEM_SOLVING"]


def enable(apps, schema_editor):
    apps.get_model("hobbies", "HobbyType").objects.filter(name__in=ENABLED).update(enabled=True)


def disable(apps, schema_editor):
    apps.get_model("hobbies", "HobbyType").objects.filter(name__in=ENABLED).update(enabled=False)


class Migration(migrations.Migration):
    dependencies = [("hobbies", "0006_assignments_progress_rollups_consensus")]

    operations = [migrations.RunPython(enable, disable)]
