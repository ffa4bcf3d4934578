"""The datasets API: list, get (schema, versions, quality), bounded row pages, CSV / Excel export
with formula cells neutralised, delete; another organisation's dataset is 404 and leaks nothing;
read-only tokens cannot delete."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from openkamp.api import create_app
from openkamp.core.tenancy import Role, system_principal
from openkamp.platform import Platform

PASSWORD = "correct horse battery"
COLUMNS = [
    {"name": "일시", "kind": "time", "role": "time", "header": "일시"},
    {"name": "캐비티", "kind": "text", "role": "id", "header": "캐비티"},
    {
        "name": "사출압력",
        "kind": "number",
        "role": "input",
        "header": "사출압력(bar)",
        "unit": "bar",
    },
    {"name": "비고", "kind": "text", "role": "input", "header": "비고"},
    {"name": "판정", "kind": "text", "role": "label", "header": "판정"},
]


@dataclass
class World:
    kamp: Platform
    client: TestClient
    tokens: dict[str, str]

    def as_(self, who: str) -> TestClient:
        self.client.headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client


def shots(n: int) -> pd.DataFrame:
    t = pd.date_range("2026-03-02 08:00", periods=n // 2, freq="40s", tz="Asia/Seoul")
    remarks = np.array(["", '=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "정상"], object)
    return pd.DataFrame(
        {
            "일시": np.repeat(t.tz_convert("UTC"), 2),
            "캐비티": ["LH", "RH"] * (n // 2),
            "사출압력": np.linspace(560, 580, n).round(2),
            "비고": remarks[np.arange(n) % len(remarks)],
            "판정": np.where(np.arange(n) % 10 == 0, "불량", "양품"),
        }
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root: Path = tmp_path_factory.mktemp("datasets-api")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    me_kim = kamp.accounts.principal_of(kim)
    park = kamp.accounts.create_user(me_kim, "park", PASSWORD, role=Role.ENGINEER)
    org_b = kamp.meta.create_org("other-factory")["id"]
    lee = kamp.accounts.create_user(system_principal(org_b), "lee", PASSWORD, role=Role.ADMIN)
    tokens = {
        "kim": kamp.accounts.create_token(me_kim, "t", ["admin"])[1],
        "park": kamp.accounts.create_token(kamp.accounts.principal_of(park), "ro", ["read"])[1],
        "lee": kamp.accounts.create_token(kamp.accounts.principal_of(lee), "t", ["admin"])[1],
    }
    me = kamp.principal()
    kamp.datasets.create(me, "사출샷", shots(40), COLUMNS, description="v1")
    kamp.datasets.create(me, "사출샷", shots(2400), COLUMNS, description="v2")
    with TestClient(create_app(platform=kamp)) as client:
        yield World(kamp, client, tokens)
    kamp.close()


def test_list_and_get_with_schema_versions_and_quality(world: World) -> None:
    api = world.as_("park")
    listed = api.get("/api/v1/datasets").json()
    assert [(d["name"], d["version"], d["rows"]) for d in listed] == [("사출샷", 2, 2400)]
    got = api.get("/api/v1/datasets/사출샷").json()
    assert got["time_column"] == "일시" and got["id_columns"] == ["캐비티"]
    assert got["label_columns"] == ["판정"]
    assert [c["role"] for c in got["columns"]] == ["time", "id", "input", "input", "label"]
    assert [v["rows"] for v in got["versions"]] == [40, 2400]
    q = got["quality"]
    assert q["sample_rows"] == q["total_rows"] == 2400
    assert 0.0 <= q["overall"] <= 1.0
    # Two rows per time is this table's structure: no uniqueness finding for the time.
    assert q["indices"]["uniqueness"] == 1.0
    old = api.get("/api/v1/datasets/사출샷", params={"version": 1, "quality": False}).json()
    assert old["rows"] == 40 and "quality" not in old


def test_row_pages_are_bounded(world: World) -> None:
    api = world.as_("park")
    page = api.get(
        "/api/v1/datasets/사출샷/rows",
        params={"offset": 1000, "limit": 3, "column": ["캐비티", "사출압력"]},
    ).json()
    assert page["total"] == 2400 and page["columns"] == ["캐비티", "사출압력"]
    assert [r["캐비티"] for r in page["rows"]] == ["LH", "RH", "LH"]
    assert api.get("/api/v1/datasets/사출샷/rows", params={"limit": 5000}).status_code == 422
    unknown = api.get("/api/v1/datasets/사출샷/rows", params={"column": "없음"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "datasets.no_column"


def test_csv_and_excel_exports_neutralise_formulas(world: World) -> None:
    api = world.as_("park")
    resp = api.get("/api/v1/datasets/사출샷/export", params={"version": 1})
    assert resp.status_code == 200 and resp.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0] == ["일시", "캐비티", "사출압력(bar)", "비고", "판정"]
    assert len(rows) == 41
    remarks = {r[3] for r in rows[1:]}
    assert {'\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "정상"} <= remarks
    assert not any(r.startswith(("=", "+", "-", "@")) for r in remarks)
    assert rows[1][0] == "2026-03-02 08:00:00"  # local time (Asia/Seoul), no offset
    xlsx = api.get("/api/v1/datasets/사출샷/export", params={"version": 1, "format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("일시", "캐비티", "사출압력(bar)", "비고", "판정") and len(values) == 41
    assert not any(str(v[3] or "").startswith(("=", "+", "-", "@")) for v in values[1:])
    assert "filename*=UTF-8''" in xlsx.headers["content-disposition"]


def test_another_organisation_gets_404_and_nothing_leaks(world: World) -> None:
    lee = world.as_("lee")
    assert lee.get("/api/v1/datasets").json() == []
    for method, url, params in [
        ("GET", "/api/v1/datasets/사출샷", {}),
        ("GET", "/api/v1/datasets/사출샷", {"version": 1}),
        ("GET", "/api/v1/datasets/사출샷/rows", {}),
        ("GET", "/api/v1/datasets/사출샷/export", {}),
        ("GET", "/api/v1/datasets/사출샷/export", {"format": "xlsx"}),
        ("DELETE", "/api/v1/datasets/사출샷", {}),
    ]:
        resp = lee.request(method, url, params=params)
        assert resp.status_code == 404, (method, url, resp.text)
        assert not any(s in resp.text for s in ("캐비티", "양품", "LH", "560")), resp.text
    assert len(world.kamp.datasets.versions(world.kamp.principal(), "사출샷")) == 2


def test_roles_read_only_cannot_delete(world: World) -> None:
    me = world.kamp.principal()
    world.kamp.datasets.create(me, "임시", shots(4), COLUMNS)
    assert world.as_("park").delete("/api/v1/datasets/임시").status_code == 403
    kim = world.as_("kim")
    assert kim.delete("/api/v1/datasets/임시", params={"version": 1}).status_code == 204
    assert kim.get("/api/v1/datasets/임시").status_code == 404
    world.client.headers.pop("Authorization", None)
    assert world.client.get("/api/v1/datasets").status_code == 401


def test_upload_a_record_table_through_the_imports_api(world: World) -> None:
    kim = world.as_("kim")
    body = "일시,캐비티,사출압력(bar),판정\n" + "".join(
        f"2026-03-02 09:{i // 2:02d}:00,{'LH' if i % 2 == 0 else 'RH'},{570 + i % 3},"
        f"{'불량' if i % 7 == 0 else '양품'}\n"
        for i in range(40)
    )
    files = {"file": ("cavity.csv", body.encode("utf-8"), "text/csv")}
    resp = kim.post(
        "/api/v1/imports",
        params={"wait": True},
        files=files,
        data={"options": '{"dataset": "cavity_api"}'},
    )
    assert resp.status_code == 201, resp.text
    report = resp.json()["report"]
    assert report["kind"] == "records" and report["dataset"] == "cavity_api@1"
    assert (report["rows_read"], report["rows_stored"]) == (40, 40)
    assert report["kind_reasons"][0]["code"] == "repeated_time"
    page = kim.get("/api/v1/datasets/cavity_api/rows", params={"limit": 2}).json()
    assert [r["캐비티"] for r in page["rows"]] == ["LH", "RH"]
    bad = kim.post(
        "/api/v1/imports",
        params={"wait": True},
        files=files,
        data={"options": '{"kind": "records", "roles": {"캐비티": "boss"}, "force": true}'},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "datasets.column_role"


def test_snapshot_route_checks_role_and_equipment(world: World) -> None:
    body = {"name": "snap", "equipment": "plant9/line9/none"}
    assert world.as_("park").post("/api/v1/datasets/snapshot", json=body).status_code == 403
    missing = world.as_("kim").post("/api/v1/datasets/snapshot", json=body)
    assert missing.status_code == 404, missing.text
    bad = world.as_("kim").post("/api/v1/datasets/snapshot", json={**body, "name": "a b/c"})
    assert bad.status_code == 422  # the name is checked before anything is read
