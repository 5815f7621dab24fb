"""Operators' corrections to the knowledge graph: merging two nodes that are one concept (parallel facts folded,
one current edge per fact, new facts for the merged key landing on the survivor), splitting a merge back to
exactly what was there, duplicate candidates by name and by meaning; and the admin pages that do it, in Django's
test client and in a real browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
import pytest
from django.test import Client
from playwright.sync_api import expect

from core.errors import Conflict, Invalid
from core.services import role_user_ensure
from memoryhub import embedder
from memoryhub.models import GraphChange, GraphEdge, GraphNode
from memoryhub.services.graph_admin import duplicate_candidates_find, node_merge, node_split
from memoryhub.services.graph_build import concept_node, mentions_count
from memoryhub.services.graph_store import edges_upsert, nodes_upsert
from tests.browser import admin_login

PASSWORD = "a-long-test-password-1"
KEEP, TWIN = "concept:brightwater analytics", "concept:brightwater analytic"


def build_graph() -> dict[str, GraphNode]:
    """Two documents naming "Brightwater Analytics" and its misspelt twin (d1 names both: a parallel edge once
    merged), facts from each about Tallinn, and an edge between the two that a merge would make a self-loop."""
    nodes = [
        concept_node("brightwater analytics", "Brightwater Analytics", entity=True),
        concept_node("brightwater analytic", "Brightwater Analytic", entity=True),
        concept_node("tallinn", "Tallinn", entity=True),
        concept_node("kestrel robotics", "Kestrel Robotics", entity=True),
        *({"key": f"document:kb/{d}", "kind": "document", "name": f"kb/{d}", "label": d} for d in ("d1", "d2", "d3")),
    ]
    ids = nodes_upsert(nodes)
    mentions = [
        ("document:kb/d1", KEEP, 0.1, ["document:kb/d1", "insight:1"]),
        ("document:kb/d1", TWIN, 0.7, ["document:kb/d1", "insight:2"]),
        ("document:kb/d2", KEEP, 1.0, ["document:kb/d2"]),
        ("document:kb/d3", TWIN, 1.0, ["document:kb/d3"]),
        ("document:kb/d3", "concept:kestrel robotics", 1.0, ["document:kb/d3"]),
    ]
    edges = [
        {"source": s, "target": t, "relation": "mentions", "weight": w, "evidence": e, "fact": True}
        for s, t, w, e in mentions
    ]
    edges += [
        {"source": KEEP, "target": "concept:tallinn", "relation": "co_mentioned", "weight": 2.0, "evidence": ["a"]},
        {"source": TWIN, "target": "concept:tallinn", "relation": "co_mentioned", "weight": 0.3, "evidence": ["b"]},
        {"source": "concept:tallinn", "target": TWIN, "relation": "near", "weight": 1.0, "evidence": ["c"]},
        {"source": KEEP, "target": TWIN, "relation": "co_mentioned", "weight": 1.0, "evidence": ["d"]},
    ]
    edges_upsert(edges, ids)
    # A closed fact of the twin's: history follows the node it belongs to.
    GraphEdge.objects.filter(source_id=ids["document:kb/d3"], target_id=ids[TWIN]).update(
        valid_to=datetime(2024, 1, 1, tzinfo=UTC)
    )
    edges_upsert([edges[3]], ids)
    mentions_count(list(ids.values()))
    return {node.key: node for node in GraphNode.objects.all()}


def snapshot() -> tuple[list, list]:
    edges = list(
        GraphEdge.objects.order_by("pk").values_list(
            "pk", "source__key", "target__key", "relation", "weight", "evidence", "valid_to"
        )
    )
    nodes = list(GraphNode.objects.order_by("key").values_list("key", "aliases", "mentions", "merged_into"))
    return edges, nodes


def current(**filters) -> list[GraphEdge]:
    return list(GraphEdge.objects.filter(valid_to__isnull=True, **filters))


# --- merging ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_merge_folds_parallel_edges_into_one_current_edge_and_records_what_it_did():
    nodes = build_graph()
    keep, twin = nodes[KEEP], nodes[TWIN]
    assert (keep.mentions, twin.mentions) == (2, 2)

    change = node_merge(into=keep, merged=twin, actor="op")

    [d1] = current(source__key="document:kb/d1", target=keep)
    assert d1.weight == pytest.approx(0.8)
    assert d1.evidence == ["document:kb/d1", "insight:1", "insight:2"]
    assert current(target=twin) == [] and current(source=twin) == []
    [tallinn] = current(source=keep, target__key="concept:tallinn", relation="co_mentioned")
    assert tallinn.weight == pytest.approx(2.3) and tallinn.evidence == ["a", "b"]
    assert current(source__key="concept:tallinn", target=keep, relation="near")  # incoming edges move too
    assert not current(source=keep, target=keep)  # the edge between the two is closed, not a self-loop
    closed_d3 = GraphEdge.objects.get(source__key="document:kb/d3", target=keep, valid_to__isnull=False)
    assert closed_d3.evidence == ["document:kb/d3"]  # a closed fact of the twin's is the survivor's history now

    keep.refresh_from_db()
    twin.refresh_from_db()
    assert twin.merged_into == keep
    assert "Brightwater Analytic" in keep.aliases
    assert (keep.mentions, twin.mentions) == (3, 0)  # d1, d2 and d3: d1's two mentions are one now
    assert change.action == "merge" and change.node == keep and change.other == twin and change.actor == "op"
    details = change.details
    assert len(details["edges_folded"]) == 2 and len(details["edges_closed"]) == 1
    assert details["aliases_added"] == ["Brightwater Analytic"]
    assert set(details["edges_moved"]) >= {closed_d3.pk}


@pytest.mark.django_db
def test_new_facts_for_a_merged_key_land_on_the_survivor():
    nodes = build_graph()
    node_merge(into=nodes[KEEP], merged=nodes[TWIN], actor="op")

    ids = nodes_upsert(
        [concept_node("brightwater analytic", "Brightwater Analytic", entity=True)]
        + [{"key": "document:kb/d4", "kind": "document", "name": "kb/d4", "label": "d4"}]
    )
    assert ids[TWIN] == nodes[KEEP].pk
    edges_upsert([{"source": "document:kb/d4", "target": TWIN, "relation": "mentions", "evidence": ["d4"]}], ids)
    assert current(source__key="document:kb/d4", target=nodes[KEEP])
    assert not current(target=nodes[TWIN])


@pytest.mark.django_db
def test_a_split_puts_back_exactly_the_edges_weights_and_aliases_of_before_the_merge():
    nodes = build_graph()
    before = snapshot()
    merge = node_merge(into=nodes[KEEP], merged=nodes[TWIN], actor="op")
    assert snapshot() != before

    split = node_split(change=merge, actor="other-op")

    assert snapshot() == before  # weights to the last bit: 0.1 + 0.7 - 0.7 is not 0.1 in floats
    assert split.action == "split" and split.details["merge"] == merge.pk and split.actor == "other-op"
    assert split.details["aliases_removed"] == ["Brightwater Analytic"]
    assert GraphChange.objects.count() == 2


@pytest.mark.django_db
def test_merges_that_make_no_sense_are_refused_and_change_nothing():
    nodes = build_graph()
    keep, twin, kestrel = nodes[KEEP], nodes[TWIN], nodes["concept:kestrel robotics"]
    before = snapshot()
    with pytest.raises(Invalid, match="itself"):
        node_merge(into=keep, merged=keep, actor="op")
    with pytest.raises(Invalid, match="only concepts merge"):
        node_merge(into=keep, merged=nodes["document:kb/d1"], actor="op")
    assert snapshot() == before

    node_merge(into=keep, merged=twin, actor="op")
    with pytest.raises(Conflict, match="already merged"):
        node_merge(into=kestrel, merged=twin, actor="op")
    with pytest.raises(Conflict, match="merge into that one"):
        node_merge(into=twin, merged=kestrel, actor="op")


@pytest.mark.django_db
def test_splits_that_cannot_be_done_are_refused_saying_why():
    nodes = build_graph()
    keep, twin, kestrel = nodes[KEEP], nodes[TWIN], nodes["concept:kestrel robotics"]
    merge = node_merge(into=keep, merged=twin, actor="op")
    # A later merge of the same survivor that folds into an edge the first merge moved.
    later = node_merge(into=kestrel, merged=keep, actor="op")
    with pytest.raises(Conflict, match="has since been merged into concept:kestrel robotics"):
        node_split(change=merge, actor="op")

    split = node_split(change=later, actor="op")
    with pytest.raises(Invalid, match="only a merge can be split"):
        node_split(change=split, actor="op")
    with pytest.raises(Conflict, match="already split"):
        node_split(change=later, actor="op")
    node_split(change=merge, actor="op")  # the later one undone: the earlier one can go
    assert GraphNode.objects.filter(merged_into__isnull=False).count() == 0


@pytest.mark.django_db
def test_a_split_waits_for_a_later_merge_that_changed_the_same_edges():
    nodes = build_graph()
    keep, twin = nodes[KEEP], nodes[TWIN]
    third = GraphNode.objects.get(
        pk=nodes_upsert([concept_node("brightwater", "Brightwater", entity=True)])["concept:brightwater"]
    )
    edges_upsert([{"source": "concept:brightwater", "target": "concept:tallinn", "relation": "near", "weight": 1.0}])
    edges_upsert([{"source": "concept:tallinn", "target": "concept:brightwater", "relation": "near", "weight": 1.0}])
    first = node_merge(into=keep, merged=twin, actor="op")  # tallinn -near-> twin moves to keep
    node_merge(into=keep, merged=third, actor="op")  # tallinn -near-> brightwater folds into that moved edge
    with pytest.raises(Conflict, match=r"the later merge #\d+ .* changed the same edges: split it first"):
        node_split(change=first, actor="op")


# --- candidates ---------------------------------------------------------------------------------------------------


def unit(vector) -> bytes:
    array = np.asarray(vector, dtype=np.float32)
    return embedder.to_bytes(array / np.linalg.norm(array))


@pytest.mark.django_db
def test_duplicate_candidates_are_found_by_name_and_by_meaning_best_first():
    nodes = build_graph()
    nodes_upsert([concept_node(name, name.title(), entity=False) for name in ("automobile", "car", "tide")])
    rng = np.random.default_rng(7)
    base, other = rng.normal(size=embedder.DIMENSIONS), rng.normal(size=embedder.DIMENSIONS)
    GraphNode.objects.filter(key="concept:automobile").update(vector=unit(base))
    GraphNode.objects.filter(key="concept:car").update(vector=unit(base + 0.05 * other))
    GraphNode.objects.filter(key="concept:tide").update(vector=unit(other))

    found = duplicate_candidates_find()

    pairs = {frozenset((one["into"].key, one["merged"].key)): one for one in found}
    assert set(pairs) == {frozenset((KEEP, TWIN)), frozenset(("concept:automobile", "concept:car"))}
    by_name = pairs[frozenset((KEEP, TWIN))]
    assert by_name["minhash"] >= 0.85 and "embedding" not in by_name
    by_meaning = pairs[frozenset(("concept:automobile", "concept:car"))]
    assert by_meaning["embedding"] >= 0.9 and "minhash" not in by_meaning
    assert found == sorted(found, key=lambda one: -(one.get("minhash", 0) + one.get("embedding", 0)))

    merge = node_merge(into=nodes[KEEP], merged=nodes[TWIN], actor="op")
    assert len(duplicate_candidates_find()) == 1  # a merged node is no candidate
    node_split(change=merge, actor="op")
    assert len(duplicate_candidates_find()) == 1  # nor is a pair an operator split apart


# --- admin, through Django's test client ------------------------------------------------------------------------


@pytest.fixture
def operator(client, db):
    role_user_ensure(username="op", role="operator", password=PASSWORD)
    assert client.login(username="op", password=PASSWORD)
    return client


def action(client, url: str, name: str, rows) -> object:
    return client.post(url, {"action": name, "_selected_action": [row.pk for row in rows]}, follow=True)


def test_the_node_list_links_to_the_candidates_and_filters_and_searches(operator):
    nodes = build_graph()
    response = operator.get("/admin/memoryhub/graphnode/")
    assert response.status_code == 200
    assert b"/admin/memoryhub/graphnode/candidates/" in response.content
    node_merge(into=nodes[KEEP], merged=nodes[TWIN], actor="op")

    merged = operator.get("/admin/memoryhub/graphnode/?merged=yes")
    assert list(merged.context["cl"].result_list) == [nodes[TWIN]]
    found = operator.get("/admin/memoryhub/graphnode/", {"q": "Brightwater Analytic"})
    assert {node.key for node in found.context["cl"].result_list} == {KEEP, TWIN}

    page = operator.get(f"/admin/memoryhub/graphnode/{nodes[KEEP].pk}/change/")
    assert page.status_code == 200
    assert b"MinHash, 64 values" in page.content
    assert f"/admin/memoryhub/graphedge/?source__id__exact={nodes[KEEP].pk}".encode() in page.content
    edges = operator.get(f"/admin/memoryhub/graphedge/?source__id__exact={nodes[KEEP].pk}&current=yes")
    assert edges.status_code == 200 and len(edges.context["cl"].result_list) == 1


def test_the_merge_action_merges_the_selected_into_the_most_mentioned(operator):
    nodes = build_graph()
    GraphNode.objects.filter(key=TWIN).update(mentions=1)
    response = action(operator, "/admin/memoryhub/graphnode/", "merge_selected", [nodes[TWIN], nodes[KEEP]])
    assert response.status_code == 200
    assert f"Merged {TWIN} into {KEEP}" in response.content.decode()
    assert GraphNode.objects.get(key=TWIN).merged_into_id == nodes[KEEP].pk

    refused = action(operator, "/admin/memoryhub/graphnode/", "merge_selected", [nodes[KEEP], nodes["document:kb/d1"]])
    assert "not merged: only concepts merge" in refused.content.decode()
    alone = action(operator, "/admin/memoryhub/graphnode/", "merge_selected", [nodes[KEEP]])
    assert "Select two nodes or more" in alone.content.decode()


def test_the_candidates_page_lists_pairs_and_merges_one_with_its_button(operator):
    nodes = build_graph()
    page = operator.get("/admin/memoryhub/graphnode/candidates/")
    assert page.status_code == 200
    [pair] = page.context["candidates"]
    assert {pair["into"].key, pair["merged"].key} == {KEEP, TWIN}
    assert b"Merge the other way" in page.content

    url = "/admin/memoryhub/graphnode/candidates/"
    done = operator.post(url, {"into": nodes[KEEP].pk, "merged": nodes[TWIN].pk}, follow=True)
    assert f"Merged {TWIN} into {KEEP}" in done.content.decode()
    assert done.context["candidates"] == []
    assert GraphChange.objects.get().actor == "op"

    again = operator.post(url, {"into": nodes[KEEP].pk, "merged": nodes[TWIN].pk}, follow=True)
    assert "Not merged:" in again.content.decode() and "already merged" in again.content.decode()
    unknown = operator.post(url, {"into": nodes[KEEP].pk, "merged": 999_999}, follow=True)
    assert unknown.status_code == 200 and "Not merged: merged: Select a valid choice" in unknown.content.decode()
    assert GraphChange.objects.count() == 1


def test_the_candidates_page_needs_csrf_and_permission(db, django_user_model):
    nodes = build_graph()
    role_user_ensure(username="op", role="operator", password=PASSWORD)
    strict = Client(enforce_csrf_checks=True)
    strict.login(username="op", password=PASSWORD)
    url = "/admin/memoryhub/graphnode/candidates/"
    assert strict.post(url, {"into": nodes[KEEP].pk, "merged": nodes[TWIN].pk}).status_code == 403
    assert not GraphChange.objects.exists()

    clerk = django_user_model.objects.create_user(username="clerk", password=PASSWORD, is_staff=True)
    client = Client()
    client.force_login(clerk)
    assert client.get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page


def test_the_split_action_undoes_a_merge_and_refuses_a_second_time(operator):
    nodes = build_graph()
    before = snapshot()
    merge = node_merge(into=nodes[KEEP], merged=nodes[TWIN], actor="op")
    page = operator.get(f"/admin/memoryhub/graphchange/{merge.pk}/change/")
    assert page.status_code == 200 and b"edges_folded" in page.content

    response = action(operator, "/admin/memoryhub/graphchange/", "split", [merge])
    assert f"Split change #{merge.pk}" in response.content.decode()
    assert snapshot() == before
    again = action(operator, "/admin/memoryhub/graphchange/", "split", [merge])
    assert "already split" in again.content.decode()
    assert GraphChange.objects.filter(action="split").count() == 1


def test_the_edge_form_refuses_a_second_current_edge_for_one_fact(operator):
    nodes = build_graph()
    [edge] = current(source__key="document:kb/d2", target=nodes[KEEP])
    page = operator.get(f"/admin/memoryhub/graphedge/{edge.pk}/change/")
    assert page.status_code == 200 and b"document:kb/d2" in page.content
    [twin] = current(source__key="document:kb/d1", target=nodes[KEEP])
    data = {
        "source": twin.source_id,
        "target": twin.target_id,
        "relation": "mentions",
        "weight": "1.0",
        "evidence": '["x"]',
        "valid_from_0": "2024-01-01",
        "valid_from_1": "00:00:00",
    }
    response = operator.post(f"/admin/memoryhub/graphedge/{edge.pk}/change/", data)
    assert response.status_code == 200
    assert "already has a current edge" in str(response.context["adminform"].form.errors)
    loop = operator.post(f"/admin/memoryhub/graphedge/{edge.pk}/change/", {**data, "source": twin.target_id})
    assert "two different nodes" in str(loop.context["adminform"].form.errors)
    assert GraphEdge.objects.get(pk=edge.pk).source.key == "document:kb/d2"

    closing = operator.post(
        f"/admin/memoryhub/graphedge/{edge.pk}/change/",
        {**data, "source": edge.source_id, "valid_to_0": "2024-02-01", "valid_to_1": "00:00:00"},
    )
    assert closing.status_code == 302
    assert GraphNode.objects.get(key=KEEP).mentions == 1  # d2's mention closed: recounted
    assert operator.get("/admin/memoryhub/graphedge/add/").status_code == 200
    assert operator.get("/admin/memoryhub/graphnode/add/").status_code == 403  # nodes come from the builder


# --- admin, in a real browser -------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.slow
def test_an_operator_merges_two_nodes_from_the_candidates_page_and_sees_the_history(page, page_watch, transactional_db):
    build_graph()
    role_user_ensure(username="op", role="operator", password=PASSWORD)
    admin_login(page, "op", PASSWORD)
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto("/admin/memoryhub/graphnode/")
    page.get_by_role("link", name="Duplicate candidates").click()
    rows = page.locator("#graph-candidates tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Brightwater Analytic")
    rows.first.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(f"Merged {TWIN} into {KEEP}")
    expect(page.locator("#graph-candidates tbody tr")).to_contain_text("No candidates")

    page.goto("/admin/memoryhub/graphchange/")
    history = page.locator("#result_list tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Merge")
    expect(history.first).to_contain_text(KEEP)
    expect(history.first).to_contain_text("op")
    assert not page_watch.problems()
