"""Shared by the data-sharing page tests (in-process and in the browser): a platform with three
organisations, each with an administrator who signs in through the pages: factory A (acme)
with a dataset of injection moulding shots to offer, supplier B (beta) that uses it, and C
(gamma), never a party."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.tenancy import Principal, Role, system_principal
from openkamp.platform import Platform

from .catalog_support import COLUMNS, shots

PASSWORD = "correct horse battery"
LOGINS = {"acme": "factory_a", "beta": "supplier_b", "gamma": "third_c"}
OPERATOR = "operator"  # the platform's operator (the first user, of the default organisation)
#: The offer A makes in the tests, as its form sends it.
OFFER_FORM = {
    "dataset": "shots@1",
    "name": "injection-feb",
    "title_ko": "사출성형 불량 판정 데이터 (2월)",
    "title_en": "Injection moulding defects (February)",
    "description_ko": "사출기 샷별 공정 변수와 양품/불량 판정.",
    "description_en": "Process variables and pass/fail of each shot.",
    "equipment_type": "injection_moulding",
    "industry": "C22",
    "problem": "defect",
    "price_model": "flat",
    "price_amount": "300000",
    "purposes": ["quality", "research"],
    "max_rows": "100000",
    "delete_within_days": "30",
    "anonymise": "on",
    "no_redistribution": "on",
}


@dataclass
class Sharing:
    kamp: Platform
    root: Path
    orgs: dict[str, Principal]  # acme, beta, gamma: each organisation's system principal

    def client(self, org: str, lang: str = "ko") -> TestClient:
        """A browser of ``org``'s administrator, signed in, in ``lang``."""
        c = TestClient(create_app(platform=self.kamp), follow_redirects=False)
        sign_in(c, LOGINS.get(org, OPERATOR))
        c.get(f"/lang/{lang}")
        return c

    def data_words(self) -> frozenset[str]:
        """Names of the data a page shows as they are (logins, organisations, columns)."""
        words = set(LOGINS.values()) | set(self.orgs) | {OPERATOR} | {c["name"] for c in COLUMNS}
        words |= {"shots", "shots@1", "injection-feb", "injection_moulding", "org", "platform"}
        return frozenset(words)


def load(root: Path) -> Sharing:
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    kamp.accounts.create_first_admin(kamp.default_org_id, OPERATOR, PASSWORD)
    orgs = {name: system_principal(kamp.principal(name).org_id) for name in LOGINS}
    for name, login in LOGINS.items():
        kamp.accounts.create_user(orgs[name], login, PASSWORD, role=Role.ADMIN)
    # 2,000 rows: enough marks that a leaked export is traced whatever the contract's keys (with
    # 400 rows about 25 values carried a mark, and some keys fell short of p < 1e-6)
    frame = shots(2_000)
    # as a machine logs them: fixed decimals (which the export's watermark needs to carry a mark)
    frame["pressure"] = frame["pressure"].round(1)
    frame["melt_temp"] = frame["melt_temp"].round(2)
    kamp.datasets.create(orgs["acme"], "shots", frame, COLUMNS)
    return Sharing(kamp, root, orgs)


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert found, "every page exposes the CSRF token in a meta tag"
    return found.group(1)


def sign_in(client: TestClient, login: str) -> str:
    page = client.get("/login")
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text)
    assert pre, page.text[:300]
    done = client.post(
        "/login", data={"login": login, "password": PASSWORD, "pre_token": pre.group(1)}
    )
    assert done.status_code == 303, done.text[:300]
    return csrf_of(client.get("/").text)


def post(client: TestClient, path: str, data: dict[str, Any] | None = None) -> Any:
    """A form post with the page's CSRF token."""
    token = csrf_of(client.get("/sharing").text)
    return client.post(path, data={**(data or {}), "csrf_token": token})
