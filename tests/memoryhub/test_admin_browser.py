"""The memory hub in admin, in a real browser: documents, embeddings without their vectors, sessions, and the
key-value browser per namespace."""

import re

import pytest
from playwright.sync_api import expect

from core.services import role_user_ensure
from memoryhub.services import documents, kv
from tests.browser import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def logged_in(page, transactional_db, memory_redis, index_dir):
    role_user_ensure(username="op", role="operator", password=PASSWORD)
    admin_login(page, "op", PASSWORD)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    return page


def test_the_key_value_browser_shows_each_namespace_and_its_values(logged_in, page_watch):
    page = logged_in
    kv.kv_set(namespace="knowledge_base", key="fact:boiling", value={"celsius": 100})
    kv.kv_set(namespace="knowledge_base", key="fact:freezing", value={"celsius": 0}, expire_seconds=600)
    kv.kv_set(namespace="knowledge_base", key="todo:read", value="chapter 3")
    kv.kv_set(namespace="memory_client", key="other", value=1)

    page.get_by_role("link", name="Key-value memories", exact=True).click()
    namespaces = page.locator("#kv-namespaces tbody tr")
    expect(namespaces).to_have_count(8)
    expect(namespaces.filter(has_text="knowledge_base")).to_contain_text("3")

    page.get_by_role("link", name="knowledge_base", exact=True).click()
    keys = page.locator("#kv-keys tbody tr")
    expect(keys).to_have_count(3)
    expect(keys.filter(has_text="fact:boiling")).to_contain_text('{"celsius": 100}')
    expect(keys.filter(has_text="fact:boiling")).to_contain_text("never")
    expect(page.locator("#kv-keys")).not_to_contain_text("other")  # memory_client's key stays in its namespace

    page.fill('input[name="pattern"]', "fact:*")
    page.get_by_role("button", name="Filter").click()
    expect(keys).to_have_count(2)
    expect(page.locator("#kv-keys")).not_to_contain_text("todo:read")
    assert not page_watch.problems()


def test_documents_and_embeddings_are_listed_without_vectors(logged_in):
    page = logged_in
    documents.document_put(
        namespace="knowledge_base", doc_id="tides", title="Tides", content="Tides are caused mainly by the Moon."
    )
    page.goto("/admin/memoryhub/document/")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("tides")

    page.goto("/admin/memoryhub/embedding/")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator("#result_list tbody tr a").first.click()
    expect(page.locator("#content-main")).to_contain_text("Tides are caused mainly by the Moon.")
    expect(page.locator("#content-main")).not_to_contain_text("Vector")
