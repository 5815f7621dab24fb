"""Which adapter a sub-agent practises with: its own if it names one, else the learning loop's champion for the
model and hobby type, asked of the adapter registry (registered by learning) only when a model is loaded."""

from __future__ import annotations

import pytest

from hobbies.assignments import adapter_for
from hobbies.models import HobbyConfig, SubAgent
from hobbies.practice import practise
from models_suite.models import ModelArtifact
from models_suite.services import adapter_resolution

pytestmark = pytest.mark.django_db


class Registry:
    def __init__(self):
        self.asked = []

    def champion_path(self, artifact, hobby_type):
        self.asked.append((artifact.name, hobby_type))
        return f"/adapters/{artifact.name}/{hobby_type}"


@pytest.fixture
def registry(monkeypatch):
    found = Registry()
    monkeypatch.setattr(adapter_resolution, "_registry", found)
    return found


def model() -> ModelArtifact:
    return ModelArtifact.objects.create(name="far", kind="remote", base_url="http://127.0.0.1:9/v1", remote_model="m")


def test_a_sub_agents_own_adapter_wins_else_the_champion_is_asked_for(registry):
    artifact = model()
    own = SubAgent.objects.create(subagent_id="own", capabilities=["*"], machine="m1", adapter="/mine")
    plain = SubAgent.objects.create(subagent_id="plain", capabilities=["*"], machine="m1")
    assert adapter_for(own, artifact, "SKILL_PRACTICE") == "/mine" and registry.asked == []
    assert adapter_for(plain, artifact, "SKILL_PRACTICE") == "/adapters/far/SKILL_PRACTICE"
    assert registry.asked == [("far", "SKILL_PRACTICE")]


def test_a_dry_run_never_asks_which_adapter(registry):
    HobbyConfig.objects.update_or_create(pk=1, defaults={"intensity_level": 0.0})

    def never() -> str:
        raise AssertionError("a dry run loads no model, so it needs no adapter")

    practised = practise(hobby_type="SKILL_PRACTICE", artifact=model(), adapter=never, items_per_suite=0)
    assert practised.activity.planned_items == 0
