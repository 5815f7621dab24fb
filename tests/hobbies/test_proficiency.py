"""Only measured values (issue 14): a gain needs a measurement before it, a type never measured has no
proficiency (null, not 0) wherever it is shown, and skills_improved lists the skills whose held-out score rose
against the sub-agent's previous measurement. Activities are finished through the real finishing path; no model
runs, so these are fast."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from hobbies import metrics
from hobbies.catalogue import NAMES
from hobbies.models import Activity, Assignment, Progress
from hobbies.proficiency import PROFICIENCY_ALPHA, progress_by_type
from tests.hobbies.metrics_factories import finished, subagent
from tests.hobbies.test_metrics import samples

pytestmark = pytest.mark.django_db

SHOWN_EMPTY = '<div class="readonly">not measured</div>'  # a read-only field on a row's admin page


def running_assignment(agent, hobby_type: str) -> Assignment:
    return Assignment.objects.create(
        assignment_id=f"as-{Assignment.objects.count()}",
        subagent=agent,
        hobby_type=hobby_type,
        duration_minutes=5,
        status="running",
    )


def test_the_first_activity_of_a_type_reports_no_gain_and_the_next_its_measured_one():
    agent = subagent()
    first = finished(
        hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.6, assignment=running_assignment(agent, "SKILL_PRACTICE")
    )
    # Where it stands is not what it gained: its whole score as a gain is what the bug reported.
    assert first.improvement_delta is None
    assert Activity.objects.get(pk=first.pk).improvement_delta is None
    assert first.assignment.result["proficiency_gain"] is None
    assert Progress.objects.get(subagent=agent).proficiency == pytest.approx(0.6)

    second = finished(
        hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.8, assignment=running_assignment(agent, "SKILL_PRACTICE")
    )
    assert second.improvement_delta == pytest.approx(PROFICIENCY_ALPHA * (0.8 - 0.6))  # after minus before
    assert second.assignment.result["proficiency_gain"] == pytest.approx(second.improvement_delta)

    # Another type's first activity starts from nothing too, whatever this sub-agent measured elsewhere.
    assert finished(hobby_type="CODE_ANALYSIS", agent=agent, heldout=0.9).improvement_delta is None


def test_an_activity_that_measured_nothing_reports_no_gain_not_zero():
    agent = subagent()
    finished(hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.5)
    failed = finished(
        hobby_type="SKILL_PRACTICE",
        agent=agent,
        status="failed",
        assignment=running_assignment(agent, "SKILL_PRACTICE"),
    )
    assert failed.improvement_delta is None and failed.assignment.result["proficiency_gain"] is None
    progress = Progress.objects.get(subagent=agent)
    assert progress.proficiency == pytest.approx(0.5) and progress.measurements == 1
    assert progress.improvement_rate is None  # one score is no trend


def test_a_type_never_measured_shows_null_everywhere_never_zero(personas):
    """BENCHMARK_RUNNING only failed, so it has a progress row whose proficiency was never measured: the trap the
    old default of 0 fell into. KNOWLEDGE_EXPLORATION never ran at all."""
    agent = subagent()
    finished(hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.4)
    finished(hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.6)
    finished(hobby_type="BENCHMARK_RUNNING", agent=agent, status="failed")
    unmeasured = ("BENCHMARK_RUNNING", "KNOWLEDGE_EXPLORATION")

    by_type = progress_by_type()
    assert by_type["SKILL_PRACTICE"]["proficiency"] == pytest.approx(0.7 * 0.4 + 0.3 * 0.6)
    assert by_type["SKILL_PRACTICE"]["improvement_rate"] == pytest.approx(0.2)
    assert all(
        by_type[name]["proficiency"] is None and by_type[name]["improvement_rate"] is None for name in unmeasured
    )

    viewer = personas["viewer"].client()
    for route in ("/hobby/progress", "/hobby/status"):
        body = viewer.get(route).json()
        hobbies = (body["progress"] if route == "/hobby/status" else body)["hobbies"]
        assert all(hobbies[name]["proficiency"] is None for name in unmeasured), route
        assert hobbies["SKILL_PRACTICE"]["proficiency"] == pytest.approx(0.46)
    summary = viewer.get("/hobby/metrics/summary").json()
    for name in unmeasured:
        assert summary["trends"][name.lower()]["current_proficiency"] is None
        assert summary["trends"][name.lower()]["improvement_rate"] is None
    radar = viewer.get("/hobby/dashboard").json()["proficiency_radar"]
    assert [radar["values"][NAMES.index(name)] for name in unmeasured] == [None, None]
    rows = viewer.get("/api/v1/hobbies/progress").json()["progress"]
    benchmark = next(row for row in rows if row["hobby_type"] == "BENCHMARK_RUNNING")
    assert benchmark["proficiency"] is None and benchmark["improvement_rate"] is None
    found = samples(metrics.prometheus_text(use_cache=False).decode())
    assert ("hobby_proficiency", (("type", "skill_practice"),)) in found
    assert not any(("hobby_proficiency", (("type", name.lower()),)) in found for name in unmeasured)


def test_admin_says_not_measured_where_nothing_was(client, personas):
    agent = subagent()
    failed = finished(hobby_type="BENCHMARK_RUNNING", agent=agent, status="failed")
    client.force_login(personas["operator"].user)
    listing = client.get("/admin/hobbies/progress/").content.decode()
    assert "not measured" in listing
    row = Progress.objects.get(subagent=agent)
    page = client.get(f"/admin/hobbies/progress/{row.pk}/change/")
    assert page.status_code == 200 and page.content.decode().count(SHOWN_EMPTY) == 2  # proficiency, trend
    activity = client.get(f"/admin/hobbies/activity/{failed.pk}/change/")
    assert activity.status_code == 200 and activity.content.decode().count(SHOWN_EMPTY) == 2  # score, gain
    assert str(row).endswith("BENCHMARK_RUNNING: not measured")


def test_skills_improved_lists_only_skills_that_rose_against_a_previous_measurement(personas):
    agent, other = subagent("sa-1"), subagent("sa-2")
    first = finished(
        hobby_type="SKILL_PRACTICE",
        agent=agent,
        heldout=0.5,
        heldout_by_skill={"addition": 0.4, "subtraction": 0.6, "sorting": 0.5},
    )
    assert first.skills_improved == []  # nothing measured before: nothing to improve on
    # Another sub-agent's scores are not this one's history.
    finished(hobby_type="SKILL_PRACTICE", agent=other, heldout=0.1, heldout_by_skill={"reversal": 0.1})
    second = finished(
        hobby_type="SKILL_PRACTICE",
        agent=agent,
        heldout=0.55,
        heldout_by_skill={"addition": 0.7, "subtraction": 0.3, "sorting": 0.5, "reversal": 0.9},
    )
    # addition rose; subtraction fell; sorting held; reversal is this sub-agent's first measurement of it.
    assert second.skills_improved == ["addition"]
    # A skill's previous measurement may come from another type: benchmark running measures addition too.
    third = finished(
        hobby_type="BENCHMARK_RUNNING",
        agent=agent,
        heldout=0.6,
        heldout_by_skill={"addition": 0.75, "subtraction": 0.2},
    )
    assert third.skills_improved == ["addition"]
    fourth = finished(
        hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.6, heldout_by_skill={"addition": 0.72, "subtraction": 0.25}
    )
    assert fourth.skills_improved == ["subtraction"]  # against 0.75 and 0.2, the latest, from the benchmark

    shown = {a["activity_id"]: a for a in personas["viewer"].client().get("/hobby/activities?count=20").json()}
    assert shown[second.activity_id]["skills_improved"] == ["addition"]
    assert shown[first.activity_id]["skills_improved"] == []
    detail = personas["viewer"].client().get(f"/api/v1/hobbies/activities/{fourth.activity_id}").json()
    assert detail["skills_improved"] == ["subtraction"]


def test_the_migration_replays_the_history_into_measured_values():
    """What an install finished before this change holds: first activities with their whole score as the gain, a
    0 gain where nothing was measured, and every skill an activity touched as improved."""
    agent = subagent()
    assignment = running_assignment(agent, "SKILL_PRACTICE")
    first = finished(
        hobby_type="SKILL_PRACTICE",
        agent=agent,
        heldout=0.5,
        assignment=assignment,
        heldout_by_skill={"addition": 0.4, "subtraction": 0.6},
    )
    failed = finished(hobby_type="SKILL_PRACTICE", agent=agent, status="failed")
    second = finished(
        hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.7, heldout_by_skill={"addition": 0.8, "subtraction": 0.5}
    )
    never = Progress.objects.create(subagent=subagent("sa-2"), hobby_type="TOOL_MASTERY", measurements=0)
    Activity.objects.filter(pk=first.pk).update(improvement_delta=0.5, skills_improved=["addition", "subtraction"])
    Activity.objects.filter(pk=failed.pk).update(improvement_delta=0.0)
    Activity.objects.filter(pk=second.pk).update(skills_improved=[])
    Assignment.objects.filter(pk=assignment.pk).update(result={**assignment.result, "proficiency_gain": 0.5})
    Progress.objects.filter(pk=never.pk).update(proficiency=0.0, improvement_rate=0.0)
    Progress.objects.filter(subagent=agent).update(skill_scores={})

    importlib.import_module("hobbies.migrations.0011_only_measured_values").only_measured(apps, None)

    first, failed, second = (Activity.objects.get(pk=a.pk) for a in (first, failed, second))
    assert first.improvement_delta is None and first.skills_improved == []
    assert failed.improvement_delta is None
    assert second.improvement_delta == pytest.approx(PROFICIENCY_ALPHA * (0.7 - 0.5))  # measured: kept
    assert second.skills_improved == ["addition"]
    assert Assignment.objects.get(pk=assignment.pk).result["proficiency_gain"] is None
    never.refresh_from_db()
    assert never.proficiency is None and never.improvement_rate is None
    scores = Progress.objects.get(subagent=agent).skill_scores
    assert {skill: seen["score"] for skill, seen in scores.items()} == {"addition": 0.8, "subtraction": 0.5}
    # What the replay kept is what the next activity compares against.
    third = finished(
        hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.7, heldout_by_skill={"addition": 0.7, "subtraction": 0.55}
    )
    assert third.skills_improved == ["subtraction"]
