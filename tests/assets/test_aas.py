"""AAS v3 export / import of the asset model: exact round trips, strict validity, bad files."""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import pytest
from basyx.aas import model
from basyx.aas.adapter import aasx
from basyx.aas.adapter.json import read_aas_json_file

from openkamp.assets import aas_files
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

FLT, INT, BIN = ValueType.FLOAT, ValueType.INT, ValueType.BOOL

# One row per signal: name, name_ko, name_en, unit, value type, min, max, sampling period (s),
# description. The values probe exactness: None and half-open ranges, ints, -0.0, 0.1 + 0.2,
# the smallest subnormal, 1e308, surrounding whitespace, CR LF, and a Korean name > 128 chars.
# fmt: off
PRESS = [
    ("barrel.temp-zone1", "실린더 온도 1구역", "Barrel temp 1", "°C", FLT, 150.0, 320.0, 1.0,
     "히터 밴드 열전대 (K-type)"),
    ("barrel.temp-zone2", "실린더 온도 2구역", "Barrel temp 2", "°C", FLT, 150.0, 320.0, 1.0, ""),
    ("inj_pressure", "사출 압력", "Injection pressure", "bar", FLT, 0, 2500.5, 0.01, ""),
    ("inj_speed", "사출 속도", "Injection speed", "mm/s", FLT, None, 300.0, 0.01, ""),
    ("hold_time", "보압 시간", "Hold time", "s", FLT, 0.0, None, None, ""),
    ("cycle_time", "사이클 타임", "Cycle time", "s", FLT, 0.1 + 0.2, 1e308, 0.1 + 0.2, ""),
    ("shot_count", "쇼트 수", "Shot count", "", INT, 0, 9.007199254740993e15, 5e-324, ""),
    ("mold.open", "금형 열림", "Mold open", "", BIN, 0, 1, 0.05, "  leading and trailing  "),
    ("screw-rpm", "스크류 회전수", "Screw speed", "rpm", FLT, -0.0, 1 / 3, 0.5, ""),
    ("oil.temp", "작동유 온도", "", "°C", FLT, None, None, None, ""),
    ("cushion", "", "Cushion", "mm", FLT, 2.5, 12.75, 0.01, "쿠션량\r\n(사출 종료 위치)"),
    ("ambient_rh", "주변 습도 " + "매우 긴 이름 " * 20, "Humidity", "%", FLT, 0, 100, None, ""),
]
DRYER = [
    ("dew_point", "이슬점", "Dew point", "°C", FLT, -60.0, -20.0, 10.0, ""),
    ("hopper.temp", "호퍼 온도", "Hopper temp", "°C", FLT, 60.0, 120.0, 10.0, ""),
    ("airflow", "풍량", "Air flow", "m³/h", FLT, 0.0, 250.0, 10.0, ""),
    ("heater_on", "히터 가동", "Heater on", "", BIN, 0, 1, 1.0, ""),
    ("alarm-code", "알람 코드", "Alarm code", "", INT, 0, 999, None, "제조사 매뉴얼 5장"),
]
ROBOT = [
    *[(f"axis{i}.torque", f"{i}축 토크", f"Axis {i} torque", "N·m", FLT, -150.0, 150.0, 0.004, "")
      for i in range(1, 7)],
    ("gripper", "그리퍼", "Gripper", "", BIN, None, None, None, ""),
    ("vacuum", "진공압", "Vacuum", "kPa", FLT, -101.3, 0, None, ""),
]


def plant() -> list[SiteSpec]:
    """A realistic injection-moulding plant: 1 site, 2 lines, 3 machines, 5-12 signals each."""
    press = EquipmentSpec(
        "press-01", "사출기 1호기", "Injection press 1", "injection_molding",
        "Engel e-mac 180t\r\n2019년 설치, 금형 교체 주 2회",
        signals=[SignalSpec(*row) for row in PRESS],
        labels=[
            LabelSpec("quality", "품질 판정", "Quality", LabelType.CATEGORY,
                      ["양품", "불량-미성형", "불량-버", "불량 (기타)"], "검사원 판정"),
            LabelSpec("is_ok", "합격 여부", "Pass", LabelType.BOOL),
            LabelSpec("lot.id", "로트 번호", "Lot id", LabelType.TEXT, [], ""),
        ],
    )
    dryer = EquipmentSpec(
        "dryer_02", "제습 건조기", "Dehumidifying dryer", "dryer", "",
        signals=[SignalSpec(*row) for row in DRYER],
        labels=[LabelSpec("resin", "수지", "Resin", LabelType.CATEGORY, ["PP", "ABS", "PC/ABS"])],
    )
    robot = EquipmentSpec(
        "robot.3", "취출 로봇", "Take-out robot", "", "6축 다관절",
        signals=[SignalSpec(*row) for row in ROBOT],
        labels=[LabelSpec("defect_count", "불량 수", "Defects", LabelType.NUMBER, [], "시간당")],
    )
    lines = [
        LineSpec("line-1.injection", "사출 1라인", "Injection line 1", "", [press, dryer]),
        LineSpec("line_2", "조립 2라인", "", "후공정", [robot]),
    ]
    return [SiteSpec("pyeongtaek-plant", "평택 공장", "Pyeongtaek plant", "경기도 평택시", lines)]
# fmt: on


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
    # The hierarchy, then OperationalData, Labels and TimeSeries of each piece of equipment.
    assert len(submodels) == 1 + 3 * 3
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
    assert temp.display_name["en"] == "Barrel temp 1"
    rng = temp.get_referable("Range")
    assert isinstance(rng, model.Range) and (rng.min, rng.max) == (150.0, 320.0)
    for element in _walk(store):
        if element.id_short is not None:
            model.Referable.validate_id_short(element.id_short)
            assert "." not in element.id_short and "-" not in element.id_short

    # The AASX part is strictly valid as well (AAS 3.0 XML this time, which basyx 2.1+ no
    # longer reads itself: aas-core3.0 parses it, basyx decodes it strictly).
    export_aasx(plant(), tmp_path / "plant.aasx")
    strict = aas_files.read_aasx(tmp_path / "plant.aasx")
    with aasx.AASXReader(tmp_path / "plant.aasx", failsafe=False) as reader:
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


def one_machine(signals: list[SignalSpec], labels: list[LabelSpec] | None = None) -> list[SiteSpec]:
    machine = EquipmentSpec("e_1.x-y", signals=signals, labels=labels or [])
    return [SiteSpec("s.1", lines=[LineSpec("l-1", equipment=[machine])])]


def test_machine_names_with_dots_dashes_and_underscores_survive(tmp_path: Path) -> None:
    # A lossy idShort mapping would merge these ("a.b" and "a-b" both → "a_b"); the long ones
    # take the shortened, hashed idShort.
    names = ["a.b", "a-b", "a_b", "a__b", "a_db", "1-x", "9", "x-", "z." * 64, "z" * 128]
    names += ["z" * 127 + "-", "온도", "실린더_온도.1존", "a온", "a_u00c628"]  # Hangul names too
    sites = one_machine([SignalSpec(n) for n in names], [LabelSpec(n) for n in names])
    export_json(sites, tmp_path / "names.json")
    assert import_json(tmp_path / "names.json") == sites
    export_aasx(sites, tmp_path / "names.aasx")
    assert import_aasx(tmp_path / "names.aasx") == sites
    data = next(o for o in to_aas(sites) if o.id.endswith("/OperationalData"))
    assert len({e.id_short for e in data.submodel_element}) == len(names)


def test_export_refuses_trees_it_cannot_write() -> None:
    with pytest.raises(InvalidInput, match="Duplicate signal name 'x'"):
        to_aas(one_machine([SignalSpec("x"), SignalSpec("x")]))
    with pytest.raises(InvalidInput, match="line name"):
        to_aas([SiteSpec("s", lines=[LineSpec("bad name")])])
    with pytest.raises(InvalidInput, match="AASd-130"):
        to_aas([SiteSpec("s", description="bell \x07")])


def _plant_json_without(id_short: str) -> str:
    """The plant as JSON with every element of the given idShort removed (a missing part)."""
    doc = json.loads(_export_text())

    def prune(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                prune(value)
        elif isinstance(node, list):
            node[:] = [
                n for n in node if not (isinstance(n, dict) and n.get("idShort") == id_short)
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


NOISE = random.Random(20240601)  # fixed seed: the same "random" bytes on every run


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.json", b"", "not a valid AAS v3 JSON"),
        ("random.json", NOISE.randbytes(64) + b"\xff\xfe", "not a valid AAS v3 JSON"),
        ("hello.json", b'{"hello": "world"}', "no shells or submodels"),
        ("list.json", b"[1, 2, 3]", "no shells or submodels"),
        ("wrong.json", b'{"submodels": [{"idShort": 1}]}', "not a valid AAS v3 JSON"),
        (
            "foreign.json",
            json.dumps({"submodels": [{"modelType": "Submodel", "id": "urn:x"}]}).encode(),
            "no asset hierarchy",
        ),
        ("noname.json", _plant_json_without("Name").encode(), "has no 'Name' property"),
        ("nodata.json", _plant_json_without("OperationalData").encode(), "no submodel with"),
        ("empty.aasx", b"", "not a valid AASX"),
        ("random.aasx", NOISE.randbytes(256), "not a valid AASX"),
        ("plain.aasx", _plain_zip(), "not a valid AASX"),
        ("foreign.aasx", _aasx_of_foreign_aas(), "no asset hierarchy"),
        ("plant.xml", b"<environment/>", "unsupported file type"),
    ],
)
def test_bad_files_are_rejected_with_a_clear_message(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportRejected, match=problem) as info:
        import_file(path)
    assert repr(str(path)) in info.value.message and info.value.hint


def test_bad_values_are_rejected() -> None:
    text = _export_text().replace('"value": "float"', '"value": "complex"', 1)
    with pytest.raises(
        ImportRejected, match=r"unknown ValueType 'complex'.*valid: float, int, bool"
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
