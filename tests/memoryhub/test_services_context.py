"""Context for an agent: recent session entries plus the most relevant documents and memories, in budget."""

import pytest

from core.errors import Invalid
from memoryhub import embedder
from memoryhub.services import context, documents, embeddings, sessions


@pytest.fixture
def memories(db, index_dir):
    documents.document_put(
        namespace="knowledge_base",
        doc_id="tides",
        title="Tides",
        content="Tides are caused mainly by the gravity of the Moon.",
    )
    documents.document_put(
        namespace="knowledge_base",
        doc_id="bread",
        title="Bread",
        content="Bread dough rises because yeast produces carbon dioxide.",
    )
    embeddings.embeddings_add(
        namespace="unified_memory_reasoning",
        items=[
            {"content": "Last week the agent confused tides with waves."},
            {"content": "The agent answers arithmetic well."},
        ],
    )
    sessions.session_put(
        namespace="session_memory",
        session_id="s1",
        user_id="agent-7",
        data={"entries": ["asked about the sea", "asked why tides happen"]},
    )


def test_it_gathers_session_entries_then_relevant_documents_and_memories(memories):
    built = context.context_build(agent="agent-7", query="Why are there tides?", budget_tokens=256)
    kinds = [source["type"] for source in built["sources"]]
    assert kinds[:2] == ["session", "session"] and built["sources"][0]["entry"] == 1  # newest entry first
    relevant = [source for source in built["sources"] if source["type"] != "session"]
    assert relevant[0] == {**relevant[0], "type": "document", "id": "tides"}
    assert any(source["type"] == "memory" for source in relevant)
    assert "gravity of the Moon" in built["context"] and "asked why tides happen" in built["context"]
    assert built["used_tokens"] == sum(source["tokens"] for source in built["sources"]) <= 256


def test_the_budget_is_respected_and_counted_in_real_tokens(memories):
    small = context.context_build(agent="agent-7", query="Why are there tides?", budget_tokens=24)
    large = context.context_build(agent="agent-7", query="Why are there tides?", budget_tokens=256)
    assert 0 < small["used_tokens"] <= 24 < large["used_tokens"] and len(small["sources"]) < len(large["sources"])
    entries = ["asked about the sea", "asked why tides happen"]
    for source in large["sources"]:  # word pieces of the embedding model's tokenizer, not characters or words
        if source["type"] == "session":
            assert source["tokens"] == embedder.count_tokens(entries[source["entry"]])


def test_another_agent_gets_no_one_elses_session(memories):
    built = context.context_build(agent="agent-8", query="tides", budget_tokens=256)
    assert all(source["type"] != "session" for source in built["sources"])


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"agent": "", "query": "q"}, "agent"),
        ({"agent": "a", "query": " "}, "query"),
        ({"agent": "a", "query": "q", "budget_tokens": 5}, "budget_tokens"),
    ],
)
def test_bad_input(db, kwargs, field):
    with pytest.raises(Invalid) as refused:
        context.context_build(**kwargs)
    assert field in refused.value.details
