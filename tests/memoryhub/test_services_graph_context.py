"""Graph-expanded context: a two-hop question's second document, which does not resemble the question, joins the
first five through the company both documents name; the sources say which concept brought it."""

from __future__ import annotations

import pytest

from memoryhub.services.documents import document_put
from memoryhub.services.graph_build import graph_update
from tests.memoryhub.conftest import index_dir  # noqa: F401  (the test's own vector indexes)

pytestmark = pytest.mark.django_db

QUESTION = "In which city is the company that Maria Keller works for headquartered?"
CITIES = ["Oslo", "Lyon", "Porto", "Graz", "Turku", "Ghent", "Brno", "Cork", "Split", "Bergen", "Basel", "Malmo"]


@pytest.fixture
def corpus(index_dir):  # noqa: F811
    document_put(namespace="kb", doc_id="keller", content="Maria Keller is a data engineer at Brightwater Analytics.")
    document_put(
        namespace="kb",
        doc_id="brightwater",
        title="Brightwater Analytics",
        content="Brightwater Analytics sells ferry timetables. Tallinn has been its home since 2009.",
    )
    for number, city in enumerate(CITIES):  # companies whose documents resemble the question far more
        document_put(
            namespace="kb",
            doc_id=f"company-{number}",
            content=f"Norland Systems {number} is a company headquartered in {city}; people who work for it "
            f"say the headquarters in {city} is where the company started.",
        )
    graph_update()


def first_documents(client, **body) -> list[dict]:
    answer = client.post("/context", {"agent": "a", "query": QUESTION, "budget_tokens": 4096, **body}, format="json")
    assert answer.status_code == 200, answer.content
    return [source for source in answer.json()["sources"] if source["type"] == "document"][:5]


def test_the_graph_brings_the_second_document_with_the_concept_that_linked_it(personas, corpus):
    client = personas["agent"].client()
    plain = [source["id"] for source in first_documents(client)]
    assert "keller" in plain and "brightwater" not in plain  # by similarity alone: not in the first five

    linked = first_documents(client, graph=True)
    ids = [source["id"] for source in linked]
    assert ids[:2] == ["keller", "brightwater"]
    assert linked[0]["graph"] == {"via": "concept:maria keller", "from": "query"}
    assert linked[1]["graph"] == {"via": "concept:brightwater analytics", "from": "document:kb/keller"}


def test_graph_must_be_true_or_false(personas, corpus):
    answer = (
        personas["agent"]
        .client()
        .post("/api/v1/memory/context", {"agent": "a", "query": QUESTION, "graph": "perhaps"}, format="json")
    )
    assert answer.status_code == 400
    assert "graph" in answer.json()["error"]["details"]
