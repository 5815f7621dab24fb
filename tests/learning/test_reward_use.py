"""The learned reward where the README says it is used: dataset building and the hobby policy give an insight
nobody rated the current reward model's score, computed in batches and kept per model version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hobbies.models import Activity, Insight
from hobbies.services import subagent_register
from learning import reward
from learning.feedback import reward_models
from learning.feedback.reward_models import insight_rewards, items_score, training_weight
from learning.loop.datasets import dataset_build, dataset_examples
from learning.loop.hobby_policy import arms_for
from learning.models import RewardModel, RewardScore
from learning.planning.hobby_bandit import activity_reward
from tests.hobbies.metrics_factories import finished
from tests.learning.test_reward_training import POLITE, RUDE

pytestmark = pytest.mark.django_db
KIND = "SKILL_PRACTICE"


@pytest.fixture(scope="module")
def manners() -> reward.RewardModel:
    """A small model that learned, from ratings, that polite findings are good and rude ones bad."""
    points = [
        (reward.Example(prompt=f"practice {i}", response=text, category=KIND), target)
        for i in range(3)
        for texts, target in ((POLITE, 1.0), (RUDE, -1.0))
        for text in texts
    ]
    model, _ = reward.train(points=points, config=reward.TrainConfig(bootstrap=2, validation_share=0.0))
    return model


@pytest.fixture
def version(manners, tmp_path):
    """Saves the model as a ready version of the default reward model; called again, the next version."""

    def make() -> RewardModel:
        number = RewardModel.objects.count() + 1
        directory = tmp_path / f"v{number}"
        manners.save(directory)
        return RewardModel.objects.create(
            name="default", version=number, source="pairs_file", status="ready", path=str(directory)
        )

    return make


@pytest.fixture
def scored(monkeypatch) -> list[int]:
    """How many items each call into the model scored (to see what is computed and what is read back)."""
    calls: list[int] = []
    original = reward.RewardModel.score

    def counting(self, examples):
        calls.append(len(examples))
        return original(self, examples)

    monkeypatch.setattr(reward.RewardModel, "score", counting)
    return calls


def unrated_insights(activity: Activity) -> tuple[Insight, Insight]:
    polite = Insight.objects.create(activity=activity, skill="addition", kind="other", share=0.5, text=POLITE[2])
    rude = Insight.objects.create(activity=activity, skill="addition", kind="other", share=0.5, text=RUDE[2])
    return polite, rude


def test_without_a_trained_model_it_is_peoples_ratings_only_and_says_so(settings, tmp_path):
    settings.DATASETS_DIR = tmp_path / "datasets"
    polite, _ = unrated_insights(finished(hobby_type=KIND))
    found = insight_rewards([polite.pk])
    assert dict(found) == {} and found.model is None and "people's ratings only" in found.note
    dataset = dataset_build(validation_share=0.0)
    assert dataset.stats["reward_model"] is None and "people's ratings only" in dataset.stats["reward_note"]


def test_an_unrated_insight_gets_the_models_reward_in_a_dataset(version, scored, settings, tmp_path):
    settings.DATASETS_DIR = tmp_path / "datasets"
    polite, rude = unrated_insights(finished(hobby_type=KIND))
    row = version()
    dataset = dataset_build(validation_share=0.0)
    learned = items_score([("insight", str(polite.pk)), ("insight", str(rude.pk))], row=row)
    good, bad = learned[("insight", str(polite.pk))][0], learned[("insight", str(rude.pk))][0]
    assert good > 0.3 > bad  # the dataset's reward threshold
    joined = [e for e in dataset_examples(dataset) if e.source == "insight"]
    assert [e.completion for e in joined] == [polite.text]
    assert joined[0].weight == training_weight(good, threshold=0.3)
    assert dataset.stats["reward_model"] == f"default v{row.version}"
    assert dataset.stats["insights_model_rewarded"] == Insight.objects.count()  # nobody rated any
    # The build scored every insight it read, in one batch, and stored the scores for this version.
    assert scored[0] == Insight.objects.count() and len(scored) == 1
    assert RewardScore.objects.filter(model=row).count() == Insight.objects.count()


def test_scores_are_kept_per_version_and_a_new_version_scores_anew(version, scored, monkeypatch):
    activity = finished(hobby_type=KIND)
    insights = [
        Insight.objects.create(
            activity=activity, skill="addition", kind="other", share=0.1, text=f"{POLITE[i % 6]} ({i})"
        )
        for i in range(7)
    ]
    pks = [insight.pk for insight in insights]
    monkeypatch.setattr(reward_models, "SCORE_BATCH", 3)
    first = version()
    once = insight_rewards(pks)
    assert scored == [3, 3, 1] and set(once) == set(pks) and once.model_only == len(pks)
    assert insight_rewards(pks) == once and scored == [3, 3, 1]  # read back, not recomputed
    second = version()
    assert insight_rewards(pks).model == f"default v{second.version}"
    assert scored == [3, 3, 1, 3, 3, 1]  # the new version scored them all itself
    assert RewardScore.objects.filter(model=first).count() == RewardScore.objects.filter(model=second).count() == 7


def test_a_rated_insight_keeps_peoples_reward_blended_by_their_confidence(version, personas):
    from learning.feedback.ratings import feedback_submit

    polite, _ = unrated_insights(finished(hobby_type=KIND))
    feedback_submit(rater=personas["rater"].user, target_type="insight", target_id=str(polite.pk), rating=1)
    row = version()
    value, confidence = insight_rewards([polite.pk])[polite.pk]
    learned = RewardScore.objects.get(model=row, target_id=str(polite.pk)).mean
    assert 0 < confidence and value == pytest.approx(confidence * -1 + (1 - confidence) * learned)


def test_the_policys_arms_use_the_models_reward_for_unrated_insights(version, scored):
    agent = subagent_register(subagent_id="agent", capabilities=["*"])[0]
    agent.__class__.objects.filter(pk=agent.pk).update(registered_at=timezone.now() - timedelta(hours=1))
    done = Activity.objects.create(
        activity_id="code-0",
        hobby_type="CODE_ANALYSIS",
        subagent=agent,
        model_name="tiny",
        status="completed",
        improvement_delta=0.05,
    )
    polite, _ = unrated_insights(done)
    Insight.objects.filter(pk=polite.pk).delete()  # one insight: its reward is the activity's insight reward
    version()
    arms = arms_for(agent, ["CODE_ANALYSIS"])
    (learned,) = RewardScore.objects.values_list("mean", flat=True)
    assert learned < 0  # the rude finding
    assert arms["CODE_ANALYSIS"].mean == pytest.approx(activity_reward(proficiency_gain=0.05, insight_reward=learned))
    arms_for(agent, ["CODE_ANALYSIS"])
    assert scored == [1]  # the second look read the stored score


def test_a_version_whose_files_are_gone_falls_back_to_peoples_ratings(version, tmp_path):
    polite, _ = unrated_insights(finished(hobby_type=KIND))
    row = version()
    RewardModel.objects.filter(pk=row.pk).update(path=str(tmp_path / "gone"))
    found = insight_rewards([polite.pk])
    assert dict(found) == {} and found.model is None and "unreadable" in found.note
