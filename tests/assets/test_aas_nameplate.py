"""Equipment nameplates and the Digital Nameplate (IDTA 02006-2-0) of the AAS export: what is
stored and checked, the submodel's layout against the template, and round trips (the official
tool's verdict on the exports is in test_aas_conformance)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from test_aas import plant

from openkamp.assets.aas import export_aasx, export_json, import_aasx, import_json
from openkamp.core.assets import Nameplate, SiteSpec, check_nameplate
from openkamp.core.errors import ImportRejected, InvalidInput
from openkamp.core.tenancy import Principal
from openkamp.platform import Platform
from openkamp.storage.metadata.migrate import upgrade
from openkamp.storage.metadata.sql import SqlMetadataStore

NAMEPLATE = "https://admin-shell.io/zvei/nameplate/2/0/Nameplate"
CONTACT = "https://admin-shell.io/zvei/nameplate/1/0/ContactInformations/ContactInformation"

#: A Korean maker's injection press (every field) and a German dryer (no phone or e-mail).
PRESS = Nameplate(
    manufacturer_name="엥겔코리아", product_designation="전동식 사출성형기",
    product_type="e-mac 180/50", serial_number="E-2019-00815", year_of_construction="2019",
    product_uri="https://www.engel.example/products/e-mac-180/E-2019-00815",
    street="경기도 안산시 단원구 산단로 123", zipcode="15434", city="안산시", country="KR",
    phone="+82 31-000-0000", email="service@engel.example",
)  # fmt: skip
DRYER = Nameplate(
    manufacturer_name="Motan GmbH", product_designation="Dehumidifying dryer",
    product_type="LUXOR A 80", serial_number="MT-77841", year_of_construction="2021",
    product_uri="urn:motan:luxor:MT-77841", street="Robert-Bosch-Str. 1", zipcode="88131",
    city="Lindau", country="DE",
)  # fmt: skip
#: Only partly known: no Digital Nameplate, but kept.
ROBOT = Nameplate(manufacturer_name="유도로보틱스", year_of_construction="2022")


def with_nameplates(sites: list[SiteSpec]) -> list[SiteSpec]:
    """``plant()`` (or the same tree) with the three nameplates above."""
    press, dryer = sites[0].lines[0].equipment
    (robot,) = sites[0].lines[1].equipment
    press.nameplate, dryer.nameplate, robot.nameplate = PRESS, DRYER, ROBOT
    return sites


def submodels_by_semantic_id(doc: dict[str, Any], sem: str) -> list[dict[str, Any]]:
    return [
        sm for sm in doc["submodels"]
        if sm.get("semanticId", {}).get("keys", [{}])[0].get("value") == sem
    ]  # fmt: skip


def _doc(sites: list[SiteSpec]) -> dict[str, Any]:
    buf = io.StringIO()
    export_json(sites, buf)
    doc: dict[str, Any] = json.loads(buf.getvalue())
    return doc


def _sem(element: dict[str, Any]) -> str:
    return str(element["semanticId"]["keys"][0]["value"])


# --------------------------------------------------------------------------- layout


def test_a_complete_nameplate_is_a_digital_nameplate_laid_out_as_the_template() -> None:
    doc = _doc(with_nameplates(plant()))
    plates = submodels_by_semantic_id(doc, NAMEPLATE)
    assert [sm["id"] for sm in plates] == [
        "urn:openkamp:sm/pyeongtaek-plant/line-1.injection/press-01/Nameplate",
        "urn:openkamp:sm/pyeongtaek-plant/line-1.injection/dryer_02/Nameplate",
    ]  # the robot's nameplate is incomplete: no submodel
    press = plates[0]
    assert press["idShort"] == "Nameplate"
    elements = {e["idShort"]: e for e in press["submodelElements"]}
    # The template's order, idShorts, kinds and ECLASS semanticIds.
    assert [(e["idShort"], e["modelType"], _sem(e)) for e in press["submodelElements"]] == [
        ("URIOfTheProduct", "Property", "0173-1#02-AAY811#001"),
        ("ManufacturerName", "MultiLanguageProperty", "0173-1#02-AAO677#002"),
        ("ManufacturerProductDesignation", "MultiLanguageProperty", "0173-1#02-AAW338#001"),
        ("ContactInformation", "SubmodelElementCollection", CONTACT),
        ("ManufacturerProductType", "MultiLanguageProperty", "0173-1#02-AAO057#002"),
        ("SerialNumber", "Property", "0173-1#02-AAM556#002"),
        ("YearOfConstruction", "Property", "0173-1#02-AAP906#001"),
    ]
    assert elements["ManufacturerName"]["value"] == [{"language": "ko", "text": "엥겔코리아"}]
    assert elements["ManufacturerProductType"]["value"] == [
        {"language": "en", "text": "e-mac 180/50"}
    ]
    assert elements["YearOfConstruction"] | {"semanticId": None} == {
        "idShort": "YearOfConstruction", "modelType": "Property", "valueType": "xs:string",
        "value": "2019", "semanticId": None,
    }  # fmt: skip
    contact = elements["ContactInformation"]["value"]
    assert [(e["idShort"], _sem(e)) for e in contact] == [
        ("NationalCode", "0173-1#02-AAO134#002"),
        ("CityTown", "0173-1#02-AAO132#002"),
        ("Phone", CONTACT + "/Phone"),
        ("Email", "0173-1#02-AAQ836#005"),
        ("Street", "0173-1#02-AAO128#002"),
        ("Zipcode", "0173-1#02-AAO129#002"),
    ]
    phone, email = contact[2]["value"], contact[3]["value"]
    assert [(e["idShort"], _sem(e), e["value"]) for e in phone] == [
        ("TelephoneNumber", "0173-1#02-AAO136#002", [{"language": "en", "text": "+82 31-000-0000"}])
    ]
    assert [(e["idShort"], _sem(e), e["value"]) for e in email] == [
        ("EmailAddress", "0173-1#02-AAO198#002", "service@engel.example")
    ]
    # The equipment's shell lists its nameplate.
    shell = next(s for s in doc["assetAdministrationShells"] if s["id"].endswith("/press-01"))
    assert press["id"] in [ref["keys"][0]["value"] for ref in shell["submodels"]]
    # No phone, no e-mail: the dryer's contact is its postal address only.
    dryer_contact = next(
        e for e in plates[1]["submodelElements"] if e["idShort"] == "ContactInformation"
    )
    assert [e["idShort"] for e in dryer_contact["value"]] == [
        "NationalCode", "CityTown", "Street", "Zipcode"
    ]  # fmt: skip


def test_equipment_without_a_complete_nameplate_gets_none() -> None:
    sites = plant()
    assert submodels_by_semantic_id(_doc(sites), NAMEPLATE) == []
    # Every required field but one: still none (the tool would reject it).
    for missing in ("manufacturer_name", "product_type", "zipcode", "country", "product_uri"):
        sites[0].lines[0].equipment[0].nameplate = Nameplate(**{**PRESS.stored(), missing: ""})
        assert PRESS.missing() == [] and sites[0].lines[0].equipment[0].nameplate.missing() == [
            missing
        ]
        assert submodels_by_semantic_id(_doc(sites), NAMEPLATE) == [], missing


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", ["json", "aasx"])
def test_import_of_the_export_keeps_every_nameplate(fmt: str) -> None:
    sites = with_nameplates(plant())
    buf = io.BytesIO()
    (export_json if fmt == "json" else export_aasx)(sites, buf)
    back = (import_json if fmt == "json" else import_aasx)(io.BytesIO(buf.getvalue()))
    assert back == sites  # the partial nameplate of the robot included
    assert back[0].lines[1].equipment[0].nameplate == ROBOT
    again = io.BytesIO()
    (export_json if fmt == "json" else export_aasx)(back, again)
    assert again.getvalue() == buf.getvalue()


_EXPORT_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from test_aas import plant
from test_aas_nameplate import with_nameplates
from openkamp.assets.aas import export_aasx, export_json
sites = with_nameplates(plant())
export_json(sites, sys.argv[1])
export_aasx(sites, sys.argv[2])
"""


def test_exports_with_nameplates_are_byte_identical_across_processes(tmp_path: Path) -> None:
    script = _EXPORT_SCRIPT.format(tests=str(Path(__file__).parent))
    outputs = []
    for seed in ("1", "2"):
        json_path, aasx_path = tmp_path / f"{seed}.json", tmp_path / f"{seed}.aasx"
        subprocess.run(
            [sys.executable, "-c", script, str(json_path), str(aasx_path)],
            check=True, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=300,
        )  # fmt: skip
        outputs.append((json_path.read_bytes(), aasx_path.read_bytes()))
    assert outputs[0] == outputs[1]
    assert b"0173-1#02-AAP906#001" in outputs[0][0]


def test_nameplates_survive_the_platform_round_trip(tmp_path: Path) -> None:
    """Stored, exported, imported into another installation, exported again: the same."""
    first = Platform.at(tmp_path / "a")
    second = Platform.at(tmp_path / "b")
    try:
        me, other = first.principal(), second.principal()
        first.assets.apply_tree(me, with_nameplates(plant()))
        stored = {e.name: e.nameplate for e in first.assets.list_nodes(me, "equipment")}
        assert stored == {"press-01": PRESS, "dryer_02": DRYER, "robot.3": ROBOT}
        buf = io.BytesIO()
        export_aasx(first.assets.export_tree(me), buf)
        second.assets.apply_tree(other, import_aasx(io.BytesIO(buf.getvalue())))
        again = io.BytesIO()
        export_aasx(second.assets.export_tree(other), again)
        assert again.getvalue() == buf.getvalue()
        # Applying the same tree again changes nothing; a tree without the nameplate clears it
        # (an import is the truth for every field of what it names, as for display names).
        assert second.assets.apply_tree(other, with_nameplates(plant())).updated == 0
        assert second.assets.apply_tree(other, plant()).updated == 3
        assert not any(e.nameplate for e in second.assets.list_nodes(other, "equipment"))
    finally:
        first.close()
        second.close()


# --------------------------------------------------------------------------- checks


def test_values_are_normalised_as_an_engineer_types_them() -> None:
    typed = check_nameplate(
        {"manufacturer_name": "  엥겔코리아 ", "year_of_construction": "２０１９",
         "country": "kr", "zipcode": "１５４３４", "product_uri": "https://x.example/p"}
    )  # fmt: skip
    assert typed == Nameplate(
        manufacturer_name="엥겔코리아", year_of_construction="2019", country="KR",
        zipcode="15434", product_uri="https://x.example/p",
    )  # fmt: skip
    # Hangul typed as jamo (some keyboards, pasted file names) is stored composed.
    assert check_nameplate({"city": "\u1100\u1161\u11bc"}).city == "강"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"year_of_construction": "19"}, "nameplate.bad.year_of_construction"),
        ({"year_of_construction": "2019-05"}, "nameplate.bad.year_of_construction"),
        ({"country": "Korea"}, "nameplate.bad.country"),
        ({"product_uri": "www.engel.example"}, "nameplate.bad.product_uri"),
        ({"product_uri": "https://x.example/a b"}, "nameplate.bad.product_uri"),
        ({"email": "service.engel.example"}, "nameplate.bad.email"),
        ({"manufacturer_name": "x" * 201}, "nameplate.too_long.manufacturer_name"),
        ({"street": "산단로\n123"}, "nameplate.bad_text.street"),
        ({"serial_number": "A\x00B"}, "nameplate.bad_text.serial_number"),
        ({"maker": "Engel"}, "nameplate.unknown_field"),
    ],
)
def test_bad_values_are_refused_with_a_code(values: dict[str, str], code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_nameplate(values)
    assert caught.value.code == code


def test_only_equipment_has_a_nameplate(kamp: Platform, me: Principal) -> None:
    site = kamp.assets.create_node(me, "site", "np-site")
    with pytest.raises(InvalidInput) as caught:
        kamp.assets.create_node(me, "line", "l", site.id, nameplate={"manufacturer_name": "x"})
    assert caught.value.code == "assets.nameplate_equipment_only"
    with pytest.raises(InvalidInput):
        kamp.assets.update_node(me, site.id, nameplate={"manufacturer_name": "x"})
    line = kamp.assets.create_node(me, "line", "l", site.id)
    eq = kamp.assets.create_node(me, "equipment", "e", line.id, nameplate=ROBOT)
    assert eq.nameplate == ROBOT and eq.nameplate.missing()
    # An update changes the fields it names and keeps the others; "" clears one.
    changed = kamp.assets.update_node(
        me, eq.id, nameplate={"product_type": "YR-MH24", "year_of_construction": ""}
    )
    assert changed.nameplate == Nameplate(manufacturer_name="유도로보틱스", product_type="YR-MH24")
    assert kamp.assets.get_node(me, eq.id).nameplate == changed.nameplate


def test_export_and_import_refuse_a_bad_nameplate() -> None:
    sites = plant()
    sites[0].lines[0].equipment[0].nameplate = Nameplate(year_of_construction="'19")
    with pytest.raises(InvalidInput, match="press-01"):
        export_json(sites, io.StringIO())
    # A file whose nameplate says something the platform would refuse is refused whole.
    doc = _doc(with_nameplates(plant()))
    plate = submodels_by_semantic_id(doc, NAMEPLATE)[0]
    year = next(e for e in plate["submodelElements"] if e["idShort"] == "YearOfConstruction")
    year["value"] = "MMXIX"
    with pytest.raises(ImportRejected, match="year"):
        import_json(io.StringIO(json.dumps(doc)))


def test_nodes_stored_before_nameplates_have_an_empty_one(tmp_path: Path) -> None:
    """Migration 0006 on a database of revision 0005 that holds equipment."""
    url = f"sqlite:///{tmp_path / 'meta.sqlite'}"
    engine = create_engine(url)
    upgrade(engine, "0005")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO orgs (id, name, created_at) VALUES (1, 'o', '2026-01-01')"))
        conn.execute(
            text(
                "INSERT INTO nodes (org_id, kind, parent_id, parent_key, name, created_at) "
                "VALUES (1, 'site', NULL, 0, 's', '2026-01-01')"
            )
        )
    engine.dispose()
    store = SqlMetadataStore(url)  # upgrades to the newest revision
    try:
        (node,) = store.find(1, "node")
        assert node["nameplate"] == {}
    finally:
        store.close()


def test_every_nameplate_error_and_label_reads_in_korean_and_english() -> None:
    """Each field has its label and its own error texts (the message names the field in the
    reader's language), with the same placeholders in both languages."""
    import string

    from openkamp.core.assets import NAMEPLATE_FIELDS, nameplate_code
    from openkamp.i18n import MESSAGES

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    keys = [f"nameplate.field.{k}" for k in NAMEPLATE_FIELDS]
    keys += [
        f"err.{nameplate_code(p, k)}" for p in ("too_long", "bad_text") for k in NAMEPLATE_FIELDS
    ]
    keys += [f"err.{nameplate_code('bad', k)}"
             for k in ("year_of_construction", "country", "product_uri", "email")]  # fmt: skip
    keys += ["err.nameplate.unknown_field", "err.nameplate.not_fields",
             "err.assets.nameplate_equipment_only"]  # fmt: skip
    for key in keys:
        text = MESSAGES[key]
        assert re.search("[가-힣]", text["ko"]) and text["en"], key
        assert fields(text["ko"]) == fields(text["en"]), key
    too_long = MESSAGES["err.nameplate.too_long.zipcode"]["ko"]
    assert too_long.format(length=201, max=200).startswith("명판의 우편번호이(가) 너무 깁니다")
