"""Finishing an assignment is conditional on the run's claim: a run taken over meanwhile writes nothing (its whole
finish rolls back), and a run told to stop as it finished did not finish. No model runs."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from core.leases import LeaseLost
from hobbies.assignments import ASSIGNMENT_LEASE, _claim
from hobbies.models import Activity, Assignment, SubAgent
from hobbies.practice import Practised
from hobbies.proficiency import activity_finish

pytestmark = pytest.mark.django_db


def claimed_with_activity():
    agent = SubAgent.objects.create(subagent_id=f"sa-{secrets.token_hex(3)}", capabilities=["*"], machine="m1")
    assignment = Assignment.objects.create(
        assignment_id=secrets.token_hex(6), subagent=agent, hobby_type="SKILL_PRACTICE", duration_minutes=1
    )
    claim, _ = _claim(assignment.pk)
    activity = Activity.objects.create(
        activity_id=secrets.token_hex(6),
        hobby_type="SKILL_PRACTICE",
        subagent=agent,
        assignment=assignment,
        model_name="tiny",
    )
    return Assignment.objects.get(pk=assignment.pk), claim, activity


def test_a_run_taken_over_before_it_finishes_writes_nothing():
    assignment, first, activity = claimed_with_activity()
    Assignment.objects.filter(pk=assignment.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    taker, _ = _claim(assignment.pk)
    with pytest.raises(LeaseLost):
        activity_finish(Practised(activity), assignment, claim=first)
    activity.refresh_from_db()
    assignment.refresh_from_db()
    assert activity.status == Activity.Status.RUNNING  # left for the run that holds it now
    assert (assignment.status, assignment.claim, assignment.result) == ("running", taker.token, None)
    activity_finish(Practised(activity), assignment, claim=taker)
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.COMPLETED


def test_a_run_told_to_stop_as_it_finished_did_not_finish():
    assignment, claim, activity = claimed_with_activity()
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.CANCELLED)
    finished = activity_finish(Practised(activity), assignment, claim=claim)
    assignment.refresh_from_db()
    assert finished.status == Activity.Status.CANCELLED
    assert Activity.objects.get(pk=activity.pk).status == Activity.Status.CANCELLED
    assert assignment.status == Assignment.Status.CANCELLED and assignment.result["success"] is False


def test_a_run_that_still_holds_its_assignment_finishes_it_once():
    assignment, claim, activity = claimed_with_activity()
    activity_finish(Practised(activity), assignment, claim=claim)
    activity_finish(Practised(activity), assignment, claim=claim)  # a second finish changes nothing
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.COMPLETED and assignment.lease_until is None
    assert not Assignment.objects.filter(ASSIGNMENT_LEASE.expired()).exists()
