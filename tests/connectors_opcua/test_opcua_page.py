"""The OPC UA step of the connections page, as a browser uses it (forms with the session's
CSRF token, no script): browse a server, review the proposed tree in Korean (units, ranges,
history; nothing English but the server's own data), uncheck a signal, rename another, apply;
the assets and the connection are made as reviewed. A refused server is said in Korean."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.web.language_scan import untranslated
from tests.web.support import sign_in

from openkamp.api import create_app
from openkamp.platform import Platform
from openkamp.sim.live import free_port

from .conftest import SimServer

PASSWORD = "correct horse battery"


@pytest.fixture
def client(kamp: Platform) -> Iterator[TestClient]:
    kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    with TestClient(create_app(platform=kamp), follow_redirects=False) as c:
        yield c


def form_fields(html: str) -> dict[str, str]:
    """The review form as a browser would post it unchanged (checked boxes, inputs)."""
    out: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) == "checkbox":
            if " checked" in tag:
                out[html_lib.unescape(name.group(1))] = "on"
            continue
        out[html_lib.unescape(name.group(1))] = html_lib.unescape(value.group(1) if value else "")
    return out


def test_browse_review_apply_in_korean(client: TestClient, sim: SimServer, kamp: Platform) -> None:
    csrf = sign_in(client, "kim", PASSWORD)
    listing = client.get("/connections")
    assert 'href="/connections/opcua/browse"' in listing.text and "OPC UA 서버 탐색" in listing.text
    page = client.get("/connections/opcua/browse")
    assert page.status_code == 200 and "<script>" not in page.text
    review = client.post("/connections/opcua/browse",
                         data={"csrf_token": csrf, "endpoint": sim.endpoint})  # fmt: skip
    assert review.status_code == 200, review.text
    text = review.text
    assert "제안된 자산 검토" in text and "press01" in text and "bar" in text
    data_words = set(re.findall(r"[A-Za-z][\w.\-/]*", " ".join(
        f"{e.name_en} {e.description} {s.name_en} {s.description} {s.name} {e.name}"
        for m in sim.live.machines.values() for e in [m] for s in m.signal_defs
    )))  # fmt: skip
    data_words |= {"kim", "opcua", "plant1", "line1", "line2", "OPC", "UA", "ns", "Double"}
    words = frozenset(data_words | set(re.findall(r"opc\.tcp://\S+", text)))
    assert untranslated(text, "ko", "review", words) == []
    form = form_fields(text)
    press = sim.server.node_id("press01", "pressure")
    flow = sim.server.node_id("press01", "flow")
    assert form[f"use:{press}"] == "on"
    del form[f"use:{flow}"]  # unchecked
    form[f"ko:{press}"] = "주 유압"
    form["name"] = "press-line"
    done = client.post("/connections/opcua/apply", data=form)
    assert done.status_code == 303, done.text
    me = kamp.principal()
    line = sim.live.paths["press01"].line
    sig = kamp.assets.resolve(me, f"plant1/{line}/press01/pressure")
    assert sig.name_ko == "주 유압" and sig.unit == "bar"  # type: ignore[union-attr]
    with pytest.raises(Exception):  # noqa: B017 - NotFound: the unchecked signal was not made
        kamp.assets.resolve(me, f"plant1/{line}/press01/flow")
    rec = kamp.connections.find(me, "press-line")
    assert rec is not None and rec["kind"] == "opcua"
    assert flow not in {n["node_id"] for n in rec["config"]["nodes"]}


def test_a_server_not_there_is_said_in_korean(client: TestClient) -> None:
    csrf = sign_in(client, "kim", PASSWORD)
    page = client.post("/connections/opcua/browse", data={
        "csrf_token": csrf, "endpoint": f"opc.tcp://127.0.0.1:{free_port()}/"})  # fmt: skip
    assert page.status_code == 422
    assert "응답하는 OPC UA 서버가 없습니다" in page.text
    assert "Errno" not in page.text and "Traceback" not in page.text
