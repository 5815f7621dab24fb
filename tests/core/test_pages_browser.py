"""The operator's pages in a real browser: admin login, the error bus and worker heartbeats in admin, Swagger UI.

Chromium talks to pytest-django's live server, which answers from its own thread and database connection:
hence `transactional_db`, so that what a test creates is committed and visible to it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.services import error_event_record, role_user_ensure
from tests.browser import admin_login
from workers.models import Machine, WorkerHeartbeat

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def operator(transactional_db):
    return role_user_ensure(username="op", role="operator", password=PASSWORD)


@pytest.fixture
def logged_in(page, operator):
    admin_login(page, "op", PASSWORD)
    expect(page).to_have_url(re.compile(r"/admin/$"))
    return page


def result_rows(page):
    return page.locator("#result_list tbody tr")


def list_filter(page, title: str, choice: str):
    """The link for `choice` in the changelist's "By <title>" filter."""
    return page.locator(f'#changelist-filter details[data-filter-title="{title}"]').get_by_role(
        "link", name=choice, exact=True
    )


def test_operator_logs_in_and_sees_every_section(page, page_watch, operator, tmp_path):
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    # The admin's stylesheet is served (WhiteNoise / the live server's static handler), not a 404.
    with page.expect_response(re.compile(r"/static/admin/css/base\.css$")) as css:
        page.reload()
    assert css.value.status == 200

    admin_login(page, "op", PASSWORD, path="")

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#user-tools")).to_contain_text("op")
    content = page.locator("#content-main")
    for section in ["Error events", "Machines", "Worker heartbeats", "Periodic tasks"]:
        expect(content.get_by_role("link", name=section, exact=True)).to_be_visible()
    # The stylesheet applied: admin's base.css lays the header out as a flex row.
    assert page.locator("#header").evaluate("e => getComputedStyle(e).display") == "flex"
    page.screenshot(path=str(tmp_path / "admin-index.png"), full_page=True)
    assert (tmp_path / "admin-index.png").stat().st_size > 0
    assert all(page_watch.is_local(url) for url in page_watch.requests)


def test_error_events_filter_by_source_and_search(logged_in):
    page = logged_in
    error_event_record(source="task", task_name="hobbies.tasks.crawl", message="crawler choked on a feed")
    error_event_record(source="task", task_name="models_suite.tasks.evaluate", message="evaluation ran out of memory")
    error_event_record(source="request", route="GET /api/v1/machines/", status_code=500, message="database went away")

    page.get_by_role("link", name="Error events", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/core/errorevent/$"))
    expect(result_rows(page)).to_have_count(3)

    list_filter(page, "source", "Celery task").click()
    expect(page).to_have_url(re.compile(r"[?&]source__exact=task"))
    expect(result_rows(page)).to_have_count(2)
    expect(page.locator("#result_list")).to_contain_text("hobbies.tasks.crawl")
    expect(page.locator("#result_list")).to_contain_text("models_suite.tasks.evaluate")
    expect(page.locator("#result_list")).not_to_contain_text("database went away")

    list_filter(page, "source", "HTTP request").click()
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page)).to_contain_text("GET /api/v1/machines/")

    list_filter(page, "source", "All").click()
    expect(result_rows(page)).to_have_count(3)

    page.fill("#searchbar", "out of memory")
    page.locator('#changelist-search input[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"[?&]q=out\+of\+memory"))
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page)).to_contain_text("models_suite.tasks.evaluate")
    expect(result_rows(page)).to_contain_text("evaluation ran out of memory")


def test_worker_heartbeats_status_filter(logged_in):
    page = logged_in
    machine = Machine.objects.create(name="gpu1", hostname="gpu1.local", roles=["hobbies", "training"])
    WorkerHeartbeat.objects.create(
        worker_name="autodidact@gpu1",
        machine=machine,
        pid=4242,
        queues=["hobbies.gpu1"],
        started_at=timezone.now() - timedelta(minutes=5),
        last_beat_at=timezone.now(),
        beats=20,
    )

    page.get_by_role("link", name="Worker heartbeats", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/workers/workerheartbeat/$"))
    expect(result_rows(page)).to_have_count(1)
    row = result_rows(page).first
    expect(row).to_contain_text("autodidact@gpu1")
    expect(row.locator("td.field-status")).to_have_text("alive")
    expect(row.locator("td.field-machine")).to_have_text("gpu1")

    list_filter(page, "status", "stale").click()
    expect(page).to_have_url(re.compile(r"[?&]status=stale"))
    expect(page.locator("#result_list")).to_have_count(0)
    expect(page.locator("#content-main")).not_to_contain_text("autodidact@gpu1")
    expect(page.locator("#changelist-form .paginator")).to_contain_text("0 worker heartbeats")

    list_filter(page, "status", "alive").click()
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page)).to_contain_text("autodidact@gpu1")


def test_swagger_ui_sends_anonymous_visitor_to_login(page, page_watch, operator):
    page.goto("/api/docs/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/api/docs/$"), timeout=3000)

    admin_login(page, "op", PASSWORD, path="")

    expect(page).to_have_url(re.compile(r"/api/docs/$"))
    expect(page.locator(".opblock").first).to_be_visible()


def test_swagger_ui_renders_after_login_without_the_network(page, page_watch, operator):
    admin_login(page, "op", PASSWORD, path="/admin/login/?next=/api/docs/")

    expect(page).to_have_url(re.compile(r"/api/docs/$"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Autodidact API")
    expect(page.locator(".opblock").first).to_be_visible()
    machines = page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/machines/$"))
    # Past about 140 operations Swagger UI renders only those near the viewport (its list virtualizer): scroll
    # down the way a person would until the operation comes into view.
    for _ in range(80):
        if machines.count():
            break
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(100)
    machines.first.scroll_into_view_if_needed()
    expect(machines.first).to_be_visible()
    # Swagger UI's own assets and the schema all came from this server (drf-spectacular-sidecar's static files).
    assert any("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in u for u in page_watch.requests)
    assert any(re.search(r"/api/schema/(\?|$)", u) for u in page_watch.requests)
    assert page_watch.foreign_requests == []


def test_rater_is_refused_by_admin(page, transactional_db):
    role_user_ensure(username="rater1", role="rater", password=PASSWORD)

    admin_login(page, "rater1", PASSWORD)

    expect(page).to_have_url(re.compile(r"/admin/login/"))
    expect(page.locator(".errornote")).to_contain_text(
        "Please enter the correct username and password for a staff account."
    )
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
