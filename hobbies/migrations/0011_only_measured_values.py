"""Only measured values (issue 14, item 6): a type never measured has no proficiency (null, not 0), a trend
needs two measurements, an activity's gain is null unless a measurement came before it, and skills_improved
lists the skills whose held-out score rose against the sub-agent's previous measurement of that skill.

The history is replayed once, oldest first per sub-agent, so that existing installs stop feeding the reward
policy first activities' whole scores as gains, and old activities list what they really improved."""

from django.db import migrations, models

BATCH = 1000


def _heldout(metrics: dict) -> dict[str, float]:
    return {key.removeprefix("heldout:"): round(value, 6) for key, value in metrics.items()
            if key.startswith("heldout:")}


def only_measured(apps, schema_editor):
    Activity = apps.get_model("hobbies", "Activity")
    Assignment = apps.get_model("hobbies", "Assignment")
    Progress = apps.get_model("hobbies", "Progress")
    Progress.objects.filter(measurements=0).update(proficiency=None)
    Progress.objects.filter(measurements__lt=2).update(improvement_rate=None)

    measured_types: set[tuple[int, str]] = set()  # (sub-agent, type) measured so far
    last: dict[tuple[int, str], float] = {}  # (sub-agent, skill): the last held-out score
    skill_scores: dict[tuple[int, str], dict] = {}  # (sub-agent, type): Progress.skill_scores
    changed, gains_unknown = [], []
    rows = (Activity.objects.filter(subagent__isnull=False, completed_at__isnull=False)
            .order_by("subagent_id", "completed_at", "pk")
            .only("pk", "subagent_id", "hobby_type", "heldout_score", "improvement_delta", "performance_metrics",
                  "completed_at", "assignment_id"))
    for activity in rows.iterator(chunk_size=BATCH):
        agent, key = activity.subagent_id, (activity.subagent_id, activity.hobby_type)
        measured = _heldout(activity.performance_metrics or {})
        improved = sorted(skill for skill, score in measured.items()
                          if (agent, skill) in last and score > last[(agent, skill)])
        for skill, score in measured.items():
            last[(agent, skill)] = score
            skill_scores.setdefault(key, {})[skill] = {"score": score, "at": activity.completed_at.isoformat()}
        delta = activity.improvement_delta
        if activity.heldout_score is None or key not in measured_types:
            delta = None  # nothing measured by it, or nothing before it: its gain is unknown
        if activity.heldout_score is not None:
            measured_types.add(key)
        if delta != activity.improvement_delta or improved:
            if delta is None and activity.improvement_delta is not None and activity.assignment_id:
                gains_unknown.append(activity.assignment_id)
            activity.improvement_delta, activity.skills_improved = delta, improved
            changed.append(activity)
        if len(changed) >= BATCH:
            Activity.objects.bulk_update(changed, ["improvement_delta", "skills_improved"])
            changed = []
    Activity.objects.bulk_update(changed, ["improvement_delta", "skills_improved"])
    for start in range(0, len(gains_unknown), BATCH):
        for assignment in Assignment.objects.filter(pk__in=gains_unknown[start:start + BATCH]):
            if isinstance(assignment.result, dict) and "proficiency_gain" in assignment.result:
                assignment.result["proficiency_gain"] = None
                assignment.save(update_fields=["result"])
    for (agent, hobby_type), scores in skill_scores.items():
        Progress.objects.filter(subagent_id=agent, hobby_type=hobby_type).update(skill_scores=scores)


def zeros_again(apps, schema_editor):
    """Back to the columns that were not null: an unmeasured proficiency and trend read 0 again."""
    Progress = apps.get_model("hobbies", "Progress")
    Progress.objects.filter(proficiency__isnull=True).update(proficiency=0.0)
    Progress.objects.filter(improvement_rate__isnull=True).update(improvement_rate=0.0)


class Migration(migrations.Migration):

    dependencies = [
        ('hobbies', '0010_hobbyconfig_selection_policy'),
    ]

    operations = [
        migrations.AddField(
            model_name='activity',
            name='skills_improved',
            field=models.JSONField(blank=True, default=list, help_text="Skills whose held-out score rose against the sub-agent's previous measurement of that skill"),
        ),
        migrations.AddField(
            model_name='progress',
            name='skill_scores',
            field=models.JSONField(blank=True, default=dict, help_text='The last held-out score of each skill: {skill: {score, at}}'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='improvement_delta',
            field=models.FloatField(blank=True, help_text="The sub-agent's proficiency change this activity measured; empty where nothing was measured before or after it", null=True),
        ),
        migrations.AlterField(
            model_name='progress',
            name='improvement_rate',
            field=models.FloatField(blank=True, help_text='Held-out points gained per activity, recent trend; empty before two measurements', null=True),
        ),
        migrations.AlterField(
            model_name='progress',
            name='proficiency',
            field=models.FloatField(blank=True, help_text='Empty: never measured', null=True),
        ),
        migrations.RunPython(only_measured, zeros_again),
    ]
