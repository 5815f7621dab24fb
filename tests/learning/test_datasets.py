"""LoRA training datasets from what the hobby engine graded: train-split items only (proved against every
held-out prompt), right answers and reference answers, well-rewarded insights, versions sealed by sha256."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from hobbies.models import Activity, Attempt, Insight
from learning.feedback.ratings import feedback_submit
from learning.loop.datasets import DatasetError, dataset_build, dataset_examples, dataset_export_lines, heldout_prompts
from learning.models import TrainingDataset
from models_suite.evaluation.suites import get_suite
from tests.hobbies.metrics_factories import finished, started

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _datasets_dir(settings, tmp_path):
    settings.DATASETS_DIR = tmp_path / "datasets"


def practised(items, *, split: str = "train", correct_every: int = 2) -> Activity:
    """A completed activity that answered these suite items (every `correct_every`-th one right)."""
    activity = started(hobby_type="SKILL_PRACTICE")
    for index, item in enumerate(items):
        right = index % correct_every == 0
        Attempt.objects.create(
            activity=activity,
            item_id=item.id,
            skill=item.skill,
            prompt=item.prompt,
            expected=item.answer,
            answer=item.answer if right else item.answer + "1",
            correct=right,
            score=float(right),
        )
    Activity.objects.filter(pk=activity.pk).update(
        status="completed", split=split, score=0.5, completed_at=activity.started_at
    )
    return activity


def test_no_heldout_item_can_enter_a_training_set():
    suite = get_suite("arithmetic")
    train_items, heldout_items = suite.items("train", limit=300), suite.items("heldout")
    rng = random.Random(3)
    for _ in range(6):  # practice that (wrongly or not) mixed both splits
        practised(rng.sample(train_items, 20) + rng.sample(heldout_items, 5))
    practised(rng.sample(heldout_items, 10), split="heldout")  # a benchmark run: held out as a whole
    # A held-out item whose row claims the train split (a bug, or a hand edit): its prompt still gives it away.
    sneaky = heldout_items[7]
    activity = started(hobby_type="SKILL_PRACTICE")
    Attempt.objects.create(
        activity=activity,
        item_id="arithmetic/train/99999",
        skill=sneaky.skill,
        prompt=sneaky.prompt,
        expected=sneaky.answer,
        answer=sneaky.answer,
        correct=True,
        score=1,
    )
    Activity.objects.filter(pk=activity.pk).update(status="completed", completed_at=activity.started_at)

    dataset = dataset_build(validation_share=0.2)
    examples = dataset_examples(dataset, "train") + dataset_examples(dataset, "validation")
    assert examples and not {e.prompt for e in examples} & heldout_prompts()
    assert not {e.prompt for e in examples} & {item.prompt for item in heldout_items}
    assert all("/train/" in e.item_id for e in examples)
    assert dataset.stats["heldout_refused"] == 6 * 5 + 1


def test_right_answers_teach_themselves_and_wrong_ones_the_reference():
    items = get_suite("arithmetic").items("train", limit=4)
    practised(items)
    dataset = dataset_build(validation_share=0.0)
    taught = {e.prompt: (e.completion, e.source) for e in dataset_examples(dataset)}
    assert taught == {
        items[0].prompt: (items[0].answer, "attempt"),
        items[1].prompt: (items[1].answer, "reference"),
        items[2].prompt: (items[2].answer, "attempt"),
        items[3].prompt: (items[3].answer, "reference"),
    }
    assert dataset.stats["by_source"] == {"attempt": 2, "reference": 2}


def test_only_insights_people_rewarded_join_weighted_by_their_reward(personas):
    activity = finished(hobby_type="SKILL_PRACTICE")
    good = Insight.objects.create(
        activity=activity,
        skill="addition",
        kind="other",
        share=0.5,
        text="Carries are dropped when the units overflow; check the tens digit first.",
    )
    bad = Insight.objects.create(
        activity=activity,
        skill="addition",
        kind="other",
        share=0.5,
        text="The model is sometimes wrong about additions, which is a problem overall.",
    )
    for name in ("rater", "other_rater"):
        feedback_submit(
            rater=personas[name].user, target_type="insight", target_id=str(good.pk), rating=5, helpful=True
        )
        feedback_submit(rater=personas[name].user, target_type="insight", target_id=str(bad.pk), rating=1)
    dataset = dataset_build(validation_share=0.0)
    insights = [e for e in dataset_examples(dataset) if e.source == "insight"]
    assert [e.completion for e in insights] == [good.text]
    assert 1.0 < insights[0].weight <= 1.5 and "addition" in insights[0].prompt
    assert dataset.stats["insights_low_reward"] == activity.insights.count() - 1  # the bad one and the unrated


def test_versions_files_seal_and_exports():
    practised(get_suite("sorting").items("train", limit=30))
    first, second = dataset_build(seed=1), dataset_build(seed=2)
    assert (first.version, second.version) == (1, 2)
    assert first.train_count + first.validation_count == 30 and first.validation_count == 3
    directory = Path(first.path)
    assert sorted(p.name for p in directory.iterdir()) == ["dataset.json", "train.jsonl", "validation.jsonl"]
    assert json.loads((directory / "dataset.json").read_text())["sha256"] == first.sha256

    alpaca = [json.loads(line) for line in dataset_export_lines(first, kind="alpaca")]
    assert len(alpaca) == first.train_count and set(alpaca[0]) == {"instruction", "input", "output"}
    sharegpt = [json.loads(line) for line in dataset_export_lines(first, kind="sharegpt", part="validation")]
    assert len(sharegpt) == 3 and [turn["from"] for turn in sharegpt[0]["conversations"]] == ["human", "gpt"]

    with open(directory / "train.jsonl", "a") as train:  # tampering is caught by every reader
        train.write(json.dumps({"prompt": "Q:14+88=", "completion": "102", "skill": "x", "source": "attempt"}) + "\n")
    with pytest.raises(DatasetError, match="sha256"):
        dataset_examples(first)
    with pytest.raises(DatasetError, match="Unknown format"):
        list(dataset_export_lines(second, kind="csv"))


def test_a_focus_skill_brings_replay_of_the_others():
    arithmetic = get_suite("arithmetic").items("train", limit=200)
    practised(
        [item for item in arithmetic if item.skill == "subtraction-2-digit"][:40]
        + get_suite("sorting").items("train", limit=40),
        correct_every=1,
    )
    dataset = dataset_build(skill="subtraction-2-digit", replay_share=0.2, validation_share=0.0)
    by_skill = dataset.stats["by_skill"]
    assert by_skill == {"sort-digits": 10, "subtraction-2-digit": 40}


def test_a_failed_build_leaves_nothing(monkeypatch, settings):
    practised(get_suite("sorting").items("train", limit=5))
    monkeypatch.setattr(
        "learning.loop.datasets.TrainingDataset.objects.create",
        lambda **kwargs: (_ for _ in ()).throw(RuntimeError("disk full")),
    )
    with pytest.raises(RuntimeError):
        dataset_build()
    assert not TrainingDataset.objects.exists()
    assert list(Path(settings.DATASETS_DIR).iterdir()) == []
    with pytest.raises(DatasetError, match="days_back"):
        dataset_build(days_back=0)
