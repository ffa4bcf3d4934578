"""The AAS exports checked by tools that are not ours: IDTA's aas-test-engines (the official
test tool), aas-core3.0 (the AAS V3.0 reference SDK: strict de-serialisation and every metamodel
constraint) and ucumvert (a UCUM grammar). A round trip through basyx alone would not catch a
file that basyx writes and reads but the standard forbids (empty arrays, a 3.1 namespace)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import urllib.parse
import zipfile
from pathlib import Path
from typing import Any

import pytest
from aas_core3 import jsonization, verification, xmlization
from aas_test_engines import file as test_engines
from aas_test_engines.result import AasTestResult, Level
from test_aas import plant
from test_aas_nameplate import NAMEPLATE, submodels_by_semantic_id, with_nameplates
from ucumvert import InvalidUcumError, get_ucum_parser, parse_ucum

from openkamp.assets.aas import export_aasx, export_json, import_aasx, import_json
from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.core.tenancy import Principal
from openkamp.platform import Platform
from openkamp.sim import Factory

AAS_30 = "https://admin-shell.io/aas/3/0"
IEC_61360 = "https://admin-shell.io/DataSpecificationTemplates/DataSpecificationIec61360/3"
TIME_SERIES = "https://admin-shell.io/idta/TimeSeries/1/1"
LINKED_SEGMENT = "https://admin-shell.io/idta/TimeSeries/Segments/LinkedSegment/1/1"


def realistic(kamp: Platform, me: Principal) -> list[SiteSpec]:
    """The simulated factory and the injection-moulding plant, stored and read back as the CLI
    and the API export them."""
    kamp.assets.apply_tree(me, [Factory(seed=11).asset_model(), *plant()])
    return kamp.assets.export_tree(me)


def problems(result: AasTestResult, path: str = "") -> list[str]:
    """Every finding of aas-test-engines at WARNING level or above, with where it was found."""
    here = f"{path} / {result.message}" if path else result.message
    found = [here] if result.level != Level.INFO and not result.sub_results else []
    for sub in result.sub_results:
        found += problems(sub, here)
    return found


def only_unknown_templates(findings: list[str]) -> list[str]:
    """The tool warns about every submodel whose template it does not know (it knows the Digital
    Nameplate and Contact Information only); anything else is a real finding."""
    return [f for f in findings if "Unknown semantic id" not in f]


def test_json_export_passes_the_aas_test_engines(
    kamp: Platform, me: Principal, tmp_path: Path
) -> None:
    path = tmp_path / "plant.json"
    export_json(realistic(kamp, me), path)
    with path.open("rb") as f:
        result = test_engines.check_json_file(f)
    assert result.ok(), "\n".join(problems(result))
    assert only_unknown_templates(problems(result)) == []


def test_aasx_export_passes_the_aas_test_engines(
    kamp: Platform, me: Principal, tmp_path: Path
) -> None:
    path = tmp_path / "plant.aasx"
    export_aasx(realistic(kamp, me), path)
    with path.open("rb") as f:
        result = test_engines.check_aasx_file(f)
    assert result.ok(), "\n".join(problems(result))
    assert only_unknown_templates(problems(result)) == []
    # The version the tool checks is the version the file declares.
    assert test_engines.latest_version() == "3.0"
    assert f'xmlns="{AAS_30}"'.encode() in _aas_part(path.read_bytes())


def test_exports_verify_with_aas_core_3_0(kamp: Platform, me: Principal) -> None:
    sites = realistic(kamp, me)
    text = io.StringIO()
    export_json(sites, text)
    env = jsonization.environment_from_jsonable(json.loads(text.getvalue()))
    assert [f"{e.path}: {e.cause}" for e in verification.verify(env)] == []
    assert len(env.concept_descriptions or []) > 0

    package = io.BytesIO()
    export_aasx(sites, package)
    xml_env = xmlization.environment_from_str(_aas_part(package.getvalue()).decode())
    assert [f"{e.path}: {e.cause}" for e in verification.verify(xml_env)] == []
    # The XML part and the JSON file are one environment.
    assert jsonization.to_jsonable(xml_env) == jsonization.to_jsonable(env)


# --------------------------------------------------------------------------- Digital Nameplate


def template_checks(result: AasTestResult) -> dict[str, list[str]]:
    """The tool's submodel template checks: for each submodel it checked against a template it
    knows, the messages it gave (the template's name first, then any finding)."""
    out: dict[str, list[str]] = {}
    for sub in result.sub_results:
        if sub.message.startswith("Check submodel '"):
            out[sub.message.split("'")[1]] = [f"{r.level.name}: {r.message}" for r in _flat(sub)]
    return out


def _flat(result: AasTestResult) -> list[AasTestResult]:
    return [r for sub in result.sub_results for r in (sub, *_flat(sub))]


@pytest.mark.parametrize("fmt", ["json", "aasx"])
def test_exports_with_nameplates_pass_the_digital_nameplate_checks(
    kamp: Platform, me: Principal, tmp_path: Path, fmt: str
) -> None:
    """Nameplates stored on the platform and exported as the API and the CLI do: each complete
    one is a Digital Nameplate submodel that the tool checks against its IDTA 02006-2-0
    template without a finding."""
    kamp.assets.apply_tree(me, [Factory(seed=11).asset_model(), *with_nameplates(plant())])
    sites = kamp.assets.export_tree(me)
    path = tmp_path / f"plant.{fmt}"
    (export_json if fmt == "json" else export_aasx)(sites, path)
    check = test_engines.check_json_file if fmt == "json" else test_engines.check_aasx_file
    with path.open("rb") as f:
        result = check(f)
    assert result.ok(), "\n".join(problems(result))
    assert only_unknown_templates(problems(result)) == []
    env = _environment(path, fmt)
    plates = [sm["id"] for sm in submodels_by_semantic_id(env, NAMEPLATE)]
    assert len(plates) == 2  # the press and the dryer; the robot's nameplate is incomplete
    checks = template_checks(_aas_result(result, fmt))
    for sm_id in plates:
        assert checks[sm_id] == [f"INFO: Template: DigitalNameplate ({NAMEPLATE})"], sm_id


def test_the_tool_refuses_a_nameplate_without_a_required_element() -> None:
    """The check above can fail: the same export without the year of construction (which the
    template requires) is refused by the tool."""
    buf = io.StringIO()
    export_json(with_nameplates(plant()), buf)
    doc = json.loads(buf.getvalue())
    plate = submodels_by_semantic_id(doc, NAMEPLATE)[0]
    plate["submodelElements"] = [
        e for e in plate["submodelElements"] if e["idShort"] != "YearOfConstruction"
    ]
    result = test_engines.check_json_data(doc)
    assert not result.ok()
    assert any(
        "found 0 elements with semanticId 0173-1#02-AAP906#001, but at least 1 required" in p
        for p in problems(result)
    )


def _environment(path: Path, fmt: str) -> dict[str, Any]:
    if fmt == "json":
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return doc
    env = xmlization.environment_from_str(_aas_part(path.read_bytes()).decode())
    jsonable: dict[str, Any] = jsonization.to_jsonable(env)
    return jsonable


def _aas_result(result: AasTestResult, fmt: str) -> AasTestResult:
    """The result of the environment's checks (for a package: of its AAS part)."""
    if fmt == "json":
        return result
    (part,) = [r for r in _flat(result) if any(
        s.message.startswith("Check submodel '") for s in r.sub_results
    )]  # fmt: skip
    return part


def _aas_part(aasx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(aasx)) as z:
        return z.read("aasx/data.xml")


# --------------------------------------------------------------------------- byte-identical

_EXPORT_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from test_aas import plant
from openkamp.assets.aas import export_aasx, export_json
from openkamp.sim import Factory
sites = [Factory(seed=11).asset_model(), *plant()]
export_json(sites, sys.argv[1])
export_aasx(sites, sys.argv[2])
"""


def test_export_is_byte_identical_across_runs_and_round_trips(tmp_path: Path) -> None:
    # Two processes with different hash seeds: set and dict orders that depend on hashing
    # (the shells' submodel references were a set) show up as different bytes.
    script = _EXPORT_SCRIPT.format(tests=str(Path(__file__).parent))
    outputs = []
    for seed in ("1", "2"):
        json_path, aasx_path = tmp_path / f"{seed}.json", tmp_path / f"{seed}.aasx"
        subprocess.run(
            [sys.executable, "-c", script, str(json_path), str(aasx_path)],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=300,
        )
        outputs.append((json_path.read_bytes(), aasx_path.read_bytes()))
    (json1, aasx1), (json2, aasx2) = outputs
    assert json1 == json2
    assert aasx1 == aasx2

    # Import, export again: the same bytes (nothing in the file depends on the clock).
    again = io.BytesIO()
    export_json(import_json(io.BytesIO(json1)), again)
    assert again.getvalue() == json1
    again = io.BytesIO()
    export_aasx(import_aasx(io.BytesIO(aasx1)), again)
    assert again.getvalue() == aasx1


# --------------------------------------------------------------------------- UCUM and semantics


def _jsonable(sites: list[SiteSpec], **options: Any) -> dict[str, Any]:
    buf = io.StringIO()
    export_json(sites, buf, **options)
    doc: dict[str, Any] = json.loads(buf.getvalue())
    return doc


def _iec61360(cd: dict[str, Any]) -> dict[str, Any]:
    (spec,) = cd["embeddedDataSpecifications"]
    assert spec["dataSpecification"]["keys"][0]["value"] == IEC_61360
    content: dict[str, Any] = spec["dataSpecificationContent"]
    return content


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_units_are_valid_ucum_and_signals_have_iec_61360_concepts(
    kamp: Platform, me: Principal
) -> None:
    sites = realistic(kamp, me)
    extra = [SignalSpec("bananas", unit="bananas/h"), SignalSpec("ratio")]
    sites.append(
        SiteSpec("odd", lines=[LineSpec("l", equipment=[EquipmentSpec("e", signals=extra)])])
    )
    doc = _jsonable(sites)
    cds = {cd["id"]: cd for cd in doc.get("conceptDescriptions", [])}
    parser = get_ucum_parser()

    signals = [s for site in sites for ln in site.lines for e in ln.equipment for s in e.signals]
    collections = [
        n for n in _walk(doc) if n.get("modelType") == "SubmodelElementCollection"
        and n.get("idShort", "").startswith("Signal_")
    ]  # fmt: skip
    assert len(collections) == len(signals)
    units_checked = 0
    for smc in collections:
        refs = [r["keys"][0]["value"] for r in smc.get("supplementalSemanticIds", [])]
        (cd_id,) = [r for r in refs if r in cds]
        content = _iec61360(cds[cd_id])
        assert {ls["language"] for ls in content["preferredName"]} >= {"en"}
        display = (
            next(p["value"] for p in smc["value"] if p["idShort"] == "Unit")
            if any(p["idShort"] == "Unit" for p in smc["value"])
            else ""
        )
        if "unit" in content:
            parse_ucum(content["unit"], parser)  # raises on anything that is not UCUM
            units_checked += 1
        else:  # no unit, or one that has no UCUM code: the display text stays, nothing invented
            assert display in ("", "bananas/h")
    # Every signal of the factory with a unit has its UCUM code (°C, rpm, m³/h, N·m included).
    assert units_checked == sum(1 for s in signals if s.unit) - 1
    by_display = {}
    for smc in collections:
        values = {p["idShort"]: p.get("value") for p in smc["value"]}
        refs = [r["keys"][0]["value"] for r in smc.get("supplementalSemanticIds", [])]
        (cd_id,) = [r for r in refs if r in cds]
        by_display[values.get("Unit")] = _iec61360(cds[cd_id]).get("unit")
    assert by_display["°C"] == "Cel" and by_display["rpm"] == "/min"
    assert by_display["m³/h"] == "m3/h" and by_display["N·m"] == "N.m"
    with pytest.raises(InvalidUcumError):  # the display texts themselves are not UCUM
        parse_ucum("°C", parser)


def test_time_series_links_every_signal_to_the_data_api(kamp: Platform, me: Principal) -> None:
    sites = realistic(kamp, me)
    doc = _jsonable(sites, data_api="https://kamp.example/api/v1/data")
    cds = {cd["id"] for cd in doc.get("conceptDescriptions", [])}
    series = [sm for sm in doc["submodels"] if sm["semanticId"]["keys"][0]["value"] == TIME_SERIES]
    equipment = {
        f"{site.name}/{ln.name}/{e.name}": e for site in sites for ln in site.lines
        for e in ln.equipment
    }  # fmt: skip
    assert len(series) == len(equipment)
    for sm in series:
        elements = {e["idShort"]: e for e in sm["submodelElements"]}
        record = {e["idShort"]: e for e in elements["Metadata"]["value"]}["Record"]
        variables = [v for v in record["value"] if v["idShort"] != "Time"]
        # Each variable's semanticId names the signal's concept description.
        assert all(v["semanticId"]["keys"][0]["value"] in cds for v in variables)
        (segment,) = elements["Segments"]["value"]
        assert segment["semanticId"]["keys"][0]["value"] == LINKED_SEGMENT
        fields = {e["idShort"]: e.get("value") for e in segment["value"]}
        assert fields["Endpoint"] == "https://kamp.example/api/v1/data/range"
        query = urllib.parse.parse_qsl(fields["Query"], strict_parsing=True)
        assert {k for k, _ in query} == {"signal"}
        paths = [v for _, v in query]
        eq_path = paths[0].rsplit("/", 1)[0]
        assert [p.rsplit("/", 1)[1] for p in paths] == [s.name for s in equipment[eq_path].signals]
        assert len(variables) == len(paths)


# --------------------------------------------------------------------------- identifiers


def _ids(path: Path) -> set[str]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return {n["id"] for n in _walk(doc) if "id" in n and "modelType" in n}


def _cli(data: Path, *args: str, **env: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "openkamp.cli.main", *args],
        check=True,
        capture_output=True,
        env={**os.environ, "OPENKAMP_DATA_DIR": str(data), **env},
        timeout=300,
    )


def test_two_factories_with_a_site_of_the_same_name_export_different_ids(tmp_path: Path) -> None:
    # Two installations, each with its default organisation and a site named plant1.
    for name in ("a", "b"):
        _cli(tmp_path / name, "assets", "add", "site", "plant1")
        _cli(tmp_path / name, "assets", "add", "line", "plant1/line1")
        _cli(tmp_path / name, "assets", "add", "equipment", "plant1/line1/press01")
        _cli(tmp_path / name, "assets", "export", str(tmp_path / f"{name}.json"))
    a, b = _ids(tmp_path / "a.json"), _ids(tmp_path / "b.json")
    assert a and b and not a & b
    # Exporting again keeps the ids (they are identifiers, not timestamps).
    _cli(tmp_path / "a", "assets", "export", str(tmp_path / "a2.json"))
    assert _ids(tmp_path / "a2.json") == a

    # An organisation with its own domain names its prefix; it is used as given.
    prefixes = json.dumps({"default": "https://aas.acme.example/ids/"})
    _cli(tmp_path / "a", "assets", "export", str(tmp_path / "own.json"),
         OPENKAMP_AAS_ID_PREFIXES=prefixes)  # fmt: skip
    own = _ids(tmp_path / "own.json")
    assert own and all(i.startswith("https://aas.acme.example/ids/") for i in own)


def test_two_organisations_of_one_installation_export_different_ids(
    kamp: Platform, tmp_path: Path
) -> None:
    from openkamp.assets.aas import export_context

    tree = [SiteSpec("plant1", lines=[LineSpec("line1", equipment=[EquipmentSpec("press01")])])]
    ids = []
    for org in ("alpha", "beta"):
        me = kamp.principal(org)
        kamp.assets.apply_tree(me, tree)
        path = tmp_path / f"{org}.json"
        export_json(kamp.assets.export_tree(me), path, **export_context(kamp, me))
        ids.append(_ids(path))
    assert ids[0] and ids[1] and not ids[0] & ids[1]


def test_id_prefix_and_public_url_settings() -> None:
    import datetime

    from pydantic import ValidationError

    from openkamp.assets.aas import default_namespace
    from openkamp.settings import Settings

    with pytest.raises(ValidationError, match="not an absolute IRI or URN"):
        Settings(aas_id_prefixes={"default": "acme factory"})
    with pytest.raises(ValidationError, match="http"):
        Settings(public_url="kamp.factory.example")
    s = Settings(aas_id_prefixes={"a": "https://x.example/ids"}, public_url="https://k.example/")
    assert s.aas_id_prefixes == {"a": "https://x.example/ids/"}  # ids never glue to the prefix
    assert s.public_url == "https://k.example"

    # The derived prefix: the same organisation record gives the same prefix whatever the
    # time zone the store returns; another creation time gives another one.
    t = datetime.datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=datetime.UTC)
    kst = t.astimezone(datetime.timezone(datetime.timedelta(hours=9)))
    assert default_namespace("default", t) == default_namespace("default", kst)
    assert default_namespace("default", t) != default_namespace(
        "default", t + datetime.timedelta(microseconds=1)
    )
    assert default_namespace("공장", t).startswith("urn:openkamp:%EA%B3%B5%EC%9E%A5.")
