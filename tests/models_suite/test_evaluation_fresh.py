"""Held-out streams past the split: the same items everywhere, held out by the same hash, ending where a prompt
space ends; an evaluation run reads on along them, and a measurement covers every skill (models_suite/evaluation/fresh.py)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from models_suite.evaluation import get_suite
from models_suite.evaluation.fresh import (
    STREAM_MAX,
    covering_count,
    fresh_heldout,
    heldout_prefix,
    split_items,
)
from models_suite.evaluation.suites import GeneratedSuite
from models_suite.evaluation.suites.core import Sample, split_of
from models_suite.services.evaluation import eval_run_create, eval_run_execute
from models_suite.services.registry import model_register


def test_the_stream_starts_with_the_split_and_goes_on_held_out():
    suite = get_suite("tool_use")
    split = suite.items("heldout")
    stream = heldout_prefix(suite, 600)
    assert stream[: len(split)] == split
    assert len(stream) == 600 and len({item.prompt for item in stream}) == 600
    assert [item.id for item in stream[len(split) :]][:2] == ["tool_use/heldout/150", "tool_use/heldout/151"]
    assert all(split_of("tool_use", item.prompt, suite.heldout_per_mille) == "heldout" for item in stream)
    assert not {item.prompt for item in stream} & {item.prompt for item in suite.items("train")}
    assert heldout_prefix(suite, 40) == split[:40]


def _digit(rng: random.Random) -> Sample:
    a = rng.randint(0, 99)
    return Sample(f"Q:{a}+1=", str(a + 1), "numeric", "inc")


def test_a_small_prompt_space_ends_the_stream_instead_of_refusing():
    suite = GeneratedSuite("small", "", ["inc"], _digit, seed=3, train_size=20, heldout_size=4, heldout_per_mille=300)
    stream = heldout_prefix(suite, 500)
    assert 4 < len(stream) < 100  # every held-out prompt of the 100, once, and no more
    assert stream[:4] == suite.items("heldout")
    assert fresh_heldout(suite, exclude={item.id for item in stream}, count=10) == []


def test_the_stream_is_read_at_most_so_far():
    assert len(heldout_prefix(get_suite("sorting"), STREAM_MAX + 50)) == STREAM_MAX


def test_an_evaluation_run_past_the_split_reads_on_along_the_stream(db, cloud, monkeypatch):
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    stream = heldout_prefix(get_suite("arithmetic"), 230)
    cloud.answers = {item.prompt: item.answer for item in stream[200:]}  # knows only the items past the split
    model = model_register(target=cloud.base_url, remote_model=cloud.model, api_key_env="CLOUD_KEY")
    run = eval_run_execute(eval_run_id=eval_run_create(model=model, suite="arithmetic", limit=230, enqueue=False).pk)
    assert run.item_count == 230 and run.correct_count == 30
    assert [r["id"] for r in run.results] == [item.id for item in stream]
    assert split_items(get_suite("arithmetic"), "train", 5) == get_suite("arithmetic").items("train", limit=5)


@pytest.mark.parametrize("name", ["arithmetic", "tool_use", "json_extraction", "sorting"])
def test_a_covering_prefix_is_the_shortest_with_every_skill_counted(name):
    suite = get_suite(name)
    count = covering_count(suite, per_skill=100, most=3000)
    counts = Counter(item.skill for item in heldout_prefix(suite, count))
    assert count >= suite.sizes()["heldout"]
    assert min(counts[skill] for skill in suite.skills) >= 100
    if count > suite.sizes()["heldout"]:  # one item fewer leaves a skill short
        shorter = Counter(item.skill for item in heldout_prefix(suite, count - 1))
        assert min(shorter[skill] for skill in suite.skills) < 100
    assert covering_count(suite, per_skill=100, most=suite.sizes()["heldout"] + 1) <= suite.sizes()["heldout"] + 1
