"""Training examples, pure: the originals' quality score with its bugs fixed, duplicate removal, the seeded split,
replay of other skills, and the formats training tools read."""

from __future__ import annotations

import pytest

from learning.training.examples import (
    TrainingExample,
    as_format,
    deduplicate,
    from_record,
    quality_score,
    split,
    with_replay,
)


def example(prompt: str, completion: str = "x", skill: str = "addition") -> TrainingExample:
    return TrainingExample(prompt=prompt, completion=completion, skill=skill, source="attempt")


def test_quality_score_follows_the_originals_with_their_bugs_fixed():
    prose = "A carried ten is dropped when the units overflow; check the tens digit."  # 72 characters
    assert quality_score(prose, free_text=True, completed=True, difficulty=0.5, insight_count=5) == pytest.approx(
        0.5 + 0.2 + 0.15 + 0.05 + 0.05
    )
    assert quality_score("too short", free_text=True, completed=False, difficulty=None, insight_count=0) == 0.3
    # A graded answer is judged by its grade, not its length: "42" is not "too short".
    assert quality_score("42", free_text=False, completed=True, difficulty=0.0, insight_count=0) == 0.65
    # The completed bonus applies (the original's never did) and difficulty is the measured one.
    assert quality_score("42", free_text=False, completed=False, difficulty=1.0, insight_count=0) == 0.6
    assert 0.0 <= quality_score("x" * 1000, free_text=True, completed=False, difficulty=None, insight_count=0) <= 1


def test_exact_and_near_duplicates_go_and_distinct_items_stay():
    long_prompt = (
        "Summarise in one sentence: water evaporates from oceans and lakes, rises as vapour, cools into "
        "clouds, and returns as rain or snow that feeds rivers, soaks into soil, and flows back to sea."
    )
    rows = [
        example("What is 12 + 30?", "42"),
        example("what is 12  +  30?", "42"),  # exact, case and spacing
        example("What is 12 + 31?", "43"),  # one digit apart: a different item
        example(long_prompt, "Water evaporates and falls again."),
        example(long_prompt + "!", "Water evaporates and falls again."),
    ]  # near: one character added
    result = deduplicate(rows)
    assert [row.prompt for row in result.kept] == [rows[0].prompt, rows[2].prompt, rows[3].prompt]
    assert (result.exact, result.near) == (1, 1)


def test_the_split_is_shuffled_seeded_and_keeps_something_to_train_on():
    rows = [example(f"q{i}") for i in range(100)]
    train, validation = split(rows, validation_share=0.1, seed=7)
    assert len(validation) == 10 and len(train) == 90
    assert {r.prompt for r in train} | {r.prompt for r in validation} == {r.prompt for r in rows}
    assert split(rows, validation_share=0.1, seed=7) == (train, validation)
    assert split(rows, validation_share=0.1, seed=8) != (train, validation)
    assert [r.prompt for r in validation] != [f"q{i}" for i in range(90, 100)]  # not the newest, like the original
    assert split([example("only")], validation_share=0.5, seed=0) == ([example("only")], [])
    with pytest.raises(ValueError, match="validation_share"):
        split(rows, validation_share=1.0, seed=0)


def test_replay_mixes_in_other_skills_at_the_share_asked():
    focus = [example(f"s{i}", skill="subtraction") for i in range(80)]
    others = [example(f"o{i}", skill="sorting") for i in range(100)]
    mixed = with_replay(focus, others, share=0.2, seed=1)
    replayed = [row for row in mixed if row.skill == "sorting"]
    assert len(mixed) == 100 and len(replayed) == 20 and all(row.source == "replay:attempt" for row in replayed)
    assert len(with_replay(focus, others[:5], share=0.2, seed=1)) == 85  # as many as there are
    assert with_replay(focus, others, share=0.0, seed=1) == focus


def test_replay_weights_split_the_replay_between_skills_and_pass_on_what_a_short_skill_lacks():
    focus = [example(f"f{i}", skill="focus") for i in range(50)]
    others = (
        [example(f"a{i}", skill="at-risk") for i in range(100)]
        + [example(f"b{i}", skill="safe") for i in range(100)]
        + [example(f"c{i}", skill="scarce") for i in range(3)]
    )
    mixed = with_replay(focus, others, share=0.5, seed=2, weights={"at-risk": 3.0, "safe": 1.0, "scarce": 2.0})
    counts = {skill: sum(row.skill == skill for row in mixed) for skill in ("at-risk", "safe", "scarce")}
    assert len(mixed) == 100 and counts["scarce"] == 3  # all it has; the rest went to the others
    assert counts["at-risk"] > 2 * counts["safe"] > 0
    assert len({row.prompt for row in mixed}) == 100  # nothing drawn twice


def test_formats_training_tools_read():
    row = TrainingExample(
        prompt="Q:2+2=",
        completion="4",
        skill="addition",
        source="reference",
        item_id="arithmetic/train/3",
        weight=1.0,
        quality=0.65,
    )
    assert as_format(row, "alpaca") == {"instruction": "Q:2+2=", "input": "", "output": "4"}
    assert as_format(row, "sharegpt") == {
        "conversations": [{"from": "human", "value": "Q:2+2="}, {"from": "gpt", "value": "4"}]
    }
    assert from_record(as_format(row, "jsonl")) == row
    with pytest.raises(ValueError, match="Unknown format 'csv'"):
        as_format(row, "csv")
