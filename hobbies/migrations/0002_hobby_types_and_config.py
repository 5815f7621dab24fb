from django.db import migrations


def create(apps, schema_editor):
    """The originals' eight types, all off until their practice exists, and the configuration row."""
    from hobbies.catalogue import CATALOGUE

    hobby_type = apps.get_model("hobbies", "HobbyType")
    for spec in CATALOGUE.values():
        hobby_type.objects.get_or_create(name=spec.name, defaults={
            "description": spec.description, "learning_objective": spec.learning_objective,
            "suites": list(spec.suites), "enabled": False})
    apps.get_model("hobbies", "HobbyConfig").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("hobbies", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
