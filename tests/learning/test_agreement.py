"""Krippendorff's alpha (ordinal) between raters, overall and per pair, from stored ratings."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from learning.feedback.agreement import agreement_report, alpha
from learning.feedback.ratings import feedback_submit
from tests.hobbies.metrics_factories import finished

pytestmark = pytest.mark.django_db


def test_alpha_is_one_for_agreement_and_below_zero_for_opposition():
    assert alpha([{1: 5, 2: 5}, {1: 1, 2: 1}, {1: 3, 2: 3}]) == 1.0
    assert alpha([{1: 5, 2: 1}, {1: 1, 2: 5}, {1: 4, 2: 2}]) < 0


def test_alpha_is_undefined_without_anything_to_compare():
    assert alpha([]) is None
    assert alpha([{1: 4}, {1: 2}]) is None  # one rater per item
    assert alpha([{1: 4, 2: 4}, {1: 4, 2: 4}]) is None  # no variation at all


def test_alpha_matches_the_reference_estimator_on_a_sparse_table():
    table = [{1: 1, 2: 2}, {1: 2, 2: 2, 3: 3}, {2: 4, 3: 5}, {1: 5, 3: 5}, {1: 3, 2: 1}]
    matrix = np.array([[1, 2, np.nan, 5, 3], [2, 2, 4, np.nan, 1], [np.nan, 3, 5, 5, np.nan]])
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5])
    assert alpha(table) == pytest.approx(expected, abs=1e-4)
    assert 0 < alpha(table) < 1


def test_the_report_gives_each_pair_of_raters_and_the_overlap(personas, settings):
    settings.FEEDBACK_OVERLAP = 2
    activities = [finished(hobby_type="SKILL_PRACTICE") for _ in range(4)]
    ids = [a.activity_id for a in activities]
    ratings = {"rater": [5, 4, 1, 2], "other_rater": [5, 4, 2, 1], "operator": [1, None, 5, None]}
    for name, values in ratings.items():
        for ident, value in zip(ids, values):
            if value is not None:
                feedback_submit(rater=personas[name].user, target_type="activity", target_id=ident, rating=value)
    report = agreement_report()
    assert report["raters"] == 3 and report["rated_items"] == 4 and report["items_at_overlap"] == 4
    pairs = {tuple(p["raters"]): p for p in report["pairs"]}
    assert pairs[("other_rater", "rater")]["items"] == 4
    assert pairs[("other_rater", "rater")]["alpha"] > 0.7
    assert pairs[("operator", "rater")]["alpha"] < 0
    api = personas["operator"].client().get("/api/v1/feedback/agreement").json()
    assert api["alpha"] == report["alpha"] and len(api["pairs"]) == 3


def test_admin_shows_the_agreement(personas, client):
    from core.services import role_user_ensure

    role_user_ensure(username="boss", role="operator", password="a-long-test-password-1")
    client.login(username="boss", password="a-long-test-password-1")
    activity = finished(hobby_type="SKILL_PRACTICE")
    for name, value in (("rater", 4), ("other_rater", 2)):
        feedback_submit(rater=personas[name].user, target_type="activity", target_id=activity.activity_id, rating=value)
    page = client.get("/admin/learning/feedback/")
    assert page.status_code == 200
    assert b"Krippendorff" in page.content and b"other_rater &amp; rater" in page.content
