"""LoRA adapters: versioned per base model and hobby type, sealed by sha256, the challenger on arrival; promotion
keeps the old champion as `previous`, a damaged adapter is refused while the champion stays, archiving takes an
adapter out of every alias, and a rollback brings `previous` back (counted in /metrics)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from core.errors import Conflict
from learning.loop import adapters
from learning.loop.adapters import AdapterCorrupt, adapter_promote, adapter_roll_back, champion, files_sha256
from learning.models import Adapter, AdapterEvent
from models_suite.services.registry import model_register
from tests.hobbies.test_metrics import promtool_check, samples
from tests.learning.lora_factories import lora_dirs, registered, tiny, tiny_dir  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _dirs(lora_dirs):
    return lora_dirs


def aliases(*rows) -> list[str]:
    return [Adapter.objects.get(pk=row.pk).alias for row in rows]


def events(adapter) -> list[str]:
    return list(AdapterEvent.objects.filter(adapter=adapter).order_by("pk").values_list("kind", flat=True))


def test_each_adapter_is_copied_sealed_versioned_and_becomes_the_challenger(tiny, tmp_path, settings):
    first = registered(tiny, tmp_path, seed=1)
    second = registered(tiny, tmp_path, seed=2)
    typed = registered(tiny, tmp_path, seed=3, hobby_type="SKILL_PRACTICE")
    assert (first.version, second.version, typed.version) == (1, 2, 1)  # a sequence per base model and type
    assert aliases(first, second, typed) == ["", "challenger", "challenger"]  # one challenger per group
    assert {row.status for row in (first, second, typed)} == {"testing"}
    root = Path(settings.ADAPTERS_DIR) / "tiny-lora"
    assert Path(second.path) == root / "all" / "v2" and Path(typed.path) == root / "SKILL_PRACTICE" / "v1"
    assert sorted(p.name for p in (root / "all").iterdir()) == ["v1", "v2"]  # no staging folder left over
    for row in (first, second, typed):
        assert row.sha256 == files_sha256(Path(row.path)) and len(row.sha256) == 64
    assert first.sha256 != second.sha256  # different weights, different seals
    assert {"adapter_model.safetensors", "adapter_config.json"} <= {p.name for p in Path(first.path).iterdir()}

    again = adapters.adapter_register(job=second.training_job, trained_dir=Path(first.path), metrics={})
    assert again.pk == second.pk and Adapter.objects.count() == 3  # the same job registers once

    shape = adapters.adapter_shape(second)
    assert shape["adapter_id"] == second.adapter_id and shape["model_base"] == "tiny-lora"
    assert shape["training_job_id"] == second.training_job.job_id and shape["alias"] == "challenger"
    assert shape["adapter_name"] == f"hobby_lora_{second.training_job.job_id}" and shape["promoted_at"] is None
    assert shape["adapter_path"] == second.path and shape["sha256"] == second.sha256 and shape["version"] == 2


def test_promotion_moves_the_champion_to_previous_and_the_previous_out(tiny, tmp_path):
    a, b, c = (registered(tiny, tmp_path, seed=seed) for seed in (1, 2, 3))
    assert champion(tiny) is None
    promoted = adapter_promote(a)
    assert (promoted.alias, promoted.status) == ("champion", "active") and promoted.promoted_at is not None
    assert champion(tiny) == a and adapters.active_adapter_id() == a.adapter_id
    adapter_promote(b)
    assert aliases(a, b, c) == ["previous", "champion", "challenger"]
    adapter_promote(c)
    assert aliases(a, b, c) == ["", "previous", "champion"] and champion(tiny) == c
    assert AdapterEvent.objects.get(adapter=c, kind="promoted").detail["replaced"] == b.adapter_id

    adapter_promote(c)  # already the champion: nothing moves, nothing recorded
    assert aliases(a, b, c) == ["", "previous", "champion"] and events(c) == ["promoted"]
    activated = adapters.adapter_activate(adapter_id=a.adapter_id)  # by hand, as the originals' activate
    assert activated.alias == "champion" and aliases(c, b) == ["previous", ""] and events(a)[-1] == "activated"


def test_a_hobby_type_is_served_its_own_champion_else_the_all_types_one(tiny, tmp_path):
    general = adapter_promote(registered(tiny, tmp_path, seed=1))
    assert champion(tiny, "SKILL_PRACTICE") == general
    typed = adapter_promote(registered(tiny, tmp_path, seed=2, hobby_type="SKILL_PRACTICE"))
    assert champion(tiny, "SKILL_PRACTICE") == typed and champion(tiny) == general
    assert aliases(general, typed) == ["champion", "champion"]  # different groups, one champion each
    other = model_register(target=tiny.path, name="tiny-other")
    assert champion(other) is None


def test_a_damaged_adapter_is_refused_recorded_and_the_champion_stays(tiny, tmp_path):
    serving = adapter_promote(registered(tiny, tmp_path, seed=1))
    damaged = registered(tiny, tmp_path, seed=2)
    weights = Path(damaged.path) / "adapter_model.safetensors"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    weights.write_bytes(bytes(data))

    with pytest.raises(AdapterCorrupt) as refused:
        adapter_promote(damaged)
    assert refused.value.status == 409 and "sha256" in refused.value.message
    row = Adapter.objects.get(pk=damaged.pk)
    assert (row.status, row.alias) == ("failed", "")
    assert events(damaged) == ["refused"] and "sha256" in damaged.events.get().detail["reason"]
    assert champion(tiny) == serving and aliases(serving) == ["champion"] and events(serving) == ["promoted"]

    missing = registered(tiny, tmp_path, seed=3)
    (Path(missing.path) / "adapter_config.json").unlink()
    with pytest.raises(AdapterCorrupt, match="cannot be read"):
        adapters.adapter_activate(adapter_id=missing.adapter_id)
    assert Adapter.objects.get(pk=missing.pk).status == "failed" and champion(tiny) == serving
    assert adapters.adapter_verified(serving) == serving  # a whole adapter passes


def test_archiving_takes_an_adapter_out_of_every_alias_and_out_of_use(tiny, tmp_path):
    old, new = registered(tiny, tmp_path, seed=1), registered(tiny, tmp_path, seed=2)
    adapter_promote(old)
    adapter_promote(new)
    archived = adapters.adapter_archive(adapter_id=new.adapter_id)
    assert (archived.status, archived.alias) == ("archived", "")
    assert AdapterEvent.objects.get(adapter=new, kind="archived").detail == {"alias_was": "champion"}
    assert champion(tiny) is None and adapters.active_adapter_id() is None  # the bare base serves
    assert aliases(old) == ["previous"]
    with pytest.raises(Conflict, match="archived"):
        adapter_promote(archived)
    assert aliases(old, new) == ["previous", ""]
    stats = adapters.adapter_stats()
    assert stats == {"total": 2, "active": 1, "archived": 1, "champions": 0, "active_adapter_id": None}
    assert [a.pk for a in adapters.adapters_list(status="archived")] == [new.pk]


def test_a_rollback_restores_previous_archives_the_regressed_one_and_is_counted(
    tiny,
    tmp_path,
    personas,
):
    old, new = registered(tiny, tmp_path, seed=1), registered(tiny, tmp_path, seed=2)
    adapter_promote(old)
    adapter_promote(new)
    restored = adapter_roll_back(new, reason="held-out accuracy fell", detail={"drop": 0.12})
    assert restored == old and (restored.alias, restored.status) == ("champion", "active")
    gone = Adapter.objects.get(pk=new.pk)
    assert (gone.status, gone.alias) == ("archived", "") and champion(tiny) == old
    event = AdapterEvent.objects.get(adapter=new, kind="rolled_back")
    assert event.detail == {"reason": "held-out accuracy fell", "restored": old.adapter_id, "drop": 0.12}

    assert adapter_roll_back(new, reason="again") == old  # no longer champion: nothing happens
    assert AdapterEvent.objects.filter(kind="rolled_back").count() == 1
    assert adapter_roll_back(old, reason="worse than the base") is None  # no previous: the bare base serves
    assert champion(tiny) is None and Adapter.objects.get(pk=old.pk).status == "archived"

    response = personas["operator"].client().get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    checked = promtool_check(text)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    found = samples(text)
    assert found[("adapter_rollbacks_total", ())] == 2
    assert found[("autodidact_adapter_champions", ())] == 0
    assert found[("autodidact_training_jobs", (("status", "completed"),))] == 2
    assert found[("autodidact_metrics_source_up", (("source", "learning"),))] == 1
    assert "# TYPE adapter_rollbacks_total counter" in text


def test_a_rollback_refuses_a_damaged_previous_and_leaves_the_bare_base_serving(tiny, tmp_path):
    old, new = registered(tiny, tmp_path, seed=1), registered(tiny, tmp_path, seed=2)
    adapter_promote(old)
    adapter_promote(new)
    (Path(old.path) / "adapter_model.safetensors").write_bytes(b"not the sealed weights")

    assert adapter_roll_back(new, reason="held-out accuracy fell") is None
    assert champion(tiny) is None  # neither the regressed adapter nor the damaged one serves
    damaged = Adapter.objects.get(pk=old.pk)
    assert (damaged.status, damaged.alias) == ("failed", "") and "refused" in events(old)
    assert AdapterEvent.objects.get(adapter=new, kind="rolled_back").detail["restored"] is None
    assert Adapter.objects.get(pk=new.pk).status == "archived"


def test_each_alias_is_held_once_per_base_model_and_hobby_type(tiny, tmp_path):
    a, b = registered(tiny, tmp_path, seed=1), registered(tiny, tmp_path, seed=2)
    adapter_promote(a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Adapter.objects.filter(pk=b.pk).update(alias="champion")
    with pytest.raises(IntegrityError), transaction.atomic():
        Adapter.objects.filter(pk=b.pk).update(version=a.version)
    Adapter.objects.filter(pk=b.pk).update(alias="")  # any number without an alias
    Adapter.objects.filter(pk__in=[a.pk, b.pk]).update(alias="")
    typed = registered(tiny, tmp_path, seed=3, hobby_type="CODE_ANALYSIS")
    Adapter.objects.filter(pk=a.pk).update(alias="champion")
    Adapter.objects.filter(pk=typed.pk).update(alias="champion")  # another group: allowed
    assert Adapter.objects.filter(alias="champion").count() == 2
