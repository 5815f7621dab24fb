"""Context for an agent and a query: its recent session entries and the most relevant documents and memories,
within a token budget, every piece listed with its source."""

from __future__ import annotations

import json

from django.utils import timezone

from core.errors import Invalid
from memoryhub import embedder
from memoryhub.models import MemorySession
from memoryhub.services.embeddings import embeddings_search
from memoryhub.services.graph_context import graph_expand
from memoryhub.services.namespaces import namespace_check, nul_free

DEFAULT_BUDGET = 512
MAX_BUDGET = 8192
SESSION_SHARE = 0.25  # at most a quarter of the budget for what just happened; the rest for what is relevant
RECENT_ENTRIES = 20
RELEVANT_CANDIDATES = 20


def _session_pieces(agent: str) -> list[tuple[str, dict]]:
    """The agent's live sessions' entries, newest first: data["entries"] when a session keeps a list of them,
    else the session's data as a whole."""
    pieces = []
    for session in MemorySession.objects.filter(user_id=agent, expires_at__gt=timezone.now())[:5]:
        data = session.data if isinstance(session.data, dict) else {"data": session.data}  # an admin may save a list
        entries = data["entries"] if isinstance(data.get("entries"), list) else [data]
        for position, entry in reversed(list(enumerate(entries))[-RECENT_ENTRIES:]):
            text = entry if isinstance(entry, str) else json.dumps(entry, ensure_ascii=False, sort_keys=True)
            pieces.append(
                (text, {"type": "session", "namespace": session.namespace, "id": session.session_id, "entry": position})
            )
    return pieces


def context_build(
    *, agent: str, query: str, budget_tokens: int = DEFAULT_BUDGET, namespace: str | None = None, graph: bool = False
) -> dict:
    """graph: documents linked to the best matches through shared concepts join the candidates
    (memoryhub.services.graph_context); their sources name the concept (`via`) and the document (`from`)."""
    if not isinstance(agent, str) or not agent.strip():
        raise Invalid({"agent": ["name the agent the context is for"]})
    if not isinstance(query, str) or not query.strip():
        raise Invalid({"query": ["the query must be non-empty text"]})
    if namespace:
        namespace_check(namespace)
    nul_free(agent, "agent")
    nul_free(query, "query")
    if isinstance(budget_tokens, bool) or not isinstance(budget_tokens, int) or not 16 <= budget_tokens <= MAX_BUDGET:
        raise Invalid({"budget_tokens": [f"budget_tokens is between 16 and {MAX_BUDGET}"]})
    if not isinstance(graph, bool):
        raise Invalid({"graph": ["graph is true or false"]})

    chosen: list[tuple[str, dict]] = []
    used = 0

    def take(text: str, source: dict, limit: int) -> bool:
        nonlocal used
        tokens = embedder.count_tokens(text)
        if used + tokens > limit:
            return False
        chosen.append((text, {**source, "tokens": tokens}))
        used += tokens
        return True

    for text, source in _session_pieces(agent):
        if not take(text, source, int(budget_tokens * SESSION_SHARE)):
            break
    vector = embedder.embed([query])[0]
    ranked = embeddings_search(query=query, namespace=namespace, limit=RELEVANT_CANDIDATES, vector=vector)
    candidates = (
        graph_expand(query=query, vector=vector, ranked=ranked, namespace=namespace)
        if graph
        else [(row, similarity, {}) for row, similarity in ranked]
    )
    for row, similarity, linked in candidates:
        kind = "document" if row.doc_id else "memory"
        source = {
            "type": kind,
            "namespace": row.namespace,
            "id": row.doc_id or row.embedding_id,
            "similarity": round(similarity, 4),
            **({"graph": linked} if linked else {}),
        }
        take(row.content, source, budget_tokens)  # a long one that does not fit leaves room for shorter ones
    return {
        "agent": agent,
        "graph": graph,
        "query": query,
        "budget_tokens": budget_tokens,
        "used_tokens": used,
        "context": "\n\n".join(text for text, _ in chosen),
        "sources": [source for _, source in chosen],
    }
