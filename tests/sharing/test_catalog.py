"""The data catalog (issue 11, item 1): offers of dataset versions scoped to their owner until
published, every search filter, golden datasets by the platform operator only, the anonymised
preview, bad input refused with nothing written, and the live catalog's DCAT-AP 3.0 export
validated with pyshacl against the official shapes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph
from sqlalchemy import func, select, update

from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role
from openkamp.i18n import MESSAGES, error_text
from openkamp.sharing import catalog as K
from openkamp.sharing import certificate as C
from openkamp.sharing import offer_fields as F
from openkamp.sharing.policy_jsonld import from_jsonld
from openkamp.storage.metadata.schema import offers

from .catalog_support import BASE, COLUMNS, T0, World, shots, world


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    yield from world(tmp_path)


def count(w: World) -> int:
    with w.kamp.meta._read() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(select(func.count()).select_from(offers)).scalar_one())


def ids(page: dict[str, Any]) -> list[int]:
    return [item["id"] for item in page["items"]]


# -- an offer -------------------------------------------------------------------------------------


def test_an_offer_carries_what_the_platform_computed(w: World) -> None:
    v = w.dataset()
    offer = w.offer()
    assert offer["state"] == "draft" and offer["golden"] == 0 and offer["org_id"] == w.acme.org_id
    assert (offer["dataset_id"], offer["dataset_name"], offer["dataset_version"]) == (
        v.id,
        "shots",
        1,
    )
    assert (offer["schema_hash"], offer["content_hash"]) == (v.schema_hash, v.content_sha256)
    assert offer["price"] == {
        "model": "flat",
        "currency": "KRW",
        "amount": "300000",
        "period": "month",
    }
    assert offer["coverage"] == {
        "rows": 400,
        "start": "2026-02-01T09:00:07+00:00",
        "end": (T0.replace(month=2, day=1, hour=9, second=7) + timedelta(seconds=3990)).isoformat(),
        "equipment": None,
        "columns": {"time": 1, "id": 1, "group": 1, "input": 3, "label": 1, "ignore": 1},
        "labels": {"result": {"OK": offer["coverage"]["labels"]["result"]["OK"],
                              "NG": 400 - offer["coverage"]["labels"]["result"]["OK"]}},
    }  # fmt: skip
    cert = offer["certificate"]
    assert C.verify_certificate(cert, w.kamp.sharing.ledger.keys.public_key(None))
    assert C.reproduce(cert, w.kamp.datasets, w.acme).ok
    policy = from_jsonld(offer["policy"])
    assert policy.uid == K.offer_iri(offer["id"]) == f"urn:openkamp:offer:{offer['id']}"
    assert policy.target == "urn:openkamp:dataset:acme/shots@1"
    assert policy.assigner == "urn:openkamp:org:acme"
    clauses = {c.uid.rsplit("#", 1)[1] for p in policy.permissions for c in p.constraints}
    assert clauses == {"purpose", "max-rows"}
    assert len(policy.prohibitions) == 1  # no redistribution, by default
    assert w.catalog.list_own(w.acme) == [offer]


def test_the_preview_is_anonymised(w: World) -> None:
    w.dataset()
    preview = w.offer()["preview"]
    treatment = {c["name"]: c["treatment"] for c in preview["columns"]}
    assert treatment == {
        "timestamp": "generalised_to_day", "part_id": "pseudonymised", "lot": "pseudonymised",
        "pressure": "rounded_3_significant", "melt_temp": "rounded_3_significant",
        "note": "dropped", "result": "kept", "sensor_raw": "dropped",
    }  # fmt: skip
    assert preview["shown"] == ["timestamp", "part_id", "lot", "pressure", "melt_temp", "result"]
    rows = preview["rows"]
    assert 1 <= len(rows) <= K.PREVIEW_ROWS and all(len(r) == 6 for r in rows)
    text = json.dumps(preview, ensure_ascii=False)
    assert "SN-" not in text and "LOT-" not in text  # no raw id
    assert "홍길동" not in text and "작업자" not in text  # free text dropped
    assert not re.search(r"\d{2}:\d{2}", text)  # no exact time of day anywhere
    assert {r[0] for r in rows} <= {"2026-02-01"}
    # Pseudonyms keep equality inside the preview (rows of one lot share one) but nothing else.
    assert len({r[1] for r in rows}) == len(rows) and len({r[2] for r in rows}) < len(rows)
    assert all(re.fullmatch(r"p-[0-9a-f]{12}", r[1]) for r in rows)
    for r in rows:
        assert r[3] == round(r[3]) and 1200 <= r[3] <= 1270  # 1234.5678... -> 1230 / 1240
        assert f"{r[4]:g}" in {f"{x:g}" for x in (228, 229, 230, 231, 232, 233, 234)}
        assert r[5] in ("OK", "NG")
    # A second offer of the same data: other pseudonyms (the key is never kept).
    again = w.offer("injection-feb-2")["preview"]
    assert {r[1] for r in again["rows"]}.isdisjoint({r[1] for r in rows})


# -- scoping and lifecycle ----------------------------------------------------------------------


def test_another_organisation_sees_only_published_offers_and_cannot_edit(w: World) -> None:
    w.dataset()
    offer = w.offer()
    oid = offer["id"]
    # A draft does not exist for beta.
    for call in (
        lambda: w.catalog.get(w.beta, oid),
        lambda: w.catalog.update(w.beta, oid, title_en="Mine now"),
        lambda: w.catalog.publish(w.beta, oid),
        lambda: w.catalog.withdraw(w.beta, oid),
    ):
        with pytest.raises(NotFound) as info:
            call()
        assert info.value.code == "sharing.catalog.not_found"
    assert w.catalog.search(w.beta)["total"] == 0 and w.catalog.list_own(w.beta) == []
    w.catalog.publish(w.acme, oid)
    seen = w.catalog.get(w.beta, oid)
    assert seen["owner"] == {"name": "acme", "display_name": "acme"}
    assert set(seen) == {*K.PUBLIC_FIELDS, "owner"}
    for hidden in ("org_id", "dataset_id", "created_by", "golden_by"):
        assert hidden not in seen
    assert ids(w.catalog.search(w.beta)) == [oid]
    assert w.catalog.search(w.beta)["items"][0] == seen
    # Published, it is still not beta's.
    with pytest.raises(NotFound):
        w.catalog.update(w.beta, oid, title_en="Mine now")
    with pytest.raises(NotFound):
        w.catalog.withdraw(w.beta, oid)
    # Nor beta's dataset: the dataset itself is not reachable through the catalog.
    with pytest.raises(NotFound):
        w.kamp.datasets.get(w.beta, offer["dataset_id"])
    w.catalog.withdraw(w.acme, oid)
    assert w.catalog.search(w.beta)["total"] == 0
    with pytest.raises(NotFound):
        w.catalog.get(w.beta, oid)
    assert w.catalog.get(w.acme, oid)["state"] == "withdrawn"
    assert w.catalog.publish(w.acme, oid)["state"] == "published"  # published again
    with pytest.raises(NotFound):
        w.catalog.get(w.beta, 10**30)


def test_only_a_draft_is_changed_and_roles_are_checked(w: World) -> None:
    w.dataset()
    offer = w.offer()
    oid = offer["id"]
    w.clock[0] = T0 + timedelta(hours=1)
    changed = w.catalog.update(
        w.acme, oid, title_en="Injection moulding defects (Feb 2026)", industry="C2219",
        policy={"purposes": ["quality", "maintenance"], "compute_to_data_only": True},
        price={"model": "metered", "unit": "rows_1000", "amount": "50"},
    )  # fmt: skip
    assert changed["title_en"] == "Injection moulding defects (Feb 2026)"
    assert changed["industry"] == "C2219" and changed["price"]["model"] == "metered"
    assert changed["updated_at"] == T0 + timedelta(hours=1) and changed["created_at"] == T0
    clauses = {
        c.uid.rsplit("#", 1)[1] for c in from_jsonld(changed["policy"]).permissions[0].constraints
    }
    assert clauses == {"purpose", "compute-to-data-only"}
    # Another version of the dataset: computed again, the same clauses on the new target.
    v2 = w.kamp.datasets.create(w.acme, "shots", shots(n=300, seed=3), COLUMNS)  # fmt: skip
    moved = w.catalog.update(w.acme, oid, dataset="shots@2")
    assert moved["dataset_id"] == v2.id and moved["coverage"]["rows"] == 300
    assert moved["certificate"]["dataset"]["content_hash"] == v2.content_sha256
    assert from_jsonld(moved["policy"]).target == "urn:openkamp:dataset:acme/shots@2"
    assert {
        c.uid.rsplit("#", 1)[1] for c in from_jsonld(moved["policy"]).permissions[0].constraints
    } == clauses
    # Roles: a viewer reads, an engineer drafts, an administrator publishes.
    viewer = Principal(w.acme.org_id, "viewer", frozenset({Role.VIEWER}))
    engineer = Principal(w.acme.org_id, "engineer", frozenset({Role.ENGINEER}))
    with pytest.raises(Forbidden):
        w.catalog.create(viewer, "x", "shots", **fields())
    assert w.catalog.get(viewer, oid)["id"] == oid
    with pytest.raises(Forbidden):
        w.catalog.publish(engineer, oid)
    w.catalog.publish(w.acme, oid)
    with pytest.raises(Conflict) as info:
        w.catalog.update(w.acme, oid, title_en="Too late")
    assert info.value.code == "sharing.catalog.not_draft"
    with pytest.raises(Conflict):
        w.catalog.publish(w.acme, oid)
    with pytest.raises(InvalidInput) as bad:
        w.catalog.update(w.acme, oid, state="draft")
    assert bad.value.code == "sharing.catalog.field"


def fields(**changes: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title_ko": "제목", "title_en": "Title", "description_ko": "설명",
        "description_en": "About", "equipment_type": "press", "industry": "C29",
        "problem": "anomaly", "price": {"model": "lump_sum", "amount": "1000000"},
    }  # fmt: skip
    out.update(changes)
    return out


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "changes", "code"),
    [
        ("Bad Name", {}, "sharing.catalog.name"),
        ("x" * 129, {}, "sharing.catalog.name"),
        ("ok", {"title_en": ""}, "sharing.catalog.text"),
        ("ok", {"description_ko": "가" * 4001}, "sharing.catalog.text"),
        ("ok", {"title_ko": None}, "sharing.catalog.text"),
        ("ok", {"equipment_type": "Press Machine"}, "sharing.catalog.equipment_type"),
        ("ok", {"industry": "29"}, "sharing.catalog.industry"),
        ("ok", {"industry": "C2"}, "sharing.catalog.industry"),
        ("ok", {"problem": "weather"}, "sharing.catalog.problem"),
        ("ok", {"price": {"model": "flat", "amount": 300000.5}}, "sharing.price.float"),
        ("ok", {"price": {"model": "barter"}}, "sharing.price.model"),
        ("ok", {"policy": {"resell": True}}, "sharing.catalog.policy_field"),
        ("ok", {"policy": {"purposes": ["fun"]}}, "sharing.catalog.policy_value"),
        ("ok", {"policy": {"purposes": "quality"}}, "sharing.catalog.policy_value"),
        ("ok", {"policy": {"max_rows": -1}}, "sharing.catalog.policy_value"),
        ("ok", {"policy": {"max_rows": True}}, "sharing.catalog.policy_value"),
        ("ok", {"policy": {"industries": ["automotive"]}}, "sharing.catalog.policy_value"),
        ("ok", {"policy": {"valid_until": "2026-05-01T00:00:00"}}, "sharing.catalog.policy_value"),
        ("ok", {"policy": {"anonymise": "yes"}}, "sharing.catalog.policy_value"),
        ("ok", {"policy": {"valid_from": "2026-05-01T00:00:00+09:00",
                           "valid_until": "2026-04-01T00:00:00+09:00"}},
         "policy.invalid.empty_window"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_nothing_written(
    w: World, name: str, changes: dict[str, Any], code: str
) -> None:
    w.dataset()
    before = count(w)
    with pytest.raises(InvalidInput) as info:
        w.catalog.create(w.acme, name, "shots", **fields(**changes))
    assert info.value.code == code
    assert count(w) == before == 0
    ko, en = error_text(info.value, "ko")[0], error_text(info.value, "en")[0]
    assert ko and en and ko != en


def test_refusals_that_are_not_about_fields(w: World) -> None:
    w.dataset()
    w.kamp.datasets.create(w.beta, "theirs", shots(n=50), COLUMNS)  # fmt: skip
    w.offer()
    # Another organisation's dataset is not found; a taken name is a conflict.
    with pytest.raises(NotFound):
        w.catalog.create(w.acme, "theirs", "theirs", **fields())
    with pytest.raises(Conflict) as info:
        w.catalog.create(w.acme, "injection-feb", "shots", **fields())
    assert info.value.code == "sharing.catalog.duplicate"
    assert count(w) == 1
    # A bad change to a draft writes nothing either.
    [offer] = w.catalog.list_own(w.acme)
    with pytest.raises(InvalidInput):
        w.catalog.update(w.acme, offer["id"], title_en="New", industry="X")
    assert w.catalog.get(w.acme, offer["id"]) == offer


# -- search ---------------------------------------------------------------------------------------


@pytest.fixture
def market(w: World) -> dict[str, int]:
    """Four published offers (two owners, one draft and one withdrawn beside them)."""
    w.dataset()
    w.dataset("gappy", missing=0.6)
    w.kamp.datasets.create(w.beta, "press", shots(n=200, seed=2), COLUMNS)
    made = {
        "injection": w.offer(),
        "gappy": w.offer("gappy-moulding", "gappy", title_ko="결측 많은 사출 데이터",
                         title_en="Gappy moulding data", industry="C2219", problem="quality",
                         price={"model": "royalty", "rate": "0.05"}),
        "press": w.catalog.create(w.beta, "press-vibration", "press", **fields(
            title_ko="프레스 진동 데이터", title_en="Press VIBRATION data",
            description_en="Vibration of two hydraulic presses.", equipment_type="press",
            industry="C29", problem="anomaly")),
        "draft": w.offer("draft-one", title_ko="프레스 초안", title_en="Press draft"),
        "withdrawn": w.offer("gone", title_ko="프레스 철회", title_en="Press withdrawn"),
    }  # fmt: skip
    for key, owner in (("injection", w.acme), ("gappy", w.acme), ("press", w.beta),
                       ("withdrawn", w.acme)):  # fmt: skip
        w.clock[0] += timedelta(minutes=1)
        w.catalog.publish(owner, made[key]["id"])
    w.catalog.withdraw(w.acme, made["withdrawn"]["id"])
    return {k: v["id"] for k, v in made.items()}


def test_every_filter(w: World, market: dict[str, int]) -> None:
    m = market
    s = w.catalog.search
    for who in (w.beta, w.acme, w.operator):  # every organisation sees the same catalog
        assert ids(s(who)) == [m["press"], m["gappy"], m["injection"]]  # latest first
    assert ids(s(w.beta, text="프레스")) == [m["press"]]  # Korean; drafts and withdrawn never
    assert ids(s(w.beta, text="press vibration")) == [m["press"]]  # English, any case
    assert ids(s(w.beta, text="HYDRAULIC")) == [m["press"]]  # in a description
    assert ids(s(w.beta, text="moulding")) == [m["gappy"], m["injection"]]
    assert ids(s(w.beta, text="100%_")) == []  # LIKE wildcards are literal
    assert ids(s(w.beta, equipment_type="press")) == [m["press"]]
    assert ids(s(w.beta, equipment_type="injection_moulding")) == [m["gappy"], m["injection"]]
    assert ids(s(w.beta, industry="C22")) == [m["gappy"], m["injection"]]  # a prefix
    assert ids(s(w.beta, industry="C2219")) == [m["gappy"]]
    assert ids(s(w.beta, industry="C")) == [m["press"], m["gappy"], m["injection"]]
    assert ids(s(w.beta, problem="quality")) == [m["gappy"]]
    assert ids(s(w.beta, min_grade="A")) == [m["press"], m["injection"]]
    assert ids(s(w.beta, min_grade="D")) == [m["press"], m["gappy"], m["injection"]]
    assert ids(s(w.beta, price_model="royalty")) == [m["gappy"]]
    assert ids(s(w.beta, price_model="flat")) == [m["injection"]]
    assert ids(s(w.beta, price_model="metered")) == []
    assert ids(s(w.beta, golden=True)) == []
    assert ids(s(w.beta, text="사출", industry="C22", min_grade="A")) == [m["injection"]]
    # Paging: total counts every match.
    page = s(w.beta, limit=2, offset=0)
    assert (ids(page), page["total"], page["limit"], page["offset"]) == (
        [m["press"], m["gappy"]], 3, 2, 0)  # fmt: skip
    assert ids(s(w.beta, limit=2, offset=2)) == [m["injection"]]
    assert ids(s(w.beta, limit=2, offset=9)) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"limit": 0}, {"limit": K.MAX_PAGE + 1}, {"offset": -1}, {"limit": True},
        {"min_grade": "E"}, {"price_model": "barter"}, {"problem": "weather"},
        {"industry": "29"}, {"equipment_type": "Press!"}, {"text": "x" * 300},
    ],
)  # fmt: skip
def test_bad_filters_are_refused(w: World, bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as info:
        w.catalog.search(w.beta, **bad)
    assert info.value.code in ("sharing.catalog.filter", "sharing.catalog.page")


# -- golden datasets ------------------------------------------------------------------------------


def test_golden_datasets_are_marked_by_the_operator_only(w: World, market: dict[str, int]) -> None:
    m = market
    for who in (w.acme, w.beta):  # administrators of organisations, the owner included
        with pytest.raises(Forbidden) as info:
            w.catalog.mark_golden(who, m["injection"])
        assert info.value.code == "sharing.catalog.operator"
    # Published offers only: another organisation's draft does not exist for the operator, a
    # withdrawn offer is in the wrong state.
    with pytest.raises(NotFound):
        w.catalog.mark_golden(w.operator, m["draft"])
    with pytest.raises(Conflict) as state:
        w.catalog.mark_golden(w.operator, m["withdrawn"])
    assert state.value.code == "sharing.catalog.state"
    w.clock[0] += timedelta(minutes=5)
    marked = w.catalog.mark_golden(w.operator, m["gappy"])
    assert marked["golden"] is True and marked["golden_at"] == w.clock[0]
    assert "golden_by" not in marked  # the operator's view of another's offer: the catalog's
    assert ids(w.catalog.search(w.beta, golden=True)) == [m["gappy"]]
    assert ids(w.catalog.search(w.beta))[0] == m["gappy"]  # golden first
    own = w.catalog.get(w.acme, m["gappy"])
    assert own["golden"] == 1 and own["golden_by"] == "operator"
    w.catalog.unmark_golden(w.operator, m["gappy"])
    assert ids(w.catalog.search(w.beta, golden=True)) == []
    with pytest.raises(Forbidden):
        w.catalog.unmark_golden(w.acme, m["gappy"])
    # A certificate whose platform signature no longer holds: not certified, not golden.
    with w.kamp.meta._write() as conn:  # type: ignore[attr-defined]
        rec = w.catalog.get(w.acme, m["injection"])
        cert = dict(rec["certificate"], dataset={**rec["certificate"]["dataset"], "rows": 999})
        conn.execute(update(offers).where(offers.c.id == m["injection"])
                     .values(certificate=json.dumps(cert)))  # fmt: skip
    with pytest.raises(Conflict) as info:
        w.catalog.mark_golden(w.operator, m["injection"])
    assert info.value.code == "sharing.catalog.uncertified"
    assert ids(w.catalog.search(w.beta, golden=True)) == []


# -- DCAT-AP --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes() -> Graph:
    """The official DCAT-AP 3.0.0 shapes, read as tests/sharing/test_dcat.py reads them."""
    from .test_dcat import load_shapes

    return load_shapes()


def test_the_live_catalog_exports_dcat_ap_that_pyshacl_accepts(
    w: World, market: dict[str, int], shapes: Graph
) -> None:
    from rdflib import URIRef

    from .test_dcat import DCAT, DCTERMS, graph_of, shacl

    doc = w.catalog.dcat_catalog(w.beta)
    data = graph_of(doc)
    conforms, results = shacl(data, shapes)
    violations = [r for r in results if r["severity"] == "Violation"]
    print(f"\npyshacl DCAT-AP 3.0.0 of the live catalog: {len(data)} triples, "
          f"conforms={conforms}, violations={len(violations)}, warnings={len(results) - len(violations)}")  # fmt: skip
    assert conforms is True and violations == []
    # The only warnings: publishers outside the EU corporate-bodies table.
    assert {(r["severity"], r["path"]) for r in results} == {("Warning", DCTERMS.publisher)}
    datasets = set(data.objects(URIRef(f"{BASE}/catalog"), DCAT.dataset))
    published = {market["injection"], market["gappy"], market["press"]}
    assert datasets == {URIRef(f"{BASE}/catalog/offers/{i}") for i in published}
    text = json.dumps(doc, ensure_ascii=False)
    assert "draft-one" not in text and "프레스 철회" not in text and "SN-" not in text


# -- texts ----------------------------------------------------------------------------------------


def test_every_catalog_error_code_has_korean_and_english_texts() -> None:
    codes: set[str] = set()
    for module in (K, C, F):
        source = Path(str(module.__file__)).read_text(encoding="utf-8")
        codes |= set(re.findall(r'(?<![\w.])_?error\(\s*(?:\w+,\s*)?"([a-z_]+)"', source))
    assert {"not_found", "name", "text", "state", "operator", "uncertified", "empty"} <= codes
    assert {"industry", "policy_field", "policy_value", "field", "filter", "page"} <= codes
    for code in codes:
        entry = MESSAGES[f"err.sharing.catalog.{code}"]
        assert entry["ko"] and entry["en"] and entry["ko"] != entry["en"], code


# -- migration 0010 -------------------------------------------------------------------------------


def test_migration_0010_goes_down_and_up(tmp_path: Path) -> None:
    import sqlite3

    from alembic import command
    from sqlalchemy import update as sql_update

    from openkamp.storage import open_metadata
    from openkamp.storage.metadata.migrate import alembic_config
    from openkamp.storage.metadata.schema import orgs

    db = tmp_path / "meta.sqlite"
    store = open_metadata(f"sqlite:///{db}")
    try:
        org = store.create_org("acme")
        with store._write() as conn:
            conn.execute(sql_update(orgs).where(orgs.c.id == org["id"]).values(industry="C29"))
        assert store.get_org(org["id"])["industry"] == "C29"
        tables = ("offers", "contracts", "contract_usage", "deliveries", "sharing_jobs")
        cfg = alembic_config(store.engine)
        command.downgrade(cfg, "0009")  # with rows in orgs, which every table refers to
        con = sqlite3.connect(db)
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        columns = {r[1] for r in con.execute("PRAGMA table_info(orgs)")}
        con.close()
        assert names.isdisjoint(tables) and "industry" not in columns
        command.upgrade(cfg, "head")
        assert store.get_org(org["id"])["industry"] is None and store.find_org("acme")
        con = sqlite3.connect(db)
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        con.close()
        assert set(tables) <= names
    finally:
        store.close()
