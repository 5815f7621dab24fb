"""Finishing an activity, in one transaction: its status and scores, its insights, the patterns they feed, the
progress of its sub-agent, the hourly rollup that metrics read, and its assignment's result.

Proficiency is measured, never incremented: an exponential moving average of the held-out scores taken after
each activity. Only measured values are kept: a type never measured has no proficiency (None, not 0), and an
activity's gain is None unless a measurement came before it and it measured again itself, so the first
activity of a type never reports its whole score as a gain. Success rate is a moving average over outcomes
(completed = 1; failed and timed out = 0; cancelled activities are the agent being interrupted, not failing,
and do not count). Time is what the activity's batches really took.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.leases import Claim, status_while_held
from core.services import error_event_record
from hobbies.analysis import KIND_TEXT, GradedAttempt, analyse, mean_by_skill
from hobbies.catalogue import NAMES
from hobbies.models import Activity, Assignment, HourlyRollup, Insight, Pattern, Progress
from memoryhub.services.graph_build import graph_update_soon

PROFICIENCY_ALPHA = 0.3  # weight of the newest held-out score
SUCCESS_ALPHA = 0.2  # the originals' EMA weight, now moved by failures too
RECENT_SCORES = 10  # the window the improvement rate is fitted on

logger = logging.getLogger(__name__)

FINISHED_AS: dict[str, str] = {  # activity status -> assignment status
    Activity.Status.COMPLETED: Assignment.Status.COMPLETED,
    Activity.Status.FAILED: Assignment.Status.FAILED,
    Activity.Status.TIMED_OUT: Assignment.Status.TIMED_OUT,
    Activity.Status.CANCELLED: Assignment.Status.CANCELLED,
}


def activity_finish(practised, assignment: Assignment | None = None, *, claim: Claim | None = None) -> Activity:
    """Write everything a run produced (hobbies.practice.Practised) at once: a crash before the commit leaves
    the activity running (and resumable), never half finished. The activity is finished by a conditional
    update, so of two runs finishing it (a redelivery) only one writes anything. claim: the run's hold on the
    assignment; when another run has taken it over since, LeaseLost is raised and nothing is written."""
    activity = practised.activity
    if practised.learned and practised.status == Activity.Status.COMPLETED:
        # Before the transaction: embedding takes a while and must not hold its locks, nor, if it fails, undo
        # a finished activity. Memories are deduplicated by content, so a finish that runs twice keeps them once.
        _keep_learned(practised.learned, activity)
    with transaction.atomic():
        attempts = []
        if activity.planned_items:
            attempts = list(activity.attempts.order_by("id"))
            activity.duration_seconds = (
                Activity.objects.filter(pk=activity.pk).values_list("duration_seconds", flat=True).get()
            )  # its batches added to it as they went
        fields = _finished_fields(activity, practised, attempts)
        if not Activity.objects.filter(pk=activity.pk, status=Activity.Status.RUNNING).update(**fields):
            return Activity.objects.get(pk=activity.pk)  # finished already: once only
        for name, value in fields.items():
            setattr(activity, name, value)
        insights = _insights(activity, attempts, practised.reflections)
        dry_run = activity.planned_items == 0 and activity.status == Activity.Status.COMPLETED
        gain = None
        if activity.subagent_id and not dry_run:
            gain, improved = _progress_update(activity, insights)
            activity.improvement_delta, activity.skills_improved = gain, improved
            Activity.objects.filter(pk=activity.pk).update(improvement_delta=gain, skills_improved=improved)
        if assignment is not None:
            _assignment_finish(assignment, activity, insights, gain, claim)
        _rollup(activity, insights)  # last: every activity finishing this hour locks this one row until commit
        if insights or not dry_run:  # a dry run that found nothing leaves the graph nothing new to read
            graph_update_soon()  # its insights, patterns and levels join the knowledge graph after the commit
    return activity


def _keep_learned(learned, activity: Activity) -> None:
    try:
        learned()
    except Exception as exc:  # recorded on the error bus; the activity stays finished
        logger.exception("keeping what activity %s learned failed", activity.activity_id)
        error_event_record(source="task", exception=exc, task_name="hobbies.learned")


def _finished_fields(activity: Activity, practised, attempts) -> dict:
    scores = [a.score for a in attempts]
    answered = sum(1 for a in attempts if a.answer.strip())
    return {
        "status": practised.status,
        "error": practised.error,
        "completed_at": timezone.now(),
        "duration_seconds": activity.duration_seconds + practised.extra_seconds,
        "item_count": len(attempts),
        "correct_count": sum(a.correct for a in attempts),
        "score": sum(scores) / len(scores) if scores else None,
        "heldout_score": practised.heldout_score,
        "engagement": answered / activity.planned_items if activity.planned_items else 0.0,
        "performance_metrics": {
            **mean_by_skill((a.skill, a.score) for a in attempts),
            **{f"heldout:{k}": v for k, v in practised.heldout_by_skill.items()},
        },
    }


def _insights(activity: Activity, attempts, reflections) -> list[Insight]:
    """Structured analysis of the grades always; the model's reflections when it gave any."""
    by_key = {str(a.pk): a for a in attempts}
    by_item = {a.item_id: a for a in attempts}
    made = []
    findings = analyse(
        [
            GradedAttempt(key=str(a.pk), skill=a.skill, expected=a.expected, answer=a.answer, correct=a.correct)
            for a in attempts
        ]
    )
    for finding in findings:
        insight = Insight.objects.create(
            activity=activity, skill=finding.skill, kind=finding.kind, text=finding.text, share=finding.share
        )
        insight.evidence.set([by_key[key] for key in finding.evidence])
        made.append(insight)
        if finding.kind != "success_rate":
            _pattern_seen(activity.hobby_type, finding.skill, finding.kind, len(finding.evidence))
    for thought in reflections:
        evidence = [by_item[item_id] for item_id in thought.evidence if item_id in by_item]
        skill_attempts = [a for a in attempts if a.skill == thought.skill] or attempts
        insight = Insight.objects.create(
            activity=activity,
            skill=thought.skill,
            kind="reflection",
            text=thought.text,
            share=len(evidence) / len(skill_attempts) if skill_attempts else 0.0,
            source=Insight.Source.REFLECTION,
        )
        insight.evidence.set(evidence)
        made.append(insight)
    return made


def _pattern_seen(hobby_type: str, skill: str, kind: str, attempts: int) -> None:
    pattern, created = Pattern.objects.get_or_create(
        hobby_type=hobby_type,
        skill=skill,
        kind=kind,
        defaults={"description": f"{skill}: answers {KIND_TEXT[kind]}", "activities": 1, "attempts": attempts},
    )
    if not created:
        Pattern.objects.filter(pk=pattern.pk).update(
            activities=F("activities") + 1, attempts=F("attempts") + attempts, last_seen=timezone.now()
        )


def slope(values: list[float]) -> float | None:
    """Least-squares slope of values against their index: points gained per activity. None under two values:
    one measurement has no trend, and 0 would claim a flat one."""
    n = len(values)
    if n < 2:
        return None
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    var = sum((x - mean_x) ** 2 for x in range(n))
    return sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / var


def _progress_update(activity: Activity, insights) -> tuple[float | None, list[str]]:
    """Fold one finished activity into its sub-agent's progress. Returns the proficiency gained (or lost), None
    unless there was a measurement before and this activity measured again, and the skills it improved."""
    assert activity.subagent_id is not None  # progress is a sub-agent's: the caller checks
    progress, _ = Progress.objects.select_for_update().get_or_create(
        subagent_id=activity.subagent_id, hobby_type=activity.hobby_type
    )
    before = progress.proficiency  # None until the first held-out score
    outcomes = progress.activities_completed + progress.activities_failed
    if activity.status in (Activity.Status.COMPLETED, Activity.Status.FAILED, Activity.Status.TIMED_OUT):
        success = 1.0 if activity.status == Activity.Status.COMPLETED else 0.0
        progress.success_rate = (
            success if outcomes == 0 else (SUCCESS_ALPHA * success + (1 - SUCCESS_ALPHA) * progress.success_rate)
        )
        if activity.status == Activity.Status.COMPLETED:
            progress.activities_completed += 1
        else:
            progress.activities_failed += 1
    else:
        progress.activities_cancelled += 1
    gain, improved = None, []
    if activity.heldout_score is not None:
        score = activity.heldout_score
        progress.proficiency = (
            score if before is None else (PROFICIENCY_ALPHA * score + (1 - PROFICIENCY_ALPHA) * before)
        )
        progress.measurements += 1
        progress.recent_scores = (progress.recent_scores + [round(score, 4)])[-RECENT_SCORES:]
        progress.improvement_rate = slope(progress.recent_scores)
        # The first score is where the sub-agent stands, not what this activity gained: no "before" to subtract.
        gain = None if before is None else progress.proficiency - before
        improved = _skills_improved(progress, activity)
    if activity.engagement is not None:
        engaged = progress.activities_completed + progress.activities_failed + progress.activities_cancelled
        progress.average_engagement += (activity.engagement - progress.average_engagement) / engaged
    progress.time_invested_seconds += activity.duration_seconds
    progress.insights_total += len(insights)
    progress.last_activity = activity.completed_at
    progress.save()
    return gain, improved


def _skills_improved(progress: Progress, activity: Activity) -> list[str]:
    """The skills whose held-out score this activity measured above the sub-agent's previous measurement of that
    skill, and that measurement kept for the next one (in `progress`, saved by the caller). The previous one may
    come from any type: suites are shared (skill practice and benchmark running both measure arithmetic), and a
    skill is the sub-agent's, whatever practised it. A skill measured for the first time is not listed."""
    measured = {
        key.removeprefix("heldout:"): round(value, 6)
        for key, value in activity.performance_metrics.items()
        if key.startswith("heldout:")
    }
    if not measured:
        return []
    assert activity.subagent_id is not None and activity.completed_at is not None  # a sub-agent's, finished
    others = Progress.objects.filter(subagent_id=activity.subagent_id).exclude(pk=progress.pk)
    previous: dict[str, tuple[datetime, float]] = {}
    for scores in [progress.skill_scores, *others.values_list("skill_scores", flat=True)]:
        for skill, seen in scores.items():
            at = datetime.fromisoformat(seen["at"])
            if skill in measured and (skill not in previous or at > previous[skill][0]):
                previous[skill] = (at, seen["score"])
    finished_at = activity.completed_at.isoformat()
    progress.skill_scores = {
        **progress.skill_scores,
        **{skill: {"score": score, "at": finished_at} for skill, score in measured.items()},
    }
    return sorted(skill for skill, score in measured.items() if skill in previous and score > previous[skill][1])


ROLLUP_UPSERT = """
INSERT INTO {table} (hour, hobby_type, activities, completed, failed, cancelled, seconds, insights)
VALUES (%s, %s, 1, %s, %s, %s, %s, %s)
ON CONFLICT (hour, hobby_type) DO UPDATE SET
    activities = {table}.activities + 1, completed = {table}.completed + excluded.completed,
    failed = {table}.failed + excluded.failed, cancelled = {table}.cancelled + excluded.cancelled,
    seconds = {table}.seconds + excluded.seconds, insights = {table}.insights + excluded.insights
"""


def _rollup(activity: Activity, insights) -> None:
    """Add the activity to its hour's row: one upsert (PostgreSQL and SQLite both speak ON CONFLICT), safe when
    two workers finish in the same hour at once."""
    status = activity.status
    assert activity.completed_at is not None  # rolled up as it finishes
    hour = activity.completed_at.replace(minute=0, second=0, microsecond=0)
    hour_value = connection.ops.adapt_datetimefield_value(hour)
    with connection.cursor() as cursor:
        cursor.execute(
            ROLLUP_UPSERT.format(table=HourlyRollup._meta.db_table),
            [
                hour_value,
                activity.hobby_type,
                int(status == Activity.Status.COMPLETED),
                int(status in (Activity.Status.FAILED, Activity.Status.TIMED_OUT)),
                int(status == Activity.Status.CANCELLED),
                activity.duration_seconds,
                len(insights),
            ],
        )


def _assignment_finish(assignment: Assignment, activity: Activity, insights, gain, claim: Claim | None) -> None:
    """The originals' result shape, with measured figures. An assignment cancelled meanwhile stays cancelled (and a
    run told to stop as it finished did not finish: its activity is cancelled too). Writing the outcome is
    conditional on the run's claim, so the check that the run still holds the assignment costs no query of its
    own; a run taken over meanwhile raises LeaseLost, which rolls its whole finish back."""
    mine = Assignment.objects.filter(pk=assignment.pk, status=Assignment.Status.RUNNING)
    if claim is not None:
        mine = mine.filter(claim=claim.token)
    outcome = _assignment_outcome(activity, insights, gain)
    finished = mine.update(
        status=FINISHED_AS[activity.status],
        completed_at=activity.completed_at,
        result=outcome,
        error=activity.error,
        lease_until=None,
    )
    if not finished:
        if claim is not None:
            status_while_held(Assignment, claim)  # raises LeaseLost: taken over, not cancelled
        if activity.status == Activity.Status.COMPLETED:  # told to stop as it finished: it did not finish
            activity.status = Activity.Status.CANCELLED
            Activity.objects.filter(pk=activity.pk).update(status=activity.status)
            outcome = _assignment_outcome(activity, insights, gain)
        # cancelled meanwhile: it stays cancelled, with what its run did
        Assignment.objects.filter(pk=assignment.pk, result__isnull=True).update(result=outcome, lease_until=None)
    assignment.status = FINISHED_AS[activity.status] if finished else Assignment.Status.CANCELLED
    assignment.result, assignment.lease_until = outcome, None


def _assignment_outcome(activity: Activity, insights, gain) -> dict:
    patterns = [
        {"pattern": i.text, "confidence": round(i.share, 3), "actionable": True}
        for i in insights
        if i.kind not in ("success_rate", "reflection")
    ]
    result = {
        "success": activity.status == Activity.Status.COMPLETED,
        "insights": [i.text for i in insights],
        "proficiency_gain": gain,
        "patterns_discovered": patterns,
        "confidence": activity.score,
        "reasoning": activity.description,
        "activity_id": activity.activity_id,
        "score": activity.score,
        "heldout_score": activity.heldout_score,
        "items": activity.item_count,
        "duration_seconds": round(activity.duration_seconds, 3),
    }
    return result


# --- reads ------------------------------------------------------------------------------------------------------
def progress_by_type() -> dict[str, dict]:
    """Per hobby type, across sub-agents: proficiency (mean over those measured; None where none was), time,
    outcomes, insights. Reads the progress rows only (a few per sub-agent), whatever the history's size."""
    rows: dict[str, list[Progress]] = {name: [] for name in NAMES}
    for progress in Progress.objects.all():
        rows[progress.hobby_type].append(progress)
    shaped = {}
    for name, found in rows.items():
        measured = [p for p in found if p.proficiency is not None]
        trending = [p for p in found if p.improvement_rate is not None]
        outcomes = sum(p.activities_completed + p.activities_failed for p in found)
        last = max((p.last_activity for p in found if p.last_activity), default=None)
        shaped[name] = {
            "proficiency": sum(p.proficiency or 0.0 for p in measured) / len(measured) if measured else None,
            "time_invested_minutes": sum(p.time_invested_seconds for p in found) / 60,
            "activities_completed": sum(p.activities_completed for p in found),
            "activities_failed": sum(p.activities_failed for p in found),
            "success_rate": (
                sum(p.success_rate * (p.activities_completed + p.activities_failed) for p in found) / outcomes
            )
            if outcomes
            else 0.0,
            "insights_total": sum(p.insights_total for p in found),
            "average_engagement": sum(p.average_engagement for p in found) / len(found) if found else 0.0,
            "improvement_rate": (sum(p.improvement_rate or 0.0 for p in trending) / len(trending))
            if trending
            else None,
            "last_activity": last.isoformat() if last else None,
        }
    return shaped
