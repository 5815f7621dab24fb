"""What a learning measurement reads: every skill on enough held-out items (past the split where its skills are
few there), the watch after it on items past those, and the curve's fresh look past both."""

from __future__ import annotations

from collections import Counter

import pytest

from learning.loop import comparisons
from learning.models import ABComparison
from models_suite.evaluation import get_suite
from models_suite.evaluation.fresh import heldout_prefix
from models_suite.services.registry import model_register
from tests.learning.lora_factories import lora_dirs, registered, tiny, tiny_dir  # noqa: F401
from tests.models_suite.conftest import cloud  # noqa: F401

SUITE = "tool_use"  # its split holds 14 tool-dict items of 150: a skill the split alone measures coarsely


@pytest.fixture
def per_skill(monkeypatch):
    monkeypatch.setattr(comparisons, "MEASURED_PER_SKILL", 40)
    comparisons.measured_count.cache_clear()
    yield 40
    comparisons.measured_count.cache_clear()


@pytest.fixture
def knows_all(cloud, monkeypatch):
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    cloud.answers = {item.prompt: item.answer for item in heldout_prefix(get_suite(SUITE), 1000)}
    return model_register(target=cloud.base_url, remote_model=cloud.model, api_key_env="CLOUD_KEY")


def test_a_measurement_reads_past_the_split_until_every_skill_has_its_items(db, knows_all, per_skill):
    measured = comparisons.measure(knows_all, suites=(SUITE,))

    count = comparisons.measured_count(SUITE)
    assert count > get_suite(SUITE).sizes()["heldout"]
    assert list(measured.correct[SUITE]) == [item.id for item in heldout_prefix(get_suite(SUITE), count)]
    assert min(Counter(measured.skills.values()).values()) >= per_skill
    assert measured.accuracy(SUITE) == 100.0


def test_the_watch_and_the_fresh_look_read_past_what_was_measured(
    db, lora_dirs, tiny, tmp_path, per_skill, monkeypatch
):
    count = comparisons.measured_count(SUITE)
    challenger = registered(tiny, tmp_path)
    row = ABComparison.objects.create(
        challenger=challenger, target_suite=SUITE, promote=True, reason="", suites=[{"suite": SUITE, "items": count}]
    )
    challenger.metadata = {"comparison": row.pk}
    assert comparisons._ab_items(challenger) == {SUITE: {item.id for item in heldout_prefix(get_suite(SUITE), count)}}

    read = []
    monkeypatch.setattr(
        comparisons, "_right", lambda artifact, adapter, items: read.append(items) or [True] * len(items)
    )
    comparisons.fresh_by_skill(tiny, {"start": None}, count=10, suites=(SUITE,))
    first = int(read[0][0].id.rpartition("/")[2])
    assert first == count + comparisons.WATCH_ITEMS_PER_SUITE
