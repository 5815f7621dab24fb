"""Creative problem solving: three different solutions to one constrained problem, each checked; the score is
the share of the three that are valid and distinct, correct when all are."""

import pytest

from hobbies.exercises import source_for
from hobbies.exercises.creative import ANIMALS, CreativeSource, check, problems
from hobbies.practice import practice_run
from models_suite.services.registry import model_register


def test_problems_are_seeded_split_by_prompt_and_take_turns_by_kind():
    source = source_for("CREATIVE_PROBLEM_SOLVING")
    assert isinstance(source, CreativeSource)
    train = source.items("train", per_suite=8, seed=1)
    assert train == source.items("train", per_suite=8, seed=1) and train != source.items("train", per_suite=8, seed=2)
    assert [i.skill for i in train[:4]] == ["several-pairs", "several-digits", "several-json", "several-animals"]
    everything_train = source.items("train", per_suite=1000, seed=1)
    everything_heldout = source.items("heldout", per_suite=1000, seed=7)
    assert len(everything_train) + len(everything_heldout) == len(problems())
    assert not {i.prompt for i in everything_train} & {i.prompt for i in everything_heldout}
    assert len({i.id for i in everything_train}) == len(everything_train)
    assert all(len(i.prompt) <= 45 for i in everything_train)  # room for an answer in a 64-character context


def test_every_problems_reference_answer_passes_its_own_checker():
    for item in CreativeSource().items("train", per_suite=1000, seed=1) + CreativeSource().items(
        "heldout", per_suite=1000, seed=1
    ):
        verdict = CreativeSource().grade(item, item.answer)
        assert verdict.correct and verdict.score == 1.0, (item, verdict)


@pytest.mark.parametrize(
    "kind, params, answer, valid",
    [
        ("pairs", {"sum": 17}, "16,1; 15,2; 9,8", 3),
        ("pairs", {"sum": 17}, "16,1 and 15,2 and 14,3 and 13,4", 3),  # the separator does not matter; extras unread
        ("pairs", {"sum": 17}, "16,1; 16,1; 17,0", 1),  # a repeat, and b must be above 0
        ("pairs", {"sum": 17}, "10,8; 8,9; 15,2", 1),  # a wrong sum, a<b
        ("digits", {"digit_sum": 9}, "108;117;900", 3),
        ("digits", {"digit_sum": 9}, "108;99;1008", 1),  # two and four digits
        ("digits", {"digit_sum": 9}, "108 117", 2),
        ("json", {"sum": 10}, '{"a":1,"b":9};{"a":2,"b":8};{"b":7,"a":3}', 3),
        ("json", {"sum": 10}, '{"a":3,"b":7} {"b":7,"a":3} {"a":true,"b":9}', 1),  # the same object; a bool
        ("json", {"sum": 10}, '{"a":1,"b":9} {"a":2, b:8}', 1),  # not JSON
        ("animals", {"length": 4}, "bear, deer and frog", 3),
        ("animals", {"length": 4}, "Bear; wolf; lion", 3),
        ("animals", {"length": 4}, "bear; bagel; cat", 1),  # not an animal the checker knows; three letters
        ("animals", {"initial": "b"}, "bee; bear; cat", 2),
        ("animals", {"initial": "b"}, "nothing here 123", 0),
    ],
)
def test_the_checkers(kind, params, answer, valid):
    verdict = check(kind, params, answer)
    assert verdict.score == pytest.approx(valid / 3) and verdict.correct == (valid == 3)
    assert verdict.detail.startswith(f"{valid} of 3 valid") or (valid == 0 and verdict.detail)


def test_details_say_why_a_solution_does_not_count():
    detail = check("pairs", {"sum": 17}, "16,1; 16,1; 17,0").detail
    assert "16,1 ok" in detail and "the same as an earlier one" in detail and "it needs a>b>0" in detail
    assert "not on the checker's list" in check("animals", {"length": 5}, "bagel").detail
    assert "only 1 given" in check("animals", {"length": 5}, "tiger").detail
    assert "no json solutions found" in check("json", {"sum": 4}, "").detail
    assert {"bear", "wolf", "tiger"} <= ANIMALS


def test_creative_problem_solving_end_to_end_on_the_tiny_model(tiny):
    activity = practice_run(
        hobby_type="CREATIVE_PROBLEM_SOLVING", artifact=tiny, items_per_suite=4, probe_per_suite=4, seed=2
    )
    assert activity.status == "completed", activity.error
    attempts = list(activity.attempts.order_by("id"))
    assert len(attempts) == 4 and {a.skill for a in attempts} == {
        "several-pairs",
        "several-digits",
        "several-json",
        "several-animals",
    }
    items = {i.id: i for i in CreativeSource().items("train", per_suite=4, seed=2)}
    for attempt in attempts:
        again = CreativeSource().grade(items[attempt.item_id], attempt.answer)
        assert (attempt.correct, attempt.score, attempt.detail) == (again.correct, again.score, again.detail)
    assert activity.heldout_score is not None


def test_creative_problem_solving_end_to_end_on_a_remote_model(db, cloud, monkeypatch):
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    items = CreativeSource().items("train", per_suite=4, seed=6)
    cloud.answers = {items[0].prompt: items[0].answer, items[1].prompt: items[1].answer}  # two of the four right
    model = model_register(target=cloud.base_url, remote_model=cloud.model, api_key_env="CLOUD_KEY")
    activity = practice_run(
        hobby_type="CREATIVE_PROBLEM_SOLVING", artifact=model, items_per_suite=4, probe_per_suite=2, seed=6
    )
    assert activity.status == "completed", activity.error
    correct = {a.item_id: a.correct for a in activity.attempts.all()}
    assert correct == {items[0].id: True, items[1].id: True, items[2].id: False, items[3].id: False}
    assert activity.score == pytest.approx(sum(a.score for a in activity.attempts.all()) / 4)
