"""What hobbies adds to the knowledge graph, through the real finishing path: the catalogue, insights with their
activity, sub-agent, skill and failure kind, and each sub-agent's measured levels as facts with a history."""

from __future__ import annotations

import pytest

from memoryhub.models import GraphEdge, GraphNode
from memoryhub.services.graph_build import graph_update
from tests.hobbies.metrics_factories import finished, subagent

pytestmark = pytest.mark.django_db


def edges(relation: str, *, current: bool = True) -> set[tuple[str, str]]:
    rows = GraphEdge.objects.filter(relation=relation)
    if current:
        rows = rows.filter(valid_to__isnull=True)
    return set(rows.values_list("source__key", "target__key"))


def test_the_catalogue_links_hobby_types_suites_and_skills():
    graph_update(sources=["catalogue"])
    assert ("hobby_type:SKILL_PRACTICE", "suite:arithmetic") in edges("uses")
    assert ("suite:arithmetic", "skill:addition-2-digit") in edges("covers")
    assert graph_update(sources=["catalogue"])["catalogue"] == 0  # read once


def test_an_activity_s_insights_join_the_graph_with_their_evidence():
    agent = subagent("sa-1")
    activity = finished(hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.5, right=1, wrong=3)
    graph_update()

    insight = activity.insights.get(kind="off_by_small")
    key = f"insight:{insight.pk}"
    assert (key, "skill:addition") in edges("about")
    assert (key, f"activity:{activity.activity_id}") in edges("found_in")
    assert (key, "failure_kind:off_by_small") in edges("shows")
    assert ("subagent:sa-1", f"activity:{activity.activity_id}") in edges("performed")
    shows = GraphEdge.objects.get(source__key=key, relation="shows")
    assert shows.evidence == [key] and shows.weight == pytest.approx(0.75)  # 3 of 4 answers
    assert GraphNode.objects.get(key="failure_kind:off_by_small").label.startswith("close but off")


def test_levels_are_facts_whose_history_is_kept():
    agent = subagent("sa-1")
    finished(hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.2, heldout_by_skill={"addition": 0.2})
    graph_update()
    finished(hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.9, heldout_by_skill={"addition": 0.9})
    graph_update()

    levels = GraphEdge.objects.filter(source__key="subagent:sa-1", target__key="skill:addition", relation="level_in")
    history = list(levels.order_by("id").values_list("weight", "valid_to"))
    assert [weight for weight, _ in history] == [0.2, 0.9]
    assert history[0][1] is not None and history[1][1] is None  # the old level closed, kept
    assert ("subagent:sa-1", "hobby_type:SKILL_PRACTICE") in edges("proficient_at")


def test_finishing_an_activity_queues_a_graph_update_after_the_commit(django_capture_on_commit_callbacks, settings):
    from memoryhub.services.graph_build import graph_update_started
    from workers import broker
    from workers.queues import queue_name

    graph_update_started()  # no burst pending from an earlier test: this one's update is the one sent
    queue = queue_name("memory", settings.MACHINE_NAME)
    before = broker.waiting([queue])[queue][0]
    with django_capture_on_commit_callbacks(execute=True):
        finished(hobby_type="SKILL_PRACTICE", agent=subagent("sa-1"), heldout=0.5)
    assert broker.waiting([queue])[queue][0] == before + 1  # one graph_update_task waits on the memory queue
