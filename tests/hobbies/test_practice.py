"""Practice for real: a model answers suite items, every attempt is graded and stored, and what the grades
show becomes insights with evidence and patterns across activities."""

import pytest

from hobbies.exercises import SuiteSource, source_for
from hobbies.models import Activity, Attempt, Insight, Pattern
from hobbies.practice import practice_run
from models_suite.evaluation import get_suite
from models_suite.services.evaluation import answers_for
from models_suite.services.hosting import model_in_use


def test_suite_practice_draws_seeded_items_of_the_types_suites():
    source = source_for("SKILL_PRACTICE")
    assert isinstance(source, SuiteSource)
    train = source.items("train", per_suite=5, seed=1)
    assert {item.suite for item in train} == {"arithmetic", "string_transform", "sequences", "sorting"}
    assert all(item.split == "train" for item in train) and len(train) == 20
    assert source.items("train", per_suite=5, seed=1) == train  # seeded
    heldout = source.items("heldout", per_suite=5, seed=1)
    assert all(item.split == "heldout" for item in heldout) and not {i.prompt for i in heldout} & {
        i.prompt for i in train
    }


def test_practice_measures_on_held_out_items_and_benchmarks_practise_on_them(tiny):
    practice = practice_run(hobby_type="SKILL_PRACTICE", artifact=tiny, items_per_suite=2, probe_per_suite=2, seed=5)
    assert practice.split == "train" and all("/train/" in a.item_id for a in practice.attempts.all())
    assert practice.heldout_score is not None and 0 <= practice.heldout_score <= 1
    assert any(key.startswith("heldout:") for key in practice.performance_metrics)
    benchmark = practice_run(hobby_type="BENCHMARK_RUNNING", artifact=tiny, items_per_suite=1, seed=5)
    assert benchmark.split == "heldout" and all("/heldout/" in a.item_id for a in benchmark.attempts.all())
    assert benchmark.heldout_score == pytest.approx(benchmark.score)


def test_an_activity_stores_what_the_model_really_answered_graded(tiny):
    activity = practice_run(hobby_type="skill_practice", artifact=tiny, items_per_suite=3, seed=7)
    assert activity.status == "completed" and activity.split == "train" and activity.model_name == "tiny"
    attempts = list(activity.attempts.all())
    assert len(attempts) == activity.item_count == 12
    # The stored answers are the model's own: asked again, it says the same (greedy).
    with model_in_use(tiny) as backend:
        again = answers_for(backend, [a.prompt for a in attempts])
    assert [a.answer for a in attempts] == again
    for attempt in attempts:
        item = next(i for i in get_suite(attempt.item_id.split("/")[0]).items("train") if i.id == attempt.item_id)
        assert attempt.expected == item.answer and attempt.prompt == item.prompt
        assert attempt.correct == (attempt.score == 1.0) and bool(attempt.failure_kind) == (not attempt.correct)
    assert activity.correct_count == sum(a.correct for a in attempts)
    assert activity.score == pytest.approx(sum(a.score for a in attempts) / len(attempts))


def test_insights_rest_on_their_attempts_and_patterns_count_activities(tiny):
    first = practice_run(hobby_type="SKILL_PRACTICE", artifact=tiny, items_per_suite=4, seed=3)
    rates = first.insights.filter(kind="success_rate")
    assert rates.count() == len({a.skill for a in first.attempts.all()})
    for insight in Insight.objects.filter(activity=first):
        evidence = list(insight.evidence.all())
        assert all(a.activity_id == first.pk for a in evidence)
        if insight.kind == "success_rate":
            assert all(a.correct for a in evidence)
        else:
            assert evidence and all(not a.correct and a.failure_kind == insight.kind for a in evidence)
    kinds = set(first.insights.exclude(kind="success_rate").values_list("skill", "kind"))
    assert set(Pattern.objects.values_list("skill", "kind")) == kinds
    practice_run(hobby_type="SKILL_PRACTICE", artifact=tiny, items_per_suite=4, seed=3)  # same items again
    assert all(p.activities == 2 for p in Pattern.objects.all())


def test_a_model_that_cannot_answer_fails_the_activity_with_why(db):
    from models_suite.models import ModelArtifact

    down = ModelArtifact.objects.create(
        name="down", kind="remote", base_url="http://127.0.0.1:9/v1", remote_model="x", context_length=4096
    )
    activity = practice_run(hobby_type="SKILL_PRACTICE", artifact=down, items_per_suite=1, seed=1)
    assert activity.status == "failed" and activity.error and not Attempt.objects.exists()
    assert Activity.objects.get(pk=activity.pk).completed_at is not None


def test_intensity_sets_how_much_an_activity_practises_and_zero_is_a_dry_run(tiny):
    from hobbies.practice import items_for_intensity
    from hobbies.services import subagent_register

    assert [items_for_intensity(x) for x in (0, 0.01, 0.5, 1)] == [0, 1, 8, 16]
    subagent = subagent_register(subagent_id="dry", capabilities=["*"], model=tiny)[0]
    dry = practice_run(hobby_type="SKILL_PRACTICE", artifact=tiny, subagent=subagent, items_per_suite=0)
    assert dry.status == "completed" and dry.item_count == 0 and not dry.attempts.exists()
    assert dry.heldout_score is None and dry.improvement_delta is None
    assert not subagent.progress.exists()  # nothing practised, nothing measured: progress untouched
