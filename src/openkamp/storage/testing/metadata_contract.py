"""Contract suite for :class:`~openkamp.storage.metadata.base.MetadataStore` backends.

Subclass and provide a ``store`` fixture yielding a fresh, empty store::

    class TestPostgres(MetadataContract):
        @pytest.fixture
        def store(self):
            s = open_metadata("postgresql://...")
            yield s
            s.close()
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import pytest

from openkamp.core.errors import Conflict, InvalidInput, NotFound
from openkamp.storage.metadata.base import MetadataStore, RecordKind


def _site(store: MetadataStore, org: int, name: str = "plant1") -> dict:
    return store.insert(org, "node", {"kind": "site", "parent_id": None, "name": name})


_MODEL = cast(RecordKind, "model")  # cast until RecordKind lists "model"


def _model(store: MetadataStore, org: int, name: str, version: int, **extra: Any) -> dict:
    values = {
        "name": name,
        "version": version,
        "task": "classify",
        "stage": "candidate",
        "artefact_sha256": "0" * 64,
        "artefact_size": 1,
        "class_path": "sklearn.linear_model._logistic:LogisticRegression",
        **extra,
    }
    return store.insert(org, _MODEL, values)


class MetadataContract:
    @pytest.fixture
    def orgs(self, store: MetadataStore) -> tuple[int, int]:
        a = store.create_org("acme", "에이크미 정밀")
        b = store.create_org("other")
        return a["id"], b["id"]

    def test_organisations(self, store: MetadataStore, orgs: tuple[int, int]) -> None:
        a, _ = orgs
        assert store.get_org(a)["display_name"] == "에이크미 정밀"
        assert store.find_org("acme")["id"] == a  # type: ignore[index]
        assert store.find_org("nope") is None
        assert [o["name"] for o in store.list_orgs()] == ["acme", "other"]
        with pytest.raises(Conflict):
            store.create_org("acme")
        with pytest.raises(NotFound):
            store.get_org(999)

    def test_records_crud(self, store: MetadataStore, orgs: tuple[int, int]) -> None:
        a, _ = orgs
        site = _site(store, a)
        assert site["id"] > 0 and site["org_id"] == a
        assert isinstance(site["created_at"], datetime) and site["created_at"].tzinfo is not None
        line = store.insert(
            a, "node", {"kind": "line", "parent_id": site["id"], "name": "L1", "name_ko": "1라인"}
        )
        assert store.get(a, "node", line["id"])["name_ko"] == "1라인"
        assert [n["name"] for n in store.find(a, "node", parent_id=site["id"])] == ["L1"]
        assert [n["name"] for n in store.find(a, "node", kind=["site", "line"])] == ["plant1", "L1"]
        assert store.find(a, "node", parent_id=None)[0]["id"] == site["id"]
        upd = store.update(a, "node", line["id"], {"name": "L2"})
        assert upd["name"] == "L2" and store.get(a, "node", line["id"])["name"] == "L2"
        store.delete(a, "node", line["id"])
        with pytest.raises(NotFound):
            store.get(a, "node", line["id"])

    def test_sibling_names_are_unique_even_at_top_level(
        self, store: MetadataStore, orgs: tuple[int, int]
    ) -> None:
        a, b = orgs
        site = _site(store, a)
        with pytest.raises(Conflict):
            _site(store, a)  # two top-level sites named plant1
        _site(store, b)  # another organisation may use the name
        store.insert(a, "node", {"kind": "line", "parent_id": site["id"], "name": "L1"})
        other = _site(store, a, "plant2")
        store.insert(
            a, "node", {"kind": "line", "parent_id": other["id"], "name": "L1"}
        )  # other parent
        with pytest.raises(Conflict):
            store.insert(a, "node", {"kind": "line", "parent_id": site["id"], "name": "L1"})

    def test_find_first_sorts_and_limits_in_the_query(
        self, store: MetadataStore, orgs: tuple[int, int]
    ) -> None:
        """A page of the newest records: sorted by the given columns, at most ``limit``, scoped
        to the organisation, filtered like find; the same as sorting find's answer."""
        a, b = orgs
        site = _site(store, a)
        for i, kind in enumerate(["line", "line", "equipment", "line", "equipment"]):
            store.insert(a, "node", {"kind": kind, "parent_id": site["id"], "name": f"n{i}"})
        _site(store, b, "zz")
        newest = store.find_first(a, "node", order=("-id",), limit=3)
        assert [n["name"] for n in newest] == ["n4", "n3", "n2"]
        lines = store.find_first(a, "node", order=("-name",), limit=10, kind="line")
        assert [n["name"] for n in lines] == ["n3", "n1", "n0"]
        by_kind = store.find_first(a, "node", order=("kind", "-id"), limit=10, parent_id=site["id"])
        assert [n["name"] for n in by_kind] == ["n4", "n2", "n3", "n1", "n0"]
        assert store.find_first(a, "node", order=("id",), limit=0) == []
        assert all(n["org_id"] == a for n in store.find_first(a, "node", order=("id",), limit=99))
        fallback = MetadataStore.find_first(store, a, "node", order=("kind", "-id"), limit=4)
        assert fallback == store.find_first(a, "node", order=("kind", "-id"), limit=4)

    def test_referential_checks(self, store: MetadataStore, orgs: tuple[int, int]) -> None:
        a, _ = orgs
        site = _site(store, a)
        line = store.insert(a, "node", {"kind": "line", "parent_id": site["id"], "name": "L1"})
        eq = store.insert(a, "node", {"kind": "equipment", "parent_id": line["id"], "name": "M1"})
        store.insert(a, "signal", {"equipment_id": eq["id"], "name": "temp", "value_type": "float"})
        with pytest.raises(Conflict):
            store.delete(a, "node", eq["id"])  # a signal still refers to it
        with pytest.raises(Conflict):
            store.delete(a, "node", site["id"])  # a line hangs under it
        with pytest.raises(Conflict):
            store.insert(a, "signal", {"equipment_id": 99_999, "name": "x", "value_type": "float"})

    def test_organisation_scoping(self, store: MetadataStore, orgs: tuple[int, int]) -> None:
        a, b = orgs
        site = _site(store, a)
        with pytest.raises(NotFound):
            store.get(b, "node", site["id"])
        assert store.find(b, "node") == []
        with pytest.raises(NotFound):
            store.update(b, "node", site["id"], {"name": "stolen"})
        with pytest.raises(NotFound):
            store.update(b, "node", site["id"], {})  # an empty change is still scoped
        with pytest.raises(NotFound):
            store.get(a, "node", 2**70)  # an id no database integer can hold
        assert store.find(a, "signal", equipment_id=2**70) == []
        assert store.update(a, "node", site["id"], {}) == store.get(a, "node", site["id"])
        with pytest.raises(NotFound):
            store.delete(b, "node", site["id"])
        assert store.get(a, "node", site["id"])["name"] == "plant1"

    def test_accounts_lookup_across_organisations_only_for_authentication(
        self, store: MetadataStore, orgs: tuple[int, int]
    ) -> None:
        a, b = orgs
        user = {"login": "kim", "password_hash": "x", "role": "engineer"}
        kim = store.insert(a, "user", user)
        with pytest.raises(Conflict):
            store.insert(b, "user", user)  # logins are unique on the whole platform
        assert store.lookup("user", login="kim") == kim  # before the organisation is known
        assert store.lookup("user", login="lee") is None
        tok = store.insert(
            a, "api_token",
            {"user_id": kim["id"], "name": "ci", "prefix": "okp_ab", "token_hash": "h" * 64,
             "scopes": ["read", "write"]},
        )  # fmt: skip
        assert store.lookup("api_token", token_hash="h" * 64) == tok
        assert tok["scopes"] == ["read", "write"]
        with pytest.raises(InvalidInput):
            store.lookup("node", name="plant1")  # business records never leave their org
        assert store.find(b, "user") == []
        job = store.insert(a, "job", {"kind": "train", "status": "queued", "result": {"v": 1}})
        assert store.get(a, "job", job["id"])["result"] == {"v": 1}
        with pytest.raises(NotFound):
            store.get(b, "job", job["id"])

    def test_transaction_is_atomic(self, store: MetadataStore, orgs: tuple[int, int]) -> None:
        a, _ = orgs
        with pytest.raises(Conflict), store.transaction():
            _site(store, a, "s1")
            assert store.find(a, "node", name="s1")  # visible inside
            _site(store, a, "s1")
        assert store.find(a, "node") == []

    def test_json_fields_and_unknown_fields(
        self, store: MetadataStore, orgs: tuple[int, int]
    ) -> None:
        a, _ = orgs
        site = _site(store, a)
        line = store.insert(a, "node", {"kind": "line", "parent_id": site["id"], "name": "L1"})
        eq = store.insert(a, "node", {"kind": "equipment", "parent_id": line["id"], "name": "M1"})
        col = store.insert(
            a,
            "label_column",
            {
                "equipment_id": eq["id"],
                "name": "defect",
                "label_type": "category",
                "categories": ["없음", "미성형"],
            },
        )
        assert store.get(a, "label_column", col["id"])["categories"] == ["없음", "미성형"]
        with pytest.raises(InvalidInput):
            store.insert(
                a, "node", {"kind": "site", "parent_id": None, "name": "x", "colour": "red"}
            )

    def test_model_records_are_org_scoped_and_version_unique(
        self, store: MetadataStore, orgs: tuple[int, int]
    ) -> None:
        a, b = orgs
        v1 = _model(store, a, "defect", 1, provenance='{"dataset_id": 7}')
        _model(store, a, "defect", 2)
        with pytest.raises(Conflict):
            _model(store, a, "defect", 2)  # one version 2 per name
        _model(store, b, "defect", 2)  # another organisation numbers its own versions
        assert [m["version"] for m in store.find(a, _MODEL, name="defect")] == [1, 2]
        assert [m["version"] for m in store.find(b, _MODEL)] == [2]
        with pytest.raises(NotFound):
            store.get(b, _MODEL, v1["id"])
        with pytest.raises(NotFound):
            store.update(b, _MODEL, v1["id"], {"stage": "production"})
        with pytest.raises(NotFound):
            store.delete(b, _MODEL, v1["id"])
        got = store.get(a, _MODEL, v1["id"])
        assert got["stage"] == "candidate" and got["created_at"].tzinfo is not None
        assert got["provenance"] in ('{"dataset_id": 7}', {"dataset_id": 7})  # text or parsed

    def test_one_production_model_version_per_name(
        self, store: MetadataStore, orgs: tuple[int, int]
    ) -> None:
        a, b = orgs
        _model(store, a, "defect", 1, stage="production", production_slot=1)
        _model(store, a, "defect", 2, production_slot=None)
        _model(store, a, "defect", 3, production_slot=None)  # NULL slots never collide
        with pytest.raises(Conflict):
            _model(store, a, "defect", 4, stage="production", production_slot=1)
        _model(store, a, "wear", 1, stage="production", production_slot=1)  # other name
        _model(store, b, "defect", 1, stage="production", production_slot=1)  # other org
