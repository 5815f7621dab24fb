"""What a cycle works on: the bandit over measured gains, the adapted recipe, the replay weighted by risk."""

import random

import pytest

from learning.planning.curriculum import (
    FORGET_TOLERANCE,
    MAX_REPLAY_SHARE,
    MIN_MOVE,
    REST_CYCLES,
    Outcome,
    Recipe,
    choose_skill,
    fallen_skills,
    plan_recipe,
    repair_recipe,
    replay_weights,
    resting_skills,
    skill_floors,
)

BASE = Recipe(max_steps=600, learning_rate=2e-3, replay_share=0.75, focus_items=4000, replay_items=1500)


def test_untried_skills_are_explored_weakest_first_and_the_choice_is_repeatable():
    accuracy = {"weak": 10.0, "middling": 50.0, "strong": 95.0}
    first = choose_skill(accuracy, [], random.Random(0))
    assert first.skill == "weak" and "never tried" in first.why
    assert all(choose_skill(accuracy, [], random.Random(seed)).skill == "weak" for seed in range(20))
    assert first.bounds["weak"] > first.bounds["middling"] > first.bounds["strong"]
    # once the weak one was tried and barely moved, the untried middling one is explored next
    assert choose_skill(accuracy, [Outcome("weak", 1.0, False)]).skill == "middling"


def test_a_skill_that_is_moving_keeps_being_worked():
    accuracy = {"a": 60.0, "b": 40.0}  # b has more headroom and was never tried...
    tried_b = [Outcome("b", 1.0, False)]  # ...until it was, and barely moved
    moving = choose_skill(accuracy, tried_b + [Outcome("a", 15.0, True), Outcome("a", 12.0, True)])
    slow = choose_skill(accuracy, tried_b + [Outcome("a", 1.0, False), Outcome("a", 2.5, True)])
    assert moving.skill == "a"  # it moves: worked again
    assert moving.bounds["a"] > slow.bounds["a"] + 5  # and its bound follows what it gained


def test_a_tried_skills_bound_narrows_to_what_it_gained():
    untried = choose_skill({"x": 50.0}, [])
    tried = choose_skill({"x": 50.0}, [Outcome("x", 4.0, True)] * 3)
    assert tried.bounds["x"] < untried.bounds["x"]
    assert 4.0 < tried.bounds["x"] < 12.0  # near the measured gains, with a little optimism left


def test_a_skill_that_did_not_move_in_two_cycles_rests_then_comes_back():
    stuck = [Outcome("stuck", 0.5, False), Outcome("stuck", -1.0, False)]
    assert resting_skills(stuck) == ["stuck"]
    assert all(
        choose_skill({"stuck": 5.0, "other": 90.0}, stuck, random.Random(seed)).skill == "other" for seed in range(50)
    )
    later = stuck + [Outcome("other", 3.0, True)] * REST_CYCLES
    assert resting_skills(later) == []
    # one cycle that moved breaks the rest: two in a row must stay under MIN_MOVE
    assert resting_skills([Outcome("x", 0.5, False), Outcome("x", MIN_MOVE + 1, True)]) == []


def test_unmeasured_gains_are_unknown_not_zero():
    assert resting_skills([Outcome("x", None, False), Outcome("x", None, False)]) == []


def test_every_skill_resting_still_chooses_one():
    stuck = [Outcome("a", 0.0, False), Outcome("a", 0.0, False)]
    assert choose_skill({"a": 10.0}, stuck, random.Random(0)).skill == "a"
    with pytest.raises(ValueError):
        choose_skill({}, [], random.Random(0))


def test_the_recipe_adapts_to_what_the_last_cycle_on_that_skill_measured():
    first = plan_recipe("a", [], BASE, train_budget_seconds=None)
    assert (first.max_steps, first.replay_share) == (600, 0.75) and "base recipe" in first.why[0]

    forgot = [Outcome("a", 20.0, False, forgot=True, recipe=BASE.to_dict())]
    assert plan_recipe("a", forgot, BASE, train_budget_seconds=None).replay_share == pytest.approx(0.85)

    flat = [Outcome("a", 0.5, False, recipe=BASE.to_dict())]
    assert plan_recipe("a", flat, BASE, train_budget_seconds=None).max_steps == 900

    moving = [Outcome("a", 12.0, True, recipe={**BASE.to_dict(), "max_steps": 900})]
    assert plan_recipe("a", moving, BASE, train_budget_seconds=None).max_steps == 900  # same again
    assert plan_recipe("b", moving, BASE, train_budget_seconds=None).max_steps == 600  # per skill


def test_the_time_budget_caps_the_steps_at_the_measured_speed():
    history = [
        Outcome("a", 0.5, False, recipe={**BASE.to_dict(), "max_steps": 1000}, train_seconds=100.0, train_steps=500)
    ]  # 5 steps/s measured
    capped = plan_recipe("a", history, BASE, train_budget_seconds=200)
    assert capped.max_steps == 1000  # 1500 wanted, 200 s x 5 steps/s allowed
    assert capped.learning_rate > BASE.learning_rate and any("budget" in why for why in capped.why)


def test_replay_goes_to_what_earlier_cycles_taught_and_to_what_fell():
    weights = replay_weights(
        {"focus": 10.0, "strong": 90.0, "weak": 5.0, "fell": 50.0, "taught": 60.0},
        "focus",
        last_change={"fell": -8.0, "strong": 1.0},
        taught={"taught": 40.0, "weak": -3.0},
    )
    assert "focus" not in weights
    # A weak skill is as protected as a strong one (weak skills proved the most fragile), none dropped entirely.
    assert weights["weak"] == weights["strong"] == pytest.approx(1.0)
    assert weights["taught"] == pytest.approx(3.0)  # one more share per 20 points taught
    assert weights["fell"] == pytest.approx(2.0)  # doubled for having fallen under the last challenger
    assert replay_weights({"focus": 10.0, "other": 50.0}, "focus") == {"other": 1.0}  # the first cycle: equal


def test_a_floor_is_two_points_below_where_the_base_started_but_never_above_the_champion():
    champion = {"taught": 90.0, "slipped": 79.0, "lost": 60.0, "new": 50.0}
    base = {"taught": 40.0, "slipped": 80.0, "lost": 70.0}

    floors = skill_floors(champion, base)

    assert FORGET_TOLERANCE == 2.0
    assert floors == {
        "taught": 38.0,  # gains above the start are the A/B's and the replay's to protect, not a floor's
        "slipped": 78.0,  # 1 point under the start already: only 1 more may go, losses cannot add up
        "lost": 60.0,  # far under the start already: not worse than the champion, no bar to clear
        "new": 48.0,  # not measured on the base: the champion's, less the tolerance
    }
    assert skill_floors(champion) == {"taught": 88.0, "slipped": 77.0, "lost": 58.0, "new": 48.0}


def test_fallen_skills_are_those_strictly_below_their_floor():
    floors = {"a": 82.6, "b": 50.0, "c": 10.0}
    accuracy = {"a": 82.6, "b": 49.9, "c": 80.0}  # exactly at the floor is kept: "more than 2 points below" falls
    assert fallen_skills(accuracy, floors) == {"b": {"after": 49.9, "floor": 50.0}}
    assert fallen_skills({"a": 80.0}, floors) == {"a": {"after": 80.0, "floor": 82.6}}  # unmeasured: not judged


def test_a_repair_is_a_short_gentle_continuation_weighted_to_what_fell():
    weights = {"a": 1.0, "b": 2.0, "c": 1.0}
    fallen = {"b": {"after": 70.0, "floor": 75.0}}

    recipe, repaired = repair_recipe(BASE, weights, fallen)

    assert recipe.max_steps == BASE.max_steps // 3 and recipe.learning_rate == pytest.approx(BASE.learning_rate / 2)
    assert recipe.replay_share == MAX_REPLAY_SHARE
    assert repaired == {"a": 1.0, "b": 10.0, "c": 1.0}
    assert "b fell to 70.0 % (floor 75.0 %)" in recipe.why[0]


def test_a_repair_also_weights_the_skills_that_fell_in_a_suite_that_dropped():
    weights = {"a": 1.0, "b": 2.0, "c": 1.0}
    fell = {"b": {"after": 70.0, "floor": 75.0}, "c": {"after": 55.0, "before": 80.0, "suite": "sorting"}}

    recipe, repaired = repair_recipe(BASE, weights, fell)

    assert repaired == {"a": 1.0, "b": 10.0, "c": 5.0}
    assert "c fell from 80.0 % to 55.0 % (sorting dropped)" in recipe.why[0]
