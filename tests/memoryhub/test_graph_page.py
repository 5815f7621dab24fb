"""The knowledge-graph explorer (/hobby/graph/page) in a real browser, on a generated graph of 10,000 nodes and
about 20,000 edges: it loads and draws (WebGL), search finds and focuses a concept, the kind filter hides the
others, a click on a node adds its neighbours, a path between two concepts is shown with its labels, the panel
lists a node's evidence; a viewer may open it, a user with no role may not; nothing is fetched from beyond the
live server (page_watch).

Chromium talks to pytest-django's live server from its own thread: hence transactional_db. Building the big graph
costs a few seconds, so one test walks through every feature on it.
"""

from __future__ import annotations

import random
import re
import struct
import zlib

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from core.services import role_user_ensure
from memoryhub.graph.names import normalise
from memoryhub.models import GraphNode
from memoryhub.services.graph_store import edges_upsert, nodes_upsert
from tests.browser import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE = "/hobby/graph/page"
PASSWORD = "a-long-test-password-1"
KINDS = {"concept": 6000, "skill": 1500, "document": 1500, "insight": 1000}  # 10,000 nodes in all
EDGES = 20_000
LOAD_MS = 60_000  # 10,000 nodes through SwiftShader on two shared cores: generous, not expected


def concept(name: str) -> str:
    return "concept:" + normalise(name)


# A small, separate cluster with known answers: a chain (its only path), and the evidence on its edges.
CHAIN = ["Photosynthesis", "Chlorophyll", "Light reactions", "Glucose"]
NOTES, PLANTS, INSIGHT = "document:kb/photosynthesis-notes", "skill:plant-biology", "insight:42"
SPECIAL = [
    *[
        {"key": concept(name), "kind": "concept", "name": normalise(name), "label": name, "mentions": 30}
        for name in CHAIN
    ],
    {"key": NOTES, "kind": "document", "name": "kb/photosynthesis-notes", "label": "Photosynthesis notes"},
    {"key": PLANTS, "kind": "skill", "name": "plant-biology", "label": "Plant biology"},
    {"key": INSIGHT, "kind": "insight", "name": "42", "label": "Insight 42: light drives sugar"},
]
SPECIAL_EDGES = [
    *[
        {"source": concept(a), "target": concept(b), "relation": "related_to", "evidence": [NOTES, f"insight:{i}"]}
        for i, (a, b) in enumerate(zip(CHAIN, CHAIN[1:]))
    ],
    {"source": NOTES, "target": concept("Chlorophyll"), "relation": "mentions", "evidence": ["document:kb/d7"]},
    {"source": PLANTS, "target": concept("Chlorophyll"), "relation": "requires", "evidence": []},
    {"source": INSIGHT, "target": concept("Chlorophyll"), "relation": "about", "evidence": [INSIGHT]},
]
RELATIONS = {"concept": "related_to", "skill": "requires", "document": "mentions", "insight": "about"}


def graph_make(kinds: dict[str, int] = KINDS, edges: int = EDGES, seed: int = 7) -> None:
    """Writes the graph into the truth: the special cluster plus generic nodes up to `kinds`, `edges` edges."""
    rng = random.Random(seed)
    special_count = {kind: sum(1 for node in SPECIAL if node["kind"] == kind) for kind in kinds}
    nodes = list(SPECIAL)
    for kind, total in kinds.items():
        for i in range(total - special_count[kind]):
            name = f"{kind} topic {i}" if kind == "concept" else f"{kind}-{i}"
            key = concept(name) if kind == "concept" else f"{kind}:{name}"
            nodes.append({"key": key, "kind": kind, "name": normalise(name) if kind == "concept" else name,
                          "label": name.capitalize(), "mentions": rng.randint(0, 40)})  # fmt: skip
    nodes_upsert(nodes)
    generic = [node["key"] for node in nodes[len(SPECIAL) :]]
    concepts = [key for key in generic if key.startswith("concept:")]
    items = list(SPECIAL_EDGES)
    while len(items) < edges:
        source = rng.choice(generic)
        target = rng.choice(concepts)
        if source != target:
            relation = RELATIONS[source.split(":", 1)[0]]
            items.append({"source": source, "target": target, "relation": relation, "weight": rng.randint(1, 5)})
    edges_upsert(items)
    # Communities, as the build's clustering would set them: the special cluster is a community of its own.
    pks = list(GraphNode.objects.exclude(key__in=[node["key"] for node in SPECIAL]).values_list("pk", flat=True))
    for number in range(12):
        GraphNode.objects.filter(pk__in=pks[number::12]).update(community=number, community_label=f"Community {number}")
    GraphNode.objects.filter(key__in=[node["key"] for node in SPECIAL]).update(
        community=99, community_label="Plant biology"
    )


# --- Checking what is drawn ---------------------------------------------------------------------------------------


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGBA or RGB bytes) of an 8-bit, non-interlaced PNG (what chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and not interlace, header
    channels = 4 if colour == 6 else 3
    raw, stride, rows, previous = zlib.decompress(b"".join(chunks)), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def painted_share(screenshot: bytes) -> float:
    """The share of pixels that differ from the most common colour (the background)."""
    width, height, rows = png_pixels(screenshot)
    channels = len(rows[0]) // width
    counts: dict[bytes, int] = {}
    for row in rows:
        for x in range(0, len(row), channels):
            pixel = row[x : x + 3]
            counts[pixel] = counts.get(pixel, 0) + 1
    return 1 - max(counts.values()) / (width * height)


def click_node(page, key: str) -> None:
    """Brings the node to the middle, zoomed in so that no other node covers it, and clicks it with the mouse."""
    page.evaluate(
        """key => new Promise(done => {
            const renderer = window.graphExplorer.renderer(), data = renderer.getNodeDisplayData(key);
            renderer.getCamera().setState({x: data.x, y: data.y, ratio: 0.01});
            requestAnimationFrame(() => requestAnimationFrame(done));  // drawn, and its picking layer too
        })""",
        key,
    )
    point = page.evaluate("key => window.graphExplorer.viewportPosition(key)", key)
    box = page.locator("#ge-canvas").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def session_login(page, live_server, user) -> None:
    """Logs `user` in for the browser with a session made by Django's test client (viewers cannot use the admin
    login form: it is for staff)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


# --- Fixtures --------------------------------------------------------------------------------------------------------


@pytest.fixture
def operator(transactional_db):
    return role_user_ensure(username="op", role="operator", password=PASSWORD)


@pytest.fixture
def big_graph(transactional_db):
    graph_make()
    assert GraphNode.objects.count() == 10_000


# --- In the browser -----------------------------------------------------------------------------------------------


def test_the_explorer_on_ten_thousand_nodes(page, page_watch, operator, big_graph, tmp_path):
    admin_login(page, "op", PASSWORD, path=f"/admin/login/?next={PAGE}")
    expect(page).to_have_url(re.compile(f"{PAGE}$"))
    root, count = page.locator(".graph-explorer"), page.locator("#ge-count")

    # Loads and draws: every node counted, and the WebGL view painted (the screenshot composites its canvases).
    expect(count).to_contain_text("10,000 nodes and ", timeout=LOAD_MS)
    edges_shown = int(root.get_attribute("data-shown-edges"))
    assert 19_000 <= edges_shown <= EDGES, edges_shown  # the generator's repeats fold into one edge
    expect(root).to_have_attribute("data-layout", "done", timeout=LOAD_MS)
    assert int(root.get_attribute("data-layout-ran")) > 0  # ForceAtlas2 ran in its worker, and stopped
    shot = page.locator("#ge-canvas").screenshot(path=str(tmp_path / "graph.png"))
    assert painted_share(shot) > 0.02, "the graph view is blank"

    # Search finds a concept; choosing it opens it, focuses the camera on it and lists its evidence.
    page.fill("#ge-search", "chlorop")
    result = page.locator(f'#ge-results button[data-key="{concept("Chlorophyll")}"]')
    expect(result).to_be_visible()
    result.click()
    expect(page.locator("#ge-details-title")).to_have_text("Chlorophyll")
    expect(root).to_have_attribute("data-selected", concept("Chlorophyll"))
    page.wait_for_function("window.graphExplorer.renderer().getCamera().ratio < 0.5")
    evidence = page.locator("#ge-evidence li")
    expect(evidence).to_contain_text([NOTES], timeout=5000)
    for one in (NOTES, "insight:0", "insight:1", "document:kb/d7", INSIGHT):
        expect(page.locator("#ge-evidence")).to_contain_text(one)
    neighbours = page.locator("#ge-neighbours")
    for label in ("Photosynthesis", "Light reactions", "Photosynthesis notes", "Plant biology"):
        expect(neighbours).to_contain_text(label)
    expect(neighbours.locator('ul[data-relation="← mentions"] li')).to_have_count(1)

    # The kind filter hides the others, and shows them again.
    page.get_by_label("document", exact=True).uncheck()
    expect(count).to_contain_text("8,500 nodes and ")
    assert int(root.get_attribute("data-shown-edges")) < edges_shown
    page.get_by_label("document", exact=True).check()
    expect(count).to_contain_text("10,000 nodes and ")

    # A path between two concepts, named as a person would: highlighted, its steps' labels in the panel.
    page.fill("#ge-from", "Photosynthesis")
    page.fill("#ge-to", "glucose")
    page.click("#ge-path-find")
    expect(root).to_have_attribute("data-path", "found")
    steps = page.locator("#ge-path-steps li")
    expect(steps).to_have_count(len(CHAIN))
    for step, label in zip(range(len(CHAIN)), CHAIN):
        expect(steps.nth(step).locator("button")).to_have_text(label)
    expect(page.locator("#ge-path h3")).to_contain_text("3 hops")
    page.screenshot(path=str(tmp_path / "graph-path.png"), full_page=True)
    page.click("#ge-path-clear")
    expect(page.locator("#ge-path")).to_be_hidden()

    # Expanding by a click: with only concepts loaded, a click on Chlorophyll adds its document, skill and insight.
    page.select_option("#ge-load-kind", "concept")
    page.click("#ge-load-form button[type=submit]")
    expect(count).to_contain_text("6,000 nodes and ", timeout=LOAD_MS)
    expect(root).to_have_attribute("data-layout", "done", timeout=LOAD_MS)
    expect(root).not_to_have_attribute("data-selected", re.compile("."))
    click_node(page, concept("Chlorophyll"))
    expect(root).to_have_attribute("data-selected", concept("Chlorophyll"))
    expect(root).to_have_attribute("data-expanded", concept("Chlorophyll"))
    expect(count).to_contain_text("6,003 nodes and ")
    for key in (NOTES, PLANTS, INSIGHT):
        assert page.evaluate("key => window.graphExplorer.graph().hasNode(key)", key), key
    expect(page.locator("#ge-message")).to_contain_text("3 added to the view")

    assert all(page_watch.is_local(url) for url in page_watch.requests)
    for route in ("visualize?", "search?", "concepts/", "path?"):
        assert any(f"/api/v1/graph/{route}" in url for url in page_watch.requests), route


def test_a_viewer_may_explore(page, live_server, transactional_db):
    graph_make(kinds={"concept": 30, "skill": 5, "document": 5, "insight": 5}, edges=60)
    role_user_ensure(username="vera", role="viewer", password=PASSWORD)
    session_login(page, live_server, get_user_model().objects.get(username="vera"))
    page.goto(PAGE)
    expect(page.locator("#ge-count")).to_contain_text("45 nodes and ")
    page.fill("#ge-search", "glucose")
    page.press("#ge-search", "Enter")
    expect(page.locator("#ge-details-title")).to_have_text("Glucose")
    # The special cluster stands apart from the generic nodes: no path, said as such (not an error).
    page.click("#ge-path-to")
    page.fill("#ge-from", "Concept topic 1")
    page.click("#ge-path-find")
    expect(page.locator(".graph-explorer")).to_have_attribute("data-path", "none")
    expect(page.locator("#ge-path-message")).to_contain_text("no path")


def test_an_anonymous_visitor_is_sent_to_log_in_first(page, operator):
    page.goto(PAGE)
    expect(page).to_have_url(re.compile(rf"/admin/login/\?next={PAGE}$"))


# --- Without a browser --------------------------------------------------------------------------------------------


def test_a_user_without_a_role_is_refused(client, transactional_db):
    stranger = get_user_model().objects.create_user(username="nobody", password=PASSWORD)
    client.force_login(stranger)
    response = client.get(PAGE, HTTP_ACCEPT="text/html")
    assert response.status_code == 403


def test_the_bundle_is_built_and_carries_its_licences():
    from django.contrib.staticfiles import finders

    bundle = finders.find("memoryhub/graph_explorer.js")
    assert bundle and finders.find("memoryhub/graph_explorer.css")
    with open(bundle, encoding="utf-8") as handle:
        head = handle.read(4000)
    assert head.startswith("/*!") and "sigma 3.0.2 (MIT)" in head and "graphology 0.26.0 (MIT)" in head
