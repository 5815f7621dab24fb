"""One node per concept: the normalised name every surface form maps to, and near-duplicate candidates
(MinHash over character 3-grams, then a fuzzy ratio) for operators to merge.

Normalising is deliberately conservative: it folds what never distinguishes two concepts (case, accents' width
forms, punctuation around words, a leading article, a company's legal suffix, a plain English plural on a
lowercase phrase), and leaves everything else to an operator's merge: merging wrongly joins two facts, which is
worse than a duplicate an operator can merge later (the failure Graphiti's users report both ways)."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from datasketch import MinHash, MinHashLSH

LEADING_ARTICLES = ("the ", "a ", "an ")
LEGAL_SUFFIXES = {"inc", "corp", "corporation", "ltd", "llc", "plc", "gmbh", "co", "sa", "ag", "limited"}
NUM_PERM = 64
DUPLICATE_THRESHOLD = 0.6  # MinHash Jaccard over 3-grams: candidates only
DUPLICATE_RATIO = 0.85  # difflib ratio a candidate must also reach
_SPACE = re.compile(r"\s+")
_EDGE_PUNCTUATION = re.compile(r"^[^\w&+#]+|[^\w&+#.]+$|(?<=\w)\.$")
_INNER = re.compile(r"[\"'`’“”()\[\]{},;:!?]")


def normalise(name: str) -> str:
    """The name two nodes may never share. Idempotent: normalise(normalise(x)) == normalise(x)."""
    text = unicodedata.normalize("NFKC", name).replace("’", "'")
    text = _INNER.sub(" ", text)
    text = _SPACE.sub(" ", text).strip().casefold()
    text = _EDGE_PUNCTUATION.sub("", text).strip()
    for article in LEADING_ARTICLES:
        if text.startswith(article) and len(text) > len(article) + 2:
            text = text[len(article) :]
            break
    words = text.split(" ")
    while len(words) > 1 and words[-1].rstrip(".") in LEGAL_SUFFIXES:
        words.pop()
    text = " ".join(words).rstrip(",. ")
    return text[:360]


def singular(phrase: str) -> str:
    """A lowercase keyphrase's last word without a plain plural 's' ("neural networks" -> "neural network");
    left alone for words where that would be wrong ("analysis", "bus", "class")."""
    head, _, last = phrase.rpartition(" ")
    if len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is", "ics", "ies")):
        last = last[:-1]
    elif len(last) > 4 and last.endswith("ies"):
        last = last[:-3] + "y"
    return f"{head} {last}".strip()


def shingles(name: str, size: int = 3) -> set[str]:
    padded = f" {name} "
    return {padded[i : i + size] for i in range(max(1, len(padded) - size + 1))}


def signature(name: str) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=1)
    minhash.update_batch([gram.encode() for gram in shingles(name)])
    return minhash


def signature_bytes(name: str) -> bytes:
    return signature(name).hashvalues.astype("<u8").tobytes()


def duplicate_candidates(names: dict[str, str]) -> list[tuple[str, str, float]]:
    """Pairs (key_a, key_b, ratio) of names that are probably one concept, from {key: normalised name}: MinHash
    LSH finds the candidates in near-linear time, difflib's ratio confirms them. Best first."""
    lsh = MinHashLSH(threshold=DUPLICATE_THRESHOLD, num_perm=NUM_PERM)
    signatures = {}
    for key, name in names.items():
        signatures[key] = signature(name)
        lsh.insert(key, signatures[key])
    pairs = {}
    for key, name in names.items():
        for other in lsh.query(signatures[key]):
            if other <= key:
                continue
            ratio = SequenceMatcher(None, name, names[other]).ratio()
            if ratio >= DUPLICATE_RATIO:
                pairs[(key, other)] = ratio
    return sorted(((a, b, round(r, 3)) for (a, b), r in pairs.items()), key=lambda pair: (-pair[2], pair[0]))
