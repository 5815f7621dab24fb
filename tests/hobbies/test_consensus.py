"""Consensus runs: the same items answered by several sub-agents in parallel on their machines' workers,
answers compared, agreement recorded as confidence, disagreements flagged."""

import pytest

from hobbies.distribution import consensus_items
from hobbies.models import ConsensusAnswer, ConsensusRun
from hobbies.services import subagent_register
from models_suite.services.registry import model_register
from tests.workers.processes import wait_for


def test_consensus_needs_two_able_sub_agents(personas, db):
    operator = personas["operator"].client()
    subagent_register(subagent_id="only", capabilities=["*"])
    subagent_register(subagent_id="narrow", capabilities=["TOOL_MASTERY"])
    too_few = operator.post("/api/v1/hobbies/consensus/", {"hobby_type": "SKILL_PRACTICE"}, format="json")
    assert too_few.status_code == 400 and "at least 2" in too_few.json()["error"]["message"]
    unable = operator.post(
        "/api/v1/hobbies/consensus/",
        {"hobby_type": "SKILL_PRACTICE", "subagent_ids": ["only", "narrow"]},
        format="json",
    )
    assert unable.status_code == 400 and "narrow" in unable.json()["error"]["message"]
    assert operator.get("/api/v1/hobbies/consensus/999").status_code == 404
    assert not ConsensusRun.objects.exists()


@pytest.mark.slow
def test_agreeing_answers_are_high_confidence_and_a_dissenter_flags_the_item(
    start_worker, personas, cloud, tiny, monkeypatch
):
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    remote = model_register(target=cloud.base_url, remote_model=cloud.model, api_key_env="CLOUD_KEY")
    start_worker("alpha", roles=["hobbies"])
    start_worker("beta", roles=["hobbies"])
    subagent_register(subagent_id="a", capabilities=["*"], model=remote, machine="alpha")
    subagent_register(subagent_id="b", capabilities=["*"], model=remote, machine="beta")
    subagent_register(subagent_id="c", capabilities=["*"], model=tiny, machine="beta")

    started = (
        personas["operator"]
        .client()
        .post(
            "/api/v1/hobbies/consensus/",
            {"hobby_type": "PATTERN_RECOGNITION", "subagent_ids": ["a", "b", "c"], "items_per_suite": 2},
            format="json",
        )
    )
    assert started.status_code == 202 and started.json()["status"] == "running"
    run_id = started.json()["id"]
    wait_for(
        lambda: ConsensusRun.objects.filter(pk=run_id, status="completed").exists(),
        120,
        what="the consensus run to complete",
    )

    shown = personas["viewer"].client().get(f"/api/v1/hobbies/consensus/{run_id}").json()
    _, items = consensus_items(ConsensusRun.objects.get(pk=run_id))
    assert [i["item_id"] for i in shown["items"]] == [item.id for item in items]
    assert ConsensusAnswer.objects.filter(run_id=run_id).count() == 3 * len(items)  # each answered once by each
    tiny_answers = dict(
        ConsensusAnswer.objects.filter(run_id=run_id, subagent__subagent_id="c").values_list("item_id", "answer")
    )
    for item in shown["items"]:
        # a and b run the same model: they agree, so every item is high confidence ...
        assert item["agreeing"] >= 2 and item["confidence"] == "high"
        assert item["answer"].startswith("echo:")
        # ... and where the third said something else, the item is flagged for review
        assert item["needs_review"] == (tiny_answers[item["item_id"]].strip() != item["answer"].strip())
    assert shown["agreement"] == 1.0
    assert shown["flagged_for_review"] == sum(i["needs_review"] for i in shown["items"]) > 0
