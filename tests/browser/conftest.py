"""One live server and one Chromium for the whole session; a fresh browser context per test.

Chromium comes from Debian (/usr/bin/chromium). Without it the browser tests are
skipped with a reason, unless TRACKER_REQUIRE_BROWSER=1 makes that a failure.
"""

import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tracker import create_app
from tracker.models import User

CHROMIUM = "/usr/bin/chromium"
AXE_SOURCE = Path(__file__).with_name("vendor").joinpath("axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as a browser test."""
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_app(app: Flask) -> Flask:
    """Return a second app on the test database, with CSRF checks on, for the live server."""

    class LiveConfig(app.config["CONFIG_CLASS"]):
        WTF_CSRF_ENABLED = True

    return create_app(LiveConfig)


def _buffered(wsgi_app: Callable) -> Callable:
    """Return the app with each response read whole and closed before the server writes it.

    Werkzeug's development server leaves a static file open when the browser drops the
    connection mid-response (a page navigated away), and the warning the collector raises
    later would fail an unrelated test. Buffered, nothing is left open.
    """

    def app(environ: dict, start_response: Callable) -> list[bytes]:
        body = wsgi_app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return app


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """Serve the live app in a thread."""
    server = make_server("127.0.0.1", 0, _buffered(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    from tracker.extensions import db

    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Launch Debian's Chromium once per session through Playwright."""
    if not os.path.exists(CHROMIUM):
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("TRACKER_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture()
def page(browser, live_server: str) -> Iterator[object]:
    """Return a page in a fresh context (own cookies) whose relative URLs hit the live server."""
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    yield new_page
    context.close()


@pytest.fixture()
def browser_login(page) -> Callable[[User], object]:
    """Log a user in through the login form."""

    def do_login(user: User, password: str = PASSWORD):
        page.goto("/auth/login")
        page.get_by_label("E-mail").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/auth/login" not in url)
        return page

    return do_login


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page and return its violations."""
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return result["violations"]


REFLOW_WIDTH = 320  # CSS pixels: WCAG 2.1 success criterion 1.4.10 (Reflow)


def reflow_overflow(page) -> list[str]:
    """Return what sticks out sideways when the page is 320 px wide (nothing: it reflows).

    Tables and charts may scroll inside their own box; the page itself may not scroll sideways.
    """
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
    try:
        return page.evaluate(
            """() => {
              const root = document.documentElement;
              if (root.scrollWidth <= root.clientWidth) return [];
              const out = [];
              for (const el of document.body.querySelectorAll('*')) {
                const box = el.getBoundingClientRect();
                const scrolls = el.parentElement.closest('.table-responsive, .chart-scroll');
                if (box.right > root.clientWidth + 1 && !scrolls)
                  out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' +
                           (el.className || '') + ' → ' + Math.round(box.right) + ' px');
              }
              const wide = 'the page is ' + root.scrollWidth + ' px wide';
              return out.length ? out.slice(0, 10) : [wide];
            }"""
        )
    finally:
        page.set_viewport_size(size)


@pytest.fixture()
def assert_accessible() -> Callable[[object], None]:
    """Fail when axe-core finds a violation, or when the page does not reflow at 320 px."""

    def check(page) -> None:
        overflow = reflow_overflow(page)
        assert not overflow, f"{page.url} scrolls sideways at {REFLOW_WIDTH} px: {overflow}"
        violations = axe_violations(page)
        summary = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in violations
        ]
        assert not violations, f"axe-core on {page.url}:\n" + json.dumps(summary, indent=2)

    return check
