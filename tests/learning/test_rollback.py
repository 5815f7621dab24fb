"""Automatic rollback, tested by promoting a deliberately damaged adapter: a real (tiny) model, real LoRA weights,
real held-out evaluation runs. A champion that measures worse than the baseline stored at its promotion is rolled
back to `previous`, with an event and adapter_rollbacks_total in /metrics; one that measures no worse stays. The
paired A/B that stores the baseline promotes a significant gain and refuses a corrupt challenger."""

from __future__ import annotations

import shutil
from dataclasses import asdict

import pytest
import torch
from safetensors.torch import load_file, save_file

from learning import ab
from learning.adapters import AdapterCorrupt, adapter_promote, adapter_register, champion
from learning.models import ABComparison, Adapter, AdapterEvent, TrainingDataset, TrainingJob
from learning.training.lora import LoraTrainConfig, train_lora
from models_suite.evaluation import get_suite
from models_suite.services.hosting import host_shutdown
from models_suite.services.registry import model_register
from tests.core.test_metrics import promtool_check, samples
from tests.models_suite.tiny_models import build_tiny_model

SUITE, ITEMS = "sequences", 16  # prompt + answer of its first held-out items: at most 24 characters, context 48
RECIPE = LoraTrainConfig(r=8, alpha=16, dropout=0.0, learning_rate=1e-2, batch_size=8, max_steps=300,
                         warmup_steps=5, save_steps=10**6, logging_steps=100)


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
    is measured on: not a way to teach a skill, only the quickest way to a model with a real, non-zero held-out
    accuracy, which the rollback needs something to lose. The damaged one is the good one with its lora_B
    matrices replaced by large noise: whole, sealed and loadable, just bad."""
    root = tmp_path_factory.mktemp("rollback")
    base = build_tiny_model(root / "base", n_ctx=48, initializer_range=0.5)
    items = get_suite(SUITE).items("heldout", limit=ITEMS)
    train_lora(base_dir=base, train=[(item.prompt, item.answer, 1.0) for item in items], config=RECIPE,
               out_dir=root / "good", checkpoint_dir=root / "checkpoints")
    shutil.copytree(root / "good", root / "damaged")
    weights_file = root / "damaged" / "adapter_model.safetensors"
    weights = load_file(weights_file)
    noise = torch.Generator().manual_seed(0)
    damaged = {name: torch.randn(tensor.shape, generator=noise) * 20 if "lora_B" in name else tensor
               for name, tensor in weights.items()}
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
    dataset = TrainingDataset.objects.create(version=version, skill="arithmetic-sequence", path=str(trained_dir),
                                             sha256="0" * 64, train_count=ITEMS)
    job = TrainingJob.objects.create(job_id=f"job_rollback_{version}", base_model=artifact, dataset=dataset,
                                     config=asdict(RECIPE), num_examples=ITEMS, status=TrainingJob.Status.COMPLETED)
    return adapter_register(job=job, trained_dir=trained_dir, metrics={"steps": RECIPE.max_steps})


def with_baseline(adapter: Adapter, measured: ab.Measured) -> Adapter:
    """What comparison_run stores on a challenger it promotes: the measurement of the model it replaces."""
    Adapter.objects.filter(pk=adapter.pk).update(metadata={**adapter.metadata,
                                                           "baseline": asdict(measured.snapshot())})
    adapter.refresh_from_db()
    return adapter


def test_a_damaged_champion_is_rolled_back_to_the_previous_one(base, trained, personas):
    good = register(base, trained[1])
    measured_good = ab.measure(base, adapter=good, suites=(SUITE,), limit=ITEMS)
    assert measured_good.accuracy(SUITE) >= 50, measured_good.correct
    adapter_promote(good)

    damaged = with_baseline(register(base, trained[2]), measured_good)
    adapter_promote(damaged)
    good.refresh_from_db()
    assert (champion(base), good.alias) == (damaged, Adapter.Alias.PREVIOUS)
    assert ab.champions_to_watch() == [damaged]

    found = ab.watch_check(damaged, limit=ITEMS)

    assert any(f"held-out accuracy on {SUITE} fell" in line for line in found), found
    good.refresh_from_db()
    damaged.refresh_from_db()
    assert champion(base) == good and good.status == Adapter.Status.ACTIVE
    assert (damaged.status, damaged.alias) == (Adapter.Status.ARCHIVED, "")
    event = AdapterEvent.objects.get(adapter=damaged, kind=AdapterEvent.Kind.ROLLED_BACK)
    assert f"held-out accuracy on {SUITE} fell" in event.detail["reason"]
    assert event.detail["restored"] == good.adapter_id
    before, after = event.detail["baseline"]["heldout"][SUITE], event.detail["current"]["heldout"][SUITE]
    assert before == measured_good.accuracy(SUITE) and before - after > 5
    assert ab.champions_to_watch() == []  # rolled back: nothing left to watch
    assert ab.watch_check(damaged, limit=ITEMS) == []  # checked again: no longer champion, so not watched,
    assert champion(base) == good  # nothing moves and the rollback is not counted twice
    assert not AdapterEvent.objects.filter(adapter=damaged, kind=AdapterEvent.Kind.WATCHED).exists()
    assert AdapterEvent.objects.filter(kind=AdapterEvent.Kind.ROLLED_BACK).count() == 1

    response = personas["operator"].client().get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    checked = promtool_check(text)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert samples(text)[("adapter_rollbacks_total", ())] == 1.0


def test_a_champion_no_worse_than_its_baseline_stays(base, trained):
    # Only regressions count: measured against the bare base it replaced, the good adapter is far better.
    bare = ab.measure(base, suites=(SUITE,), limit=ITEMS)
    good = with_baseline(register(base, trained[1]), bare)
    adapter_promote(good)

    found = ab.watch_check(good, limit=ITEMS)

    assert found == []
    good.refresh_from_db()
    assert champion(base) == good and good.status == Adapter.Status.ACTIVE
    watched = AdapterEvent.objects.get(adapter=good, kind=AdapterEvent.Kind.WATCHED)
    assert watched.detail["current"]["heldout"][SUITE] > bare.accuracy(SUITE)
    assert not AdapterEvent.objects.filter(kind=AdapterEvent.Kind.ROLLED_BACK).exists()
    assert ab.champions_to_watch() == []  # watched since its promotion


def test_the_same_champion_measured_twice_does_not_regress(base, trained):
    # Only regressions count, and an unchanged model has none: any two measurements of the same champion, one
    # stored as the baseline at its promotion and one taken by the watch, must leave it serving. The pair chosen
    # is the one whose process CPU differs most, the likeliest to look like a regression.
    good = register(base, trained[1])
    measured = [ab.measure(base, adapter=good, suites=(SUITE,), limit=ITEMS) for _ in range(10)]
    assert {m.accuracy(SUITE) for m in measured} == {measured[0].accuracy(SUITE)}  # greedy: the same answers
    # (CPU is measured only over windows of CPU_WINDOW_SECONDS or more; these are shorter and carry none.)
    quietest = min(measured, key=lambda m: m.cpu_percent or 0.0)
    busiest = max(measured, key=lambda m: m.cpu_percent or 0.0)
    good = with_baseline(good, quietest)
    adapter_promote(good)

    found = ab.watch_check(good, current=busiest)

    assert found == [], f"the same adapter, measured {len(measured)} times: {[m.snapshot() for m in measured]}"
    assert champion(base) == good
    assert not AdapterEvent.objects.filter(kind=AdapterEvent.Kind.ROLLED_BACK).exists()


def test_an_ab_comparison_promotes_a_significant_gain_and_refuses_a_corrupt_challenger(base, trained):
    good = register(base, trained[1])
    row, before, after = ab.comparison_run(challenger=good, target_suite=SUITE, suites=(SUITE,), limit=ITEMS)

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
        ab.comparison_run(challenger=corrupt, target_suite=SUITE, suites=(SUITE,), limit=ITEMS)
    corrupt.refresh_from_db()
    assert (corrupt.status, corrupt.alias) == (Adapter.Status.FAILED, "")
    refused = AdapterEvent.objects.get(adapter=corrupt, kind=AdapterEvent.Kind.REFUSED)
    assert "sha256" in refused.detail["reason"]
    assert champion(base) == good and ABComparison.objects.count() == 1
