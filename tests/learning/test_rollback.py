"""Automatic rollback, tested by promoting a deliberately damaged adapter: a real (tiny) model, real LoRA weights,
real held-out measurements. The watch measures the new champion and the model it replaced side by side on fresh
held-out items the A/B did not use, and on the requests the gateway served each: a champion significantly worse
on either is rolled back to `previous`, with an event and adapter_rollbacks_total in /metrics; one no worse stays.
The paired A/B promotes a significant gain and refuses a corrupt challenger."""

from __future__ import annotations

import shutil
from dataclasses import asdict
from datetime import timedelta

import pytest
import torch
from safetensors.torch import load_file, save_file

from learning.loop import comparisons
from learning.loop.adapters import AdapterCorrupt, adapter_promote, adapter_register, champion
from learning.models import ABComparison, Adapter, AdapterEvent, TrainingDataset, TrainingJob
from learning.tasks import adapters_watch_task
from learning.training.lora import LoraTrainConfig, train_lora
from models_suite.evaluation import get_suite
from models_suite.models import ServedRequest
from models_suite.services.hosting import host_shutdown
from models_suite.services.registry import model_register
from tests.core.test_metrics import promtool_check, samples
from tests.models_suite.tiny_models import build_tiny_model

SUITE, ITEMS = "sequences", 16  # prompt + answer of its first held-out items: at most 24 characters, context 48
AB_ITEMS = {SUITE: {item.id for item in get_suite(SUITE).items("heldout", limit=ITEMS)}}  # what an A/B measures
RECIPE = LoraTrainConfig(
    r=8,
    alpha=16,
    dropout=0.0,
    learning_rate=1e-2,
    batch_size=8,
    max_steps=300,
    warmup_steps=5,
    save_steps=10**6,
    logging_steps=100,
)


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    # On a machine whose cores are busy with other work, torch's intra-op threads wait on each other: a step of
    # this tiny model took 50 times longer with two threads than with one. One thread keeps the module fast.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, _one_torch_thread):
    """(base dir, good adapter dir, damaged adapter dir). The good adapter is trained on the very held-out items it
    is measured on (the A/B's first ITEMS and the watch's next ITEMS): not a way to teach a skill, only the
    quickest way to a model with a real, non-zero held-out accuracy, which the rollback needs something to lose.
    The damaged one is the good one with its lora_B matrices replaced by large noise: whole, sealed and loadable,
    just bad."""
    root = tmp_path_factory.mktemp("rollback")
    base = build_tiny_model(root / "base", n_ctx=48, initializer_range=0.5)
    items = get_suite(SUITE).items("heldout", limit=2 * ITEMS)
    train_lora(
        base_dir=base,
        train=[(item.prompt, item.answer, 1.0) for item in items],
        config=RECIPE,
        out_dir=root / "good",
        checkpoint_dir=root / "checkpoints",
    )
    shutil.copytree(root / "good", root / "damaged")
    weights_file = root / "damaged" / "adapter_model.safetensors"
    weights = load_file(weights_file)
    noise = torch.Generator().manual_seed(0)
    damaged = {
        name: torch.randn(tensor.shape, generator=noise) * 20 if "lora_B" in name else tensor
        for name, tensor in weights.items()
    }
    assert sum("lora_B" in name for name in damaged) > 0
    save_file(damaged, weights_file, metadata={"format": "pt"})
    return base, root / "good", root / "damaged"


@pytest.fixture
def base(db, settings, tmp_path, trained):
    for name in ("DATASETS_DIR", "TRAINING_DIR", "ADAPTERS_DIR"):
        setattr(settings, name, tmp_path / name.lower())
    artifact = model_register(target=str(trained[0]), name="tiny-rollback")
    yield artifact
    host_shutdown()


def register(artifact, trained_dir) -> Adapter:
    """Through adapter_register, as a finished training job registers its adapter (the job row made here)."""
    version = TrainingDataset.objects.count() + 1
    dataset = TrainingDataset.objects.create(
        version=version, skill="arithmetic-sequence", path=str(trained_dir), sha256="0" * 64, train_count=ITEMS
    )
    job = TrainingJob.objects.create(
        job_id=f"job_rollback_{version}",
        base_model=artifact,
        dataset=dataset,
        config=asdict(RECIPE),
        num_examples=ITEMS,
        status=TrainingJob.Status.COMPLETED,
    )
    return adapter_register(job=job, trained_dir=trained_dir, metrics={"steps": RECIPE.max_steps})


def promoted(adapter: Adapter, measured: comparisons.Measured) -> Adapter:
    """Promoted as comparison_run promotes a challenger: with the measurement of the model it replaces stored."""
    Adapter.objects.filter(pk=adapter.pk).update(metadata={**adapter.metadata, "baseline": asdict(measured.snapshot())})
    adapter.refresh_from_db()
    return adapter_promote(adapter)


def traffic(artifact, adapter: Adapter | None, at, count: int, *, failed: int = 0, latency_ms: float = 100.0):
    """`count` gateway requests served at `at` by `artifact` with `adapter` (None: the bare base), `failed` of
    them with a 503."""
    ServedRequest.objects.bulk_create(
        [
            ServedRequest(
                model=artifact.name,
                adapter_id=adapter.adapter_id if adapter else "",
                route="completions",
                status=503 if index < failed else 200,
                latency_ms=latency_ms + index % 7,
                created_at=at,
            )
            for index in range(count)
        ]
    )


def test_a_champion_worse_on_fresh_items_is_rolled_back_to_the_previous_one(base, trained, personas):
    good = adapter_promote(register(base, trained[1]))
    damaged = promoted(
        register(base, trained[2]), comparisons.measure(base, adapter=good, suites=(SUITE,), limit=ITEMS)
    )
    good.refresh_from_db()
    assert (champion(base), good.alias) == (damaged, Adapter.Alias.PREVIOUS)
    assert comparisons.champions_to_watch() == [damaged]

    watched = comparisons.watch_check(damaged, exclude_items=AB_ITEMS, limit=ITEMS, suites=(SUITE,))

    assert watched.rolled_back and any(f"fresh {SUITE} items fell" in line for line in watched.regressions)
    fresh = watched.figures[f"heldout_fresh:{SUITE}"]
    assert watched.figures["compared_with"] == good.adapter_id
    assert fresh["items"] == ITEMS and fresh["item_ids"] == f"{SUITE}/heldout/{ITEMS}..{2 * ITEMS - 1}"  # not the A/B's
    assert fresh["previous"] >= 50 and fresh["previous"] - fresh["champion"] > 2 and fresh["p_value"] < 0.05
    good.refresh_from_db()
    damaged.refresh_from_db()
    assert champion(base) == good and good.status == Adapter.Status.ACTIVE
    assert (damaged.status, damaged.alias) == (Adapter.Status.ARCHIVED, "")
    event = AdapterEvent.objects.get(adapter=damaged, kind=AdapterEvent.Kind.ROLLED_BACK)
    assert f"fresh {SUITE} items fell" in event.detail["reason"] and event.detail["restored"] == good.adapter_id
    assert event.detail["figures"] == watched.figures and event.detail["fresh_items"] == {SUITE: fresh["item_ids"]}
    assert comparisons.champions_to_watch() == []  # rolled back: nothing left to watch
    assert (
        comparisons.watch_check(damaged, limit=ITEMS) == comparisons.WatchOutcome()
    )  # checked again: no longer champion, so
    assert champion(base) == good  # not watched, nothing moves and the rollback is not counted twice
    assert not AdapterEvent.objects.filter(adapter=damaged, kind=AdapterEvent.Kind.WATCHED).exists()
    assert AdapterEvent.objects.filter(kind=AdapterEvent.Kind.ROLLED_BACK).count() == 1

    response = personas["operator"].client().get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    checked = promtool_check(text)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert samples(text)[("adapter_rollbacks_total", ())] == 1.0


def test_the_watch_measures_items_its_ab_did_not_and_waits_for_served_traffic(base, trained):
    row, _, _ = comparisons.comparison_run(
        challenger=register(base, trained[1]), target_suite=SUITE, suites=(SUITE,), limit=ITEMS
    )
    good = champion(base)
    assert row.promote and good is not None and comparisons.champions_to_watch() == [good]

    first = comparisons.watch_check(good, limit=ITEMS)  # the items its A/B used are found from the A/B's record

    assert not first.rolled_back and first.regressions == []
    fresh = first.figures[f"heldout_fresh:{SUITE}"]
    assert first.figures["compared_with"] == "base" and fresh["item_ids"] == f"{SUITE}/heldout/{ITEMS}..{2 * ITEMS - 1}"
    assert fresh["champion"] > fresh["previous"]  # only regressions count: far better than the base it replaced
    # No request was served yet: the served signal is skipped and says so, with no figure made up for it.
    assert first.figures["served_requests"] == {"previous": 0, "champion": 0}
    assert not any(name.startswith("served_latency") or name == "served_error_rate" for name in first.figures)
    assert any("too few served requests" in note for note in first.figures["skipped"])
    assert comparisons.champions_to_watch() == [good]  # watched again (the hourly beat) until traffic comes

    good.refresh_from_db()
    traffic(base, None, good.promoted_at - timedelta(hours=1), 40)
    traffic(base, good, good.promoted_at, 40)
    second = comparisons.watch_check(good)

    assert not second.rolled_back and second.regressions == []
    assert second.figures[f"heldout_fresh:{SUITE}"] == fresh  # measured once per promotion
    assert second.figures["served_requests"] == {"previous": 40, "champion": 40}
    assert second.figures["served_latency_p50_ms"] == {"previous": 103.0, "champion": 103.0}
    assert second.figures["served_error_rate"] == {"previous": 0.0, "champion": 0.0}
    assert "skipped" not in second.figures and comparisons.champions_to_watch() == []
    assert AdapterEvent.objects.filter(adapter=good, kind=AdapterEvent.Kind.WATCHED).count() == 2
    assert champion(base) == good


def test_served_requests_that_fail_more_than_before_roll_back(base, trained):
    good = promoted(register(base, trained[1]), comparisons.measure(base, suites=(SUITE,), limit=ITEMS))
    first = comparisons.watch_check(good, exclude_items=AB_ITEMS, limit=ITEMS, suites=(SUITE,))  # no traffic yet: waits
    assert not first.rolled_back and comparisons.champions_to_watch() == [good]
    traffic(base, None, good.promoted_at - timedelta(hours=2), 60)
    traffic(base, good, good.promoted_at, 60, failed=12)  # 20 % of its answers failed, none before

    reported = adapters_watch_task()  # the hourly beat's task watches it again, now with traffic

    assert len(reported) == 1 and reported[0].startswith(f"{good.adapter_id}: ")
    assert "the served error rate rose from 0 to 0.2" in reported[0]
    event = AdapterEvent.objects.get(adapter=good, kind=AdapterEvent.Kind.ROLLED_BACK)
    assert event.detail["figures"]["served_error_rate"] == {"previous": 0.0, "champion": 0.2}
    assert champion(base) is None  # nothing before it: the bare base serves again
    assert adapters_watch_task() == []  # nothing left to watch


def test_the_same_weights_promoted_twice_do_not_regress(base, trained):
    # Only regressions count, and an unchanged model has none: the same weights registered twice, the second
    # promoted over the first, answer every fresh item alike.
    first = adapter_promote(register(base, trained[1]))
    second = promoted(
        register(base, trained[1]), comparisons.measure(base, adapter=first, suites=(SUITE,), limit=ITEMS)
    )

    # As a learning cycle calls it: the champion it started from, and the items its A/B measured (their suites)
    watched = comparisons.watch_check(second, previous=first, exclude_items=AB_ITEMS, limit=ITEMS)

    assert watched == comparisons.WatchOutcome(rolled_back=False, regressions=[], figures=watched.figures)
    fresh = watched.figures[f"heldout_fresh:{SUITE}"]
    assert watched.figures["compared_with"] == first.adapter_id
    assert [name for name in watched.figures if name.startswith("heldout_fresh:")] == [f"heldout_fresh:{SUITE}"]
    assert fresh["previous"] == fresh["champion"] and fresh["p_value"] == 1.0
    assert champion(base) == second
    assert not AdapterEvent.objects.filter(kind=AdapterEvent.Kind.ROLLED_BACK).exists()


def test_an_ab_comparison_promotes_a_significant_gain_and_refuses_a_corrupt_challenger(base, trained):
    good = register(base, trained[1])
    row, before, after = comparisons.comparison_run(challenger=good, target_suite=SUITE, suites=(SUITE,), limit=ITEMS)

    assert row.promote and row.champion is None and row.target_suite == SUITE
    [figures] = row.suites
    assert figures["suite"] == SUITE and figures["items"] == ITEMS
    assert figures["before"] == before.accuracy(SUITE) < figures["after"] == after.accuracy(SUITE)
    assert figures["after"] >= 50 and figures["p_value"] < 0.05 and figures["interval"][0] > 0
    good.refresh_from_db()
    assert champion(base) == good and good.status == Adapter.Status.ACTIVE
    assert good.metadata["baseline"]["heldout"] == {SUITE: before.accuracy(SUITE)}
    assert good.metadata["comparison"] == row.pk
    promoted = AdapterEvent.objects.get(adapter=good, kind=AdapterEvent.Kind.PROMOTED)
    assert promoted.detail == {"replaced": None, "comparison": row.pk}

    corrupt = register(base, trained[1])
    weights = corrupt.path + "/adapter_model.safetensors"
    with open(weights, "r+b") as handle:
        handle.seek(-1, 2)
        last = handle.read(1)
        handle.seek(-1, 2)
        handle.write(bytes([last[0] ^ 0xFF]))
    with pytest.raises(AdapterCorrupt):
        comparisons.comparison_run(challenger=corrupt, target_suite=SUITE, suites=(SUITE,), limit=ITEMS)
    corrupt.refresh_from_db()
    assert (corrupt.status, corrupt.alias) == (Adapter.Status.FAILED, "")
    refused = AdapterEvent.objects.get(adapter=corrupt, kind=AdapterEvent.Kind.REFUSED)
    assert "sha256" in refused.detail["reason"]
    assert champion(base) == good and ABComparison.objects.count() == 1


def test_a_skill_falls_only_below_its_floor_and_with_a_significant_paired_drop():
    # Hand-made measurements: uppercase loses 8 of its 20 items (p < 0.01), tool-dict 1 of its 14 (7 points,
    # below its floor, but one item is no evidence), reverse 8 items but stays above its floor.
    def measured(wrong: dict[str, int]) -> comparisons.Measured:
        found = comparisons.Measured()
        for skill, count in {"uppercase": 20, "reverse": 20, "tool-dict": 14}.items():
            for index in range(count):
                item = f"{skill}/heldout/{index}"
                found.correct.setdefault("suite", {})[item] = index >= wrong.get(skill, 0)
                found.skills[item] = skill
        return found

    before = measured({})
    after = measured({"uppercase": 8, "tool-dict": 1, "reverse": 8})
    floors = {"uppercase": 98.0, "tool-dict": 98.0, "reverse": 50.0}

    fallen = comparisons.fallen(before, after, floors)

    assert list(fallen) == ["uppercase"]
    assert fallen["uppercase"]["after"] == 60.0 and fallen["uppercase"]["floor"] == 98.0
    assert fallen["uppercase"]["p_value"] < 0.01
    assert comparisons.fallen(before, after, {}) == {}


def test_the_skills_that_fell_in_a_suite_whose_significant_drop_kept_the_champion_are_the_ones_to_repair():
    # Hand-made: the target suite rose; sorting dropped significantly (sort-words lost 10 of 40, sort-digits
    # nothing); string_transform lost one item, a drop the A/B tolerates.
    def measured(wrong: dict[str, int]) -> comparisons.Measured:
        found = comparisons.Measured()
        layout = {"arithmetic": ["addition"], "sorting": ["sort-words", "sort-digits"], "string_transform": ["reverse"]}
        for suite, skills in layout.items():
            for skill in skills:
                for index in range(40):
                    item = f"{skill}/heldout/{index}"
                    found.correct.setdefault(suite, {})[item] = index >= wrong.get(skill, 0)
                    found.skills[item] = skill
        return found

    before = measured({"addition": 30})
    after = measured({"addition": 5, "sort-words": 10, "reverse": 1})
    comparison = ABComparison(
        target_suite="arithmetic",
        suites=[
            {"suite": name, "difference": after.accuracy(name) - before.accuracy(name), "p_value": p}
            for name, p in (("arithmetic", 0.0001), ("sorting", 0.004), ("string_transform", 1.0))
        ],
    )

    dropped = comparisons.dropped(before, after, comparison)

    assert dropped == {"sort-words": {"after": 75.0, "before": 100.0, "suite": "sorting", "p_value": 0.004}}
    calm = ABComparison(target_suite="arithmetic", suites=[{**s, "p_value": 0.2} for s in comparison.suites])
    assert comparisons.dropped(before, after, calm) == {}  # not significant: nothing to repair
