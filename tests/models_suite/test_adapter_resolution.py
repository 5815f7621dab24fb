"""One resolution of adapter references for every use (models_suite.services.adapter_resolution): an alias, an
adapter id or a directory names the same files whether practice, evaluation, consensus or the gateway asks, and a
damaged adapter is refused by all of them (model_in_use resolves every reference there)."""

from pathlib import Path

import pytest

from learning.loop.adapters import adapter_promote
from learning.models import Adapter, AdapterEvent
from models_suite.services.adapter_resolution import AdapterRefused, adapter_path, served_name
from tests.learning.lora_factories import lora_dirs, registered, tiny, tiny_dir  # noqa: F401


@pytest.fixture(autouse=True)
def _dirs(lora_dirs):
    pass


def damage(adapter: Adapter) -> None:
    weights = Path(adapter.path) / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-1] + bytes([weights.read_bytes()[-1] ^ 0xFF]))


def test_every_kind_of_reference_names_the_same_directory(tiny, tmp_path):
    served = adapter_promote(registered(tiny, tmp_path, seed=1))
    other = registered(tiny, tmp_path, seed=2)  # the challenger now
    assert adapter_path(tiny, "") == ""
    assert adapter_path(tiny, "champion") == adapter_path(tiny, served.adapter_id) == served.path
    assert adapter_path(tiny, served.path) == served.path  # what the A/B and practice pass
    assert adapter_path(tiny, "challenger") == other.path
    own = str(tmp_path / "an-operators-own-adapter")  # a sub-agent's own directory, sealed by nobody
    assert adapter_path(tiny, own) == own
    with pytest.raises(AdapterRefused, match="no adapter 'nope'") as refused:
        adapter_path(tiny, "nope")
    assert (refused.value.status, refused.value.code) == (404, "not_found")
    assert served_name(tiny, served) == f"tiny-lora:{served.adapter_id}" and served_name(tiny, None) == "tiny-lora"


def test_a_damaged_adapter_is_refused_by_evaluation_and_practice_alike(tiny, tmp_path):
    from hobbies.practice import practise
    from models_suite.services.evaluation import eval_run_create, eval_run_execute

    adapter = adapter_promote(registered(tiny, tmp_path, seed=1))
    damage(adapter)
    with pytest.raises(AdapterRefused, match="sha256") as refused:
        adapter_path(tiny, "champion")
    assert refused.value.status == 409
    adapter.refresh_from_db()
    assert (adapter.status, adapter.alias) == (Adapter.Status.FAILED, "")

    run = eval_run_create(model=tiny, suite="sequences", limit=2, adapter=adapter.path, enqueue=False)
    run = eval_run_execute(eval_run_id=run.pk)
    assert run.status == run.Status.FAILED and "refused" in run.error
    practised = practise(
        hobby_type="SKILL_PRACTICE",
        artifact=tiny,
        adapter=adapter.path,
        suites=("sequences",),
        items_per_suite=2,
        probe_per_suite=0,
    )
    assert practised.status == "failed" and "refused" in practised.error
    # Refused once, recorded once: later uses are refused without hashing it again.
    assert AdapterEvent.objects.filter(adapter=adapter, kind=AdapterEvent.Kind.REFUSED).count() == 1
