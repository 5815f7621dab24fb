"""Tool mastery: the model's call is run (a safe calculator, conversions, lookups in the memory hub) and graded
on what it yields; a call written differently but yielding the right value is right, a malformed one is wrong
and says why."""

import pytest

from hobbies.exercises import source_for
from hobbies.exercises.tools import ToolError, ToolSource, calculate, entry_for, record_for, run_call, seed_hub
from hobbies.practice import practice_run
from memoryhub.services.kv import kv_get, kv_set
from models_suite.backends import GenerationResult
from models_suite.evaluation import get_suite
from models_suite.services.registry import model_register
from tests.memoryhub.conftest import memory_redis  # noqa: F401  (the memory hub's Redis, flushed)


def item_of(source, skill, split="train", seed=1):
    return next(i for i in source.items(split, per_suite=200, seed=seed) if i.skill == skill)


def test_items_are_the_tool_use_suites_seeded_and_split_and_graded_on_outcome():
    source = source_for("TOOL_MASTERY")
    assert isinstance(source, ToolSource)
    train = source.items("train", per_suite=20, seed=5)
    assert train == source.items("train", per_suite=20, seed=5) and train != source.items("train", per_suite=20, seed=6)
    heldout = source.items("heldout", per_suite=150, seed=5)
    assert len(train) == 20 and all(i.split == "train" and i.grader == "tool_outcome" for i in train)
    assert not {i.prompt for i in train} & {i.prompt for i in heldout}
    suite_heldout = {i.prompt for i in get_suite("tool_use").items("heldout")}
    assert {i.prompt for i in heldout} <= suite_heldout  # the suite's split: practice never sees the probe's items


@pytest.mark.parametrize(
    "expression, value",
    [("17*23", 391), ("(2+3)*4", 20), ("7/2", 3.5), ("-5+3", -2), ("2**10", 1024), ("10//3", 3), ("1e3", 1000)],
)
def test_the_calculator_computes_arithmetic(expression, value):
    assert calculate(expression) == value


@pytest.mark.parametrize(
    "expression, why",
    [
        ("__import__('os').system('true')", "not Call"),
        ("a+1", "not Name"),
        ("True+1", "not Constant"),
        ("1/0", "division by zero"),
        ("9**9**9", "exponents of at most"),
        ("17*", "not an arithmetic expression"),
        ("", "needs an expression"),
        ("1+" * 150 + "1", "at most 200 characters"),
    ],
)
def test_the_calculator_runs_nothing_but_arithmetic(expression, why):
    with pytest.raises(ToolError, match=why):
        calculate(expression)


def test_a_calculation_written_differently_but_equal_is_right():
    source = ToolSource()
    item = next(i for i in source.items("train", per_suite=200, seed=1) if i.skill == "tool-calc" and "*" in i.answer)
    a, b = item.grader_args["args"][0].split("*")
    for call in (item.answer, f"CALL calc({b} * {a})", f"CALL calc({int(a) * int(b)})"):
        verdict = source.grade(item, call)
        assert verdict.correct and verdict.score == 1.0, (call, verdict)
    wrong = source.grade(item, f"CALL calc({a}+{b})")
    assert not wrong.correct and wrong.score == 0.0
    assert f"gave {int(a) + int(b)}" in wrong.detail and str(int(a) * int(b)) in wrong.detail


def test_a_conversion_is_right_by_its_value_whichever_tool_gives_it():
    source = ToolSource()
    item = item_of(source, "tool-convert")
    amount, unit, into = item.grader_args["args"]
    assert source.grade(item, item.answer).correct
    factor = {"km": 1000, "kg": 1000, "h": 60, "l": 1000}[unit]
    assert source.grade(item, f"CALL calc({amount}*{factor})").correct
    assert not source.grade(item, f"CALL conv({amount},{into},{unit})").correct  # the wrong way round


@pytest.mark.parametrize(
    "answer, why",
    [
        ("391", "no tool call"),
        ("CALL calc(17*)", "not an arithmetic expression"),
        ("CALL foo(1)", "unknown tool"),
        ("CALL get(u1)", "get takes 2 argument"),
        ("CALL calc(1+2) and more", "malformed call"),
        ("CALL conv(12,km,kg)", "cannot convert"),
        ("", "no tool call"),
    ],
)
def test_a_malformed_call_is_wrong_and_says_why(answer, why):
    source = ToolSource()
    item = item_of(source, "tool-calc")
    verdict = source.grade(item, answer)
    assert not verdict.correct and verdict.score == 0.0 and why in verdict.detail


@pytest.mark.usefixtures("memory_redis")
def test_lookups_read_what_the_source_seeds_in_the_memory_hub():
    source = ToolSource()
    item = item_of(source, "tool-lookup")
    record, field = item.grader_args["args"]
    assert item.grader_args["expected"] == record_for(record)[field]
    assert source.grade(item, f"CALL get( {record} , {field} )").correct  # spaces are the writer's business
    assert kv_get(namespace="knowledge_base", key=f"hobby-tools:record:{record}")["value"] == record_for(record)
    other = next(f for f in ("email", "phone", "city", "name") if record_for(record)[f] != record_for(record)[field])
    assert not source.grade(item, f"CALL get({record},{other})").correct
    missing = source.grade(item, f"CALL get({record}x,{field})")
    assert not missing.correct and "no record" in missing.detail
    # The lookup really reads the hub: an entry changed there gives what the hub holds now (until reseeded).
    word_item = item_of(source, "tool-dict")
    word = word_item.grader_args["args"][0]
    seed_hub([word_item])
    kv_set(namespace="knowledge_base", key=f"hobby-tools:dict:{word}", value="something else")
    assert run_call(f"CALL dict({word})") == "something else"
    assert source.grade(word_item, f"CALL dict({word})").correct  # grading writes the entry again first
    assert kv_get(namespace="knowledge_base", key=f"hobby-tools:dict:{word}")["value"] == entry_for(word)


class Scripted:
    """A backend that answers from a script (prompt -> text), for the source's own answer() step."""

    context_length = 64

    def __init__(self, script):
        self.script = script

    def generate(self, request):
        return GenerationResult(
            text=self.script.get(request.prompt, ""),
            prompt_tokens=0,
            completion_tokens=0,
            finish_reason="stop",
            seconds=0.0,
        )


@pytest.mark.usefixtures("memory_redis")
def test_the_stored_answer_is_the_call_and_its_outcome():
    source = ToolSource()
    calc, lookup = item_of(source, "tool-calc"), item_of(source, "tool-lookup")
    record, field = lookup.grader_args["args"]
    answers = source.answer(
        Scripted({calc.prompt: "CALL calc(2+2)\nrambling", lookup.prompt: lookup.answer}),
        [calc, lookup, item_of(source, "tool-dict")],
    )
    assert answers[0] == "CALL calc(2+2)\n=> 4"
    assert answers[1] == f"{lookup.answer}\n=> {record_for(record)[field]!r}"
    assert answers[2].startswith("\n=> error: no tool call")
    assert source.grade(lookup, answers[1]).correct and not source.grade(calc, answers[0]).correct


@pytest.mark.usefixtures("memory_redis")
def test_tool_mastery_end_to_end_on_a_remote_model(db, cloud, monkeypatch):
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    items = ToolSource().items("train", per_suite=6, seed=11)
    # It knows every call but writes calculations as their value: right by outcome all the same.
    cloud.answers = {
        i.prompt: (f"CALL calc({i.grader_args['expected']})" if i.skill == "tool-calc" else i.answer) for i in items
    }
    model = model_register(target=cloud.base_url, remote_model=cloud.model, api_key_env="CLOUD_KEY")
    activity = practice_run(hobby_type="TOOL_MASTERY", artifact=model, items_per_suite=6, probe_per_suite=4, seed=11)
    assert activity.status == "completed", activity.error
    attempts = list(activity.attempts.order_by("id"))
    assert len(attempts) == 6 and all(a.correct and a.score == 1.0 for a in attempts)
    assert all("\n=> " in a.answer for a in attempts)
    assert activity.heldout_score == 0.0  # the probe's items were not scripted: echoes are no calls


@pytest.mark.usefixtures("memory_redis")
def test_tool_mastery_end_to_end_on_the_tiny_model(tiny):
    activity = practice_run(hobby_type="TOOL_MASTERY", artifact=tiny, items_per_suite=4, probe_per_suite=2, seed=3)
    assert activity.status == "completed", activity.error
    attempts = list(activity.attempts.all())
    assert len(attempts) == 4 and all(a.detail for a in attempts)
    source = ToolSource()
    by_id = {i.id: i for i in source.items("train", per_suite=4, seed=3)}
    for attempt in attempts:  # what is stored is what grading the stored answer says
        assert source.grade(by_id[attempt.item_id], attempt.answer).correct == attempt.correct
