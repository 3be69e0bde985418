"""Browser journeys: Playwright drives Debian's Chromium (/usr/bin/chromium) against the
live test server, and axe checks each page for accessibility problems."""

import json
import os
from pathlib import Path

import pytest

# Playwright's synchronous API runs an event loop in this thread; the ORM calls the tests
# make between browser steps are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("COLLIS_CHROMIUM", "/usr/bin/chromium"))
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SCREENSHOTS = Path(os.environ.get("COLLIS_SCREENSHOTS", "var/screenshots"))
# Flags for a headless Chromium on a closed network (no background connections).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/system" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("COLLIS_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, sites):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280,
                                                                      "height": 900})
    # The typeface comes from the NHS asset server, which this closed network cannot reach.
    context.route("https://assets.nhs.uk/**", lambda route: route.abort())
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    yield page
    context.close()
    # A CSP violation or a failing script shows up here.
    assert not errors, f"browser console errors: {errors}"


def check_accessibility(page, name: str | None = None) -> None:
    """Run axe on the current page; fail with every violation listed. Optionally save a
    screenshot under var/screenshots/."""
    page.wait_for_load_state("load")
    page.evaluate(AXE_SOURCE.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS)
    violations = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    if name:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert not violations, f"axe violations on {page.url}:\n{json.dumps(violations, indent=2)}"


def sign_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
