"""Helpers of the web UI tests: a platform loaded with a few days of the simulator's factory,
signing in as a browser does, a free loopback port."""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.tenancy import Role
from openkamp.ingest.importer import ImportOptions
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform
from openkamp.sim import Factory

SEED = 7
START = datetime.fromisoformat("2026-03-02T00:00:00+09:00")
DAYS = 3
END = START + timedelta(days=DAYS)
ADMIN, PASSWORD = "kim", "correct horse battery"
VIEWER = "choi"
INJ = "plant1/line1/inj01"


@dataclass
class Site:
    kamp: Platform
    root: Path
    factory: Factory

    def client(self) -> TestClient:
        return TestClient(create_app(platform=self.kamp), follow_redirects=False)


@dataclass
class Served:
    site: Site
    url: str


def load_platform(root: Path, *, with_admin: bool = True, with_model: bool = True) -> Site:
    """A platform on ``root`` with the simulator's site and ``DAYS`` days of its data."""
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    system = kamp.principal()
    factory = Factory(seed=SEED)
    site = factory.asset_model()
    kamp.assets.apply_tree(system, [site])
    paths = {e.name: f"{site.name}/{ln.name}/{e.name}" for ln in site.lines for e in ln.equipment}
    for file in factory.write_files(root / "files", START, END):
        kamp.imports.import_file(system, file, ImportOptions(equipment=paths[file.stem]))
    if with_admin:
        kim = kamp.accounts.create_first_admin(kamp.default_org_id, ADMIN, PASSWORD)
        kamp.accounts.create_user(
            kamp.accounts.principal_of(kim), VIEWER, PASSWORD, role=Role.VIEWER
        )
    if with_model:
        kamp.ml.train(
            system,
            TrainSpec(task="classify", name="inj01_defect", equipment=INJ, target="pass_fail",
                      groups="lot_id", start=START, end=END, time_budget_s=5),
        )  # fmt: skip
    return Site(kamp, root, factory)


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert found, "every page exposes the CSRF token in a meta tag"
    return found.group(1)


def sign_in(client: TestClient, login: str = ADMIN, password: str = PASSWORD) -> str:
    """Sign in through the form, as a browser does; returns the session's CSRF token."""
    page = client.get("/login")
    assert page.status_code == 200, page.text
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text)
    assert pre
    done = client.post(
        "/login", data={"login": login, "password": password, "pre_token": pre.group(1)}
    )
    assert done.status_code == 303, done.text
    return csrf_of(client.get("/").text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_true(page: Any, expression: str, timeout: float = 30.0) -> None:
    """Wait until a JavaScript expression is true in the page.

    Playwright's ``wait_for_function`` evaluates a string with ``eval`` inside the page, which the
    pages' Content-Security-Policy refuses (no ``unsafe-eval``); ``page.evaluate`` goes through
    the browser's debugging protocol, which the policy does not govern.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout:.0f} s: {expression}")
        page.wait_for_timeout(100)


def app_routes(app: Any) -> list[tuple[str, APIRoute]]:
    """Every route of ``app`` with its full path (FastAPI keeps included routers as their own
    objects; mounted sub-applications are walked too, static file folders are not)."""
    out: list[tuple[str, APIRoute]] = []

    def walk(routes: Any, prefix: str = "") -> None:
        for r in routes:
            if hasattr(r, "original_router"):  # FastAPI's included router
                walk(
                    r.original_router.routes,
                    prefix + (getattr(r.include_context, "prefix", "") or ""),
                )
            elif isinstance(r, APIRoute):
                out.append((prefix + r.path, r))
            elif getattr(r, "routes", None) and not hasattr(r, "directory"):
                walk(r.routes, prefix + getattr(r, "path", ""))

    walk(app.routes)
    return out
