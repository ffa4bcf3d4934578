"""The connections page, as a browser uses it (forms with the session's CSRF token), in
Korean and English: list with live state and counters, add (the form built from the kind's
config model), a refused setting said in words, stop / start, delete; a viewer only reads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.language_scan import untranslated
from tests.web.support import sign_in

from openkamp.api import create_app
from openkamp.core.tenancy import Role
from openkamp.platform import Platform

from .conftest import PASSWORD, PRESS, open_platform, tree


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Platform]:
    kamp = open_platform(tmp_path / "data")
    kamp.assets.apply_tree(kamp.principal(), tree())
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    kamp.accounts.create_user(kamp.accounts.principal_of(kim), "vera", PASSWORD, role=Role.VIEWER)
    yield kamp
    kamp.close()


def row_of(html: str, name: str) -> str:
    found = re.search(rf'<tr data-connection="\d+">\s*<td><a href="/connections/\d+">{name}</a>'
                      r".*?</tr>", html, re.S)  # fmt: skip
    assert found, f"no row for {name}"
    return found.group(0)


def test_connections_page_add_stop_start_delete_in_korean(site: Platform) -> None:
    with TestClient(create_app(platform=site), follow_redirects=False) as client:
        csrf = sign_in(client, "kim", PASSWORD)
        page = client.get("/connections")
        assert page.status_code == 200
        assert "데이터 연결" in page.text and "아직 연결이 없습니다." in page.text
        assert 'href="/connections" aria-current="page"' in page.text  # the menu entry
        form = client.get("/connections/new?kind=http")
        assert (
            form.status_code == 200
            and "설비 경로" in form.text
            and "모르는 신호는 새로 만들기" in form.text
        )
        for html, where in ((page.text, "list"), (form.text, "form")):
            assert untranslated(html, "ko", where, frozenset({"kim"})) == []
        refused = client.post("/connections/new", data={
            "csrf_token": csrf, "kind": "http", "name": "gw", "equipment": PRESS,
            "measurements": "{not json", "enabled": "on",
        })  # fmt: skip
        assert refused.status_code == 422
        assert "연결 설정이 올바르지 않습니다" in refused.text
        made = client.post("/connections/new", data={
            "csrf_token": csrf, "kind": "http", "name": "gw", "equipment": PRESS,
            "measurements": '{"modbus": "plant1/line1/press01"}', "enabled": "on",
        })  # fmt: skip
        assert made.status_code == 303
        rec = site.connections.find(site.principal(), "gw")
        assert rec is not None and rec["config"]["measurements"] == {"modbus": PRESS}
        row = row_of(client.get("/connections").text, "gw")
        assert "동작 중" in row and 'data-testid="stop-gw"' in row
        # stop, then start again
        assert (
            client.post(f"/connections/{rec['id']}/stop", data={"csrf_token": csrf}).status_code
            == 303
        )
        row = row_of(client.get("/connections").text, "gw")
        assert "중지됨" in row and 'data-testid="start-gw"' in row
        assert not site.connections.get(site.principal(), rec["id"])["enabled"]
        client.post(f"/connections/{rec['id']}/start", data={"csrf_token": csrf})
        assert "동작 중" in row_of(client.get("/connections").text, "gw")
        # the edit page shows the counters and keeps the settings
        edit = client.get(f"/connections/{rec['id']}")
        assert edit.status_code == 200 and "modbus" in edit.text and "없음" in edit.text
        assert untranslated(edit.text, "ko", "edit", frozenset({"gw", "modbus", "kim"})) == []
        client.cookies.set("okp_lang", "en")
        assert "Data connections" in client.get("/connections").text
        # delete (without the CSRF token: refused)
        assert client.post(f"/connections/{rec['id']}/delete", data={}).status_code == 403
        client.post(f"/connections/{rec['id']}/delete", data={"csrf_token": csrf})
        assert site.connections.list(site.principal()) == []


def test_a_viewer_sees_connections_but_cannot_change_them(site: Platform) -> None:
    rec = site.connections.create(site.principal(), "gw", "http", {"equipment": PRESS})
    with TestClient(create_app(platform=site), follow_redirects=False) as client:
        csrf = sign_in(client, "vera", PASSWORD)
        page = client.get("/connections")
        assert page.status_code == 200 and "gw" in page.text
        assert "stop-gw" not in page.text and "connectors.add" not in page.text
        assert 'action="/connections/new"' not in page.text
        refused = client.post(f"/connections/{rec['id']}/stop", data={"csrf_token": csrf})
        assert refused.status_code == 403
        assert site.connections.get(site.principal(), rec["id"])["enabled"]
