"""Reflection: a model that can chat explains its wrong answers in its own words; what it says is kept only when
it says something (not nothing, not the prompt back, not a ramble); a completion-only model is not asked."""

import pytest

from hobbies import reflection
from hobbies.reflection import Reflection, ask, can_reflect, is_echo, reflect, worth_keeping
from models_suite.evaluation import Grade, Item
from models_suite.models import ModelArtifact
from models_suite.services.hosting import model_in_use
from models_suite.services.registry import model_register


def attempt(n, skill, correct, answer="7", expected="12"):
    item = Item(
        id=f"s/train/{n}", suite="s", split="train", prompt=f"Q:{n}+5=", answer=expected, grader="numeric", skill=skill
    )
    detail = "" if correct else f"expected {expected}, got {answer}"
    return item, answer, Grade(correct, 1.0 if correct else 0.0, detail)


GRADED = (
    [attempt(n, "addition", False) for n in range(4)]
    + [attempt(10, "addition", True)]
    + [attempt(20 + n, "sorting", False) for n in range(2)]
    + [attempt(30, "reverse", True)]
)


@pytest.fixture
def remote(db, cloud, monkeypatch):
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    return model_register(target=cloud.base_url, remote_model=cloud.model, api_key_env="CLOUD_KEY")


def wrong_of(skill):
    return [g for g in GRADED if g[0].skill == skill and not g[2].correct]


def test_a_chatting_model_explains_each_failed_skill_and_the_reply_is_kept_with_its_evidence(remote, cloud):
    cloud.answers = {
        ask("addition", wrong_of("addition")[:3]): "I added the first digits only and dropped the carry.",
        ask("sorting", wrong_of("sorting")): "  I kept the input order\ninstead of sorting.  ",
    }
    with model_in_use(remote) as backend:
        thoughts = reflect(backend, remote, GRADED)
    assert thoughts == [
        Reflection(
            "addition", "I added the first digits only and dropped the carry.", ["s/train/0", "s/train/1", "s/train/2"]
        ),
        Reflection("sorting", "I kept the input order instead of sorting.", ["s/train/20", "s/train/21"]),
    ]
    asked = [r["messages"][-1]["content"] for r in cloud.requests if r["path"].endswith("/chat/completions")]
    assert len(asked) == 2  # skills without failures are not asked about
    assert "Your answer: 7" in asked[0] and "Expected: 12" in asked[0] and "Q:0+5=" in asked[0]


def test_echoes_and_empty_replies_are_not_kept(remote, cloud):
    cloud.answers = {ask("sorting", wrong_of("sorting")): ""}
    with model_in_use(remote) as backend:  # addition: the fake cloud echoes what it was asked
        assert reflect(backend, remote, GRADED) == []
    assert len(cloud.requests) == 2


def test_a_backend_error_gives_no_reflections(remote, cloud):
    cloud.failures = [400]
    with model_in_use(remote) as backend:
        assert reflect(backend, remote, GRADED) == []


def test_a_completion_only_model_is_not_asked(tiny, monkeypatch):
    assert not can_reflect(tiny) and "chat" not in tiny.capabilities

    class Untouchable:
        def generate(self, request):
            raise AssertionError("a completion-only model must not be asked to reflect")

    assert reflect(Untouchable(), tiny, GRADED) == []
    chatty = ModelArtifact(name="chatty", kind="hf", path="/models/chatty", capabilities=["completion", "chat"])
    assert can_reflect(chatty)


def test_at_most_three_skills_are_asked_about_the_most_failed_first(remote, cloud):
    graded = [attempt(100 * s + n, f"skill-{s}", False) for s in range(5) for n in range(s + 1)]
    with model_in_use(remote) as backend:
        reflect(backend, remote, graded)
    asked = [r["messages"][-1]["content"] for r in cloud.requests]
    assert [text.split("'")[1] for text in asked] == ["skill-4", "skill-3", "skill-2"]


def test_what_counts_as_saying_something():
    question = ask("addition", wrong_of("addition")[:3])
    assert worth_keeping("I forgot to carry the one when the digits summed past nine.", question)
    assert not worth_keeping("ok", question)  # too short
    assert not worth_keeping("x" * (reflection.MAX_REPLY_CHARS + 1), question)  # a ramble
    assert is_echo(question, question) and is_echo("echo: " + question[:100], question)
    assert is_echo("Your answer: 7", question)
    assert not is_echo("The expected answer was 12 but I wrote 7: I dropped the carry.", question)
