"""Headless Chromium for the browser tests: Debian's `chromium`, driven by Playwright.

Tests that use these fixtures carry `@pytest.mark.browser` (see conftest.py). With
SCREENSHOT_DIR set, `page_check` also saves a full-page PNG of each page it checks.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Headless as root on a machine without a network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": (1280, 900), "mobile": (375, 740)}


@pytest.fixture
def browser():
    """A Chromium browser for one test. Playwright's sync API runs an event loop in this
    thread; the ORM calls a test makes between browser steps are still plain synchronous
    code, so Django's async-safety check is relaxed for the test's duration only."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def save_screenshot(page, name: str) -> None:
    """Save a full-page PNG under $SCREENSHOT_DIR, when it is set (to look at the pages)."""
    target = os.environ.get("SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)


def horizontal_overflow(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits its viewport)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
