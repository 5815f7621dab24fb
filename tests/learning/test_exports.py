"""Exports in TRL's dataset formats, from people's rewards (and the learned model's where they gave none)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from hobbies.models import Insight
from learning.feedback.exports import export_rows
from learning.feedback.ratings import feedback_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(personas, activity):
    good = Insight.objects.create(
        activity=activity,
        skill="addition",
        kind="off_by_small",
        share=0.5,
        text="carries are dropped when the tens digit changes",
    )
    bad = Insight.objects.create(activity=activity, skill="addition", kind="other", share=0.5, text="it was wrong")
    meh = Insight.objects.create(activity=activity, skill="addition", kind="other", share=0.5, text="some errors")
    for insight, rating in ((good, 5), (bad, 1), (meh, 3)):
        feedback_submit(rater=personas["rater"].user, target_type="insight", target_id=str(insight.pk), rating=rating)
    return good, bad, meh


def test_sft_keeps_only_high_reward_insights(rated):
    good, _, _ = rated
    rows = list(export_rows("sft"))
    assert [r["completion"] for r in rows] == [good.text]
    assert set(rows[0]) == {"prompt", "completion"} and "addition" in rows[0]["prompt"]


def test_preferences_pair_insights_of_one_activity_by_reward(rated):
    good, bad, meh = rated
    pairs = {(r["chosen"], r["rejected"]) for r in export_rows("preferences")}
    assert pairs == {(good.text, bad.text), (good.text, meh.text), (meh.text, bad.text)}


def test_kto_labels_what_people_judged_clearly(rated):
    good, bad, _ = rated
    labels = {r["completion"]: r["label"] for r in export_rows("kto")}
    assert labels == {good.text: True, bad.text: False}  # a 3 is neither


def test_the_api_and_the_command_write_json_lines(personas, rated, tmp_path):
    response = personas["operator"].client().get("/api/v1/feedback/exports/preferences")
    assert response.status_code == 200 and response["Content-Type"] == "application/jsonl"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 3 and all(set(json.loads(line)) == {"prompt", "chosen", "rejected"} for line in lines)
    assert personas["operator"].client().get("/api/v1/feedback/exports/csv").status_code == 404
    out = tmp_path / "kto.jsonl"
    call_command("feedback_export", "--format", "kto", "--out", str(out))
    assert len(out.read_text().splitlines()) == 2
