"""Embedding ingest of short documents (under 64 tokens) through the service, batched as bulk loads are
(100 at a time: embed, store the vectors, update the index), against the embedding model alone on the same
texts, side by side. Goal (issue 4): at least 300 documents/s on this 2-core machine.
"""

import time

from common import Goal, django_on_scratch_database, report

GOALS = (Goal("docs_per_s", at_least=300, source="issue 4, item 8: at least 300 documents/s on this 2-core machine"),)

django_on_scratch_database()

from memoryhub import embedder  # noqa: E402
from memoryhub.services import embeddings  # noqa: E402

SUBJECTS = ["the river", "a student", "the old bridge", "our server", "the recipe", "a comet", "the market"]
VERBS = ["floods", "learns", "collapses", "restarts", "improves", "returns", "opens"]
DOCS, CHUNK, ROUNDS = 600, 100, 3


def documents(round_number: int) -> list[str]:
    # distinct texts each round, so deduplication never skips work
    return [
        f"Note {round_number}-{i}: {SUBJECTS[i % 7]} {VERBS[(i // 7) % 7]} in season {i % 13}, "
        f"after {i % 29} days of {SUBJECTS[(i + 3) % 7]}."
        for i in range(DOCS)
    ]


assert max(embedder.count_tokens(text) for text in documents(0)) < 64
embedder.embed(documents(99)[:64])  # load the model first: its start is not ingest
service, model_only = [], []
for round_number in range(ROUNDS):
    texts = documents(round_number)
    started = time.perf_counter()
    for start in range(0, DOCS, CHUNK):
        embeddings.embeddings_add(namespace="bench", items=[{"content": t} for t in texts[start : start + CHUNK]])
    service.append(DOCS / (time.perf_counter() - started))
    started = time.perf_counter()
    for start in range(0, DOCS, CHUNK):
        embedder.embed(texts[start : start + CHUNK])  # the same texts: the model does not deduplicate
    model_only.append(DOCS / (time.perf_counter() - started))

best_service, best_model = sorted(service)[ROUNDS // 2], sorted(model_only)[ROUNDS // 2]
print(
    f"ingest {DOCS} short documents x {ROUNDS} rounds, chunks of {CHUNK}: service {best_service:.0f} docs/s "
    f"(median), embedding model alone {best_model:.0f} docs/s"
)
report(
    GOALS,
    f"memory_ingest: {best_service:.0f} documents/s; ratio service/model-only {best_service / best_model:.2f}",
    docs_per_s=best_service,
)
