"""The dataset service: versions, immutability, schema hash, bounded reads, roles and isolation."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from openkamp.core.errors import Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role
from openkamp.datasets import ROW_GROUP_ROWS, DatasetColumn, schema_hash
from openkamp.platform import Platform


def shots(n: int = 40, seed: int = 0) -> pd.DataFrame:
    """Per-shot rows, two cavities per shot sharing the shot's time."""
    rng = np.random.default_rng(seed)
    shot_time = pd.date_range("2026-03-02 08:00", periods=n // 2, freq="45s", tz="UTC")
    return pd.DataFrame(
        {
            "시간": np.repeat(shot_time, 2),
            "캐비티": ["LH", "RH"] * (n // 2),
            "사출압력": rng.normal(570, 5, n).round(1),
            "판정": rng.choice(["양품", "불량"], n, p=[0.9, 0.1]),
        }
    )


COLUMNS = [
    {"name": "시간", "kind": "time", "role": "time"},
    {"name": "캐비티", "kind": "text", "role": "id"},
    {"name": "사출압력", "kind": "number", "role": "input", "unit": "bar"},
    {"name": "판정", "kind": "text", "role": "label"},
]


def test_create_then_read_back_row_for_row(kamp: Platform, me: Principal) -> None:
    frame = shots()
    v = kamp.datasets.create(me, "shots", frame, COLUMNS, description="사출 1호기")
    assert (v.name, v.version, v.rows, v.origin) == ("shots", 1, 40, "records")
    assert v.time_column == "시간" and v.id_columns == ["캐비티"]
    assert v.label_columns == ["판정"] and v.input_columns == ["사출압력"]
    assert v.group_column is None and v.column("사출압력").unit == "bar"
    back = kamp.datasets.read(me, "shots")
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    # Several rows per timestamp are kept: 20 times, 40 rows.
    assert back["시간"].nunique() == 20
    assert kamp.datasets.verify(me, "shots")
    assert v.content_sha256 == v.file_key and len(v.content_sha256) == 64


def test_new_name_version_increments_and_old_versions_stay(kamp: Platform, me: Principal) -> None:
    v1 = kamp.datasets.create(me, "shots", shots(40, seed=1), COLUMNS)
    v2 = kamp.datasets.create(me, "shots", shots(60, seed=2), COLUMNS)
    assert (v1.version, v2.version) == (1, 2)
    assert kamp.datasets.get(me, "shots").version == 2  # latest by default
    assert kamp.datasets.get(me, "shots@1").rows == 40  # an old version is unchanged
    assert kamp.datasets.get(me, v1.id) == v1
    assert len(kamp.datasets.read(me, "shots@1")) == 40
    assert [v.version for v in kamp.datasets.versions(me, "shots")] == [1, 2]
    assert [v.ref for v in kamp.datasets.list(me)] == ["shots@2"]
    assert v1.content_sha256 != v2.content_sha256
    assert v1.schema_hash == v2.schema_hash


def test_if_changed_reuses_an_identical_latest_version(kamp: Platform, me: Principal) -> None:
    v1 = kamp.datasets.create(me, "shots", shots(), COLUMNS, if_changed=True)
    again = kamp.datasets.create(me, "shots", shots(), COLUMNS, if_changed=True)
    assert again == v1
    assert len(kamp.datasets.versions(me, "shots")) == 1
    as_input = [*COLUMNS[:3], {"name": "판정", "kind": "text", "role": "input"}]
    changed = kamp.datasets.create(me, "shots", shots(), as_input, if_changed=True)
    assert changed.version == 2  # another schema (the label became an input)


def test_schema_hash_covers_name_kind_and_role_but_not_display(
    kamp: Platform, me: Principal
) -> None:
    base = [DatasetColumn.from_dict(c) for c in COLUMNS]
    relabelled = [
        DatasetColumn(c.name, c.kind, c.role, unit="MPa", display={"en": "x"}) for c in base
    ]
    assert schema_hash(base) == schema_hash(relabelled)
    as_input = [*base[:3], DatasetColumn("판정", "text", "input")]
    assert schema_hash(base) != schema_hash(as_input)
    renamed = [*base[:2], DatasetColumn("사출 압력", "number", "input"), base[3]]
    assert schema_hash(base) != schema_hash(renamed)
    v = kamp.datasets.create(me, "shots", shots(), COLUMNS)
    assert v.schema_hash == schema_hash(base)


def test_inferred_columns_and_declared_kind_checks(kamp: Platform, me: Principal) -> None:
    v = kamp.datasets.create(me, "auto", shots())
    kinds = {c.name: (c.kind, c.role) for c in v.columns}
    assert kinds == {
        "시간": ("time", "time"),
        "캐비티": ("text", "input"),
        "사출압력": ("number", "input"),
        "판정": ("text", "input"),
    }
    wrong = [dict(c) for c in COLUMNS]
    wrong[1] = {"name": "캐비티", "kind": "number", "role": "id"}
    with pytest.raises(InvalidInput) as err:
        kamp.datasets.create(me, "bad", shots(), wrong)
    assert err.value.code == "datasets.kind_mismatch"
    with pytest.raises(InvalidInput) as err:
        kamp.datasets.create(me, "bad", shots(), COLUMNS[:3])
    assert err.value.code == "datasets.columns_mismatch"
    two_times = [*COLUMNS, {"name": "x", "kind": "time", "role": "time"}]
    with pytest.raises(InvalidInput) as err:
        kamp.datasets.create(me, "bad", shots().assign(x=shots()["시간"]), two_times)
    assert err.value.code == "datasets.one_role"
    assert kamp.datasets.list(me) == [kamp.datasets.get(me, "auto")]  # nothing else stored


def test_versions_are_immutable_records(kamp: Platform, me: Principal) -> None:
    v = kamp.datasets.create(me, "shots", shots(), COLUMNS)
    with pytest.raises((AttributeError, TypeError)):
        v.rows = 3  # type: ignore[misc]
    kamp.datasets.create(me, "shots", shots(10), COLUMNS)
    # Creating v2 left v1's record and file as they were.
    assert kamp.datasets.get(me, "shots@1") == v
    assert kamp.datasets.verify(me, "shots@1")


def test_pages_read_only_the_row_groups_and_columns_they_need(
    kamp: Platform, me: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = ROW_GROUP_ROWS * 4 + 123
    frame = pd.DataFrame({"i": np.arange(n), "a": np.zeros(n), "b": np.ones(n)})
    kamp.datasets.create(me, "big", frame)
    calls: list[tuple[list[int], list[str]]] = []
    real = pq.ParquetFile.read_row_groups

    def spy(self: pq.ParquetFile, row_groups: list[int], columns: list[str], **kw: object):  # type: ignore[no-untyped-def]
        calls.append((list(row_groups), list(columns)))
        return real(self, row_groups, columns=columns, **kw)

    monkeypatch.setattr(pq.ParquetFile, "read_row_groups", spy)
    page = kamp.datasets.read(me, "big", columns=["i"], limit=100, offset=ROW_GROUP_ROWS * 2 - 50)
    assert page["i"].tolist() == list(range(ROW_GROUP_ROWS * 2 - 50, ROW_GROUP_ROWS * 2 + 50))
    assert list(page.columns) == ["i"]
    assert calls == [([1, 2], ["i"])]  # two of five groups, one of three columns
    tail = kamp.datasets.read(me, "big", limit=1000, offset=n - 10)
    assert tail["i"].tolist() == list(range(n - 10, n))
    assert kamp.datasets.read(me, "big", limit=10, offset=n + 5).empty
    sample = kamp.datasets.sample(me, "big", rows=1000)
    assert 900 <= len(sample) <= 1000 and sample["i"].is_monotonic_increasing
    assert sample["i"].iloc[-1] > n * 0.9  # spread over the whole table, not its head
    with pytest.raises(InvalidInput):
        kamp.datasets.read(me, "big", columns=["nope"], limit=1)


def test_delete_a_version_or_every_version(kamp: Platform, me: Principal) -> None:
    v1 = kamp.datasets.create(me, "shots", shots(40, 1), COLUMNS)
    v2 = kamp.datasets.create(me, "shots", shots(40, 1), COLUMNS)  # same bytes, shared file
    assert v1.file_key == v2.file_key
    assert kamp.datasets.delete(me, "shots@1") == 1
    assert kamp.files.exists(me.org_id, v2.file_key)  # still used by v2
    assert [v.version for v in kamp.datasets.versions(me, "shots")] == [2]
    kamp.datasets.create(me, "shots", shots(20, 3), COLUMNS)
    assert kamp.datasets.delete(me, "shots") == 2
    assert not kamp.files.exists(me.org_id, v2.file_key)
    with pytest.raises(NotFound):
        kamp.datasets.get(me, "shots")


def test_roles_and_organisation_isolation(kamp: Platform, me: Principal) -> None:
    v = kamp.datasets.create(me, "shots", shots(), COLUMNS)
    viewer = Principal(me.org_id, "viewer", frozenset({Role.VIEWER}))
    assert len(kamp.datasets.read(viewer, "shots", limit=5)) == 5
    with pytest.raises(Forbidden):
        kamp.datasets.create(viewer, "mine", shots(), COLUMNS)
    with pytest.raises(Forbidden):
        kamp.datasets.delete(viewer, "shots")
    other = kamp.principal("other-factory")
    assert kamp.datasets.list(other) == []
    for ref in ("shots", "shots@1", v.id):
        with pytest.raises(NotFound) as err:
            kamp.datasets.get(other, ref)
        assert err.value.code == "datasets.not_found"
        with pytest.raises(NotFound):
            kamp.datasets.read(other, ref, limit=1)
        with pytest.raises(NotFound):
            kamp.datasets.delete(other, ref)
    # The same name in another organisation is its own dataset, starting at version 1.
    assert kamp.datasets.create(other, "shots", shots(10), COLUMNS).version == 1
    assert kamp.datasets.get(me, "shots").rows == 40


def test_equipment_link(kamp: Platform, me: Principal, press: str) -> None:
    v = kamp.datasets.create(me, "shots", shots(), COLUMNS, equipment=press)
    node = kamp.assets.resolve(me, press)
    assert v.equipment_id == node.id
    unlinked = kamp.datasets.link_equipment(me, "shots", None)
    assert unlinked.equipment_id is None and unlinked.content_sha256 == v.content_sha256
    with pytest.raises(InvalidInput) as err:
        kamp.datasets.create(me, "x", shots(), COLUMNS, equipment=press.rsplit("/", 1)[0])
    assert err.value.code == "datasets.not_equipment"


def test_parts_are_written_as_they_come_and_give_the_same_file(
    kamp: Platform, me: Principal
) -> None:
    n = ROW_GROUP_ROWS * 2 + 77
    frame = pd.DataFrame({"i": np.arange(n, dtype=float), "s": [f"r{i}" for i in range(n)]})
    frame.loc[: ROW_GROUP_ROWS + 5, "s"] = None  # the first part's text column is all empty
    cols = [{"name": "i", "kind": "number"}, {"name": "s", "kind": "text"}]
    whole = kamp.datasets.create(me, "whole", frame, cols)
    cuts = [0, 1000, ROW_GROUP_ROWS + 3, ROW_GROUP_ROWS + 4, n]
    parts = (frame.iloc[a:b] for a, b in itertools.pairwise(cuts))
    streamed = kamp.datasets.create(me, "parts", parts, cols)
    assert streamed.rows == whole.rows == n
    # Row groups of a fixed size: the bytes do not depend on how the rows were cut.
    assert streamed.content_sha256 == whole.content_sha256
    assert kamp.datasets.read(me, "parts", limit=2, offset=n - 2)["s"].tolist() == [
        f"r{n - 2}",
        f"r{n - 1}",
    ]
    empty = kamp.datasets.create(me, "empty", iter([]), cols)
    assert empty.rows == 0 and kamp.datasets.read(me, "empty").empty


def test_identical_rows_for_another_machine_relink_the_version(
    kamp: Platform, me: Principal, press: str
) -> None:
    v = kamp.datasets.create(me, "shots", shots(), COLUMNS, if_changed=True)
    assert v.equipment_id is None
    again = kamp.datasets.create(me, "shots", shots(), COLUMNS, equipment=press, if_changed=True)
    assert again.version == 1 and again.equipment_id == kamp.assets.resolve(me, press).id
