"""KNOWLEDGE_EXPLORATION and RESEARCH_INTEGRATION: reading the memory hub's documents, answering questions
about them, and remembering what was read.

Questions are made by code, never by a model, so each has one answer taken from the document itself:

    cloze       a sentence with a number or a name in it, that span blanked out: 'According to "Eiffel Tower",
                what fills the blank? The tower was completed in ____.' -> 1889
    research    two blanks from two documents (two sentences of one when the hub holds one), answered
                "first; second", or, when both are numbers, their sum: the two passages must be read together

Exploration shows the passage around the sentence (reading comprehension); research shows both passages. The
prompts hold passages, so they need a model whose context holds them: one that cannot (the built-in
64-character model) fails the activity with its backend's reason.
Answers are graded against the document's own span, normalised (case, punctuation, articles, thousands
separators): exact match is correct, the score is the token F1 (the usual reading-comprehension measure), so an
answer with a word too is partly right. Train and held-out are split by a stable hash of each question: a
held-out question never appears in practice, and a research question is only made of questions of its split.

Documents come from every namespace but the hobby engine's own ("hobby-..."). After a completed activity the
facts practised are kept as memories: embeddings in the namespace "hobby-learned", with the question, the
answer, the source document and whether the model answered it right as metadata.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from hobbies.exercises import NothingToPractise, Source, register
from memoryhub.services.documents import documents_in
from memoryhub.services.embeddings import embeddings_add
from memoryhub.services.graph_context import graph_linked_documents
from models_suite.evaluation import Grade, Item, Split
from models_suite.evaluation.graders import first_line, show
from models_suite.evaluation.suites import derive_seed, split_of
from models_suite.services.evaluation import answers_for

LEARNED_NAMESPACE = "hobby-learned"
OWN_NAMESPACES = "hobby-"  # what the hobby engine writes itself is not reading material
MAX_DOCUMENTS = 24  # read per activity; a different seed reads others
MAX_SENTENCES = 200  # asked about per document; a seeded choice, so long documents are covered over time
HELDOUT_PER_MILLE = 250  # documents are few: a bigger share held out than the suites' 10%, so probes are not empty
MIN_SENTENCE_CHARS, MAX_SENTENCE_CHARS = 20, 400
MAX_PASSAGE_CHARS = 800
BLANK = "____"
RESEARCH_ANSWER_TOKENS = 48  # "first; second": two spans, twice the suites' answer budget
LEARNED_BATCH = 500  # embeddings_add takes at most 1000 items at once

STARTERS = frozenset(
    """A About After All Also An And As At But By During For From He Her His However If In It Its
Many Most Of On One Our She Since So Some That The Their There These They This Those Through To Under Until We
When Where While With""".split()
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
NUMBER = re.compile(r"(?<![\w.,])\d+(?:,\d{3})*(?:\.\d+)?(?![\w])")
TERM = re.compile(r"(?<![\w'-])[A-Z][\w'-]*[a-zA-Z0-9](?:\s+[A-Z][\w'-]*[a-zA-Z0-9])*")


@dataclass(frozen=True)
class Cloze:
    """One blank in one sentence of one document."""

    namespace: str
    doc_id: str
    title: str
    sentence: str
    start: int  # where the answer stands in the sentence
    answer: str
    skill: str  # cloze-number | cloze-term
    passage: str  # the sentence with its neighbours

    @property
    def blanked(self) -> str:
        return self.sentence[: self.start] + BLANK + self.sentence[self.start + len(self.answer) :]

    @property
    def question(self) -> str:
        return f'According to "{self.title}", what fills the blank? {self.blanked}'

    @property
    def split(self) -> str:
        return split_of("documents", self.key, HELDOUT_PER_MILLE)

    @property
    def key(self) -> str:
        return f"{self.question}|{self.answer}"

    def source(self) -> dict:
        return {
            "source_namespace": self.namespace,
            "source_doc_id": self.doc_id,
            "title": self.title,
            "sentence": self.sentence,
            "question": self.question,
            "answer": self.answer,
        }


# --- reading ---------------------------------------------------------------------------------------------------
def sentences_of(content: str) -> list[str]:
    """The document's sentences: lines, then sentence ends within a line; headings and fragments left out."""
    found = []
    for line in content.splitlines():
        for sentence in SENTENCE_END.split(" ".join(line.split())):
            if MIN_SENTENCE_CHARS <= len(sentence) <= MAX_SENTENCE_CHARS and len(sentence.split()) >= 4:
                found.append(sentence)
    return found


def spans_of(sentence: str) -> list[tuple[int, str, str]]:
    """(start, span, skill) worth asking about: numbers, and capitalised terms. A sentence's first word is
    capitalised anyway: a term starting the sentence loses a first word like "The", and is left out when it is
    one word alone. A span the sentence holds twice is left out: the blank would be answered by the sentence."""
    spans = [(m.start(), m.group(), "cloze-number") for m in NUMBER.finditer(sentence)]
    for match in TERM.finditer(sentence):
        term = match.group()
        if not sentence[: match.start()].strip("\"'( "):
            first, _, rest = term.partition(" ")
            if first in STARTERS:
                term = rest.lstrip()
            elif not rest:
                continue  # "However" or "Paris": no telling a name from a capitalised word here
        if term.endswith("'s"):
            term = term[:-2]
        if len(term) >= 2:
            spans.append((match.start() + match.group().index(term), term, "cloze-term"))
    return [(start, span, skill) for start, span, skill in spans if sentence.count(span) == 1]


def passage_around(sentences: list[str], index: int) -> str:
    """Up to two sentences either side, fewer when that would be too long."""
    for reach in (2, 1, 0):
        passage = " ".join(sentences[max(0, index - reach) : index + reach + 1])
        if len(passage) <= MAX_PASSAGE_CHARS:
            return passage
    return sentences[index]


def clozes_of(document, seed: int) -> list[Cloze]:
    sentences = sentences_of(document.content)
    indexes: range | list[int] = range(len(sentences))
    if len(sentences) > MAX_SENTENCES:
        rng = random.Random(derive_seed("documents", seed, document.namespace, document.doc_id))
        indexes = sorted(rng.sample(indexes, MAX_SENTENCES))
    title = document.title or document.doc_id
    return [
        Cloze(
            document.namespace, document.doc_id, title, sentences[i], start, span, skill, passage_around(sentences, i)
        )
        for i in indexes
        for start, span, skill in spans_of(sentences[i])
    ]


def documents_to_read(seed: int) -> list:
    """A seeded choice of the hub's documents (the same for both splits of one seed), or NothingToPractise.

    Exploration connects what it reads: half are drawn, the rest are the documents the knowledge graph links to
    those through a name they share (a company's profile next to its employee's), so research items pair
    passages that belong together; draws fill in what the graph does not link."""
    documents = documents_in().exclude(namespace__startswith=OWN_NAMESPACES).order_by("namespace", "doc_id")
    total = documents.count()
    if not total:
        raise NothingToPractise(
            "the memory hub holds no documents to read: add some (POST /api/v1/memory/documents/ "
            "or the admin), then this hobby has something to practise on"
        )
    rng = random.Random(derive_seed("documents", seed))
    order = rng.sample(range(total), min(total, MAX_DOCUMENTS))
    drawn = [documents[i] for i in order[: MAX_DOCUMENTS // 2]]
    linked = graph_linked_documents(
        documents=[(d.namespace, d.doc_id) for d in drawn], limit=MAX_DOCUMENTS - len(drawn)
    )
    chosen = {(d.namespace, d.doc_id): d for d in drawn}
    wanted = {(namespace, doc_id) for namespace, doc_id, _ in linked}
    for document in documents.filter(doc_id__in=[doc_id for _, doc_id, _ in linked]):
        if (document.namespace, document.doc_id) in wanted:
            chosen.setdefault((document.namespace, document.doc_id), document)
    for i in order[MAX_DOCUMENTS // 2 :]:
        if len(chosen) >= MAX_DOCUMENTS:
            break
        chosen.setdefault((documents[i].namespace, documents[i].doc_id), documents[i])
    return sorted(chosen.values(), key=lambda d: (d.namespace, d.doc_id))


def _item_id(suite: str, split: str, key: str) -> str:
    return f"{suite}/{split}/{hashlib.sha256(key.encode()).hexdigest()[:12]}"


# --- grading ---------------------------------------------------------------------------------------------------
def normalise(text: str) -> list[str]:
    """Tokens compared: case folded, thousands separators and punctuation dropped (decimal points kept),
    articles dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    text = re.sub(r"[^\w\s.]", " ", text)
    return [token for token in text.split() if token not in {"a", "an", "the"}]


def token_f1(got: list[str], expected: list[str]) -> float:
    common = sum((Counter(got) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(got), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def grade_span(got: str, expected: str) -> tuple[bool, float]:
    tokens, wanted = normalise(got), normalise(expected)
    exact = tokens == wanted
    return exact, 1.0 if exact else token_f1(tokens, wanted)


def number_in(text: str) -> float | None:
    match = NUMBER.search(re.sub(r"(?<=\d),(?=\d{3})", "", text))
    return float(match.group().replace(",", "")) if match else None


def grade_item(item: Item, answer: str) -> Grade:
    got = first_line(answer)
    if item.grader == "span":
        exact, score = grade_span(got, item.answer)
        return Grade(exact, round(score, 6), f"expected {item.answer!r}, got {show(got)} (token F1 {score:.2f})")
    if item.grader == "spans":
        parts = [part.strip() for part in got.split(";")] + ["", ""]
        results = [grade_span(part, want) for part, want in zip(parts, item.grader_args["answers"])]
        exact = all(ok for ok, _ in results)
        score = sum(s for _, s in results) / len(results)
        said = "; ".join(
            f"blank {n}: expected {want!r}, got {show(part)}"
            for n, (part, want) in enumerate(zip(parts, item.grader_args["answers"]), 1)
        )
        return Grade(exact, round(score, 6), f"{said} (mean token F1 {score:.2f})")
    expected, value = item.grader_args["sum"], number_in(got)
    if value is None:
        return Grade(False, 0.0, f"expected the sum {item.answer}, got no number in {show(got)}")
    ok = abs(value - expected) <= 1e-6 * max(1.0, abs(expected))
    return Grade(ok, 1.0 if ok else 0.0, f"expected the sum {item.answer}, got {show(got)}")


# --- the sources -----------------------------------------------------------------------------------------------
class DocumentSource(Source):
    def _clozes(self, split: str, seed: int) -> list[Cloze]:
        """The split's blanks in the documents read, each question once (two documents may share a sentence)."""
        found: dict[str, Cloze] = {}
        for document in documents_to_read(seed):
            for cloze in clozes_of(document, seed):
                if cloze.split == split:
                    found.setdefault(cloze.key, cloze)
        return list(found.values())

    def grade(self, item: Item, answer: str) -> Grade:
        return grade_item(item, answer)

    def learned(self, activity, graded: list[tuple[Item, str, Grade]]) -> None:
        """Each fact practised becomes a memory, whether the model got it right or not: it has now read it, and
        the metadata says how it did. The same fact is stored once (the hub keeps one copy per content)."""
        memories = []
        for item, _, verdict in graded:
            for fact in item.grader_args.get("sources", []):
                memories.append(
                    {
                        "content": f"{fact['title']}: {fact['sentence']}",
                        "category": "learned-fact",
                        "metadata": {
                            **fact,
                            "item_id": item.id,
                            "hobby_type": activity.hobby_type,
                            "activity_id": activity.activity_id,
                            "model": activity.model_name,
                            "answered_correctly": verdict.correct,
                        },
                    }
                )
        for start in range(0, len(memories), LEARNED_BATCH):
            embeddings_add(namespace=LEARNED_NAMESPACE, items=memories[start : start + LEARNED_BATCH])


@register("KNOWLEDGE_EXPLORATION")
class ExplorationSource(DocumentSource):
    def items(self, split: Split, *, per_suite: int, seed: int) -> list[Item]:
        clozes = self._clozes(split, seed)
        rng = random.Random(derive_seed("documents", seed, split))
        return [self._item(c, split) for c in rng.sample(clozes, min(per_suite, len(clozes)))]

    @staticmethod
    def _item(cloze: Cloze, split: Split) -> Item:
        prompt = (
            f'Passage from "{cloze.title}":\n{cloze.passage}\n\nQuestion: {cloze.question}\n'
            "Answer with the missing words only.\nAnswer:"
        )
        return Item(
            id=_item_id("documents", split, cloze.key),
            suite="documents",
            split=split,
            prompt=prompt,
            answer=cloze.answer,
            grader="span",
            grader_args={"sources": [cloze.source()]},
            skill=cloze.skill,
        )


@register("RESEARCH_INTEGRATION")
class ResearchSource(DocumentSource):
    def answer(self, backend, items: list[Item]) -> list[str]:
        return answers_for(backend, [item.prompt for item in items], max_tokens=RESEARCH_ANSWER_TOKENS)

    def items(self, split: Split, *, per_suite: int, seed: int) -> list[Item]:
        clozes = self._clozes(split, seed)
        rng = random.Random(derive_seed("research", seed, split))
        return [self._item(first, second, split) for first, second in pairs(clozes, rng, per_suite)]

    @staticmethod
    def _item(first: Cloze, second: Cloze, split: Split) -> Item:
        passages = (
            f'Passage 1, from "{first.title}":\n{first.passage}\n\n'
            f'Passage 2, from "{second.title}":\n{second.passage}\n\n'
        )
        blanks = f"1. {first.question}\n2. {second.question}\n"
        sources = [first.source(), second.source()]
        key = f"{first.key}|{second.key}"
        if first.skill == second.skill == "cloze-number":
            first_number, second_number = number_in(first.answer), number_in(second.answer)
            assert first_number is not None and second_number is not None  # a number blank's answer is a number
            total = first_number + second_number
            shown = str(int(total)) if total.is_integer() else f"{total:.6f}".rstrip("0")
            question = "Question: what is the sum of the two missing numbers?\n"
            return Item(
                id=_item_id("research", split, key),
                suite="research",
                split=split,
                prompt=passages + question + blanks + "Answer:",
                answer=shown,
                grader="sum",
                grader_args={"sources": sources, "sum": total},
                skill="sum-across-documents",
            )
        return Item(
            id=_item_id("research", split, key),
            suite="research",
            split=split,
            prompt=passages + 'Question: fill both blanks, answering "first; second".\n' + blanks + "Answer:",
            answer=f"{first.answer}; {second.answer}",
            grader="spans",
            grader_args={"sources": sources, "answers": [first.answer, second.answer]},
            skill="two-documents",
        )


def pairs(clozes: list[Cloze], rng: random.Random, count: int) -> list[tuple[Cloze, Cloze]]:
    """Up to count pairs of blanks from two different documents, or, when every blank comes from one document,
    from two different sentences of it. A number's partner is another number where there is one (a sum to
    work out); each blank is used once."""
    order = list(clozes)
    rng.shuffle(order)
    across = len({(c.namespace, c.doc_id) for c in order}) > 1
    made: list[tuple[Cloze, Cloze]] = []
    used: set[int] = set()

    def partner(i: int, first: Cloze, numbers_only: bool) -> int | None:
        for j in range(i + 1, len(order)):
            second = order[j]
            if j in used or (numbers_only and second.skill != "cloze-number"):
                continue
            if (
                (second.namespace, second.doc_id) != (first.namespace, first.doc_id)
                if across
                else second.sentence != first.sentence
            ):
                return j
        return None

    for i, first in enumerate(order):
        if len(made) >= count:
            break
        if i in used:
            continue
        j = partner(i, first, numbers_only=first.skill == "cloze-number")
        if j is None:
            j = partner(i, first, numbers_only=False)
        if j is not None:
            made.append((first, order[j]))
            used.update((i, j))
    return made
