"""Equipment from the browser and the API: create, rename, move and delete sites, lines,
equipment, signals and label columns; deletes ask first and refusals say why in words."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from .flows_support import log_in as sign_in
from .support import PASSWORD, VIEWER, Site


def _id_after(response, prefix: str) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text[:400]
    found = re.search(rf"{prefix}(\d+)", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def test_a_new_machine_from_the_browser(site: Site) -> None:
    kamp = site.kamp
    me = kamp.principal()
    with site.client() as c:
        csrf = sign_in(c)
        page = c.get("/assets")
        assert page.status_code == 200 and "설비 관리" in page.text and "inj01" in page.text
        site_id = _id_after(
            c.post(
                "/assets/nodes", data={"csrf_token": csrf, "kind": "site", "label": "평택 2공장"}
            ),
            "node-",
        )
        line_id = _id_after(
            c.post("/assets/nodes", data={"csrf_token": csrf, "kind": "line",
                                          "parent_id": str(site_id), "label": "사출 2라인"}),
            "node-",
        )  # fmt: skip
        made = c.post(
            "/assets/nodes",
            data={"csrf_token": csrf, "kind": "equipment", "parent_id": str(line_id),
                  "label": "사출기 3호기"},
        )  # fmt: skip
        eq_id = _id_after(made, "/assets/equipment/")
        node = kamp.assets.get_node(me, eq_id)
        assert node.name == "사출기_3호기" and node.name_ko == "사출기 3호기"
        assert kamp.assets.path_of(me, eq_id) == "평택_2공장/사출_2라인/사출기_3호기"
        # Signals and label columns of the new machine.
        sig_id = _id_after(
            c.post(f"/assets/equipment/{eq_id}/signals",
                   data={"csrf_token": csrf, "label": "사출 압력", "unit": "bar"}),
            "signal-",
        )  # fmt: skip
        col_id = _id_after(
            c.post(f"/assets/equipment/{eq_id}/labels",
                   data={"csrf_token": csrf, "label": "양불 판정", "categories": "OK, NG"}),
            "label-",
        )  # fmt: skip
        sig = kamp.assets.get_signal(me, sig_id)
        assert (sig.name, sig.name_ko, sig.unit) == ("사출_압력", "사출 압력", "bar")
        assert kamp.assets.get_label_column(me, col_id).categories == ("OK", "NG")
        shown = c.get(f"/assets/equipment/{eq_id}")
        assert "사출 압력" in shown.text and "양불 판정" in shown.text
        # Rename (display and code name) and move.
        c.post(f"/assets/signals/{sig_id}/rename",
               data={"csrf_token": csrf, "label": "보압", "name": "hold_pressure", "unit": "MPa"})  # fmt: skip
        sig = kamp.assets.get_signal(me, sig_id)
        assert (sig.name, sig.name_ko, sig.unit) == ("hold_pressure", "보압", "MPa")
        # Its allowed range (the limits the overview and the quality checks use).
        c.post(f"/assets/signals/{sig_id}/rename",
               data={"csrf_token": csrf, "label": "보압", "min_value": "55", "max_value": "1,200"})  # fmt: skip
        sig = kamp.assets.get_signal(me, sig_id)
        assert (sig.min_value, sig.max_value) == (55.0, 1200.0)
        wrong = c.post(f"/assets/signals/{sig_id}/rename",
                       data={"csrf_token": csrf, "label": "보압", "min_value": "높음"})  # fmt: skip
        assert wrong.status_code == 422 and "숫자가 아닙니다" in wrong.text
        upside = c.post(f"/assets/signals/{sig_id}/rename",
                        data={"csrf_token": csrf, "label": "보압", "min_value": "2000"})  # fmt: skip
        assert upside.status_code == 422 and "최댓값 1200.0보다 큽니다" in upside.text
        assert kamp.assets.get_signal(me, sig_id).min_value == 55.0
        c.post(f"/assets/nodes/{eq_id}/rename", data={"csrf_token": csrf, "label": "사출기 4호기"})
        assert kamp.assets.get_node(me, eq_id).name_ko == "사출기 4호기"
        line1 = kamp.assets.resolve(me, "plant1/line1")
        moved = c.post(f"/assets/nodes/{eq_id}/move",
                       data={"csrf_token": csrf, "parent_id": str(line1.id)})  # fmt: skip
        assert moved.status_code == 303
        assert kamp.assets.path_of(me, eq_id) == "plant1/line1/사출기_3호기"
        # A duplicate name is refused in words.
        dup = c.post("/assets/nodes", data={"csrf_token": csrf, "kind": "equipment",
                                            "parent_id": str(line1.id), "name": "inj01"})  # fmt: skip
        assert dup.status_code == 409 and "이미 있습니다" in dup.text
        bad = c.post("/assets/nodes", data={"csrf_token": csrf, "kind": "equipment",
                                            "parent_id": str(site_id), "label": "x"})  # fmt: skip
        assert bad.status_code == 422 and "라인 아래에" in bad.text
        # Deleting asks first and says what would go.
        ask = c.get(f"/assets/node/{site_id}/delete")
        assert ask.status_code == 200 and "라인 1개" in ask.text
        c.post(f"/assets/node/{site_id}/delete", data={"csrf_token": csrf, "with_data": "1"})
        assert all(n.id != site_id for n in kamp.assets.list_nodes(me))
        c.post(f"/assets/signal/{sig_id}/delete", data={"csrf_token": csrf})
        c.post(f"/assets/label/{col_id}/delete", data={"csrf_token": csrf})
        c.post(f"/assets/node/{eq_id}/delete", data={"csrf_token": csrf})
        assert all(n.id != eq_id for n in kamp.assets.list_nodes(me))


def test_deleting_what_holds_data_asks_and_a_refusal_says_why(site: Site) -> None:
    kamp = site.kamp
    me = kamp.principal()
    inj = kamp.assets.resolve(me, "plant1/line1/inj01")
    with site.client() as c:
        csrf = sign_in(c)
        ask = c.get(f"/assets/node/{inj.id}/delete")
        stored = kamp.assets.deletion_impact(me, "node", inj.id)
        assert stored["signals"] > 3 and stored["points"] > 10_000 and stored["values"] > 100
        assert f"저장된 측정값 {stored['points']:,}개" in ask.text
        assert 'name="with_data"' in ask.text
        refused = c.post(f"/assets/node/{inj.id}/delete", data={"csrf_token": csrf})
        assert refused.status_code == 409
        assert (
            f"신호 {stored['signals']}개" in refused.text and "삭제하지 않았습니다" in refused.text
        )
        c.cookies.set("okp_lang", "en")
        refused = c.post(f"/assets/node/{inj.id}/delete", data={"csrf_token": csrf})
        assert "was not deleted" in refused.text
        sig = kamp.assets.list_signals(me, inj.id)[0]
        refused = c.post(f"/assets/signal/{sig.id}/delete", data={"csrf_token": csrf})
        assert refused.status_code == 409 and "stored values" in refused.text
    assert kamp.assets.get_node(me, inj.id)  # nothing was deleted


def test_viewers_see_but_do_not_change(site: Site) -> None:
    with site.client() as c:
        csrf = sign_in(c, VIEWER, PASSWORD)
        page = c.get("/assets")
        assert page.status_code == 200 and 'action="/assets/nodes"' not in page.text
        denied = c.post("/assets/nodes", data={"csrf_token": csrf, "kind": "site", "label": "x"})
        assert denied.status_code == 403


def test_the_api_does_what_the_page_does(site: Site) -> None:
    kamp = site.kamp
    me = kamp.principal()
    client: TestClient = site.client()
    with client as c:
        sign_in(c)
        csrf = c.cookies.get("okp_csrf") or ""
        h = {"X-CSRF-Token": csrf}
        site_id = c.post(
            "/api/v1/assets/nodes", headers=h, json={"kind": "site", "name": "s9"}
        ).json()["id"]
        line_id = c.post("/api/v1/assets/nodes", headers=h,
                         json={"kind": "line", "name": "l9", "parent_id": site_id}).json()["id"]  # fmt: skip
        eq = c.post("/api/v1/assets/nodes", headers=h,
                    json={"kind": "equipment", "name": "e9", "parent_id": line_id})  # fmt: skip
        assert eq.status_code == 201, eq.text
        eq_id = eq.json()["id"]
        sig = c.post(f"/api/v1/assets/nodes/{eq_id}/signals", headers=h, json={"name": "temp"})
        col = c.post(f"/api/v1/assets/nodes/{eq_id}/labels", headers=h,
                     json={"name": "verdict", "categories": ["OK", "NG"]})  # fmt: skip
        assert sig.status_code == 201 and col.status_code == 201, col.text
        renamed = c.patch(f"/api/v1/assets/signals/{sig.json()['id']}", headers=h,
                          json={"name_ko": "온도", "unit": "℃"})  # fmt: skip
        assert renamed.json()["name_ko"] == "온도" and renamed.json()["unit"] == "℃"
        impact = c.get(f"/api/v1/assets/nodes/{site_id}/impact").json()
        assert impact == {"lines": 1, "equipment": 1, "signals": 1, "labels": 1,
                          "points": 0, "values": 0}  # fmt: skip
        refused = c.delete(f"/api/v1/assets/nodes/{site_id}", headers=h)
        assert (
            refused.status_code == 409
            and refused.json()["error"]["code"] == "assets.node_not_empty"
        )
        other = kamp.assets.resolve(me, "plant1/line1")
        moved = c.post(
            f"/api/v1/assets/nodes/{eq_id}/move", headers=h, json={"parent_id": other.id}
        )
        assert moved.status_code == 200 and kamp.assets.path_of(me, eq_id) == "plant1/line1/e9"
        inj = kamp.assets.resolve(me, "plant1/line1/inj01")
        sig_id, col_id = sig.json()["id"], col.json()["id"]
        moved_sig = c.post(f"/api/v1/assets/signals/{sig_id}/move", headers=h,
                           json={"parent_id": inj.id})  # fmt: skip
        moved_col = c.post(f"/api/v1/assets/labels/{col_id}/move", headers=h,
                           json={"parent_id": inj.id})  # fmt: skip
        assert moved_sig.status_code == 200 and moved_col.status_code == 200
        assert kamp.assets.get_signal(me, sig_id).equipment_id == inj.id
        assert c.get(f"/api/v1/assets/signals/{sig_id}/impact").json()["signals"] == 1
        not_a_machine = c.post(f"/api/v1/assets/signals/{sig_id}/move", headers=h,
                               json={"parent_id": site_id})  # fmt: skip
        assert not_a_machine.status_code == 422
        assert not_a_machine.json()["error"]["code"] == "assets.not_equipment"
        assert c.delete(f"/api/v1/assets/signals/{sig_id}", headers=h).status_code == 204
        assert c.delete(f"/api/v1/assets/labels/{col_id}", headers=h).status_code == 204
        assert c.delete(f"/api/v1/assets/nodes/{eq_id}?cascade=true", headers=h).status_code == 204
        assert (
            c.delete(f"/api/v1/assets/nodes/{site_id}?cascade=true", headers=h).status_code == 204
        )
        gone = c.get(f"/api/v1/assets/nodes/{site_id}", headers={"Accept-Language": "ko"})
        assert gone.status_code == 404 and "없습니다" in gone.json()["error"]["message"]
