"""The learned reward model, Django side: the reward_train / reward_eval commands a script relies on, versions
with their held-out metrics, training from people's feedback by a real worker on the training queue, and the
rating queue ordered by the model's uncertainty."""

from __future__ import annotations

import gzip
import json

import pytest
from django.core.management import CommandError, call_command

from hobbies.models import Insight
from learning.feedback.ratings import feedback_submit
from learning.models import RewardModel
from tests.hobbies.metrics_factories import finished
from tests.workers.processes import wait_for

POLITE = [
    "Sure, here is a clear answer with the steps you asked for.",
    "Happy to help: the result is 42.",
    "Good question. The tens digit carries over, so the sum is 71.",
    "Here is a short, accurate summary.",
    "Thanks for asking; the sorted list is 1, 2, 3.",
    "Certainly. Uppercased, it reads HELLO WORLD.",
]
RUDE = [
    "Figure it out yourself.",
    "Whatever, I don't care.",
    "That is a stupid question.",
    "No. Go away.",
    "Ugh, not this again.",
    "I won't bother answering that.",
]


@pytest.fixture(autouse=True)
def _models_dir(settings, tmp_path):
    settings.REWARD_MODELS_DIR = tmp_path / "reward_models"


def pairs_file(path, count: int = 36):
    with gzip.open(path, "wt") as out:
        for i in range(count):
            question = f"\n\nHuman: question number {i}?\n\nAssistant:"
            out.write(
                json.dumps({"chosen": f"{question} {POLITE[i % 6]}", "rejected": f"{question} {RUDE[(i * 5) % 6]}"})
                + "\n"
            )
    return path


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.django_db
def test_reward_train_and_eval_print_what_scripts_read(tmp_path, capsys):
    data = pairs_file(tmp_path / "pairs.jsonl.gz")
    call_command("reward_train", "--pairs", str(data), "--name", "manners")
    trained = last_json(capsys)
    assert trained["name"] == "manners" and trained["version"] == 1
    assert trained["validation_pairs"] > 0 and trained["validation_accuracy"] >= 0.75
    # The knobs were chosen by cross-validation on the file (what the benchmark nests) and trained with.
    assert "cross-validation on the 36" in trained["selection"]["chosen_by"]
    assert trained["config"]["lexical_share"] == trained["selection"]["knobs"]["lexical_share"]
    row = RewardModel.objects.get(name="manners")
    assert row.status == "ready" and row.metrics["validation_accuracy"] == trained["validation_accuracy"]

    call_command("reward_eval", "--pairs", str(data), "--name", "manners")
    assert last_json(capsys) == {"pairs": 36, "accuracy": pytest.approx(1.0, abs=0.1)}

    call_command("reward_train", "--pairs", str(data), "--name", "manners", "--no-select")
    again = last_json(capsys)
    assert again["version"] == 2 and again["selection"] == {"chosen_by": "given"}  # a new version; the first stays


@pytest.mark.django_db
def test_bad_files_and_unknown_models_fail_clearly_leaving_nothing(tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps({"chosen": "a", "rejected": "b"}) + "\n{not json\n")
    with pytest.raises(CommandError, match="line 2"):
        call_command("reward_train", "--pairs", str(broken))
    with pytest.raises(CommandError):
        call_command("reward_train", "--pairs", str(tmp_path / "missing.jsonl.gz"))
    assert not RewardModel.objects.exists()
    with pytest.raises(CommandError, match="No trained reward model named 'nobody'"):
        call_command("reward_eval", "--pairs", str(pairs_file(tmp_path / "p.jsonl.gz")), "--name", "nobody")


@pytest.mark.django_db
def test_too_little_feedback_is_a_conflict(personas):
    response = personas["operator"].client().post("/api/v1/feedback/reward-models")
    assert response.status_code == 409 and "Too little feedback" in response.json()["error"]["message"]
    assert not RewardModel.objects.exists()


@pytest.mark.slow
def test_a_training_worker_learns_from_ratings_and_the_queue_follows_its_uncertainty(
    start_worker, personas, settings, tmp_path
):
    for _ in range(3):
        finished(hobby_type="SKILL_PRACTICE")
    activity = finished(hobby_type="SKILL_PRACTICE")
    for text in POLITE + RUDE:
        Insight.objects.create(activity=activity, skill="addition", kind="other", text=text, share=0.5)
    for insight in Insight.objects.filter(text__in=POLITE + RUDE):
        rating = 5 if insight.text in POLITE else 1
        for name in ("rater", "other_rater"):
            feedback_submit(rater=personas[name].user, target_type="insight", target_id=str(insight.pk), rating=rating)

    start_worker("trainer", roles=["training"], env={"REWARD_MODELS_DIR": str(settings.REWARD_MODELS_DIR)})
    operator = personas["operator"].client()
    accepted = operator.post("/api/v1/feedback/reward-models")
    assert accepted.status_code == 202, accepted.content
    version = accepted.json()
    assert version["status"] == "pending" and version["source"] == "feedback"

    wait_for(
        lambda: RewardModel.objects.get(pk=version["id"]).status in ("ready", "failed"),
        timeout=180,
        what="the training worker",
    )
    row = RewardModel.objects.get(pk=version["id"])
    assert row.status == "ready", row.error
    assert row.train_points > 0 and row.metrics["validation_pairs"] is not None

    shown = personas["rater"].client().get("/hobby/reward/model").json()
    assert shown["active"]["id"] == row.pk and shown["active"]["metrics"] == row.metrics

    queue = personas["rater"].client().get("/api/v1/feedback/queue?limit=50").json()["items"]
    uncertainties = [item["uncertainty"] for item in queue]
    assert uncertainties and None not in uncertainties  # the unrated analysis insights, now scored
    assert uncertainties == sorted(uncertainties, reverse=True)


@pytest.mark.django_db
def test_a_version_is_trained_once_and_a_dead_workers_version_is_taken_over(tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from learning.feedback.reward_models import _train_into, reward_model_create
    from learning.reward import example_from_dialogue, load_pairs

    pairs = [
        (example_from_dialogue(c), example_from_dialogue(r))
        for c, r in load_pairs(pairs_file(tmp_path / "p.jsonl.gz", count=12))
    ]
    gathered = []

    def gather():
        gathered.append(1)
        return pairs, []

    row = reward_model_create(name="leased", source=RewardModel.Source.PAIRS_FILE)
    # Another worker is training it right now (its lease is live): a redelivered message does nothing.
    RewardModel.objects.filter(pk=row.pk).update(status="training", lease_until=timezone.now() + timedelta(minutes=5))
    assert _train_into(row, gather).status == "training" and not gathered
    # That worker died: once its lease has run out, the next delivery trains the version.
    RewardModel.objects.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    done = _train_into(row, gather)
    assert done.status == "ready" and done.lease_until is None and gathered == [1]
    # Finished: a late duplicate changes nothing.
    assert _train_into(row, gather).status == "ready" and gathered == [1]
