"""AAS v3 export / import of the asset model: exact round trips, strict validity, bad files."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from basyx.aas import model
from basyx.aas.adapter import aasx
from basyx.aas.adapter.json import read_aas_json_file

from openkamp.assets.aas import (
    SEM_HAS_PART,
    SEM_HIERARCHY,
    export_aasx,
    export_json,
    import_aasx,
    import_file,
    import_json,
    to_aas,
)
from openkamp.core.assets import (
    EquipmentSpec,
    LabelSpec,
    LabelType,
    LineSpec,
    SignalSpec,
    SiteSpec,
    ValueType,
)
from openkamp.core.errors import ImportRejected, InvalidInput

F, I, B = ValueType.FLOAT, ValueType.INT, ValueType.BOOL


def sig(
    name: str,
    ko: str,
    en: str,
    unit: str = "",
    vt: ValueType = F,
    lo=None,
    hi=None,
    period=None,
    desc: str = "",
) -> SignalSpec:
    return SignalSpec(name, ko, en, unit, vt, lo, hi, period, desc)


def plant() -> list[SiteSpec]:
    """A realistic injection-moulding plant: 1 site, 2 lines, 3 machines, 5-12 signals each."""
    press = EquipmentSpec(
        "press-01",
        "사출기 1호기",
        "Injection press 1",
        "injection_molding",
        "Engel e-mac 180t\r\n2019년 설치, 금형 교체 주 2회",
        signals=[
            sig(
                "barrel.temp-zone1",
                "실린더 온도 1구역",
                "Barrel temp zone 1",
                "°C",
                F,
                150.0,
                320.0,
                1.0,
                "히터 밴드 열전대 (K-type)",
            ),
            sig(
                "barrel.temp-zone2",
                "실린더 온도 2구역",
                "Barrel temp zone 2",
                "°C",
                F,
                150.0,
                320.0,
                1.0,
            ),
            sig("inj_pressure", "사출 압력", "Injection pressure", "bar", F, 0, 2500.5, 0.01),
            sig("inj_speed", "사출 속도", "Injection speed", "mm/s", F, None, 300.0, 0.01),
            sig("hold_time", "보압 시간", "Hold time", "s", F, 0.0, None, None),
            sig("cycle_time", "사이클 타임", "Cycle time", "s", F, 0.1 + 0.2, 1e308, 0.1 + 0.2),
            sig("shot_count", "쇼트 수", "Shot count", "", I, 0, 9.007199254740993e15, 5e-324),
            sig(
                "mold.open", "금형 열림", "Mold open", "", B, 0, 1, 0.05, "  leading and trailing  "
            ),
            sig("screw-rpm", "스크류 회전수", "Screw speed", "rpm", F, -0.0, 1 / 3, 0.5),
            sig("oil.temp", "작동유 온도", "", "°C", F),
            sig("cushion", "", "Cushion", "mm", F, 2.5, 12.75, 0.01, "쿠션량"),
            sig(
                "ambient_rh",
                "주변 습도 " + "매우 긴 이름 " * 20,
                "Ambient humidity",
                "%",
                F,
                0,
                100,
            ),
        ],
        labels=[
            LabelSpec(
                "quality",
                "품질 판정",
                "Quality",
                LabelType.CATEGORY,
                ["양품", "불량-미성형", "불량-버", "불량 (기타)"],
                "검사원 판정",
            ),
            LabelSpec("is_ok", "합격 여부", "Pass", LabelType.BOOL),
            LabelSpec("lot.id", "로트 번호", "Lot id", LabelType.TEXT, [], ""),
        ],
    )
    dryer = EquipmentSpec(
        "dryer_02",
        "제습 건조기",
        "Dehumidifying dryer",
        "dryer",
        "",
        signals=[
            sig("dew_point", "이슬점", "Dew point", "°C", F, -60.0, -20.0, 10.0),
            sig("hopper.temp", "호퍼 온도", "Hopper temp", "°C", F, 60.0, 120.0, 10.0),
            sig("airflow", "풍량", "Air flow", "m³/h", F, 0.0, 250.0, 10.0),
            sig("heater_on", "히터 가동", "Heater on", "", B, 0, 1, 1.0),
            sig("alarm-code", "알람 코드", "Alarm code", "", I, 0, 999, None, "제조사 매뉴얼 5장"),
        ],
        labels=[
            LabelSpec("material", "수지 종류", "Resin", LabelType.CATEGORY, ["PP", "ABS", "PC/ABS"])
        ],
    )
    robot = EquipmentSpec(
        "robot.3",
        "취출 로봇",
        "Take-out robot",
        "",
        "6축 다관절",
        signals=[
            sig(
                f"axis{i}.torque", f"{i}축 토크", f"Axis {i} torque", "N·m", F, -150.0, 150.0, 0.004
            )
            for i in range(1, 7)
        ]
        + [
            sig("gripper", "그리퍼", "Gripper", "", B),
            sig("vacuum", "진공압", "Vacuum", "kPa", F, -101.3, 0),
        ],
        labels=[LabelSpec("defect_count", "불량 수", "Defects", LabelType.NUMBER, [], "시간당")],
    )
    return [
        SiteSpec(
            "pyeongtaek-plant",
            "평택 공장",
            "Pyeongtaek plant",
            "경기도 평택시 — 사출 성형",
            lines=[
                LineSpec(
                    "line-1.injection",
                    "사출 1라인",
                    "Injection line 1",
                    "",
                    equipment=[press, dryer],
                ),
                LineSpec("line_2", "조립 2라인", "", "후공정", equipment=[robot]),
            ],
        )
    ]


def test_json_round_trip_is_exact(tmp_path: Path) -> None:
    sites = plant()
    path = tmp_path / "plant.json"
    export_json(sites, path)
    assert import_json(path) == sites
    assert import_file(path) == sites
    # Open text and binary files work too.
    text = io.StringIO()
    export_json(sites, text)
    assert import_json(io.StringIO(text.getvalue())) == sites
    binary = io.BytesIO()
    export_json(sites, binary)
    assert import_json(io.BytesIO(binary.getvalue())) == sites


def test_aasx_round_trip_is_exact(tmp_path: Path) -> None:
    sites = plant()
    path = tmp_path / "plant.aasx"
    export_aasx(sites, path)
    assert import_aasx(path) == sites
    assert import_file(path) == sites
    buf = io.BytesIO()
    export_aasx(sites, buf)
    assert import_aasx(io.BytesIO(buf.getvalue())) == sites


@pytest.mark.parametrize("fmt", ["json", "aasx"])
def test_floats_round_trip_bit_for_bit(tmp_path: Path, fmt: str) -> None:
    sites = plant()
    path = tmp_path / f"plant.{fmt}"
    (export_json if fmt == "json" else export_aasx)(sites, path)
    back = import_file(path)

    def floats(tree: list[SiteSpec]) -> list[float | None]:
        signals = [s for line in tree[0].lines for eq in line.equipment for s in eq.signals]
        return [v for s in signals for v in (s.min_value, s.max_value, s.sampling_period_s)]

    # repr tells -0.0 from 0.0 and shows every digit; ints in the specs come back as floats.
    got = [repr(v) for v in floats(back)]
    assert got == [repr(None if v is None else float(v)) for v in floats(sites)]
    assert "-0.0" in got and "5e-324" in got and "0.30000000000000004" in got


def test_edge_trees_round_trip(tmp_path: Path) -> None:
    sites = [
        SiteSpec("A"),  # nothing but a name
        SiteSpec(
            "b-2",
            "둘째",
            lines=[
                LineSpec("empty-line"),
                LineSpec(
                    "L",
                    equipment=[
                        EquipmentSpec("bare"),
                        EquipmentSpec(
                            "many", signals=[SignalSpec(f"s{i:03d}", unit="V") for i in range(300)]
                        ),
                    ],
                ),
            ],
        ),
    ]
    export_json(sites, tmp_path / "edge.json")
    export_aasx(sites, tmp_path / "edge.aasx")
    assert import_json(tmp_path / "edge.json") == sites
    assert import_aasx(tmp_path / "edge.aasx") == sites


def test_json_is_strictly_valid_aas(tmp_path: Path) -> None:
    path = tmp_path / "plant.json"
    export_json(plant(), path)
    store = read_aas_json_file(path, failsafe=False)  # raises on any metamodel violation
    shells = [o for o in store if isinstance(o, model.AssetAdministrationShell)]
    submodels = [o for o in store if isinstance(o, model.Submodel)]
    assert len(shells) == 1 + 3  # the site and each piece of equipment
    assert len(submodels) == 1 + 3 * 2  # the hierarchy, then OperationalData + Labels each
    for shell in shells:
        assert shell.asset_information.asset_kind == model.AssetKind.INSTANCE
        assert shell.asset_information.global_asset_id.startswith("urn:openkamp:asset/")
        for ref in shell.submodel:
            assert isinstance(ref.resolve(store), model.Submodel)
    press = store.get_item("urn:openkamp:aas/pyeongtaek-plant/line-1.injection/press-01")
    assert press.display_name["ko"] == "사출기 1호기"
    assert press.asset_information.asset_type == "injection_molding"

    data = store.get_item(
        "urn:openkamp:sm/pyeongtaek-plant/line-1.injection/press-01/OperationalData"
    )
    temp = data.get_referable("Signal_barrel_dtemp_hzone1")
    assert temp.display_name["en"] == "Barrel temp zone 1"
    rng = temp.get_referable("Range")
    assert isinstance(rng, model.Range) and (rng.min, rng.max) == (150.0, 320.0)
    for element in _walk(store):
        if element.id_short is not None:
            model.Referable.validate_id_short(element.id_short)
            assert "." not in element.id_short and "-" not in element.id_short

    # The AASX part is strictly valid as well (XML this time).
    export_aasx(plant(), tmp_path / "plant.aasx")
    strict: model.DictIdentifiableStore = model.DictIdentifiableStore()
    with aasx.AASXReader(tmp_path / "plant.aasx", failsafe=False) as reader:
        reader.read_into(strict, aasx.DictSupplementaryFileContainer())
        assert reader.get_core_properties().creator == "OpenKAMP"
    assert {o.id for o in strict} == {o.id for o in store}


def test_hierarchy_follows_idta_hierarchical_structures() -> None:
    store = to_aas(plant(), namespace="https://factory.example/")
    (hierarchy,) = [
        o
        for o in store
        if isinstance(o, model.Submodel) and o.semantic_id.key[0].value == SEM_HIERARCHY
    ]
    assert hierarchy.get_referable("ArcheType").value == "Full"
    entry = hierarchy.get_referable("EntryNode")
    assert entry.entity_type == model.EntityType.SELF_MANAGED_ENTITY
    assert entry.global_asset_id == "https://factory.example/asset/pyeongtaek-plant"
    line = entry.get_referable("Line_line_h1_dinjection")
    assert line.entity_type == model.EntityType.CO_MANAGED_ENTITY and line.global_asset_id is None
    press = line.get_referable("Equipment_press_h01")
    shell = store.get_item("https://factory.example/aas/pyeongtaek-plant/line-1.injection/press-01")
    assert press.global_asset_id == shell.asset_information.global_asset_id
    # HasPart relationships point from each parent at each child.
    rels = [e for e in line.statement if isinstance(e, model.RelationshipElement)]
    assert all(r.semantic_id.key[0].value == SEM_HAS_PART for r in rels)
    assert [(r.first.resolve(store), r.second.resolve(store)) for r in rels] == [
        (line, press),
        (line, line.get_referable("Equipment_dryer__02")),
    ]


def test_machine_names_with_dots_dashes_and_underscores_survive(tmp_path: Path) -> None:
    # These would collide under a lossy idShort mapping ("a.b" and "a-b" both → "a_b").
    names = [
        "a.b",
        "a-b",
        "a_b",
        "a__b",
        "a_db",
        "1-x",
        "9",
        "x-",
        "z." * 64,
        "z" * 128,
        "z" * 127 + "-",
    ]
    sites = [
        SiteSpec(
            "s.1",
            lines=[
                LineSpec(
                    "l-1",
                    equipment=[
                        EquipmentSpec(
                            "e_1.x-y",
                            signals=[SignalSpec(n) for n in names],
                            labels=[LabelSpec(n) for n in names],
                        )
                    ],
                )
            ],
        )
    ]
    export_json(sites, tmp_path / "names.json")
    assert import_json(tmp_path / "names.json") == sites
    export_aasx(sites, tmp_path / "names.aasx")
    assert import_aasx(tmp_path / "names.aasx") == sites
    data = [o for o in to_aas(sites) if o.id.endswith("/OperationalData")][0]
    assert len({e.id_short for e in data.submodel_element}) == len(names)


def test_export_refuses_trees_it_cannot_write() -> None:
    with pytest.raises(InvalidInput, match="Duplicate signal name 'x'"):
        to_aas(
            [
                SiteSpec(
                    "s",
                    lines=[
                        LineSpec(
                            "l",
                            equipment=[
                                EquipmentSpec("e", signals=[SignalSpec("x"), SignalSpec("x")])
                            ],
                        )
                    ],
                )
            ]
        )
    with pytest.raises(InvalidInput, match="line name"):
        to_aas([SiteSpec("s", lines=[LineSpec("bad name")])])
    with pytest.raises(InvalidInput, match="AASd-130"):
        to_aas([SiteSpec("s", description="bell \x07")])


def _json(obj: object) -> str:
    return json.dumps(obj)


def _plant_json_without(path_of_keys: str) -> str:
    """The plant as JSON with every property of a given idShort removed (a missing part)."""
    doc = json.loads(_export_text())

    def prune(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                prune(value)
        elif isinstance(node, list):
            node[:] = [
                n for n in node if not (isinstance(n, dict) and n.get("idShort") == path_of_keys)
            ]
            for n in node:
                prune(n)

    prune(doc)
    return json.dumps(doc)


def _export_text() -> str:
    buf = io.StringIO()
    export_json(plant(), buf)
    return buf.getvalue()


def _plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not an AASX package")
    return buf.getvalue()


def _aasx_of_foreign_aas() -> bytes:
    """A valid AASX holding an AAS that is not an OpenKAMP export."""
    sm = model.Submodel("urn:x:sm", id_short="Nameplate")
    shell = model.AssetAdministrationShell(
        model.AssetInformation(global_asset_id="urn:x:asset"),
        "urn:x:aas",
        submodel={model.ModelReference.from_referable(sm)},
    )
    buf = io.BytesIO()
    with aasx.AASXWriter(buf) as writer:
        writer.write_aas(
            "urn:x:aas",
            model.DictIdentifiableStore([shell, sm]),
            aasx.DictSupplementaryFileContainer(),
        )
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.json", b"", "not a valid AAS v3 JSON"),
        ("random.json", os.urandom(64) + b"\xff\xfe", "not a valid AAS v3 JSON"),
        ("hello.json", b'{"hello": "world"}', "no shells or submodels"),
        ("list.json", b"[1, 2, 3]", "no shells or submodels"),
        ("wrong.json", b'{"submodels": [{"idShort": 1}]}', "not a valid AAS v3 JSON"),
        (
            "foreign.json",
            _json({"submodels": [{"modelType": "Submodel", "id": "urn:x"}]}).encode(),
            "no asset hierarchy",
        ),
        ("noname.json", _plant_json_without("Name").encode(), "has no 'Name' property"),
        ("nodata.json", _plant_json_without("OperationalData").encode(), "no submodel with"),
        ("empty.aasx", b"", "not a valid AASX"),
        ("random.aasx", os.urandom(256), "not a valid AASX"),
        ("plain.aasx", _plain_zip(), "not a valid AASX"),
        ("foreign.aasx", _aasx_of_foreign_aas(), "no asset hierarchy"),
        ("plant.xml", b"<environment/>", "not an AAS file extension"),
    ],
)
def test_bad_files_are_rejected_with_a_clear_message(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportRejected, match=problem) as info:
        import_file(path)
    assert name in info.value.message and info.value.hint


def test_bad_values_are_rejected() -> None:
    text = _export_text().replace('"value": "float"', '"value": "complex"', 1)
    with pytest.raises(
        ImportRejected, match="unknown ValueType 'complex'.*valid: float, int, bool"
    ):
        import_json(io.StringIO(text))
    text = _export_text().replace('"value": "press-01"', '"value": "press 01"', 1)
    with pytest.raises(ImportRejected, match="Invalid equipment name 'press 01'"):
        import_json(io.StringIO(text))


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ImportRejected, match="Cannot read"):
        import_file(tmp_path / "nope.json")
    with pytest.raises(ImportRejected, match="Cannot read"):
        import_aasx(tmp_path / "nope.aasx")


def _walk(store: model.DictIdentifiableStore):
    def children(obj: object):
        for attr in ("submodel_element", "value", "statement"):
            items = getattr(obj, attr, None)
            if isinstance(items, model.NamespaceSet):
                for item in items:
                    yield item
                    yield from children(item)

    for obj in store:
        yield obj
        yield from children(obj)
