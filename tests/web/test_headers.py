"""Issue 9, finding 7: security headers on every answer, no ``server`` banner, the API docs page
served offline from the package, and pages that run under a CSP without inline script.

The routes are found from the application itself (like test_language.py), so a new route is
checked as soon as it exists.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app

from .chromium import launched
from .support import ADMIN, INJ, PASSWORD, Served, Site, app_routes, free_port, sign_in

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def _get_paths(app: Any) -> list[str]:
    """Every GET path of the app (UI and API), path parameters filled with a plain value."""
    return sorted({re.sub(r"{[^}]+}", "1", p) for p, r in app_routes(app) if "GET" in r.methods})


def _check(resp: httpx.Response, where: str, *, no_store: bool = True) -> None:
    h = resp.headers
    for name, value in EXPECTED.items():
        assert h.get(name) == value, (where, name, h.get(name))
    csp = h.get("content-security-policy", "")
    directives = dict(
        ([*d.split(" ", 1), ""])[:2] for d in (p.strip() for p in csp.split(";")) if d
    )  # fmt: skip
    assert directives.get("frame-ancestors") == "'none'", (where, csp)
    script = directives.get("script-src", directives.get("default-src", ""))
    assert script and "unsafe-inline" not in script and "unsafe-eval" not in script, (where, csp)
    assert "*" not in csp and "http" not in csp, (where, csp)
    if no_store:
        assert "no-store" in h.get("cache-control", ""), (where, h.get("cache-control"))


def test_every_answer_carries_the_headers(site: Site) -> None:
    app = create_app(platform=site.kamp)
    paths = _get_paths(app)
    assert "/" in paths and "/api/v1/assets" in " ".join(paths)
    with TestClient(app) as anonymous:
        for path in [*paths, "/nowhere", "/api/v1/nowhere"]:
            _check(anonymous.get(path, follow_redirects=False), f"anonymous GET {path}")
    with TestClient(app, follow_redirects=False) as client:
        token = sign_in(client)
        for path in paths:
            _check(client.get(path, follow_redirects=False), f"GET {path}")
        # answers to writes and errors too
        r = client.post("/api/v1/assets", json={}, headers={"X-CSRF-Token": token})
        _check(r, "POST /api/v1/assets (invalid)")
        # the package's own files may be cached, but carry the rest
        _check(client.get("/static/app.js"), "/static/app.js", no_store=False)
        _check(client.get("/api/v1/docs/assets/swagger-ui.css"), "swagger css", no_store=False)


def test_an_unexpected_error_carries_the_headers(site: Site) -> None:
    app = create_app(platform=site.kamp)

    @app.get("/api/v1/boom-for-the-test")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/v1/boom-for-the-test")
        assert r.status_code == 500 and "boom" not in r.text
        _check(r, "an unexpected error")


def test_the_docs_page_is_served_from_the_package(site: Site) -> None:
    with TestClient(create_app(platform=site.kamp)) as client:
        page = client.get("/api/v1/docs")
        assert page.status_code == 200
        refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert refs and all(r.startswith("/") and not r.startswith("//") for r in refs), refs
        assert "<script>" not in page.text  # no inline script: every script is a file
        for ref in refs:
            got = client.get(ref)
            assert got.status_code == 200 and got.content, ref
        assert "http://" not in page.text and "https://" not in page.text


def test_a_real_server_sends_no_server_banner(tmp_path: Path) -> None:
    """``openkamp serve`` as a user starts it: no ``server: uvicorn`` header."""
    port = free_port()
    env = {**os.environ, "OPENKAMP_DATA_DIR": str(tmp_path / "data"), "OPENKAMP_PORT": str(port),
           "OPENKAMP_HOST": "127.0.0.1", "OPENKAMP_PASSWORD_HASH_MEMORY_KIB": "1024",
           "OPENKAMP_PASSWORD_HASH_TIME_COST": "1"}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "openkamp.cli.main", "serve"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(url + "/api/v1/health", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        for path in ("/api/v1/health", "/login", "/static/app.css", "/nowhere"):
            r = httpx.get(url + path, timeout=10)
            assert "server" not in r.headers, (path, r.headers.get("server"))
            _check(r, path, no_store=not path.startswith("/static"))
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


#: Reports every CSP violation the page meets (an init script, which the page's CSP does not block).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as b:
        yield b


def test_pages_run_under_the_csp_without_violations(browser: Any, served: Served) -> None:
    url = served.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"error {e}"))
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.text}")
            if "Content Security Policy" in m.text or "Refused to" in m.text
            else None
        ),
    )
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(url) else outside.append(r.url))
    asked: list[str] = []
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))

    def visit(path: str) -> None:
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
        problems.extend(f"{path}: {v}" for v in page.evaluate("window.__csp || []"))

    visit("/login")
    page.fill("input[name=login]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")
    for path in ("/", "/import", "/models", "/models/new?problem=classify", "/settings",
                 f"/signals?equipment={INJ}", "/api/v1/docs"):  # fmt: skip
        visit(path)
    # Swagger UI ran from the package's files and read the API's description
    page.goto(url + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .information-container .title")
    assert "OpenKAMP" in page.locator(".swagger-ui .title").first.inner_text()
    # a select that sends its form (was an inline onchange handler)
    page.goto(url + "/models/new?problem=classify")
    sel = page.locator("select[name=equipment]")
    options = [o for o in sel.locator("option").evaluate_all("os => os.map(o => o.value)") if o]
    if len(options) > 1:
        current = sel.input_value()
        other = next(o for o in options if o != current)
        with page.expect_navigation():
            sel.select_option(other)
        assert "equipment=" in page.url
    # a confirmation asked before a password reset (was an inline onsubmit handler)
    page.goto(url + "/settings")
    reset = page.locator("[data-testid^=reset-]")
    if reset.count():
        asked.clear()
        reset.first.click()
        page.wait_for_timeout(300)
        assert asked, "no confirmation asked"
        assert page.url.endswith("/settings")  # dismissed: nothing sent
    problems.extend(page.evaluate("window.__csp || []"))
    context.close()
    assert not problems, problems
    assert not outside, outside
