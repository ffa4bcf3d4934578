"""Asset model service: create, rename, move, delete with referential checks; tenancy; trees."""

from __future__ import annotations

import pyarrow as pa
import pytest

from openkamp.assets import aas
from openkamp.core.assets import LabelSpec, NodeKind, SignalSpec
from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform
from openkamp.storage.timeseries.base import TS_TYPE


def test_tree_rules(kamp: Platform, me: Principal) -> None:
    site = kamp.assets.create_node(me, "site", "plant1", name_ko="본사공장")
    line = kamp.assets.create_node(me, "line", "line1", site.id)
    eq = kamp.assets.create_node(
        me, NodeKind.EQUIPMENT, "imm01", line.id, equipment_type="injection_moulding"
    )
    with pytest.raises(InvalidInput, match="belongs under a line"):
        kamp.assets.create_node(me, "equipment", "x", site.id)
    with pytest.raises(InvalidInput, match="needs a parent"):
        kamp.assets.create_node(me, "line", "orphan")
    with pytest.raises(InvalidInput, match="Invalid"):
        kamp.assets.create_node(me, "site", "bad name!")
    with pytest.raises(Conflict):
        kamp.assets.create_node(me, "line", "line1", site.id)
    with pytest.raises(InvalidInput, match="belong to equipment"):
        kamp.assets.create_signal(me, line.id, SignalSpec("temp"))
    with pytest.raises(InvalidInput, match="min_value"):
        kamp.assets.create_signal(me, eq.id, SignalSpec("temp", min_value=5, max_value=1))
    sig = kamp.assets.create_signal(me, eq.id, SignalSpec("온도", "온도", "Temperature", "℃"))
    assert kamp.assets.resolve(me, "plant1/line1/imm01/온도") == sig
    assert kamp.assets.path_of(me, eq.id) == "plant1/line1/imm01"


def test_rename_move_delete(kamp: Platform, me: Principal, press: str) -> None:
    eq = kamp.assets.resolve(me, press)
    site = kamp.assets.resolve(me, "plant1")
    line2 = kamp.assets.create_node(me, "line", "line2", site.id)
    kamp.assets.update_node(me, eq.id, name="press02", name_en="Press 2")
    moved = kamp.assets.move_node(me, eq.id, line2.id)
    assert kamp.assets.path_of(me, moved.id) == "plant1/line2/press02"
    with pytest.raises(InvalidInput):
        kamp.assets.move_node(me, eq.id, site.id)  # equipment cannot hang under a site
    sig = kamp.assets.resolve(me, "plant1/line2/press02/pressure")
    kamp.ts.write(
        me.org_id,
        pa.table({"signal_id": [sig.id], "ts": pa.array([kamp_t0()], TS_TYPE), "value": [1.0]}),
    )
    with pytest.raises(Conflict, match="stored points"):
        kamp.assets.delete_signal(me, sig.id)
    with pytest.raises(Conflict, match="still holds"):
        kamp.assets.delete_node(me, eq.id)
    with pytest.raises(Conflict):
        kamp.assets.delete_node(me, site.id)
    deleted = kamp.assets.delete_node(me, site.id, cascade=True)
    assert deleted == 1 + 2 + 1 + 3 + 1  # site, 2 lines, equipment, 3 signals, 1 label column
    assert kamp.assets.list_nodes(me) == [] and kamp.ts.count(me.org_id) == 0


def kamp_t0():
    from datetime import UTC, datetime

    return datetime(2026, 3, 1, tzinfo=UTC)


def test_signals_and_labels_update(kamp: Platform, me: Principal, press: str) -> None:
    sig = kamp.assets.resolve(me, f"{press}/pressure")
    upd = kamp.assets.update_signal(me, sig.id, unit="MPa", max_value=25.0)
    assert (upd.unit, upd.max_value, upd.min_value) == ("MPa", 25.0, 0)
    with pytest.raises(InvalidInput):
        kamp.assets.update_signal(me, sig.id, colour="red")
    col = kamp.assets.resolve(me, f"{press}/result")
    upd_col = kamp.assets.update_label_column(me, col.id, categories=["OK", "NG", "재작업"])
    assert upd_col.categories == ("OK", "NG", "재작업")
    eq = kamp.assets.resolve(me, press)
    kamp.assets.create_label_column(me, eq.id, LabelSpec("lot_id", "로트", "Lot", "text"))
    assert {c.name for c in kamp.assets.list_label_columns(me, eq.id)} == {"result", "lot_id"}


def test_other_organisations_and_viewers(kamp: Platform, me: Principal, press: str) -> None:
    other = kamp.principal("other-factory")
    eq = kamp.assets.resolve(me, press)
    with pytest.raises(NotFound):
        kamp.assets.get_node(other, eq.id)
    with pytest.raises(NotFound):
        kamp.assets.resolve(other, press)
    assert kamp.assets.list_signals(other) == []
    with pytest.raises(NotFound):
        kamp.assets.delete_node(other, eq.id, cascade=True)
    viewer = Principal(org_id=me.org_id, name="viewer", roles=frozenset({Role.VIEWER}))
    assert kamp.assets.get_node(viewer, eq.id).name == "press01"
    with pytest.raises(Forbidden):
        kamp.assets.create_node(viewer, "site", "x")


def test_apply_tree_is_idempotent_and_export_round_trips(
    kamp: Platform, me: Principal, press: str, tmp_path
) -> None:
    tree = kamp.assets.export_tree(me)
    again = kamp.assets.apply_tree(me, tree)
    assert again.created == again.updated == 0
    aas.export_aasx(tree, tmp_path / "plant.aasx")
    other = kamp.principal("second-org")
    made = kamp.assets.apply_tree(other, aas.import_aasx(tmp_path / "plant.aasx"))
    assert made.created == 1 + 1 + 1 + 3 + 1
    assert kamp.assets.export_tree(other) == tree


def test_demo_factory_aas_round_trip_is_identical(kamp: Platform, me: Principal, tmp_path) -> None:
    """Acceptance: the AAS export of the demo factory re-imports to an identical asset model."""
    from openkamp.sim import Factory

    demo = Factory(seed=42).asset_model()
    kamp.assets.apply_tree(me, [demo])
    stored = kamp.assets.export_tree(me)
    assert stored == [demo]  # what the platform holds is exactly the simulator's model
    for suffix, export, load in (
        (".json", aas.export_json, aas.import_json),
        (".aasx", aas.export_aasx, aas.import_aasx),
    ):
        path = tmp_path / f"demo{suffix}"
        export(stored, path)
        other = kamp.principal(f"restore{suffix[1:]}")
        kamp.assets.apply_tree(other, load(path))
        assert kamp.assets.export_tree(other) == stored
