"""decide(): the order of the steps, fitting, resources, the learned choice and the failover order (pure)."""

import pytest

from models_suite.routing.complexity import DEFAULT_TASK_COMPLEXITY, task_complexity
from models_suite.routing.content import default_content_classifier
from models_suite.routing.decision import LOCAL, REMOTE, Candidate, NoUsableCandidate, Policy, decide
from models_suite.routing.learned import GradedAttempt, train_learned_router
from models_suite.routing.request_text import facts_of

LOCAL_SMALL = Candidate("builtin", LOCAL, context_length=64, chars_per_token=1.0)
CLOUD = Candidate("cloud", REMOTE, context_length=128_000, supports_tools=True)


def chat(text, **kwargs):
    return facts_of(messages=[{"role": "user", "content": text}], **kwargs)


def route(facts, candidates=(LOCAL_SMALL, CLOUD), policy=None, **kwargs):
    return decide(facts, list(candidates), policy or Policy(), content=default_content_classifier(), **kwargs)


def test_the_originals_complexity_table_is_the_default_and_matches_substrings():
    assert DEFAULT_TASK_COMPLEXITY["code_generation"] == 0.9 and DEFAULT_TASK_COMPLEXITY["greeting"] == 0.1
    assert task_complexity("Code-Generation", DEFAULT_TASK_COMPLEXITY) == ("code_generation", 0.9)
    assert task_complexity("python_code_generation", DEFAULT_TASK_COMPLEXITY) == ("code_generation", 0.9)
    assert task_complexity("juggling", DEFAULT_TASK_COMPLEXITY) is None


@pytest.mark.parametrize(
    "task_type, expected",
    [("code_generation", "cloud"), ("fine_tuning", "cloud"), ("greeting", "builtin"), ("command_parsing", "builtin")],
)
def test_an_explicit_task_type_decides_by_the_table(task_type, expected):
    decision = route(chat("hi"), task_type=task_type)
    assert decision.candidate == expected and decision.step == "rule"
    assert decision.complexity == DEFAULT_TASK_COMPLEXITY[task_type]


def test_an_operator_edited_table_changes_the_rule():
    policy = Policy(task_complexity={**DEFAULT_TASK_COMPLEXITY, "greeting": 0.95})
    assert route(chat("hi"), policy=policy, task_type="greeting").candidate == "cloud"


def test_a_request_past_the_local_context_never_goes_local_even_when_light():
    long_greeting = "Hello there! " * 10  # 130 characters: a greeting, but past 64 tokens of one character each
    decision = route(chat(long_greeting), task_type="greeting")
    assert decision.candidate == "cloud"
    skipped = next(a for a in decision.alternatives if a["candidate"] == "builtin")
    assert "context is 64" in skipped["state"]
    assert decision.order == ["cloud"]  # never tried as a fallback either


def test_without_a_task_type_the_content_decides():
    assert route(chat("hey, good morning!")).candidate == "builtin"
    big_local = Candidate("builtin", LOCAL, context_length=100_000)
    code = route(chat("write a python function that merges two sorted lists"), candidates=(big_local, CLOUD))
    assert code.candidate == "cloud" and code.step == "content" and "P(heavy)" in code.reason


def test_size_alone_makes_a_request_heavy():
    big_local = Candidate("builtin", LOCAL, context_length=100_000)
    decision = route(chat("what language is this? " + "lorem ipsum " * 800), candidates=(big_local, CLOUD))
    assert decision.candidate == "cloud" and "heavy by size" in decision.reason


def test_tools_need_a_candidate_that_can_call_them():
    decision = route(chat("hi", tools=[{"type": "function"}]), candidates=(LOCAL_SMALL, CLOUD))
    assert decision.candidate == "cloud"


def test_unusable_candidates_are_skipped_and_the_failover_goes_the_other_way():
    down = Candidate("cloud", REMOTE, unusable="circuit breaker open")
    decision = route(chat("hi"), candidates=(LOCAL_SMALL, down), task_type="code_generation")
    assert decision.candidate == "builtin"  # heavy work, but the strong one is out: the usable one answers
    decision = route(chat("hi"), task_type="code_generation")
    assert decision.order == ["cloud", "builtin"]  # failover both ways: heavy falls back to local


def test_no_usable_candidate_names_each_state():
    with pytest.raises(NoUsableCandidate) as caught:
        route(chat("hi"), candidates=(Candidate("a", LOCAL, unusable="no live models worker on alpha"),))
    assert caught.value.states == [{"candidate": "a", "backend": LOCAL, "state": "no live models worker on alpha"}]
    assert "no live models worker on alpha" in str(caught.value)


def _learned():
    attempts = []
    for i in range(60):
        attempts.append(GradedAttempt("builtin", f"Q: {i}+{i}=", True))  # the local model adds well
        attempts.append(GradedAttempt("builtin", f"Q: {i}*{i}*{i}=", False))  # and cannot multiply
        attempts.append(GradedAttempt("cloud", f"Q: {i}+{i}=", True))
        attempts.append(GradedAttempt("cloud", f"Q: {i}*{i}*{i}=", True))
    return train_learned_router(attempts)


def test_the_learned_step_sends_what_the_local_model_gets_wrong_to_the_strong_one():
    learned, big_local = _learned(), Candidate("builtin", LOCAL, context_length=1000)
    within = Policy(quality_margin=0.1)
    add = route(facts_of(prompt="Q: 71+71="), candidates=(big_local, CLOUD), learned=learned, policy=within)
    mul = route(facts_of(prompt="Q: 71*71*71="), candidates=(big_local, CLOUD), learned=learned, policy=within)
    assert (add.candidate, add.step) == ("builtin", "learned") and "learned P(right)" in add.reason
    assert (mul.candidate, mul.step) == ("cloud", "learned")
    # margin 1: any candidate is within it of the best, so the cheapest always answers
    cheap = route(
        facts_of(prompt="Q: 71*71*71="),
        candidates=(big_local, CLOUD),
        learned=learned,
        policy=Policy(quality_margin=1.0),
    )
    assert cheap.candidate == "builtin"


def test_the_learned_router_round_trips_exactly():
    from models_suite.routing.learned import LearnedRouter

    learned = _learned()
    again = LearnedRouter.from_dict(learned.to_dict())
    assert again.chances("Q: 5*5*5=", ["builtin", "cloud"]) == pytest.approx(
        learned.chances("Q: 5*5*5=", ["builtin", "cloud"]), abs=1e-5
    )
