"""Issue 9, findings 3 and 8: uploads need a role, stop at a size limit and an organisation's
quota of staged bytes (413 in the error shape, in Korean and English), leave no staged or
temporary files behind after a failure or across a start; odd input (a file named ``..`` or
longer than 255 bytes, deeply nested JSON, import options of the wrong type) answers 4xx in the
error shape on every route that takes an upload or JSON options, never 500."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import UploadFile
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.tenancy import Role
from openkamp.platform import Platform

PASSWORD = "correct horse battery"
LIMIT = 4000
QUOTA = 10_000
CSV = b"time,temp\n2026-03-02T00:00:00+09:00,1.0\n2026-03-02T00:01:00+09:00,2.0\n"
DEEP = "[" * 100_000 + "]" * 100_000


@dataclass
class World:
    kamp: Platform
    client: TestClient
    data: Path
    tokens: dict[str, str]

    def web(self, login: str) -> dict[str, str]:
        """Sign ``login`` in through the form; the headers a browser's script sends."""
        import re

        c = self.client
        c.headers.pop("Authorization", None)
        c.cookies.clear()
        page = c.get("/login")
        pre = re.search(r'name="pre_token" value="([^"]+)"', page.text)
        assert pre
        done = c.post(
            "/login", data={"login": login, "password": PASSWORD, "pre_token": pre.group(1)}
        )
        assert done.status_code == 303, done.text
        return {"X-CSRF-Token": str(c.cookies.get("okp_csrf"))}

    def api(self, login: str) -> dict[str, str]:
        self.client.cookies.clear()
        return {"Authorization": f"Bearer {self.tokens[login]}"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data = tmp_path_factory.mktemp("uploads") / "data"
    kamp = Platform.at(
        data,
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
        upload_max_bytes=LIMIT,
        upload_org_quota_bytes=QUOTA,
    )
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    me = kamp.accounts.principal_of(kim)
    kamp.accounts.create_user(me, "choi", PASSWORD, role=Role.VIEWER)
    kamp.accounts.create_user(me, "park", PASSWORD, role=Role.ENGINEER)
    tokens = {"kim": kamp.accounts.create_token(me, "t", ["admin"])[1]}
    with TestClient(create_app(platform=kamp), follow_redirects=False) as client:
        yield World(kamp, client, data, tokens)
    kamp.close()


def _shape(resp: Any) -> dict[str, Any]:
    body = resp.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert {"type", "code", "message", "hint"} <= set(err), err
    return dict(err)


def _leftovers(data: Path) -> list[str]:
    found = [p.name for p in data.glob("okp-upload-*")] + [p.name for p in data.glob("okp-score-*")]
    staged = data / "staged"
    if staged.is_dir():
        found += [str(p) for p in staged.rglob("*") if p.is_file()]
    return found


# -- finding 3 ---------------------------------------------------------------------------------


def test_a_viewer_cannot_stage_a_file(world: World) -> None:
    h = world.web("choi")
    resp = world.client.post("/import/stage", headers=h, files={"file": ("a.csv", CSV)})
    assert resp.status_code == 403, resp.text
    _shape(resp)
    assert not _leftovers(world.data)


def test_an_engineer_stages_a_small_file(world: World) -> None:
    h = world.web("park")
    resp = world.client.post("/import/stage", headers=h, files={"file": ("a.csv", CSV)})
    assert resp.status_code == 200, resp.text
    # it stays staged for the wizard; clear it for the next tests
    import shutil

    shutil.rmtree(world.data / "staged", ignore_errors=True)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_file_over_the_limit_is_refused_and_not_kept(world: World, lang: str) -> None:
    h = world.web("park")
    world.client.cookies.set("okp_lang", lang)
    big = CSV + b"2026-03-02T00:02:00+09:00,3.0\n" * 400  # > LIMIT
    resp = world.client.post("/import/stage", headers=h, files={"file": ("big.csv", big)})
    assert resp.status_code == 413, resp.text
    err = _shape(resp)
    assert err["code"] == "upload.too_large"
    if lang == "ko":
        assert any("\uac00" <= ch <= "\ud7a3" for ch in err["message"]), err
    else:
        assert "too large" in err["message"].lower(), err
    assert not _leftovers(world.data)


def test_the_organisations_staged_bytes_have_a_quota(world: World) -> None:
    import shutil

    h = world.web("park")
    body = CSV + b"2026-03-02T00:02:00+09:00,3.0\n" * 100  # under LIMIT, 3 fit the QUOTA
    codes = []
    for i in range(4):
        r = world.client.post("/import/stage", headers=h, files={"file": (f"f{i}.csv", body)})
        codes.append(r.status_code)
        if r.status_code != 200:
            assert r.status_code == 413, r.text
            assert _shape(r)["code"] == "upload.quota"
    assert codes[:2] == [200, 200] and codes[-1] == 413, codes
    staged = sum(p.stat().st_size for p in (world.data / "staged").rglob("*") if p.is_file())
    assert staged <= QUOTA
    shutil.rmtree(world.data / "staged", ignore_errors=True)


def test_api_uploads_have_the_same_limit(world: World) -> None:
    h = world.api("kim")
    big = CSV + b"2026-03-02T00:02:00+09:00,3.0\n" * 400
    for url in ("/api/v1/imports?wait=true", "/api/v1/models/nosuch/score-file"):
        resp = world.client.post(url, headers=h, files={"file": ("big.csv", big)})
        assert resp.status_code == 413, (url, resp.text)
        assert _shape(resp)["code"] == "upload.too_large"
    assert not _leftovers(world.data)


def test_leftover_uploads_are_removed_at_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Platform.at(data, password_hash_memory_kib=1024, password_hash_time_cost=1).close()
    for name in ("okp-upload-abc", "okp-score-def", "staged/1/tokentokentokentoken"):
        (data / name).mkdir(parents=True)
        (data / name / "x.csv").write_bytes(b"x")
    Platform.at(data, password_hash_memory_kib=1024, password_hash_time_cost=1).close()
    assert not _leftovers(data)


# -- finding 8 ---------------------------------------------------------------------------------

#: Every route that takes an upload or JSON options / records, with how to send to it.
#: ``kind``: "multipart" (file + options form field), "json" (a JSON body with options),
#: "query" (JSON in the query string).
ROUTES: dict[str, str] = {
    "POST /import/stage": "multipart",
    "POST /import/preview": "json",
    "POST /import/run": "json",
    "POST /import/equipment": "json",
    "POST /api/v1/imports": "multipart",
    "POST /api/v1/models/{name}/score-file": "multipart",
    "POST /models/{name}/{version}/score": "multipart",
    "GET /api/v1/models/{name}/versions/{version}/explain": "query",
}
NAMES = {"dotdot_name", "long_name"}
OPTIONS = {"deep_options", "options_wrong_type", "options_not_object", "options_wrong_value"}
#: The odd inputs each route can be sent (a route without import options gets no options).
APPLIES: dict[str, set[str]] = {
    "POST /import/stage": NAMES,
    "POST /import/preview": OPTIONS,
    "POST /import/run": OPTIONS,
    "POST /import/equipment": {"deep_options", "long_name"},
    "POST /api/v1/imports": NAMES | OPTIONS,
    "POST /api/v1/models/{name}/score-file": NAMES,
    "POST /models/{name}/{version}/score": NAMES,
    "GET /api/v1/models/{name}/versions/{version}/explain": {"deep_options", "options_not_object"},
}


def _takes_upload(endpoint: Any) -> bool:
    for p in inspect.signature(endpoint).parameters.values():
        if "UploadFile" in str(p.annotation) or p.annotation is UploadFile:
            return True
    return False


def test_the_list_covers_every_upload_route(world: World) -> None:
    app = world.client.app
    found = set()
    for r in app.routes:  # type: ignore[attr-defined]
        endpoint = getattr(r, "endpoint", None)
        if endpoint is None or not hasattr(r, "methods"):
            continue
        if _takes_upload(endpoint) or "stage" in r.path:
            found |= {f"{m} {r.path}" for m in r.methods if m in ("POST", "PUT", "PATCH")}
    assert found <= set(ROUTES), sorted(found - set(ROUTES))


ODD = {
    "dotdot_name": {"name": ".."},
    "long_name": {"name": "가" * 90 + ".csv", "label": "설명" * 50_000},  # 274 bytes in UTF-8
    "deep_options": {"options": DEEP},
    "options_wrong_type": {"options": json.dumps({"skip_rows": "three", "columns": [1, 2]})},
    "options_not_object": {"options": json.dumps([1, 2])},
    "options_wrong_value": {"options": json.dumps({"layout": {"a": 1}, "equipment": [1]})},
}


@pytest.mark.parametrize(
    ("route", "odd"), [(r, o) for r in sorted(ROUTES) for o in sorted(APPLIES[r])]
)
def test_odd_input_is_a_4xx_in_the_error_shape(world: World, route: str, odd: str) -> None:
    method, path = route.split(" ", 1)
    path = path.replace("{name}", "nosuch").replace("{version}", "1")
    kind = ROUTES[route]
    case = ODD[odd]
    h = world.api("kim") if path.startswith("/api/") else world.web("kim")
    c = world.client
    if kind == "multipart":
        name = case.get("name", "a.csv")
        data = {"options": case["options"]} if "options" in case else {}
        resp = c.request(method, path, headers=h, files={"file": (name, CSV)}, data=data)
    elif kind == "json":
        raw = case.get("options", "{}")
        if raw == DEEP:
            body = '{"token": "x", "options": ' + DEEP + "}"
        else:
            name = json.dumps(case.get("name", ""))
            label = json.dumps(case.get("label", ""))
            body = (
                '{"token": "x", "options": '
                + raw
                + ', "name": '
                + name
                + ', "new_site": "s", "new_line": "l", "label": '
                + label
                + "}"
            )
        resp = c.request(
            method, path, headers={**h, "Content-Type": "application/json"}, content=body
        )
    else:
        record = case.get("options", json.dumps({case.get("name", "x"): 1}))
        if record == DEEP:  # a URL holds less; deeper than the parser's recursion still
            record = "[" * 5000 + "]" * 5000
        resp = c.request(method, path, headers=h, params={"record": record})
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text[:300])
    if route == "POST /models/{name}/{version}/score":  # a page's form post: the error page
        assert "Traceback" not in resp.text and "요청을 처리할 수 없습니다" in resp.text
    else:
        assert resp.headers.get("content-type", "").startswith("application/json"), resp.text[:300]
        _shape(resp)
    assert not _leftovers(world.data)


@pytest.mark.parametrize("url", ["/api/v1/imports", "/api/v1/models/nosuch/score-file"])
def test_api_uploads_stop_reading_at_the_limit(world: World, url: str) -> None:
    """The body is sent in 1 KB pieces without a length: reading stops soon after the limit
    (FastAPI used to read, and spool to disk, the whole body before the route ran)."""
    import asyncio

    boundary = "okpboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    pieces = [head] + [b"1.0,2.0\n" * 128] * 2000  # 2 MB of file
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled < len(pieces):
            pulled += 1
            return {"type": "http.request", "body": pieces[pulled - 1], "more_body": True}
        return {
            "type": "http.request",
            "body": f"\r\n--{boundary}--\r\n".encode(),
            "more_body": False,
        }

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", f"Bearer {world.tokens['kim']}".encode()),
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
        ],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    asyncio.run(world.client.app(scope, receive, send))  # type: ignore[arg-type]
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert pulled * 1024 < LIMIT + 70 * 1024, pulled  # stopped near the limit, not at 2 MB
    assert not _leftovers(world.data)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_what_the_framework_refuses_is_in_the_error_shape(world: World, lang: str) -> None:
    """A JSON body nested too deeply for the parser, an unknown API address, a wrong method and
    a request that fails validation answer in the one error shape (with a code), in the reader's
    language — not FastAPI's {"detail": ...}."""
    h = {**world.api("kim"), "Accept-Language": lang, "Content-Type": "application/json"}
    c = world.client
    cases = [
        (c.post, "/api/v1/models/x/score-records", {"content": DEEP}, 400, "request.unreadable"),
        (c.post, "/api/v1/models/train", {"content": DEEP}, 400, "request.unreadable"),
        (c.get, "/api/v1/no-such-thing", {}, 404, "http.not_found"),
        (c.delete, "/api/v1/health", {}, 405, "http.method"),
        (c.post, "/api/v1/models/train", {"json": {"task": 3}}, 422, "request.invalid"),
    ]
    for call, path, kw, status, code in cases:
        resp = call(path, headers=h, **kw)
        assert resp.status_code == status, (path, resp.status_code, resp.text[:200])
        err = _shape(resp)
        assert err["code"] == code, (path, err)
        hangul = any("\uac00" <= ch <= "\ud7a3" for ch in err["message"])
        assert hangul == (lang == "ko"), (path, err["message"])
