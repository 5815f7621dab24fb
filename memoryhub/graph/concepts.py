"""The concepts a text mentions, offline: no model download and no LLM (LazyGraphRAG's bet: noun phrases and
names carry most of a graph's value at a fraction of the cost).

Two kinds, both returned with the surface form seen and a normalised name:
  - entities: proper names, i.e. runs of capitalised words with their particles ("Institute of Marine Studies",
    "Harlan & Moss Publishing", "J. R. Calder") and quoted titles; these are what link two documents about the
    same company or person, so they are kept even when they occur once;
  - keyphrases: YAKE's best lowercase phrases of a longer text (a statistical keyword extractor, no model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from memoryhub.graph.names import normalise, singular

# Capitalised words that start sentences or clauses and name nothing.
STOP_CAPITALS = frozenset(
    """a an the this that these those there their they them then than he she it its his her hers we our you your
    i in on at by for from with without into onto over under after before during since until while when where
    which who whom whose what why how if but and or nor so yet as of to also both each every many most some such
    no not one two three four five six seven eight nine ten first second third last next later earlier today
    january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday mr mrs ms dr prof sir although though however because despite
    unlike like among between within across along around beyond toward towards upon via per according""".split()
)
PARTICLES = frozenset(
    {"of", "de", "du", "des", "van", "von", "der", "den", "la", "le", "di", "da", "del", "y", "&", "and"}
)
TOKEN = re.compile(
    r"(?:St|Mt|Ft|Dr|Mr|Mrs|Ms|Jr|Sr|Prof)\.|[A-Z][\w'’.-]*[\w]|[A-Z]\.|&|\b[a-z]+\b|[^\s\w]", re.UNICODE
)
QUOTED = re.compile(r"[\"“']([A-Z][^\"”'\n]{2,80}?)[\"”']")
POSSESSIVE = re.compile(r"['’]s$")
SENTENCE_END = {".", "!", "?", ";", ":", ",", "(", ")"}
MAX_ENTITY_WORDS = 7
KEYPHRASES = 6  # per document; entities are not limited
SUBJECT_SCORE, OTHER_ENTITY_SCORE = 1.0, 0.5


@dataclass(frozen=True)
class Mention:
    name: str  # normalised: the node's name
    surface: str  # as written
    entity: bool
    score: float  # entities: 1 for the subject (the first), 0.5 for others; keyphrases: YAKE's relevance, 0 to 1


def _is_capital(token: str) -> bool:
    return token[:1].isupper()


def entities(text: str) -> list[tuple[str, str]]:
    """(normalised, surface) for every proper name in text, in order of first appearance, each once."""
    found: dict[str, str] = {}

    def keep(words: list[str], *, title: bool = False) -> None:
        if not title:  # a quoted title keeps its words ("The Last Country"); normalise drops a leading article
            while words and (words[-1].lower() in PARTICLES or words[-1].lower() in STOP_CAPITALS):
                words.pop()
            while words and words[0].lower().rstrip(".") in STOP_CAPITALS:
                words.pop(0)
        if not words or not any(_is_capital(word) and len(word) > 1 for word in words):
            return
        if len(words) == 1 and (len(words[0]) < 3 or words[0].endswith(".")):
            return  # a lone initial or a two-letter word is too ambiguous to link on
        surface = " ".join(words).replace(" .", ".")
        name = normalise(surface)
        if name and name not in found:
            found[name] = surface

    def close(run: list[str], at_start: bool) -> None:
        if at_start and len(run) == 1 and run[0].lower().endswith(("ed", "ing", "ly")):
            return  # "Founded in 1952, ...": a sentence's first word, capitalised whatever it is
        if at_start and len(run) > 1 and run[1] not in PARTICLES:
            # "Ask Maria Keller ...": a sentence's first word may be any word; the name after it counts on its
            # own too (a wrong extra node links only what names it the same way)
            keep(run[1:])
        keep(run)

    for match in QUOTED.finditer(text):
        keep(match.group(1).split(), title=True)
    # The quoted titles' words are not read again as names of their own ("A Benchmark for X" is not "X").
    text = QUOTED.sub(" , ", text)
    run: list[str] = []
    sentence_start, run_at_start = True, False
    for token in TOKEN.findall(text):
        token = POSSESSIVE.sub("", token)
        if _is_capital(token) and len(run) < MAX_ENTITY_WORDS:
            if not run:
                run_at_start = sentence_start
            run.append(token)
        elif run and (token.lower() in PARTICLES) and len(run) < MAX_ENTITY_WORDS:
            run.append(token)
        else:
            if run:
                close(run, run_at_start)
            run = []
        sentence_start = token in SENTENCE_END and token not in {",", "(", ")"}
    if run:
        close(run, run_at_start)
    return list(found.items())


@lru_cache(maxsize=1)
def _yake():
    import yake  # imported on first use: a text with no keyphrases to find never pays for it

    return yake.KeywordExtractor(lan="en", n=3, top=KEYPHRASES * 2, dedupLim=0.7)


def keyphrases(text: str, limit: int = KEYPHRASES) -> list[tuple[str, str, float]]:
    """(normalised, surface, score) of the text's best lowercase keyphrases (names are entities' business)."""
    if len(text) < 40:
        return []
    found: list[tuple[str, str, float]] = []
    for phrase, yake_score in _yake().extract_keywords(text):
        if any(_is_capital(word) for word in phrase.split()):
            continue
        name = singular(normalise(phrase))
        if " " in name and name not in {one[0] for one in found}:
            found.append((name, phrase, round(1.0 / (1.0 + 20 * float(yake_score)), 4)))
        if len(found) == limit:
            break
    return found


def mentions(text: str, *, with_keyphrases: bool = True) -> list[Mention]:
    """Every concept the text mentions, entities first."""
    # The first name is what the text is about (a title, an article's subject): it weighs most.
    found = [
        Mention(name, surface, True, SUBJECT_SCORE if index == 0 else OTHER_ENTITY_SCORE)
        for index, (name, surface) in enumerate(entities(text))
    ]
    if with_keyphrases:
        names = {mention.name for mention in found}
        found += [Mention(n, s, False, score) for n, s, score in keyphrases(text) if n not in names]
    return found
