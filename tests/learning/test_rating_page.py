"""The rating forms at /feedback/ in a real browser: a rater logs in through the page's own login, rates three
items (mouse and keyboard), skips one, and each judgement is stored while the queue moves on; plus who may see
the page and what an invalid submission does (Django's test client).

Chromium talks to pytest-django's live server from its own thread: hence transactional_db.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from core.services import role_user_ensure
from hobbies.models import Insight
from learning.models import Feedback
from tests.browser import admin_login
from tests.hobbies.metrics_factories import finished, subagent

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "a-long-test-password-1"
HOSTILE = '<script>window.pwned = 1</script><img src="x" alt="x">'


@pytest.fixture
def rater(transactional_db):
    role_user_ensure(username="rita", role="rater", password=PASSWORD)
    return get_user_model().objects.get(username="rita")


@pytest.fixture
def items(transactional_db):
    """Four finished activities, each with the insights its analysis wrote (graded attempts as evidence); every
    insight's text made distinct, the newest (the first offered) model output with markup in it."""
    agent = subagent("sa-1")
    activities = [finished(hobby_type="SKILL_PRACTICE", agent=agent, heldout=0.5 + i / 10) for i in range(4)]
    insights = list(Insight.objects.order_by("pk"))
    for number, insight in enumerate(insights):
        text = f"Insight number {number}: {insight.text}"
        if insight is insights[-1]:
            text = f"{HOSTILE} {text}"
        Insight.objects.filter(pk=insight.pk).update(text=text)
    return activities


def shown(page) -> tuple[str, str]:
    item = page.locator("#rate-item")
    return item.get_attribute("data-target-type"), item.get_attribute("data-target-id")


def stored(rater, key) -> Feedback:
    return Feedback.objects.get(rater=rater, target_type=key[0], target_id=key[1])


def submitted(page, action) -> None:
    with page.expect_navigation():
        action()
    expect(page.locator("#rate-messages")).to_contain_text("Saved")


def test_a_rater_rates_three_items_and_the_queue_moves_on(page, page_watch, rater, items, tmp_path):
    page.goto("/feedback/")
    expect(page).to_have_url(re.compile(r"/feedback/login\?next=/feedback/$"))
    admin_login(page, "rita", PASSWORD, path="")
    expect(page).to_have_url(re.compile(r"/feedback/$"))
    expect(page.locator("#rated-today")).to_have_text("0")
    left = int(page.locator("#left-in-queue").inner_text())
    assert left >= 4

    # The first item: the newest insight, its markup shown as text and never run.
    first = shown(page)
    newest = Insight.objects.order_by("-pk").first()
    assert first == ("insight", str(newest.pk))
    expect(page.locator("#item-text")).to_contain_text(HOSTILE)
    assert page.evaluate("typeof window.pwned") == "undefined"
    expect(page.locator("#item-hobby")).to_have_text("Skill practice")
    expect(page.locator("#item-confidence")).to_have_text(re.compile(r"^\d+%$"))
    expect(page.locator("#item-evidence tbody tr")).to_have_count(min(5, newest.evidence.count()))
    expect(page.locator("#item-evidence")).to_contain_text("Q:0+1=")
    expect(page.get_by_text("Keyboard shortcuts")).to_be_visible()
    page.screenshot(path=str(tmp_path / "rating-page.png"), full_page=True)

    # One: the mouse, five stars, helpful, a comment.
    page.click('label[for="star-5"]')
    expect(page.locator('label[for="star-3"]')).to_have_class(re.compile(r"rate-star-on"))  # highlighted up to 5
    page.click('label[for="helpful-yes"]')
    page.fill("#id_comment", "Right about the off-by-one answers, and says why.")
    submitted(page, lambda: page.click("#rate-submit"))
    row = stored(rater, first)
    assert (row.rating, row.helpful, row.comment, row.suggestion) == (
        5,
        True,
        "Right about the off-by-one answers, and says why.",
        "",
    )
    expect(page.locator("#rated-today")).to_have_text("1")
    second = shown(page)
    assert second != first

    # Two: the keyboard, "4" then Enter; helpful left unsaid. Typing in a text box fires no shortcut.
    page.click("#id_comment")
    page.keyboard.type("5 h")
    expect(page.locator("#star-5")).not_to_be_checked()
    expect(page.locator("#helpful-yes")).not_to_be_checked()
    page.fill("#id_comment", "")
    page.locator("#item-title").click()  # out of the text box
    page.keyboard.press("4")
    expect(page.locator("#star-4")).to_be_checked()
    submitted(page, lambda: page.keyboard.press("Enter"))
    row = stored(rater, second)
    assert (row.rating, row.helpful, row.comment) == (4, None, "")
    expect(page.locator("#rated-today")).to_have_text("2")
    third = shown(page)
    assert third not in (first, second)

    # Skip ("s"): nothing stored, another item comes, the count stays.
    with page.expect_navigation():
        page.keyboard.press("s")
    fourth = shown(page)
    assert fourth not in (first, second, third)
    assert not Feedback.objects.filter(rater=rater, target_type=third[0], target_id=third[1]).exists()
    expect(page.locator("#rated-today")).to_have_text("2")

    # Three: the mouse, two stars, not helpful, a suggestion.
    page.click('label[for="star-2"]')
    page.get_by_label("Not helpful").check()
    page.fill("#id_suggestion", "Say which answers were off by one.")
    submitted(page, lambda: page.get_by_role("button", name="Submit").click())
    row = stored(rater, fourth)
    assert (row.rating, row.helpful, row.suggestion) == (2, False, "Say which answers were off by one.")
    expect(page.locator("#rated-today")).to_have_text("3")
    assert shown(page) not in (first, second, fourth)
    assert Feedback.objects.filter(rater=rater).count() == 3
    assert all(page_watch.is_local(url) for url in page_watch.requests)


def test_the_last_item_rated_leaves_nothing_to_rate(page, rater, transactional_db):
    activity = finished(hobby_type="SKILL_PRACTICE", right=1, wrong=0)
    page.goto("/feedback/login")
    admin_login(page, "rita", PASSWORD, path="")
    for _ in range(20):
        if page.locator("#rate-empty").count():
            break
        page.keyboard.press("3")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    expect(page.locator("#rate-empty")).to_contain_text("Nothing left to rate")
    expect(page.locator("#left-in-queue")).to_have_text("0")
    assert Feedback.objects.filter(rater=rater, target_type="activity", target_id=activity.activity_id).exists()


# --- Without a browser ----------------------------------------------------------------------------------------


def test_a_stranger_is_sent_to_log_in(client, transactional_db):
    response = client.get("/feedback/")
    assert response.status_code == 302
    assert response["Location"] == "/feedback/login?next=/feedback/"
    assert client.get("/feedback/login").status_code == 200


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_other_roles_are_refused(client, transactional_db, role):
    role_user_ensure(username="someone", role=role, password=PASSWORD)
    client.force_login(get_user_model().objects.get(username="someone"))
    response = client.get("/feedback/")
    assert response.status_code == 403
    assert b"You cannot rate here" in response.content
    response = client.post("/feedback/", {"target_type": "insight", "target_id": "1", "rating": "4"})
    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_an_operator_may_rate(client, items):
    role_user_ensure(username="op", role="operator", password=PASSWORD)
    client.force_login(get_user_model().objects.get(username="op"))
    response = client.get("/feedback/")
    assert response.status_code == 200
    assert b'id="rate-form"' in response.content


def test_an_invalid_rating_is_refused_and_nothing_is_stored(client, rater, items):
    client.force_login(rater)
    insight = Insight.objects.order_by("pk").first()
    response = client.post(
        "/feedback/",
        {
            "target_type": "insight",
            "target_id": str(insight.pk),
            "rating": "7",
            "helpful": "yes",
            "comment": "kept in the form",
        },
    )
    assert response.status_code == 400
    assert b"A rating is from 1 to 5 stars." in response.content
    assert b"kept in the form" in response.content
    assert f'data-target-id="{insight.pk}"'.encode() in response.content  # the same item again
    for data in (
        {"target_type": "insight", "target_id": str(insight.pk)},  # no rating
        {"target_type": "insight", "target_id": "999999", "rating": "4"},  # no such item
        {"target_type": "memory", "target_id": str(insight.pk), "rating": "4"},
    ):
        assert client.post("/feedback/", data).status_code == 400
    assert (
        b"There is no insight 999999"
        in client.post("/feedback/", {"target_type": "insight", "target_id": "999999", "rating": "4"}).content
    )
    assert not Feedback.objects.exists()


def test_a_valid_post_redirects_with_see_other(client, rater, items):
    client.force_login(rater)
    insight = Insight.objects.order_by("pk").first()
    response = client.post(
        "/feedback/", {"target_type": "insight", "target_id": str(insight.pk), "rating": "3", "helpful": ""}
    )
    assert response.status_code == 303 and response["Location"] == "/feedback/"
    row = stored(rater, ("insight", str(insight.pk)))
    assert (row.rating, row.helpful) == (3, None)
    assert b"Saved" in client.get("/feedback/").content
