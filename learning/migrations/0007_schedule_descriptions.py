"""The default schedules' descriptions say what the tasks now do. A description an operator edited stays theirs:
only a row still holding the old default text is rewritten."""

from django.db import migrations

OLD_TO_NEW = {
    "Nightly learning cycle": (
        "At 02:00 (UTC; edit the time here): measure, practise the weakest skill with replay of the "
        "others, build a dataset, train a LoRA when there are at least 10 examples, A/B it against "
        "the champion, promote or keep, watch. Each step is recorded on a learning cycle.",
        "At 02:00 (UTC; edit the time here): measure the champion, choose the skill by expected gain (a Thompson "
        "bandit over each skill's measured gains per cycle), practise it with replay weighted to the skills at "
        "risk, continue training from the champion's adapter, A/B the challenger against the champion, promote "
        "or keep, then watch on fresh held-out items. Each step is recorded on a learning cycle.",
    ),
    "Watch promoted adapters": (
        "Measures champions promoted since their last watch against the baseline taken before their "
        "promotion; a proficiency drop or a CPU, memory or latency regression rolls back to the "
        "previous champion.",
        "Measures champions promoted since their last watch against the previous champion: fresh held-out "
        "items the A/B did not use, and the latency and error rate of real gateway requests served by each. "
        "A regression by the A/B's own rule rolls back to the previous champion.",
    ),
}


def rewrite(apps, editor, forward=True):
    periodic_task = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (old, new) in OLD_TO_NEW.items():
        was, becomes = (old, new) if forward else (new, old)
        periodic_task.objects.filter(name=name, description=was).update(description=becomes)


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0006_continual_learning"),
    ]

    operations = [migrations.RunPython(rewrite, lambda apps, editor: rewrite(apps, editor, forward=False))]
