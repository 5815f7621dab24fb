"""Real-browser fixtures: Debian's chromium driven by playwright's sync API, against pytest-django's live server.

    from tests.browser import browser, page, page_watch  # noqa: F401  (or list "tests.browser" in pytest_plugins)

    @pytest.mark.browser
    @pytest.mark.slow
    def test_something(page, live_server, transactional_db):
        page.goto("/admin/")  # relative to the live server
        ...

`page` opens a fresh browser context (no cookies, no storage) per test, with the live server as its base URL.
Every test that uses it fails at teardown when the page raised an uncaught JavaScript exception, logged a
console error, or tried to reach anything but the live server: such requests are recorded and aborted, so a
test never leaks to (or waits on) the network. A test that provokes a console error on purpose says so with
`page_watch.allow_console_error(r"regex")`.

Playwright's own browser download is never used: chromium comes from the system (CHROMIUM_PATH to override).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 15_000
# Schemes that never leave the browser: not network requests, so never "off the live server".
LOCAL_SCHEMES = {"data", "blob", "about"}


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole session (starting it costs about a second)."""
    if not os.path.exists(CHROMIUM_PATH):
        pytest.skip(f"no chromium at {CHROMIUM_PATH}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API is a facade over asyncio: sync_playwright().start() leaves an event loop marked
    # as *running* in this thread (its dispatcher greenlet sits inside run_forever()) until it is stopped.
    # Django's async_unsafe guard sees that loop and refuses every ORM call from this thread with
    # SynchronousOnlyOperation: the test's own setup, and pytest-django's database flush between
    # transactional tests, for as long as the browser lives, that is the rest of the session. Nothing here
    # actually runs Django code inside a coroutine (the ORM calls are plain blocking calls from the test's
    # thread; the live server answers from its own thread), so the guard is a false alarm and we switch it
    # off, only in the test process, and only once a browser test has started; it is restored at the end.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@dataclass
class PageWatch:
    """What one page did that a test should know about: JavaScript errors and every URL it requested."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    allowed_console_errors: list[re.Pattern] = field(default_factory=list)

    def allow_console_error(self, pattern: str) -> None:
        """Tolerate console errors matching `pattern` (re.search), for tests that provoke one on purpose."""
        self.allowed_console_errors.append(re.compile(pattern))

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            return True
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def problems(self) -> list[str]:
        found = [f"uncaught JavaScript exception: {e}" for e in self.page_errors]
        found += [
            f"console error: {e}"
            for e in self.console_errors
            if not any(p.search(e) for p in self.allowed_console_errors)
        ]
        found += [f"request off the live server ({self.origin}): {u}" for u in self.foreign_requests]
        return found


@pytest.fixture
def page_watch(live_server) -> PageWatch:
    parts = urlsplit(live_server.url)
    return PageWatch(origin=f"{parts.scheme}://{parts.netloc}")


@pytest.fixture
def page(browser, live_server, page_watch):
    """A page in a fresh context whose base URL is the live server; JS errors and foreign requests fail the test."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)

    def guard(route):
        # Abort anything not addressed to the live server before it leaves the browser.
        if page_watch.is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    new_page = context.new_page()

    def on_console(message):
        if message.type == "error":
            location = message.location or {}
            where = location.get("url", "")
            page_watch.console_errors.append(f"{message.text} ({where})" if where else message.text)

    def on_request(request):
        page_watch.requests.append(request.url)
        if not page_watch.is_local(request.url):
            page_watch.foreign_requests.append(request.url)

    new_page.on("console", on_console)
    new_page.on("pageerror", lambda error: page_watch.page_errors.append(str(error)))
    # On the context rather than the page: that also sees popups' and workers' requests.
    context.on("request", on_request)
    try:
        yield new_page
    finally:
        context.close()
    problems = page_watch.problems()
    if problems:
        pytest.fail("the browser saw problems:\n  " + "\n  ".join(problems), pytrace=False)


def admin_login(page, username: str, password: str, path: str = "/admin/login/") -> None:
    """Log in through the real admin login form (at `path`, which may carry ?next=...) and wait for the answer."""
    if path:
        page.goto(path)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("input[type=submit]")
