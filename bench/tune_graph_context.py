"""Chooses graph-expanded context's settings on the development set only (bench/data/twohop_dev/), by nested
cross-validation: the grid's settings are scored per question; in each of 5 outer folds the best setting on
the other four fifths is measured on the held-out fifth. Prints the nested estimate (what to expect on unseen
questions of the kind) and the setting chosen on the whole set, which graph_context's constants hold. The test
set (bench/data/twohop_test/) is never read here: bench_graph_context.py measures it.

    .venv/bin/python -m core.embedded_redis run -- .venv/bin/python bench/tune_graph_context.py
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

from common import django_on_scratch_database

GRID = {
    "SPECIFICITY_WEIGHT": [0.1, 0.3, 0.5, 1.0],
    "SUBJECT_WEIGHT": [0.0, 0.1, 0.3],
    "BRIDGES_PER_SEED": [2, 3, 4],
}
FOLDS, SEED = 5, 18


def main() -> None:
    django_on_scratch_database()
    from memoryhub.services import graph_context
    from memoryhub.services.context import context_build
    from memoryhub.services.documents import document_put
    from memoryhub.services.graph_build import graph_update

    folder = Path(__file__).parent / "data" / "twohop_dev"
    read = lambda name: [json.loads(line) for line in (folder / name).read_text().splitlines() if line.strip()]  # noqa: E731
    for doc in read("corpus.jsonl"):
        document_put(namespace="twohop", doc_id=doc["doc_id"], title=doc.get("title", ""), content=doc["content"])
    graph_update()
    questions = read("questions.jsonl")

    settings = [dict(zip(GRID, values)) for values in itertools.product(*GRID.values())]
    hits: dict[int, list[bool]] = {}
    for number, setting in enumerate(settings):
        for name, value in setting.items():
            setattr(graph_context, name, value)
        hits[number] = []
        for question in questions:
            context = context_build(
                agent="tune", query=question["question"], budget_tokens=8192, namespace="twohop", graph=True
            )
            first = [source["id"] for source in context["sources"] if source["type"] == "document"][:5]
            hits[number].append(set(question["supporting"]) <= set(first))
        print(f"{setting}: {sum(hits[number]) / len(questions):.3f}", flush=True)

    order = list(range(len(questions)))
    random.Random(SEED).shuffle(order)
    folds = [order[start::FOLDS] for start in range(FOLDS)]
    outer = []
    for held in folds:
        inner = [index for index in order if index not in set(held)]
        best = max(hits, key=lambda n: (sum(hits[n][i] for i in inner), -n))
        outer.append(sum(hits[best][i] for i in held) / len(held))
        print(f"fold: chose {settings[best]}, held-out recall {outer[-1]:.3f}")
    chosen = max(hits, key=lambda n: (sum(hits[n]), -n))
    mean = sum(outer) / len(outer)
    spread = (sum((value - mean) ** 2 for value in outer) / len(outer)) ** 0.5
    print(f"nested estimate {mean:.3f} +- {spread:.3f}; chosen on all of dev: {settings[chosen]}")


main()
