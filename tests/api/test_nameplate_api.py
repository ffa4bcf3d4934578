"""An equipment's nameplate through the API: set and read back, partial updates, refusals in the
caller's language, other organisations, and the AAS package the API exports."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.assets import EquipmentSpec, LineSpec, SiteSpec
from openkamp.core.tenancy import Role, system_principal
from openkamp.platform import Platform

PASSWORD = "correct horse battery"
PLATE = {
    "manufacturer_name": "엥겔코리아", "product_designation": "전동식 사출성형기",
    "product_type": "e-mac 180/50", "serial_number": "E-2019-00815",
    "year_of_construction": "2019", "product_uri": "https://www.engel.example/p/E-2019-00815",
    "street": "경기도 안산시 단원구 산단로 123", "zipcode": "15434", "city": "안산시",
    "country": "KR", "phone": "+82 31-000-0000", "email": "service@engel.example",
}  # fmt: skip


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root: Path = tmp_path_factory.mktemp("nameplate_api")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    tree = [SiteSpec("plant1", lines=[LineSpec("line1", equipment=[EquipmentSpec("inj01")])])]
    kamp.assets.apply_tree(kamp.principal(), tree)
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    org_b = kamp.meta.create_org("other-factory")["id"]
    lee = kamp.accounts.create_user(system_principal(org_b), "lee", PASSWORD, role=Role.ADMIN)
    tokens = {
        "kim": kamp.accounts.create_token(kamp.accounts.principal_of(kim), "t", ["admin"])[1],
        "lee": kamp.accounts.create_token(kamp.accounts.principal_of(lee), "t", ["admin"])[1],
    }
    with TestClient(create_app(platform=kamp)) as client:
        yield {"kamp": kamp, "client": client, "tokens": tokens}
    kamp.close()


def _as(api: dict[str, Any], who: str) -> TestClient:
    client: TestClient = api["client"]
    client.headers["Authorization"] = f"Bearer {api['tokens'][who]}"
    return client


def test_a_nameplate_is_set_and_read_back(api: dict[str, Any]) -> None:
    c = _as(api, "kim")
    line = api["kamp"].assets.resolve(api["kamp"].principal(), "plant1/line1")
    made = c.post(
        "/api/v1/assets/nodes",
        json={"kind": "equipment", "name": "inj02", "parent_id": line.id,
              "nameplate": {"manufacturer_name": " 엥겔코리아 ", "year_of_construction": "２０１９"}},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    eq = made.json()
    assert eq["nameplate"]["manufacturer_name"] == "엥겔코리아"  # stored as the service keeps it
    assert eq["nameplate"]["year_of_construction"] == "2019"
    assert eq["nameplate"]["missing"] == [
        "product_designation", "product_type", "product_uri", "street", "zipcode", "city",
        "country",
    ]  # fmt: skip
    # A PATCH changes the fields it names and keeps the others.
    done = c.patch(f"/api/v1/assets/nodes/{eq['id']}", json={"nameplate": PLATE})
    assert done.status_code == 200, done.text
    assert done.json()["nameplate"] == {**PLATE, "missing": []}
    cleared = c.patch(f"/api/v1/assets/nodes/{eq['id']}", json={"nameplate": {"phone": ""}})
    assert cleared.json()["nameplate"] == {**PLATE, "phone": "", "missing": []}
    read = c.get(f"/api/v1/assets/nodes/{eq['id']}").json()
    assert read["nameplate"] == cleared.json()["nameplate"] and read["path"] == "plant1/line1/inj02"
    tree = c.get("/api/v1/assets/tree").json()
    machines = {e["name"]: e for e in tree[0]["children"][0]["children"]}
    assert machines["inj02"]["nameplate"]["manufacturer_name"] == "엥겔코리아"
    assert machines["inj01"]["nameplate"]["missing"][0] == "manufacturer_name"
    # Sites and lines have none.
    assert tree[0]["nameplate"] is None and tree[0]["children"][0]["nameplate"] is None

    # The AAS package the API exports holds its Digital Nameplate.
    package = c.get("/api/v1/assets/export.aasx")
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(package.content)) as z:
        xml = z.read("aasx/data.xml").decode()
    assert "plant1/line1/inj02/Nameplate" in xml and "plant1/line1/inj01/Nameplate" not in xml
    assert "https://admin-shell.io/zvei/nameplate/2/0/Nameplate" in xml


def test_refusals_say_why_in_the_callers_language(api: dict[str, Any]) -> None:
    c = _as(api, "kim")
    kamp = api["kamp"]
    eq = kamp.assets.resolve(kamp.principal(), "plant1/line1/inj01")
    site = kamp.assets.resolve(kamp.principal(), "plant1")
    ko = {"Accept-Language": "ko"}
    bad_year = c.patch(f"/api/v1/assets/nodes/{eq.id}", headers=ko,
                       json={"nameplate": {"year_of_construction": "19년"}})  # fmt: skip
    assert bad_year.status_code == 422
    error = bad_year.json()["error"]
    assert error["code"] == "nameplate.bad.year_of_construction"
    assert "제조연도 '19년'은(는) 네 자리 연도가 아닙니다" in error["message"]
    on_site = c.patch(f"/api/v1/assets/nodes/{site.id}", headers=ko,
                      json={"nameplate": {"manufacturer_name": "x"}})  # fmt: skip
    assert on_site.status_code == 422
    assert on_site.json()["error"]["code"] == "assets.nameplate_equipment_only"
    assert "명판은 설비에만 있습니다" in on_site.json()["error"]["message"]
    too_long = c.patch(f"/api/v1/assets/nodes/{eq.id}",
                       json={"nameplate": {"manufacturer_name": "x" * 201}})  # fmt: skip
    assert too_long.status_code == 422
    unknown = c.patch(f"/api/v1/assets/nodes/{eq.id}", json={"nameplate": {"maker": "x"}})
    assert unknown.status_code == 422
    line_break = c.patch(f"/api/v1/assets/nodes/{eq.id}", headers={"Accept-Language": "en"},
                         json={"nameplate": {"street": "a\nb"}})  # fmt: skip
    assert line_break.status_code == 422
    assert line_break.json()["error"]["code"] == "nameplate.bad_text.street"
    assert "type it on one line" in line_break.json()["error"]["message"]
    # Nothing of the refused changes was stored.
    assert not kamp.assets.get_node(kamp.principal(), eq.id).nameplate


def test_another_organisation_can_neither_read_nor_set_a_nameplate(api: dict[str, Any]) -> None:
    kamp = api["kamp"]
    eq = kamp.assets.resolve(kamp.principal(), "plant1/line1/inj01")
    c = _as(api, "lee")
    assert c.get(f"/api/v1/assets/nodes/{eq.id}").status_code == 404
    changed = c.patch(f"/api/v1/assets/nodes/{eq.id}", json={"nameplate": {"city": "x"}})
    assert changed.status_code == 404
    assert kamp.assets.get_node(kamp.principal(), eq.id).nameplate.city == ""
