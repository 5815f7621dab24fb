"""The pure reward model (learning/reward): dialogue parsing, training on pairs and on ratings, uncertainty,
saving and loading. No database."""

from __future__ import annotations

import gzip
import json
import os
import zlib
from pathlib import Path

import numpy as np
import pytest

from learning.reward import (
    Example,
    RewardModel,
    TrainConfig,
    featurize,
    lexical,
    load_pairs,
    pairwise_accuracy,
    split_dialogue,
    train,
)
from learning.reward.dialogue import last_human_turn
from learning.reward.model import FEATURE_SETS
from learning.reward.selection import Grid, best, choose
from tests.learning.test_reward_training import POLITE, RUDE


def shared_data(name: str) -> Path | None:
    """The project's shared data, wherever this checkout is (a CI clone is not beside ../shared)."""
    for folder in (
        os.environ.get("SHARED_DATA_DIR"),
        Path(__file__).resolve().parents[3] / "shared" / "data",
        "/work/shared/data",
    ):
        if folder and (Path(folder) / name).exists():
            return Path(folder) / name
    return None


DIALOGUE = "\n\nHuman: hi there\n\nAssistant: hello\n\nHuman: what is 2+2?\n\nAssistant: It is 4."


def pairs(count: int = 24) -> list[tuple[Example, Example]]:
    return [
        (
            Example(prompt=f"Human: question {i}?", response=POLITE[i % 6]),
            Example(prompt=f"Human: question {i}?", response=RUDE[(i * 5) % 6]),
        )
        for i in range(count)
    ]


def test_a_dialogue_splits_at_its_last_assistant_turn():
    context, reply = split_dialogue(DIALOGUE)
    assert reply == "It is 4." and context.endswith("what is 2+2?")
    assert last_human_turn(context) == "what is 2+2?"
    assert split_dialogue("no turns at all") == ("", "no turns at all")


def test_load_pairs_reads_gzip_and_names_a_bad_line(tmp_path):
    good = tmp_path / "good.jsonl.gz"
    with gzip.open(good, "wt") as out:
        out.write(json.dumps({"chosen": "a", "rejected": "b"}) + "\n\n")
    assert load_pairs(good) == [("a", "b")]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"chosen": "a", "rejected": "b"}) + "\n" + json.dumps({"chosen": 1}) + "\n")
    with pytest.raises(ValueError, match="line 2"):
        load_pairs(bad)


def test_pairs_teach_it_which_replies_people_prefer():
    model, metrics = train(pairs=pairs(), config=TrainConfig(seed=1, bootstrap=3))
    assert metrics["train_pairs"] + metrics["validation_pairs"] == 24 and metrics["validation_accuracy"] >= 0.8
    fresh = [
        (
            Example(prompt="Human: another?", response="Of course, here is a careful answer."),
            Example(prompt="Human: another?", response="Go away, that is stupid."),
        )
    ]
    assert pairwise_accuracy(model, fresh) == 1.0
    mean, std = model.score([e for pair in fresh for e in pair])
    assert mean[0] > mean[1] and np.all(std > 0) and np.all(np.abs(mean) < 1)


def test_ratings_alone_train_it_too():
    points = [(Example(prompt="", response=text, category="SKILL_PRACTICE"), 1.0) for text in POLITE]
    points += [(Example(prompt="", response=text, category="SKILL_PRACTICE"), -1.0) for text in RUDE]
    model, metrics = train(points=points, config=TrainConfig(bootstrap=2))
    assert metrics["validation_accuracy"] is None and metrics["validation_rmse"] is not None
    mean, _ = model.score([Example("", POLITE[0], "SKILL_PRACTICE"), Example("", RUDE[0], "SKILL_PRACTICE")])
    assert mean[0] > 0 > mean[1]
    with pytest.raises(ValueError, match="Too little"):
        train(points=points[:1])


def test_same_seed_same_model_and_a_saved_model_scores_the_same(tmp_path):
    first, _ = train(pairs=pairs(), config=TrainConfig(seed=3, bootstrap=2))
    second, _ = train(pairs=pairs(), config=TrainConfig(seed=3, bootstrap=2))
    assert np.array_equal(first.weights, second.weights)
    assert np.array_equal(first.lexical.weights, second.lexical.weights)
    first.save(tmp_path / "v1")
    loaded = RewardModel.load(tmp_path / "v1")
    examples = [e for pair in pairs(4) for e in pair]
    assert np.allclose(loaded.score(examples)[0], first.score(examples)[0])


def test_a_damaged_model_is_refused(tmp_path):
    model, _ = train(pairs=pairs(), config=TrainConfig(bootstrap=1))
    model.save(tmp_path / "v1")
    (tmp_path / "v1" / "model.safetensors").write_bytes(b"not a tensor file")
    with pytest.raises(ValueError, match="Not a readable reward model"):
        RewardModel.load(tmp_path / "v1")
    with pytest.raises(ValueError):
        RewardModel.load(tmp_path / "missing")
    model.save(tmp_path / "v2")
    (tmp_path / "v2" / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="Not a readable reward model"):
        RewardModel.load(tmp_path / "v2")


def test_wording_is_read_by_hashed_character_ngrams_the_same_everywhere(tmp_path):
    # crc32, not hash(): the buckets must not change between processes, or a saved model would score noise.
    assert lexical.counts("No. Go away.") == lexical.counts("no. go AWAY.")
    assert set(lexical.counts("ok")) == {
        zlib.crc32(gram.encode()) & ((1 << lexical.BITS) - 1) for gram in (" o", "ok", "k ", " ok", "ok ", " ok ")
    }
    model, _ = train(pairs=pairs(), config=TrainConfig(bootstrap=1))
    examples = [e for pair in pairs(2) for e in pair]
    features = featurize(examples, model.categories)
    with pytest.raises(ValueError, match="wording"):
        model.score_features(features)  # the n-gram half needs the replies themselves
    assert np.array_equal(model.score_features(features, [e.response for e in examples])[0], model.score(examples)[0])


def test_without_the_ngram_part_it_still_learns_and_a_first_format_model_loads(tmp_path):
    model, metrics = train(pairs=pairs(), config=TrainConfig(seed=1, bootstrap=2, lexical_share=0.0))
    assert model.lexical is None and metrics["lexical_buckets"] == 0 and metrics["validation_accuracy"] >= 0.8
    model.save(tmp_path / "v1")
    config = json.loads((tmp_path / "v1" / "config.json").read_text())
    (tmp_path / "v1" / "config.json").write_text(json.dumps({**config, "format": 1}))  # as the first version wrote
    examples = [e for pair in pairs(4) for e in pair]
    assert np.allclose(RewardModel.load(tmp_path / "v1").score(examples)[0], model.score(examples)[0])


def test_the_score_is_the_bagged_mean_of_every_member_and_the_uncertainty_the_refits_spread():
    features = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    weights = np.array([[1.0, 0.0], [3.0, 0.0], [-1.0, 2.0]], dtype=np.float32)  # the full fit, two refits
    model = RewardModel(weights, np.zeros(3), [])
    score, spread = model.score_features(features)
    assert np.allclose(score, np.tanh([1.0, 2 / 3]))  # (1 + 3 - 1) / 3 and (0 + 0 + 2) / 3, not the first alone
    assert np.allclose(spread, [np.std(np.tanh([3.0, -1.0])), np.std(np.tanh([0.0, 2.0]))], atol=1e-5)


def test_the_feature_set_is_the_models_own_and_survives_saving(tmp_path):
    examples = [e for pair in pairs(2) for e in pair]
    assert featurize(examples, [], "layers").shape[1] + 2 * 384 == featurize(examples, [], "layers+asked").shape[1]
    with pytest.raises(ValueError, match="Unknown feature set"):
        featurize(examples, [], "everything")
    model, metrics = train(pairs=pairs(), config=TrainConfig(seed=1, bootstrap=1, features="layers"))
    assert model.feature_set == "layers" and metrics["features"].startswith(FEATURE_SETS["layers"])
    model.save(tmp_path / "v1")
    loaded = RewardModel.load(tmp_path / "v1")
    assert loaded.feature_set == "layers" and np.allclose(loaded.score(examples)[0], model.score(examples)[0])


def test_inner_cross_validation_picks_knobs_from_the_grid_and_ties_go_to_the_simpler_model():
    grid = Grid(l2=(0.25,), lexical_l2=(0.83,), lexical_share=(0.0, 0.3))
    config, summary = choose(pairs(36), config=TrainConfig(seed=2), grid=grid)
    assert config.features in grid.features and config.lexical_share in grid.lexical_share and config.seed == 2
    assert summary["combinations"] == 4 and summary["inner_accuracy"] >= 0.8
    assert summary["knobs"] == {
        "features": config.features,
        "l2": 0.25,
        "lexical_l2": 0.83,
        "lexical_share": config.lexical_share,
    }
    small, said = choose(pairs(12), config=TrainConfig(l2=0.5))
    assert small == TrainConfig(l2=0.5) and "defaults" in said["chosen_by"]
    table = {
        ("layers", 1.0, 0.83, 0.0): 0.7,
        ("layers+asked", 1.0, 0.83, 0.0): 0.7,
        ("layers", 0.25, 0.83, 0.0): 0.7,
        ("layers", 1.0, 0.83, 0.3): 0.7,
        ("layers+asked", 0.25, 2.5, 0.5): 0.69,
    }
    assert best(table, TrainConfig()) == TrainConfig(features="layers", l2=1.0, lexical_l2=0.83, lexical_share=0.0)
    table[("layers+asked", 0.25, 2.5, 0.5)] = 0.71
    assert best(table, TrainConfig()).lexical_share == 0.5
    with pytest.raises(ValueError):
        Grid(features=("everything",))


@pytest.mark.slow
@pytest.mark.timeout(900)  # ~1.5 min on 2 quiet cores (MiniLM over 3,000 replies); several times that when busy
def test_on_real_human_preferences_it_beats_chance_clearly():
    """The HH-RLHF harmless dev pairs, its own seeded validation split. The goal (0.66, 5-fold) is measured by
    bench/bench_reward_model.py; here, a floor well above chance that a broken trainer cannot reach."""
    from learning.reward import example_from_dialogue

    data = shared_data("hh-rlhf-harmless-dev.jsonl.gz")
    if data is None:
        pytest.skip("no hh-rlhf-harmless-dev.jsonl.gz in SHARED_DATA_DIR, ../shared/data or /work/shared/data")
    examples = [(example_from_dialogue(c), example_from_dialogue(r)) for c, r in load_pairs(data)]
    _, metrics = train(pairs=examples, config=TrainConfig(seed=0, bootstrap=0))
    assert metrics["validation_pairs"] == 300
    # 0.650 on this split (5-fold CV over 3 seeds: 0.662); a little under the goal of 0.66, for noise.
    assert metrics["validation_accuracy"] >= 0.64
