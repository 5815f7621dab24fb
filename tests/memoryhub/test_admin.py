"""The memory hub in admin writes through its services: a document saved there is hashed and embedded, one
deleted there takes its embedding with it; session data stays a JSON object; the key-value browser asks for
the view permission and says so when Redis is down instead of failing."""

import pytest
from django.contrib.auth.models import Permission

from core.services import role_user_ensure
from memoryhub.models import Document, Embedding, MemorySession
from memoryhub.services import documents, embeddings, kv
from memoryhub.services.embeddings import content_hash

PASSWORD = "a-long-test-password-1"
TIDES = "Tides are caused mainly by the gravity of the Moon."


@pytest.fixture
def operator(client, db):
    role_user_ensure(username="op", role="operator", password=PASSWORD)
    assert client.login(username="op", password=PASSWORD)
    return client


@pytest.fixture
def staff_without_permissions(client, django_user_model):
    user = django_user_model.objects.create_user(username="clerk", password=PASSWORD, is_staff=True)
    client.force_login(user)
    return user


def add_document(client, **fields):
    data = {"namespace": "kb", "doc_id": "tides", "title": "Tides", "content": TIDES, "metadata": "{}", **fields}
    return client.post("/admin/memoryhub/document/add/", data)


def live_embeddings(**filters):
    return Embedding.objects.filter(deleted_at__isnull=True, **filters)


# --- documents ------------------------------------------------------------------------------------------------


def test_a_document_added_in_admin_is_hashed_embedded_and_found_by_meaning(operator, index_dir):
    response = add_document(operator, metadata='{"source": "admin"}')
    assert response.status_code == 302, response.content[:2000]

    document = Document.objects.get(namespace="kb", doc_id="tides")
    assert document.content_hash == content_hash(TIDES)
    assert document.metadata == {"source": "admin"}
    embedding = live_embeddings(namespace="kb", doc_id="tides").get()
    assert embedding.content_hash == content_hash(TIDES) and embedding.content == TIDES
    [(hit, _)] = embeddings.embeddings_search(query="What makes the sea rise and fall?", namespace="kb", limit=1)
    assert hit.pk == embedding.pk
    assert response["Location"].endswith("/admin/memoryhub/document/")  # the saved row, not a blank one


def test_editing_a_document_in_admin_re_embeds_it_and_keeps_its_key(operator, index_dir):
    document, _ = documents.document_put(namespace="kb", doc_id="tides", content=TIDES)
    old = live_embeddings(doc_id="tides").get()
    new_text = "Tides follow the Moon and, less, the Sun."
    response = operator.post(
        f"/admin/memoryhub/document/{document.pk}/change/",
        {"title": "Tides", "content": new_text, "metadata": "{}", "namespace": "elsewhere", "doc_id": "renamed"},
    )  # read-only: ignored
    assert response.status_code == 302, response.content[:2000]

    document.refresh_from_db()
    assert (document.namespace, document.doc_id, document.content) == ("kb", "tides", new_text)
    assert document.content_hash == content_hash(new_text)
    assert Document.objects.count() == 1
    now = live_embeddings(doc_id="tides").get()
    assert now.content_hash == content_hash(new_text)
    assert Embedding.objects.get(pk=old.pk).deleted_at is not None
    [(hit, _)] = embeddings.embeddings_search(query="What causes tides?", namespace="kb", limit=1)
    assert hit.pk == now.pk


def test_deleting_a_document_in_admin_tombstones_its_embedding(operator, index_dir):
    document, _ = documents.document_put(namespace="kb", doc_id="tides", content=TIDES)
    embedding = live_embeddings(doc_id="tides").get()

    response = operator.post(f"/admin/memoryhub/document/{document.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content[:2000]

    assert not Document.objects.exists()
    assert Embedding.objects.get(pk=embedding.pk).deleted_at is not None  # a tombstone, not a removed row
    assert embeddings.embeddings_search(query="What causes tides?", namespace="kb") == []


def test_the_bulk_delete_action_tombstones_every_documents_embedding(operator, index_dir):
    for doc_id, text in [("tides", TIDES), ("bread", "Dough rises because yeast produces carbon dioxide.")]:
        documents.document_put(namespace="kb", doc_id=doc_id, content=text)
    response = operator.post(
        "/admin/memoryhub/document/",
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [str(pk) for pk in Document.objects.values_list("pk", flat=True)],
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert not Document.objects.exists() and not live_embeddings().exists()
    assert Embedding.objects.count() == 2


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"content": "   "}, "content"),
        ({"namespace": "Bad Space"}, "namespace"),
        ({"doc_id": ""}, "doc_id"),
        ({"metadata": "[1, 2]"}, "metadata"),
    ],
    ids=["blank-content", "bad-namespace", "no-doc-id", "metadata-list"],
)
def test_what_the_service_refuses_is_a_form_error_and_nothing_is_stored(operator, index_dir, fields, field):
    response = add_document(operator, **fields)
    assert response.status_code == 200  # the form again, not a 500
    assert field in response.context["adminform"].form.errors
    assert not Document.objects.exists() and not Embedding.objects.exists()


def test_adding_a_document_whose_key_exists_is_refused_not_replaced(operator, index_dir):
    documents.document_put(namespace="kb", doc_id="tides", content=TIDES)
    response = add_document(operator, content="Something else entirely.")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Document.objects.get().content == TIDES


# --- embeddings -----------------------------------------------------------------------------------------------


def test_embeddings_are_view_and_delete_only_and_delete_is_a_tombstone(operator, index_dir):
    documents.document_put(namespace="kb", doc_id="tides", content=TIDES)
    embedding = live_embeddings().get()
    url = f"/admin/memoryhub/embedding/{embedding.pk}/"

    page = operator.get(url + "change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
    operator.post(url + "change/", {"content": "tampered"})
    assert Embedding.objects.get(pk=embedding.pk).content == TIDES

    assert operator.post(url + "delete/", {"post": "yes"}).status_code == 302
    assert Embedding.objects.get(pk=embedding.pk).deleted_at is not None
    assert embeddings.embeddings_search(query="What causes tides?", namespace="kb") == []
    # Deleting the tombstone again is no error.
    assert operator.post(url + "delete/", {"post": "yes"}).status_code == 302


# --- sessions -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", ['["a", "b"]', '"just text"'], ids=["list", "string"])
def test_session_data_that_is_not_an_object_is_a_form_error(operator, data):
    response = operator.post(
        "/admin/memoryhub/memorysession/add/",
        {
            "namespace": "session_memory",
            "session_id": "s1",
            "user_id": "",
            "data": data,
            "expires_at_0": "2099-01-01",
            "expires_at_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert "JSON object" in " ".join(response.context["adminform"].form.errors["data"])
    assert not MemorySession.objects.exists()


def test_session_data_that_is_an_object_is_saved(operator):
    response = operator.post(
        "/admin/memoryhub/memorysession/add/",
        {
            "namespace": "session_memory",
            "session_id": "s1",
            "user_id": "",
            "data": '{"step": 2}',
            "expires_at_0": "2099-01-01",
            "expires_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert MemorySession.objects.get().data == {"step": 2}


# --- the key-value browser ------------------------------------------------------------------------------------

KV_BROWSER = "/admin/memoryhub/keyvaluenamespace/"


def test_the_key_value_browser_is_403_without_the_view_permission(client, staff_without_permissions, memory_redis):
    kv.kv_set(namespace="knowledge_base", key="secret", value="do not show")
    response = client.get(KV_BROWSER, {"namespace": "knowledge_base"})
    assert response.status_code == 403
    assert b"do not show" not in response.content


def test_the_key_value_browser_opens_with_the_view_permission(client, staff_without_permissions, memory_redis):
    staff_without_permissions.user_permissions.add(
        Permission.objects.get(content_type__app_label="memoryhub", codename="view_keyvaluenamespace")
    )
    kv.kv_set(namespace="knowledge_base", key="fact", value="shown")
    response = client.get(KV_BROWSER, {"namespace": "knowledge_base"})
    assert response.status_code == 200
    assert b"shown" in response.content


def test_an_operator_opens_the_key_value_browser(operator, memory_redis):
    assert operator.get(KV_BROWSER).status_code == 200


def test_a_redis_outage_is_said_on_the_page_not_a_500(operator, settings):
    from core import redis_clients

    settings.MEMORY_REDIS_URLS = {store: "redis://127.0.0.1:1/0" for store in settings.MEMORY_REDIS_URLS}
    redis_clients.reset()
    try:
        response = operator.get(KV_BROWSER, {"namespace": "knowledge_base"})
    finally:
        redis_clients.reset()
    assert response.status_code == 200
    assert b"Redis is unavailable:" in response.content
