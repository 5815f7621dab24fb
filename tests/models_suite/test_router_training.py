"""The learned router's graded attempts: evaluation runs and practice (registered by hobbies), and its beat."""

import pytest
from django_celery_beat.models import PeriodicTask

from models_suite.models import RouterModel
from models_suite.services.router_training import graded_attempts, router_train
from tests.hobbies.metrics_factories import finished


@pytest.mark.django_db
def test_practice_attempts_are_graded_evidence_and_train_a_version():
    for _ in range(12):  # 12 activities of 3 right and 1 wrong answer by "tiny"
        finished(hobby_type="skill_practice", right=3, wrong=1)
    attempts = [a for a in graded_attempts() if a.candidate == "tiny"]
    assert len(attempts) == 48 and sum(a.correct for a in attempts) == 36
    assert attempts[0].prompt.startswith("Q:")
    with pytest.raises(Exception, match="two candidates"):
        router_train(force=True)  # one model's attempts compare nothing


@pytest.mark.django_db
def test_the_retraining_schedule_is_installed():
    task = PeriodicTask.objects.get(task="models_suite.tasks.router_train_task")
    assert task.enabled and task.interval.every == 1 and task.interval.period == "hours"


@pytest.mark.django_db
def test_no_new_version_until_the_attempts_grow(monkeypatch):
    from models_suite.routing.learned import GradedAttempt
    from models_suite.services import router_training

    rows = [GradedAttempt(c, f"Q:{i}+{i}=", i % 3 != 0) for i in range(40) for c in ("a", "b")]
    monkeypatch.setattr(router_training, "graded_attempts", lambda: rows)
    first = router_train()
    assert first.version == 1 and first.attempt_count == 80
    trained = first.attempts_by_candidate  # a fifth of the prompts is held out to measure the version
    assert set(trained) == {"a", "b"} and 20 <= trained["a"] < 40 and set(first.evaluation) == {"a", "b"}
    assert router_train() is None  # the same attempts: nothing new to learn
    rows.extend(GradedAttempt("a", f"Q:{i}*{i}=", False) for i in range(20))
    assert router_train().version == 2 and RouterModel.objects.count() == 2


@pytest.mark.django_db
def test_the_routing_snapshot_reloads_the_learned_router_only_when_a_new_version_exists(monkeypatch):
    from models_suite.routing.learned import GradedAttempt
    from models_suite.services import router_training, routing

    rows = [GradedAttempt(c, f"Q:{i}+{i}=", i % 3 != 0) for i in range(40) for c in ("a", "b")]
    monkeypatch.setattr(router_training, "graded_attempts", lambda: rows)
    routing.snapshot_forget()
    assert routing.snapshot(fresh=True).learned is None
    router_train(force=True)
    first = routing.snapshot(fresh=True)
    again = routing.snapshot(fresh=True)
    assert first.learned_version == 1 and again.learned is first.learned  # not read and rebuilt again
    router_train(force=True)
    newer = routing.snapshot(fresh=True)
    assert newer.learned_version == 2 and newer.learned is not first.learned
    routing.snapshot_forget()


@pytest.mark.django_db
def test_each_candidate_gets_the_strength_that_predicts_its_unseen_attempts_best(monkeypatch):
    import random

    from models_suite.routing.learned import GradedAttempt
    from models_suite.services import router_training

    noise = random.Random(0)
    # "wording": right exactly on the prompts about apples, which the text says plainly. "noise": right at random,
    # whatever the prompt says; there only a router that learns nothing from the words predicts well.
    rows = [
        GradedAttempt(candidate, f"Q:{fruit} {i} {noise.randrange(10**6)}?", right)
        for i in range(300)
        for fruit in ("apple", "pear")
        for candidate, right in (("wording", fruit == "apple"), ("noise", noise.random() < 0.5))
    ]
    monkeypatch.setattr(router_training, "graded_attempts", lambda: rows)
    monkeypatch.setattr(router_training, "STRENGTHS", (0.001, 16.0))
    version = router_train(force=True)
    chosen = {candidate: figures["strength"] for candidate, figures in version.evaluation.items()}
    assert chosen["wording"]["c"] == 16.0 and chosen["noise"]["c"] == 0.001
    assert set(chosen["noise"]["validation_brier"]) == {"0.001", "16.0"}
    assert version.evaluation["wording"]["accuracy"] == 1.0  # measured on the held-out fifth, never chosen on
    # The version is trained with the strengths chosen: the noise's words barely weigh, the wording's do.
    largest = {c: max(abs(w) for row in version.weights["models"][c]["weights"] for w in row) for c in chosen}
    assert largest["noise"] < 0.01 < 1.0 < largest["wording"]
