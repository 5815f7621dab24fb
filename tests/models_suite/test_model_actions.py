"""Operators load, unload and swap models on the machine that holds them, through the API."""

import pytest

from models_suite.models import Placement
from models_suite.services.registry import model_register
from tests.models_suite.tiny_models import build_tiny_model


@pytest.fixture
def tiny_on_alpha(db, tmp_path):
    def register(name, seed=0):
        artifact = model_register(target=str(build_tiny_model(tmp_path / name, n_ctx=48, seed=seed)), name=name)
        artifact.machine = "alpha"
        artifact.save()
        return artifact

    return register


def post(persona, path, body=None):
    return persona.client().post(path, body or {}, format="json")


def test_only_operators_act_and_bad_requests_change_nothing(personas, tiny_on_alpha):
    tiny_on_alpha("tiny")
    assert post(personas["viewer"], "/api/v1/models/tiny/load").status_code == 403
    assert post(personas["operator"], "/api/v1/models/nope/load").status_code == 404
    assert post(personas["operator"], "/api/v1/models/tiny/swap", {"wait_seconds": 0}).json()["error"]["details"]["to"]
    assert post(personas["operator"], "/api/v1/models/tiny/load", {"pinned": True}).status_code == 400  # typo'd field
    assert not Placement.objects.exists()


@pytest.mark.slow
def test_load_pin_swap_and_unload_on_the_models_worker(start_worker, personas, tiny_on_alpha):
    tiny_on_alpha("tiny")
    tiny_on_alpha("tiny-v2", seed=1)
    start_worker("alpha", roles=["models"])
    operator = personas["operator"]

    loaded = post(operator, "/api/v1/models/tiny/load", {"pin": True})
    assert loaded.status_code == 200, loaded.json()
    assert loaded.json()["result"]["pinned"] is True
    placement = Placement.objects.get(name="tiny")
    assert placement.machine == "alpha" and placement.pinned

    swapped = post(operator, "/api/v1/models/tiny/swap", {"to": "tiny-v2"})
    assert swapped.status_code == 200 and swapped.json()["result"]["name"] == "tiny-v2"
    assert list(Placement.objects.values_list("name", flat=True)) == ["tiny-v2"]

    assert post(operator, "/api/v1/models/tiny-v2/unload").json()["result"] is True
    assert not Placement.objects.exists()


@pytest.mark.slow
def test_a_load_past_the_budget_is_a_409_naming_what_is_resident(start_worker, personas, tiny_on_alpha):
    tiny_on_alpha("tiny")
    # 1 % of the machine: the worker process alone (torch, transformers, Django) already uses more.
    start_worker("alpha", roles=["models"], env={"MODEL_MEMORY_BUDGET_PERCENT": "1"})
    refused = post(personas["operator"], "/api/v1/models/tiny/load")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "over_memory_budget"
    assert "tiny" in refused.json()["error"]["message"]
    assert not Placement.objects.exists()
