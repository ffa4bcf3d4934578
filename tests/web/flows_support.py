"""Signing in for the flow tests of the data pages without depending on the overview page
(another area's page, rebuilt independently): the CSRF token is read from the session's cookie
the sign-in sets, as the browser's pages read it from their meta tag."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from .support import ADMIN, PASSWORD


def log_in(client: TestClient, login: str = ADMIN, password: str = PASSWORD) -> str:
    page = client.get("/login")
    assert page.status_code == 200, page.text
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text)
    assert pre
    done = client.post(
        "/login", data={"login": login, "password": password, "pre_token": pre.group(1)}
    )
    assert done.status_code == 303, done.text
    token = client.cookies.get("okp_csrf")
    assert token
    return str(token)


def job_result(kamp: Any, sent: Any, timeout: float = 120) -> str:
    """Where a form post that started a job (a redirect to ``/jobs/<id>``) leads once the job
    is done: its result's page (scoring, recipes)."""
    where = sent.headers["location"]
    assert where.startswith("/jobs/"), where
    job = kamp.jobs.wait(kamp.principal(), int(where.rsplit("/", 1)[1]), timeout=timeout)
    assert job["status"] == "done", job
    return str(job["result"]["next"])
