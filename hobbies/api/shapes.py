"""JSON shapes shared by the legacy /hobby/ routes and /api/v1/hobbies/: the originals' dicts (docs/originals.md 1.3,
1.7), each with what the product adds (status, scores, where it ran)."""

from __future__ import annotations

from hobbies.catalogue import CATALOGUE
from hobbies.models import Activity, Assignment

NOT_PATTERNS = ("success_rate", "reflection")


def iso(value):
    return value.isoformat() if value else None


def activity_shape(activity: Activity) -> dict:
    """The originals' HobbyActivity.to_dict(), measured. Needs insights prefetched (activities_recent)."""
    insights = list(activity.insights.all())
    patterns = [
        {"pattern": i.text, "confidence": round(i.share, 3), "actionable": True}
        for i in insights
        if i.kind not in NOT_PATTERNS
    ]
    duration = (activity.completed_at - activity.started_at).total_seconds() if activity.completed_at else None
    return {
        "activity_id": activity.activity_id,
        "hobby_type": activity.hobby_type,
        "started_at": iso(activity.started_at),
        "completed_at": iso(activity.completed_at),
        "success": activity.status == Activity.Status.COMPLETED,
        "description": activity.description,
        "goal": CATALOGUE[activity.hobby_type].learning_objective,
        "approach": f"answered {activity.item_count} of {activity.planned_items} {activity.split} items with "
        f"{activity.model_name}, each graded",
        # skills whose held-out score rose against the previous measurement (the originals listed the skills
        # an activity touched, improved or not)
        "insights_gained": [i.text for i in insights],
        "skills_improved": activity.skills_improved,
        "patterns_discovered": patterns,
        "performance_metrics": activity.performance_metrics,
        # how hard the items were for this model: the share of its grade it missed (the originals' field
        # was a constant 0.5)
        "difficulty_level": None if activity.score is None else round(1 - activity.score, 4),
        "engagement_score": activity.engagement or 0.0,
        # null where nothing was measured before it (or by it): never the whole score, never a made-up 0
        "improvement_delta": activity.improvement_delta,
        "duration_seconds": duration,
        "insights_count": len(insights),
        "patterns_discovered_count": len(patterns),
        # what the product adds
        "status": activity.status,
        "score": activity.score,
        "heldout_score": activity.heldout_score,
        "items": activity.item_count,
        "correct": activity.correct_count,
        "time_spent_seconds": round(activity.duration_seconds, 3),
        "model": activity.model_name,
        "subagent_id": activity.subagent.subagent_id if activity.subagent is not None else None,
        "assignment_id": activity.assignment.assignment_id if activity.assignment is not None else None,
        "error": activity.error or None,
    }


def assignment_shape(assignment: Assignment) -> dict:
    """The originals' assignment dict, plus where it ran and whether as a fallback."""
    return {
        "assignment_id": assignment.assignment_id,
        "subagent_id": assignment.subagent.subagent_id,
        "hobby_type": assignment.hobby_type,
        "duration_minutes": assignment.duration_minutes,
        "assigned_at": iso(assignment.assigned_at),
        "started_at": iso(assignment.started_at),
        "completed_at": iso(assignment.completed_at),
        "status": assignment.status,
        "result": assignment.result,
        "error": assignment.error or None,
        "machine": assignment.machine,
        "fallback": assignment.fallback,
        "origin": assignment.origin,
    }
