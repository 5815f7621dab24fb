"""Who may do what: one row per route (spelled as tests.routes.all_routes() spells it), one entry per method its
view answers (HEAD and OPTIONS go with GET and are not listed). tests/core/test_role_matrix.py sends every route
every method as each persona and compares the outcome with this table; a route or a method without a row fails.

An entry is who gets past the permission layer (anything but a 401 or 403, or, on a browser route, a redirect to
log in): a set of roles, PUBLIC (strangers too, no credentials needed), or Owned(roles, what): those roles reach
the route, but each acts on their own objects only (operators on anyone's), which an owner test checks. Strangers
are refused everywhere but PUBLIC rows: 401 from the API, a redirect to log in on browser routes.

The policy (README, "Roles"): operators everything; viewers read everything; raters the feedback forms and the
feedback API only; agents (sub-agents' service tokens) report results and heartbeats: the memory hub, the sub-agent
registry, interactions and the OpenAI-compatible gateway.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.roles import AGENT, OPERATOR, RATER, ROLES, VIEWER

PUBLIC = "public"
# Django admin's pages: only operators (staff) get in; in there each model's admin may still refuse (403) what
# its model does not take (adding to or changing a read-only model), which is admin's own business.
ADMIN = "admin"
EVERYONE = frozenset(ROLES)
OPERATORS = frozenset({OPERATOR})
READERS = frozenset({OPERATOR, VIEWER})  # the default ("general") part: viewers read, operators write
FEEDBACK_READERS = frozenset({OPERATOR, VIEWER, RATER})
RATERS = frozenset({OPERATOR, RATER})
AGENT_READERS = frozenset({OPERATOR, VIEWER, AGENT})
AGENTS = frozenset({OPERATOR, AGENT})


@dataclass(frozen=True)
class Owned:
    roles: frozenset[str]
    what: str  # what the caller owns there, and what the owner test checks


OWN_TOKEN = Owned(EVERYONE, "your own token: another user's is a 404, as if it did not exist; operators anyone's")
OWN_FEEDBACK_LIST = Owned(FEEDBACK_READERS, "raters list their own feedback; operators and viewers everyone's")
OWN_FEEDBACK = Owned(RATERS, "a judgement is its rater's: another rater's submission adds theirs, never changes it")

R = {"GET": READERS}  # a read-only resource of the general part
RW = {"GET": READERS, "POST": OPERATORS}

ROUTES: dict[str, dict[str, frozenset[str] | str | Owned]] = {
    # --- core -------------------------------------------------------------------------------------------------
    "health": {"GET": PUBLIC},
    "health/ready": {"GET": PUBLIC},
    "metrics": R,
    "api/schema/": {"GET": EVERYONE},
    "api/docs/": {"GET": EVERYONE},  # browser: strangers are sent to log in
    "api/v1/": R,
    "api/v1/me": {"GET": EVERYONE},
    "api/v1/users/<str:username>/token": {"POST": OWN_TOKEN, "DELETE": OWN_TOKEN},
    "api/v1/errors/": R,
    "api/v1/errors/<int:pk>": R,
    # --- workers ----------------------------------------------------------------------------------------------
    "api/v1/machines/": R,
    "api/v1/machines/<str:name>": R,
    "api/v1/machines/<str:name>/ping": {"POST": OPERATORS},
    "api/v1/workers/": R,
    # --- hobbies ----------------------------------------------------------------------------------------------
    "api/v1/hobbies/config": {"GET": READERS, "PATCH": OPERATORS},
    "api/v1/hobbies/types/": R,
    "api/v1/hobbies/types/<str:name>": {"PATCH": OPERATORS},
    "api/v1/hobbies/subagents/": {"GET": AGENT_READERS, "POST": AGENTS},
    "api/v1/hobbies/subagents/<str:subagent_id>": {"GET": AGENT_READERS, "DELETE": AGENTS},
    "api/v1/hobbies/subagents/<str:subagent_id>/heartbeat": {"POST": AGENTS},
    "api/v1/hobbies/activities/": R,
    "api/v1/hobbies/activities/<str:activity_id>": R,
    "api/v1/hobbies/assignments/": RW,
    "api/v1/hobbies/assignments/<str:assignment_id>": R,
    "api/v1/hobbies/assignments/<str:assignment_id>/cancel": {"POST": OPERATORS},
    "api/v1/hobbies/distribute": {"POST": OPERATORS},
    "api/v1/hobbies/consensus/": {"POST": OPERATORS},
    "api/v1/hobbies/consensus/<int:run_id>": R,
    "api/v1/hobbies/interactions": {"POST": AGENTS},
    "api/v1/hobbies/scheduler": {"GET": READERS, "PUT": OPERATORS},
    "api/v1/hobbies/progress": R,
    "api/v1/hobbies/metrics/summary": R,
    "api/v1/hobbies/metrics/prometheus": R,
    "api/v1/hobbies/dashboard": R,
    # --- memory hub (agents write, viewers read and search) ---------------------------------------------------
    "api/v1/memory/kv/": {"POST": AGENTS},
    "api/v1/memory/kv/<str:namespace>/": {"GET": AGENT_READERS},
    "api/v1/memory/kv/<str:namespace>/<path:key>": {"GET": AGENT_READERS, "PUT": AGENTS, "DELETE": AGENTS},
    "api/v1/memory/documents/": {"GET": AGENT_READERS, "POST": AGENTS},
    "api/v1/memory/documents/<str:namespace>/": {"GET": AGENT_READERS, "POST": AGENTS},
    "api/v1/memory/documents/<str:namespace>/<path:doc_id>": {"GET": AGENT_READERS, "PUT": AGENTS, "DELETE": AGENTS},
    "api/v1/memory/embeddings/": {"POST": AGENTS},
    "api/v1/memory/embeddings/bulk": {"POST": AGENTS},
    "api/v1/memory/embeddings/batches/<int:batch_id>": {"GET": AGENT_READERS},
    "api/v1/memory/embeddings/search": {"POST": AGENT_READERS},  # a search only reads
    "api/v1/memory/embeddings/stats": {"GET": AGENT_READERS},
    "api/v1/memory/embeddings/rebuild-index": {"POST": OPERATORS},
    "api/v1/memory/embeddings/<str:embedding_id>": {"GET": AGENT_READERS, "DELETE": AGENTS},
    "api/v1/memory/sessions/": {"POST": AGENTS},
    "api/v1/memory/sessions/<str:namespace>/<path:session_id>": {
        "GET": AGENT_READERS,
        "PATCH": AGENTS,
        "DELETE": AGENTS,
    },
    "api/v1/memory/context": {"POST": AGENT_READERS},  # it only reads, as a search does
    # --- models -----------------------------------------------------------------------------------------------
    "api/v1/models/": R,
    "api/v1/models/<slug:name>": R,
    "api/v1/models/<slug:name>/load": {"POST": OPERATORS},
    "api/v1/models/<slug:name>/unload": {"POST": OPERATORS},
    "api/v1/models/<slug:name>/swap": {"POST": OPERATORS},
    "api/v1/placements/": R,
    "api/v1/eval-runs/": RW,
    "api/v1/eval-runs/<int:pk>": R,
    "api/v1/router/routes/": RW,
    "api/v1/router/routes/<slug:name>": {"GET": READERS, "PUT": OPERATORS, "DELETE": OPERATORS},
    "api/v1/router/decide": {"POST": AGENT_READERS},  # a dry run reads: whoever may use or read the gateway
    "api/v1/router/breakers/": R,
    "api/v1/router/models/": RW,
    # --- the knowledge graph: viewers read (a query is a POST that only reads); operators rebuild ------------
    "api/v1/graph/": R,
    "api/v1/graph/stats": R,
    "api/v1/graph/concepts/<path:concept>": R,
    "api/v1/graph/path": R,
    "api/v1/graph/query": {"POST": READERS},
    "api/v1/graph/visualize": R,
    "api/v1/graph/search": R,
    "api/v1/graph/similar": R,
    "api/v1/graph/communities": RW,
    "api/v1/graph/build": {"POST": OPERATORS},
    # --- the OpenAI-compatible gateway: agents and operators generate, viewers list ----------------------------
    "v1/models": {"GET": AGENT_READERS},
    "v1/completions": {"POST": AGENTS},
    "v1/chat/completions": {"POST": AGENTS},
    # --- learning ---------------------------------------------------------------------------------------------
    "api/v1/learning/datasets/": RW,
    "api/v1/learning/datasets/<int:version>/": R,
    "api/v1/learning/datasets/builds/<int:build_id>/": R,
    "api/v1/learning/datasets/<int:version>/export/<str:kind>/": R,
    "api/v1/learning/jobs/": RW,
    "api/v1/learning/jobs/<str:job_id>/": R,
    "api/v1/learning/jobs/<str:job_id>/cancel/": {"POST": OPERATORS},
    "api/v1/learning/adapters/": R,
    "api/v1/learning/adapters/<str:adapter_id>/": R,
    "api/v1/learning/adapters/<str:adapter_id>/activate/": {"POST": OPERATORS},
    "api/v1/learning/adapters/<str:adapter_id>/archive/": {"POST": OPERATORS},
    "api/v1/learning/comparisons/": R,
    "api/v1/learning/cycles/": R,
    "api/v1/learning/stats/": R,
    # --- feedback (raters read and rate; training and recomputing are operators') -----------------------------
    "api/v1/feedback/": {"GET": OWN_FEEDBACK_LIST, "POST": OWN_FEEDBACK},
    "api/v1/feedback/queue": {"GET": FEEDBACK_READERS},
    "api/v1/feedback/signals": {"GET": FEEDBACK_READERS},
    "api/v1/feedback/quality": {"GET": FEEDBACK_READERS},
    "api/v1/feedback/stats": {"GET": FEEDBACK_READERS},
    "api/v1/feedback/trends": {"GET": FEEDBACK_READERS},
    "api/v1/feedback/agreement": {"GET": FEEDBACK_READERS},
    "api/v1/feedback/reward-models": {"GET": FEEDBACK_READERS, "POST": OPERATORS},
    "api/v1/feedback/reward-models/<int:pk>": {"GET": FEEDBACK_READERS},
    "api/v1/feedback/patterns": {"GET": FEEDBACK_READERS, "POST": OPERATORS},
    "api/v1/feedback/exports/<str:kind>": R,  # training data: not for raters
    # --- the rating forms, for people (browser: strangers are sent to /feedback/login) -------------------------
    "feedback/": {"GET": RATERS, "POST": OWN_FEEDBACK},
    "feedback/login": {"GET": PUBLIC, "POST": PUBLIC, "PUT": PUBLIC},  # LoginView: PUT is POST
    "feedback/logout": {"POST": PUBLIC},
    # --- the originals' MemoryHub routes: the same views as /api/v1/memory/ ------------------------------------
    "kv": {"POST": AGENTS},
    "kv/<str:namespace>": {"GET": AGENT_READERS},
    "kv/<str:namespace>/<path:key>": {"GET": AGENT_READERS, "PUT": AGENTS, "DELETE": AGENTS},
    "doc": {"GET": AGENT_READERS, "POST": AGENTS},
    "doc/<str:namespace>": {"GET": AGENT_READERS, "POST": AGENTS},
    "doc/<str:namespace>/<path:doc_id>": {"GET": AGENT_READERS, "PUT": AGENTS, "DELETE": AGENTS},
    "embedding": {"POST": AGENTS},
    "embedding/search": {"POST": AGENT_READERS},
    "embedding/stats": {"GET": AGENT_READERS},
    "embedding/<str:embedding_id>": {"GET": AGENT_READERS, "DELETE": AGENTS},
    "session": {"POST": AGENTS},
    "session/<str:namespace>/<path:session_id>": {"GET": AGENT_READERS, "PATCH": AGENTS, "DELETE": AGENTS},
    "context": {"POST": AGENT_READERS},
    # --- the originals' /hobby/ routes ------------------------------------------------------------------------
    "hobby/status": R,
    "hobby/activities": R,
    "hobby/insights": R,
    "hobby/start": {"POST": OPERATORS},
    "hobby/stop": {"POST": OPERATORS},
    "hobby/config": {"GET": READERS, "PATCH": OPERATORS},
    "hobby/hobby-types": R,
    "hobby/assign-to-subagent": {"POST": OPERATORS},
    "hobby/assignments": R,
    "hobby/assignments/<str:assignment_id>": R,
    "hobby/distribute": {"POST": OPERATORS},
    "hobby/interaction": {"POST": AGENTS},
    "hobby/progress": R,
    "hobby/metrics/summary": R,
    "hobby/metrics/prometheus": R,
    "hobby/dashboard": R,
    "hobby/dashboard/page": R,  # HTML, but an API view: a token works, a stranger without text/html gets a 401
    "hobby/graph": R,
    "hobby/graph/stats": R,
    "hobby/graph/concepts/<path:concept>": R,
    "hobby/graph/path": R,
    "hobby/graph/query": {"POST": READERS},
    "hobby/graph/visualize": R,
    "hobby/graph/search": R,
    "hobby/graph/build": {"POST": OPERATORS},
    "hobby/graph/page": R,  # the explorer: HTML, an API view like the dashboard page
    "hobby/subagents/register": {"POST": AGENTS},
    "hobby/subagents/stats": {"GET": AGENT_READERS},
    "hobby/subagents/<str:subagent_id>": {"DELETE": AGENTS},
    "hobby/feedback": {"POST": OWN_FEEDBACK},
    "hobby/feedback/pending": {"GET": FEEDBACK_READERS},
    "hobby/feedback/quality": {"GET": FEEDBACK_READERS},
    "hobby/feedback/stats": {"GET": FEEDBACK_READERS},
    "hobby/reward/model": {"GET": FEEDBACK_READERS},
    "hobby/quality/trends": {"GET": FEEDBACK_READERS},
    "hobby/lora/train": {"POST": OPERATORS},
    "hobby/lora/jobs": R,
    "hobby/lora/jobs/<str:job_id>": R,
    "hobby/lora/status": R,
    "hobby/lora/adapters": R,
    "hobby/lora/adapters/<str:adapter_id>/activate": {"POST": OPERATORS},
    "hobby/lora/adapters/<str:adapter_id>/archive": {"POST": OPERATORS},
    "hobby/lora/apply": {"POST": OPERATORS},
    "hobby/lora/compare": R,
    "hobby/lora/stats": R,
    # --- Django admin: its own pages, below -------------------------------------------------------------------
    "admin/login/": {"GET": PUBLIC, "POST": PUBLIC},
    "admin/logout/": {"POST": PUBLIC},  # anyone may log out (others are sent to the admin index)
}

# Django admin makes a route per registered model and page (list, add, change, delete, history): all behind
# its one check (staff, which only operators are), so one row covers them. Function views declare no methods:
# these are the ones sent.
PREFIX_ROWS: dict[str, dict[str, frozenset[str] | str | Owned]] = {
    "admin/": {"GET": ADMIN, "POST": ADMIN},
}


def row_for(route: str) -> dict | None:
    """The route's row: its own, else the longest prefix row that covers it, else None."""
    if route in ROUTES:
        return ROUTES[route]
    prefixes = [prefix for prefix in PREFIX_ROWS if route.startswith(prefix)]
    return PREFIX_ROWS[max(prefixes, key=len)] if prefixes else None


def allowed_roles(entry) -> frozenset[str]:
    """The roles an entry lets past the permission layer (Owned: before the ownership check)."""
    if entry == PUBLIC:
        return EVERYONE
    if entry == ADMIN:
        return OPERATORS
    return entry.roles if isinstance(entry, Owned) else entry
