"""One whole learning cycle on a small base model built here: it practises, builds a dataset, trains a LoRA,
A/B tests it on held-out items and promotes it only for a real, significant gain (the full-size run is
`make demo`, figures in the README)."""

from __future__ import annotations

import pytest

from learning.cycle import cycle_run
from learning.models import Adapter, LearningCycle
from models_suite.builtin import BaseModelConfig
from models_suite.services.builtin import builtin_model_build

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # about 70 s alone: a base model is built first

# Half the built-in model's depth and width, trained about 45 s: weak at 2-digit arithmetic, good at the rest.
SMALL_BASE = BaseModelConfig(n_layer=2, n_embd=64, n_head=2, n_ctx=64, batch_size=32, max_steps=2000,
                             warmup_steps=20, log_every=50)
SUITES = ("arithmetic", "string_transform", "sorting")


@pytest.fixture
def small_base(db, settings, tmp_path):
    for name in ("DATASETS_DIR", "TRAINING_DIR", "ADAPTERS_DIR"):
        setattr(settings, name, tmp_path / name.lower())
    artifact, _ = builtin_model_build(config=SMALL_BASE, out_dir=tmp_path / "base")
    return artifact


def test_a_cycle_teaches_its_weakest_skill_and_promotes_only_a_significant_gain(small_base):
    # Measured here with practice seeds 0 and 1: addition +18.5 and +15.4 points, both promoted.
    recipe = {"r": 8, "alpha": 16, "dropout": 0.05, "learning_rate": 3e-3, "batch_size": 32, "max_steps": 600,
              "warmup_steps": 20, "save_steps": 100, "logging_steps": 25, "loss_on": "answer",
              "max_seq_length": 64}
    row, summary = cycle_run(trigger="command", recipe=recipe, focus_items=3000, replay_items=1000, suites=SUITES,
                             limit=120, seed=0)
    assert [step["step"] for step in row.steps] == ["measure", "practise", "extract", "train", "compare",
                                                    "promote", "watch"][:len(row.steps)]
    gain = summary["after"] - summary["before"]
    assert gain >= 10, summary
    assert row.status == LearningCycle.Status.PROMOTED and summary["promoted"]
    target = next(suite for suite in row.comparison.suites if suite["suite"] == row.comparison.target_suite)
    assert target["p_value"] < 0.05 and target["interval"][0] > 0
    champion = Adapter.objects.get(alias=Adapter.Alias.CHAMPION)
    assert champion.training_job == row.training_job and champion.metadata["baseline"]["heldout"]


def test_a_cycle_whose_process_died_is_ended_as_failed_when_the_next_one_starts(db):
    from datetime import timedelta

    from django.utils import timezone

    from learning.cycle import ABANDONED_AFTER, cycles_abandon

    dead, live = LearningCycle.objects.create(trigger="schedule"), LearningCycle.objects.create(trigger="command")
    LearningCycle.objects.filter(pk=dead.pk).update(started_at=timezone.now() - ABANDONED_AFTER - timedelta(minutes=1))
    assert cycles_abandon() == 1
    dead.refresh_from_db(), live.refresh_from_db()
    assert dead.status == "failed" and "abandoned" in dead.error and dead.finished_at is not None
    assert live.status == "running" and live.finished_at is None  # still within its time: maybe running
    assert cycles_abandon() == 0  # once
