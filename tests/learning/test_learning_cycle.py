"""Learning cycles on a small base model built here: each practises, builds a dataset, trains a LoRA, A/B tests it
on held-out items and promotes it only for a real, significant gain; the next one continues the champion
(the full-size run is `make demo`, figures in the README)."""

from __future__ import annotations

import pytest

from learning.models import LearningCycle
from models_suite.builtin import BaseModelConfig
from models_suite.services.builtin import builtin_model_build

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # about 70 s alone: a base model is built first

# Half the built-in model's depth and width, trained about 45 s: weak at 2-digit arithmetic, good at the rest.
SMALL_BASE = BaseModelConfig(
    n_layer=2, n_embd=64, n_head=2, n_ctx=64, batch_size=32, max_steps=2000, warmup_steps=20, log_every=50
)
SUITES = ("arithmetic", "string_transform", "sorting")


@pytest.fixture
def small_base(db, settings, tmp_path):
    for name in ("DATASETS_DIR", "TRAINING_DIR", "ADAPTERS_DIR"):
        setattr(settings, name, tmp_path / name.lower())
    artifact, _ = builtin_model_build(config=SMALL_BASE, out_dir=tmp_path / "base")
    return artifact


RECIPE = {
    "r": 8,
    "alpha": 16,
    "dropout": 0.05,
    "learning_rate": 3e-3,
    "batch_size": 32,
    "max_steps": 600,
    "warmup_steps": 20,
    "save_steps": 100,
    "logging_steps": 25,
    "loss_on": "answer",
    "max_seq_length": 64,
}


def test_two_cycles_compound_the_second_continues_the_first_champion_and_the_end_beats_the_start(small_base):
    from learning.loop.curve import curve_run

    # Measured here with practice seed 0: addition +18.5 points in the first cycle, promoted.
    curve = curve_run(
        cycles=2,
        skill="addition-2-digit",
        seed=0,
        recipe=RECIPE,
        focus_items=3000,
        replay_items=1000,
        suites=SUITES,
        limit=120,
        train_budget_seconds=None,
    )
    first, second = (LearningCycle.objects.get(pk=row["id"]) for row in curve["cycles"])
    assert [step["step"] for step in first.steps][:7] == [
        "measure",
        "plan",
        "practise",
        "extract",
        "train",
        "compare",
        "promote",
    ]
    assert first.status == LearningCycle.Status.PROMOTED, first.comparison.reason
    target = next(suite for suite in first.comparison.suites if suite["suite"] == first.comparison.target_suite)
    assert target["p_value"] < 0.05 and target["interval"][0] > 0
    champion = first.training_job.adapter
    assert first.champion_before is None and champion.parent is None  # the first trained from the bare base
    assert champion.recipe["skill_why"] == "forced (--skill)" and champion.recipe["lora"]["max_steps"] == 600

    # The second challenger started from the first champion's weights, and says so in its lineage.
    assert second.champion_before == champion and second.training_job.parent_adapter == champion
    challenger = second.training_job.adapter
    assert challenger.parent == champion
    from learning.loop.adapters import adapter_lineage

    assert adapter_lineage(challenger) == [champion.adapter_id]
    # Its replay protects what the first cycle taught: a share more per 20 points above the bare base.
    weights = second.recipe["plan"]["replay_weights"]
    assert set(weights) == set(first.before) - {"addition-2-digit"}
    for name, weight in weights.items():
        assert weight >= 1 + max(0.0, second.before[name] - first.before[name]) / 20 - 1e-3, (name, weights)
    # start and end are the champion's figures on the same items: the first cycle's before, the last one's after
    assert curve["start"] == first.before and curve["end"] == second.after
    assert curve["end"]["addition-2-digit"] - curve["start"]["addition-2-digit"] >= 10, curve
    assert curve["mean_gain"] > 0 and curve["weakest_at_start"] in curve["start"]


def test_a_cycle_whose_process_died_is_ended_as_failed_when_the_next_one_starts(db):
    from datetime import timedelta

    from django.utils import timezone

    from learning.loop.cycle import ABANDONED_AFTER, cycles_abandon

    dead, live = LearningCycle.objects.create(trigger="schedule"), LearningCycle.objects.create(trigger="command")
    LearningCycle.objects.filter(pk=dead.pk).update(started_at=timezone.now() - ABANDONED_AFTER - timedelta(minutes=1))
    assert cycles_abandon() == 1
    dead.refresh_from_db(), live.refresh_from_db()
    assert dead.status == "failed" and "abandoned" in dead.error and dead.finished_at is not None
    assert live.status == "running" and live.finished_at is None  # still within its time: maybe running
    assert cycles_abandon() == 0  # once
