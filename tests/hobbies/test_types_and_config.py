"""Hobby types and configuration: the originals' eight names and defaults, environment overrides, and a type
whose practice does not exist refusing to be enabled."""

import pytest

from hobbies import services
from hobbies.catalogue import CATALOGUE, NAMES, PRACTICE_BUILT
from hobbies.models import HobbyType

ORIGINAL_NAMES = [
    "SKILL_PRACTICE",
    "KNOWLEDGE_EXPLORATION",
    "PATTERN_RECOGNITION",
    "BENCHMARK_RUNNING",
    "TOOL_MASTERY",
    "CODE_ANALYSIS",
    "RESEARCH_INTEGRATION",
    "CREATIVE_PROBLEM_SOLVING",
]


def test_the_eight_types_exist_with_descriptions_and_suites(db):
    assert list(NAMES) == ORIGINAL_NAMES
    assert list(HobbyType.objects.values_list("name", flat=True)) == ORIGINAL_NAMES
    skill = HobbyType.objects.get(name="SKILL_PRACTICE")
    assert skill.description and skill.learning_objective and "arithmetic" in skill.suites
    assert [name for name, spec in CATALOGUE.items() if not spec.enabled_by_default] == [
        "CODE_ANALYSIS",
        "RESEARCH_INTEGRATION",
    ]


def test_the_originals_config_shape_and_defaults(db):
    assert services.config_effective() == {
        "enabled": True,
        "interval_minutes": 15.0,
        "idle_threshold_minutes": 5.0,
        "max_hobby_duration_minutes": 10.0,
        # on: the originals' defaults (every type's practice exists; two are off by default)
        "hobbies_enabled": {name: name not in {"CODE_ANALYSIS", "RESEARCH_INTEGRATION"} for name in ORIGINAL_NAMES},
        "focus_on_weaknesses": True,
        "variety_factor": 0.3,
        "intensity_level": 0.5,
        "selection_policy": "weakness",
    }  # the product's addition: the reward-driven policy is off by default


def test_environment_variables_override_what_is_stored(db, settings):
    services.config_update(interval_minutes=30, variety_factor=0.5)
    assert services.config_effective()["interval_minutes"] == 30
    # HOBBY_INTERVAL_MINUTES=45 HOBBY_FOCUS_WEAKNESSES=false, as core/settings.py reads them (a value out of range
    # stops the process at start: tests/core/test_settings_in_one_place.py)
    settings.HOBBY_CONFIG_OVERRIDES = {"interval_minutes": 45.0, "focus_on_weaknesses": False}
    effective = services.config_effective()
    assert effective["interval_minutes"] == 45 and effective["focus_on_weaknesses"] is False
    assert effective["variety_factor"] == 0.5


def test_every_type_is_built_and_one_that_is_not_cannot_be_enabled(personas, monkeypatch):
    assert PRACTICE_BUILT == set(ORIGINAL_NAMES)
    operator = personas["operator"].client()
    # RESEARCH_INTEGRATION: built, off by default like the originals', and an operator may turn it on
    enabled = operator.patch("/api/v1/hobbies/types/research_integration", {"enabled": True}, format="json")
    assert enabled.status_code == 200 and enabled.json()["enabled"] and enabled.json()["practice_built"]
    monkeypatch.setattr(services, "PRACTICE_BUILT", PRACTICE_BUILT - {"CODE_ANALYSIS"})
    response = operator.patch("/api/v1/hobbies/types/code_analysis", {"enabled": True}, format="json")
    assert response.status_code == 400
    assert "CODE_ANALYSIS cannot be enabled: its practice is not built yet" in response.json()["error"]["message"]
    assert not HobbyType.objects.get(name="CODE_ANALYSIS").enabled


def test_config_through_the_api_and_the_legacy_route(personas):
    operator = personas["operator"].client()
    assert operator.patch("/api/v1/hobbies/config", {"interval_minutes": 20}, format="json").status_code == 200
    assert personas["viewer"].client().get("/hobby/config").json()["interval_minutes"] == 20
    bad = operator.patch("/api/v1/hobbies/config", {"interval_minutes": 0}, format="json")
    assert bad.status_code == 400 and "interval_minutes" in bad.json()["error"]["message"]
    assert (
        personas["viewer"].client().patch("/api/v1/hobbies/config", {"interval_minutes": 30}, format="json").status_code
        == 403
    )
    types = personas["viewer"].client().get("/hobby/hobby-types").json()["hobby_types"]
    assert [t["name"] for t in types] == ORIGINAL_NAMES and all(t["description"] for t in types)


def test_an_unknown_type_is_a_400_listing_the_valid_ones(personas):
    response = personas["operator"].client().patch("/api/v1/hobbies/types/COOKING", {"enabled": False}, format="json")
    assert response.status_code == 400
    assert "COOKING" in response.json()["error"]["message"] and "SKILL_PRACTICE" in response.json()["error"]["message"]


# The schema says boolean, number or string: another JSON type is refused (DRF took 0 as false, false as 0.0),
# naming the field, and nothing changes.
@pytest.mark.parametrize(
    "method, path, body, field",
    [
        ("put", "/api/v1/hobbies/scheduler", {"running": 0}, "running"),
        ("put", "/api/v1/hobbies/scheduler", {"running": "false"}, "running"),
        ("patch", "/api/v1/hobbies/config", {"intensity_level": False}, "intensity_level"),
        ("patch", "/hobby/config", {"interval_minutes": "20"}, "interval_minutes"),
        ("patch", "/hobby/config", {"hobbies_enabled": {"SKILL_PRACTICE": 0}}, "hobbies_enabled"),
        ("patch", "/api/v1/hobbies/types/SKILL_PRACTICE", {"enabled": 0}, "enabled"),
        ("post", "/api/v1/hobbies/interactions", {"agent_id": 0}, "agent_id"),
        ("post", "/hobby/interaction", {"agent_id": 7}, "agent_id"),
        ("post", "/api/v1/hobbies/subagents/", {"subagent_id": "a", "capabilities": [1]}, "capabilities"),
        (
            "post",
            "/hobby/subagents/register",
            {"subagent_id": "a", "capabilities": ["*"], "metadata": {"x": "\x00"}},
            "metadata",
        ),
    ],
)
def test_a_value_of_the_wrong_json_type_is_a_400_naming_the_field_and_changes_nothing(
    personas, method, path, body, field
):
    from hobbies.models import AgentInteraction, SubAgent
    from hobbies.scheduling import system_state

    operator = personas["operator"].client()
    before = (
        operator.get("/api/v1/hobbies/config").json(),
        system_state(),
        list(HobbyType.objects.values_list("name", "enabled")),
    )
    response = getattr(operator, method)(path, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["details"] and field in error["message"]
    services.config_snapshot_forget()
    assert (
        operator.get("/api/v1/hobbies/config").json(),
        system_state(),
        list(HobbyType.objects.values_list("name", "enabled")),
    ) == before
    assert not AgentInteraction.objects.exists() and not SubAgent.objects.exists()
