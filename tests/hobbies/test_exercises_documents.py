"""Knowledge exploration and research integration: questions made by code from the memory hub's documents,
graded against the document's own words, split by question, and what was read kept as memories."""

import pytest

from hobbies.exercises import NothingToPractise, source_for
from hobbies.exercises.documents import (
    LEARNED_NAMESPACE,
    ExplorationSource,
    ResearchSource,
    grade_item,
    sentences_of,
    spans_of,
)
from hobbies.practice import practice_run
from memoryhub.models import Embedding
from memoryhub.services.documents import document_put
from memoryhub.services.embeddings import embeddings_search
from models_suite.services.registry import model_register
from tests.memoryhub.conftest import index_dir  # noqa: F401  (the test's own vector indexes)

pytestmark = pytest.mark.usefixtures("index_dir")

EIFFEL = (
    "The Eiffel Tower\n"
    "The Eiffel Tower was completed in 1889 for the World's Fair in Paris. It is 330 metres tall and was "
    "designed by the company of Gustave Eiffel. About 7 million people visit it every year. It was the "
    "tallest structure in the world until the Chrysler Building rose in New York in 1930."
)
APOLLO = (
    "Apollo 11 landed on the Moon on 20 July 1969. Neil Armstrong and Buzz Aldrin walked on the surface "
    "while Michael Collins stayed in orbit. The crew returned to Earth after 8 days. The mission was "
    "launched from Florida by a Saturn V rocket."
)
RIVERS = (
    "The Nile flows north through 11 countries before it reaches the Mediterranean Sea. Its length is about "
    "6,650 kilometres. The Amazon carries more water than any other river and ends in the Atlantic Ocean."
)


@pytest.fixture
def library(db):
    document_put(namespace="knowledge_base", doc_id="eiffel", title="Eiffel Tower", content=EIFFEL)
    document_put(namespace="knowledge_base", doc_id="apollo", title="Apollo 11", content=APOLLO)
    document_put(namespace="science", doc_id="rivers", title="Rivers", content=RIVERS)


def test_sentences_and_the_spans_worth_a_question():
    sentences = sentences_of(EIFFEL)
    assert sentences[0].startswith("The Eiffel Tower was completed") and "The Eiffel Tower" not in sentences  # heading
    spans = {span: skill for _, span, skill in spans_of(sentences[0])}
    assert spans == {
        "1889": "cloze-number",
        "Eiffel Tower": "cloze-term",
        "World's Fair": "cloze-term",
        "Paris": "cloze-term",
    }  # "The" starts the sentence: not a name
    assert [span for _, span, _ in spans_of("In 1889 they built 18 towers of 3.5 metres.")] == ["1889", "3.5"]


def test_no_documents_means_nothing_to_practise_saying_to_add_some(db):
    document_put(namespace="hobby-notes", doc_id="own", content="Written by the hobby engine in 2024 in Oslo.")
    for hobby in ("KNOWLEDGE_EXPLORATION", "RESEARCH_INTEGRATION"):
        with pytest.raises(NothingToPractise, match="holds no documents to read: add some"):
            source_for(hobby).items("train", per_suite=5, seed=1)


def test_exploration_items_are_seeded_split_by_question_and_answered_by_the_document(library):
    source = source_for("KNOWLEDGE_EXPLORATION")
    assert isinstance(source, ExplorationSource)
    train = source.items("train", per_suite=100, seed=4)
    heldout = source.items("heldout", per_suite=100, seed=4)
    assert train and heldout and source.items("train", per_suite=100, seed=4) == train
    assert source.items("train", per_suite=3, seed=4) == source.items("train", per_suite=3, seed=4)
    assert not {i.id for i in train} & {i.id for i in heldout}
    assert not {i.prompt for i in train} & {i.prompt for i in heldout}
    assert sorted(i.id for i in source.items("train", per_suite=100, seed=9)) == sorted(i.id for i in train)
    texts = {"eiffel": EIFFEL, "apollo": APOLLO, "rivers": RIVERS}
    for item in train + heldout:
        [fact] = item.grader_args["sources"]
        assert item.answer in fact["sentence"] and fact["sentence"] in texts[fact["source_doc_id"]]
        assert "____" in item.prompt and fact["sentence"] in item.prompt  # the passage is given: reading
        assert item.skill in {"cloze-number", "cloze-term"} and item.id.startswith(f"documents/{item.split}/")
        assert grade_item(item, item.answer).correct


def test_span_answers_are_normalised_and_partly_right_by_token_overlap(library):
    items = ExplorationSource().items("train", per_suite=100, seed=4) + ExplorationSource().items(
        "heldout", per_suite=100, seed=4
    )
    term = next(i for i in items if i.answer == "Gustave Eiffel")
    for said in ("Gustave Eiffel", " gustave eiffel.\nmore text", "GUSTAVE EIFFEL!"):
        assert grade_item(term, said).correct
    partly = grade_item(term, "Eiffel")
    assert not partly.correct and partly.score == pytest.approx(2 / 3) and "token F1 0.67" in partly.detail
    assert grade_item(term, "Paris").score == 0.0
    number = next(i for i in items if i.answer == "6,650")
    assert grade_item(number, "6650").correct and grade_item(number, "the 6,650").correct
    assert not grade_item(number, "6,651").correct


def test_research_pairs_two_documents_and_sums_two_numbers(library):
    source = source_for("RESEARCH_INTEGRATION")
    assert isinstance(source, ResearchSource)
    train = source.items("train", per_suite=50, seed=2)
    assert train == source.items("train", per_suite=50, seed=2)
    assert not {i.id for i in train} & {i.id for i in source.items("heldout", per_suite=50, seed=2)}
    assert {i.skill for i in train} == {"two-documents", "sum-across-documents"}
    for item in train:
        first, second = item.grader_args["sources"]
        assert first["source_doc_id"] != second["source_doc_id"]
        assert first["sentence"] in item.prompt and second["sentence"] in item.prompt
        assert grade_item(item, item.answer).correct
    both = next(i for i in train if i.skill == "two-documents")
    one, two = both.grader_args["answers"]
    half = grade_item(both, f"{one}; wrong")
    assert not half.correct and half.score == pytest.approx(0.5) and "blank 2" in half.detail
    assert not grade_item(both, one).correct  # one blank answered
    total = next(i for i in train if i.skill == "sum-across-documents")
    assert grade_item(total, f"The sum is {total.answer}.").correct
    assert not grade_item(total, "12345678").correct and not grade_item(total, "no idea").correct


def test_one_document_pairs_two_of_its_sentences(db):
    document_put(namespace="knowledge_base", doc_id="eiffel", title="Eiffel Tower", content=EIFFEL)
    items = ResearchSource().items("train", per_suite=10, seed=1)
    assert items and all(a["sentence"] != b["sentence"] for a, b in (i.grader_args["sources"] for i in items))


def remote(cloud, monkeypatch):
    monkeypatch.setenv("CLOUD_KEY", "sk-test")
    return model_register(target=cloud.base_url, remote_model=cloud.model, api_key_env="CLOUD_KEY")


def test_knowledge_exploration_end_to_end_keeps_what_was_read_as_memories(library, cloud, monkeypatch):
    items = ExplorationSource().items("train", per_suite=5, seed=8)
    right, wrong = items[:3], items[3:]
    cloud.answers = {**{i.prompt: f" {i.answer}" for i in right}, **{i.prompt: "no idea" for i in wrong}}
    activity = practice_run(
        hobby_type="KNOWLEDGE_EXPLORATION",
        artifact=remote(cloud, monkeypatch),
        items_per_suite=5,
        probe_per_suite=3,
        seed=8,
    )
    assert activity.status == "completed", activity.error
    attempts = {a.item_id: a for a in activity.attempts.all()}
    assert len(attempts) == 5 and activity.correct_count == 3
    assert all(attempts[i.id].correct for i in right) and not any(attempts[i.id].correct for i in wrong)
    # One memory per fact read (two blanks of one sentence are one fact), with what the practice knew of it.
    memories = {m.content: m for m in Embedding.objects.filter(namespace=LEARNED_NAMESPACE)}
    facts = {f"{fact['title']}: {fact['sentence']}" for i in items for fact in i.grader_args["sources"]}
    assert set(memories) == facts
    by_id = {i.id: i for i in items}
    for content, memory in memories.items():
        item = by_id[memory.metadata["item_id"]]
        [fact] = item.grader_args["sources"]
        assert content == f"{fact['title']}: {fact['sentence']}" and memory.category == "learned-fact"
        assert memory.metadata["answer"] == item.answer and memory.metadata["question"] == fact["question"]
        assert memory.metadata["source_doc_id"] == fact["source_doc_id"]
        assert memory.metadata["answered_correctly"] == (item in right)
        assert memory.metadata["activity_id"] == activity.activity_id
        assert memory.metadata["model"] == activity.model_name
    sentence = items[0].grader_args["sources"][0]["sentence"]
    [(found, _)] = embeddings_search(query=sentence, namespace=LEARNED_NAMESPACE, limit=1)
    assert sentence in found.content


def test_research_integration_end_to_end(library, cloud, monkeypatch):
    items = ResearchSource().items("train", per_suite=4, seed=5)
    cloud.answers = {i.prompt: i.answer for i in items}
    activity = practice_run(
        hobby_type="RESEARCH_INTEGRATION",
        artifact=remote(cloud, monkeypatch),
        items_per_suite=4,
        probe_per_suite=2,
        seed=5,
    )
    assert activity.status == "completed", activity.error
    assert activity.attempts.count() == len(items) and activity.correct_count == len(items)
    facts = {fact["sentence"] for i in items for fact in i.grader_args["sources"]}
    assert Embedding.objects.filter(namespace=LEARNED_NAMESPACE).count() == len(facts)  # both facts of each


def test_an_empty_hub_fails_the_activity_with_the_reason(db, tiny):
    activity = practice_run(hobby_type="KNOWLEDGE_EXPLORATION", artifact=tiny, items_per_suite=3, seed=1)
    assert activity.status == "failed" and "add some" in activity.error
    assert not activity.attempts.exists() and not Embedding.objects.filter(namespace=LEARNED_NAMESPACE).exists()


def test_exploration_reads_the_documents_the_graph_links_to_those_drawn(db, monkeypatch):
    from hobbies.exercises import documents as module
    from memoryhub.services.graph_build import graph_update

    monkeypatch.setattr(module, "MAX_DOCUMENTS", 4)  # two drawn, two linked
    for number in range(30):
        document_put(namespace="kb", doc_id=f"filler-{number:02d}", content=f"Filler number {number} says little.")
    document_put(namespace="kb", doc_id="keller", content="Maria Keller is an engineer at Brightwater Analytics.")
    document_put(namespace="kb", doc_id="brightwater", content="Brightwater Analytics is headquartered in Tallinn.")
    graph_update()

    def drawn_with_keller(seed):
        read = {document.doc_id for document in module.documents_to_read(seed)}
        return read if "keller" in read else None

    read = next(found for seed in range(200) if (found := drawn_with_keller(seed)) and len(found) == 4)
    assert "brightwater" in read  # not drawn by chance: linked through the company both name
