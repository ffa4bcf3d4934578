"""Debian's chromium driven by Playwright, shared by the browser tests.

Without chromium a browser test skips with the reason, except under ``CI=true`` (the set-up
installs the browser there), where it fails. Screenshots go to ``test-artifacts/screenshots``
(git-ignored; CI keeps them as artefacts).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("OPENKAMP_CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


def playwright_or_skip() -> Any:
    """Playwright's sync API, or a skip (a failure under CI) saying why the browser is missing.
    Call it at module level (the whole module skips) or in a fixture (its tests skip)."""
    if not CHROMIUM.exists():
        reason = f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs the browser tests: {reason}", pytrace=False)
        pytest.skip(reason, allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")


@contextmanager
def launched() -> Iterator[Any]:
    """A headless chromium for the tests of one module."""
    sync_api = playwright_or_skip()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def shot(page: Any, name: str) -> None:
    """A full-page screenshot ``<name>.png`` among the test artefacts."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
