"""The operators' hobby dashboard in a real browser: reached from the admin index, it shows the measured figures
and draws its charts, with no console error and nothing fetched from beyond the server.

Chromium talks to pytest-django's live server from its own thread: hence transactional_db.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.services import role_user_ensure
from tests.browser import admin_login
from tests.hobbies.metrics_factories import finished, started, subagent

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-test-password-1"
CHARTS = ["chart-proficiency", "chart-hourly", "chart-daily", "chart-time", "chart-success"]
PAINTED = """canvas => {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return painted;
}"""


@pytest.fixture
def operator(transactional_db):
    return role_user_ensure(username="op", role="operator", password=PASSWORD)


def test_the_dashboard_shows_the_measured_figures(page, page_watch, operator, tmp_path):
    one, two = subagent("sa-1"), subagent("sa-2")
    finished(hobby_type="SKILL_PRACTICE", agent=one, heldout=0.6, seconds=3600)
    finished(hobby_type="SKILL_PRACTICE", agent=two, heldout=0.7, seconds=1800)
    finished(hobby_type="BENCHMARK_RUNNING", agent=one, status="failed", seconds=600)
    running = started(hobby_type="CODE_ANALYSIS", agent=two, description="answering code items")

    admin_login(page, "op", PASSWORD)
    page.get_by_role("link", name="Hobby dashboard").click()
    expect(page).to_have_url(re.compile(r"/hobby/dashboard/page$"))
    expect(page.locator("#hd-status")).to_contain_text("As of")

    expect(page.locator("#stat-total-activities")).to_have_text("3")
    expect(page.locator("#stat-active-hobbies")).to_have_text("1")
    expect(page.locator("#stat-learning")).to_have_text("yes")
    expect(page.locator("#hd-now-text")).to_contain_text(f"Code analysis ({running.activity_id})")
    expect(page.locator("#hd-now-text")).to_contain_text("answering code items")

    skill = page.locator('#hd-hobbies tr[data-hobby="SKILL_PRACTICE"] td')
    expect(skill.nth(0)).to_have_text("Skill practice")
    expect(skill.nth(1)).to_have_text("65.0 %")  # 0.6 and 0.7, each sub-agent's first held-out score
    expect(skill.nth(2)).to_have_text("not measured")  # one score each: no trend yet
    expect(skill.nth(3)).to_have_text("100.0 %")
    expect(skill.nth(4)).to_have_text("2")
    expect(skill.nth(5)).to_have_text("1.50")  # hours
    benchmark = page.locator('#hd-hobbies tr[data-hobby="BENCHMARK_RUNNING"] td')
    expect(benchmark.nth(1)).to_have_text("not measured")  # it only failed: never measured, not 0 %
    expect(benchmark.nth(3)).to_have_text("0.0 %")
    expect(benchmark.nth(5)).to_have_text("0.17")
    expect(page.locator("#hd-hobbies tbody tr")).to_have_count(8)

    for chart in CHARTS:
        assert page.locator(f"#{chart}").evaluate(PAINTED) > 100, f"{chart} is blank"
    page.screenshot(path=str(tmp_path / "hobby-dashboard.png"), full_page=True)
    assert all(page_watch.is_local(url) for url in page_watch.requests)
    assert any(url.endswith("/hobby/dashboard") for url in page_watch.requests)
    assert any(url.endswith("/hobby/metrics/summary") for url in page_watch.requests)


def test_an_anonymous_visitor_is_sent_to_log_in_first(page, operator):
    page.goto("/hobby/dashboard/page")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/hobby/dashboard/page$"))
    admin_login(page, "op", PASSWORD, path="")
    expect(page).to_have_url(re.compile(r"/hobby/dashboard/page$"))
    expect(page.locator("#stat-total-activities")).to_have_text("0")
    expect(page.locator("#hd-now-text")).to_have_text("Nothing is running.")
