"""Browser tests: Chromium (Debian's /usr/bin/chromium) driven by Playwright.

`playwright install` is not used (it downloads its own browsers); the system Chromium is
launched instead. Without it or without the playwright package the tests are skipped,
and in CI (STATUSAPP_REQUIRE_SERVICES=1) they fail instead.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"


def _unavailable(message: str) -> None:
    if os.environ.get("STATUSAPP_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module's tests.

    Playwright's sync API keeps its asyncio loop marked as running in this thread (it is
    parked in a greenlet while test code runs), and Django refuses database queries in a
    thread with a running loop. Nothing runs concurrently here, so the check is lifted for
    as long as the browser lives (Playwright's documented advice for Django), and both end
    with the module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -r requirements-dev.txt")
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
