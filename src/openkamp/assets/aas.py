"""Asset Administration Shell (AAS v3) export and import of the asset model.

Conversion goes through the maintained Eclipse BaSyx SDK (``basyx.aas``), so files are written and
read by its serialisers, and imports use its *strict* (non-failsafe) decoders.

Structure written for each site (ids are ``namespace`` + a path of machine names; names only use
URI-unreserved characters, so they need no escaping):

* **Site AAS** ``{ns}aas/{site}`` (asset ``{ns}asset/{site}``, kind Instance) with one submodel
  ``HierarchicalStructures`` (semanticId of IDTA 02011 *Hierarchical Structures enabling Bills of
  Material* 1.0, ``ArcheType`` = ``Full``). Its ``EntryNode`` entity is the site; nested ``Node``
  entities are the lines (co-managed: a line has no shell of its own, so by AASd-014 it carries no
  asset id) and, inside them, the equipment (self-managed: ``globalAssetId`` points at the
  equipment's shell). Every
  parent entity carries ``HasPartNN`` relationships to its children, as the template asks.
  This submodel is the authoritative source for site / line / equipment attributes.
* **Equipment AAS** ``{ns}aas/{site}/{line}/{eq}`` (asset ``{ns}asset/{site}/{line}/{eq}``, kind
  Instance, ``assetType`` = equipment type) with two submodels:
  ``OperationalData`` (one collection per signal: ``Name``, ``ValueType``, ``Unit``, ``Range``
  (xs:double min/max), ``SamplingPeriod`` (xs:double, seconds), ``Description``) and ``Labels``
  (one collection per label column: ``Name``, ``LabelType``, ``Categories`` (ordered list of
  xs:string), ``Description``).

Conventions that make the round trip exact:

* The exact machine name is always the ``Name`` property; the idShort is only an injective,
  valid encoding of it (``Signal_temp_dpv`` for ``temp.pv``: a kind prefix, then ``_`` escapes
  ``.``/``-``/``_`` as ``_d``/``_h``/``__``). The prefix keeps user names apart from the fixed
  idShorts, and names so long that the encoding passes 128 characters end in ``_x`` + a hash.
* ``name_ko`` / ``name_en`` are the ``displayName`` (languages ``ko`` and ``en``). displayName is
  capped at 128 characters, so longer texts are also kept whole in ``NameKo`` / ``NameEn``.
* Empty strings and ``None`` numbers are simply left out; floats are written as xs:double with
  Python's shortest exact ``repr``; list order is document order (JSON arrays and XML are ordered).

AASX packages hold one XML part ``/aasx/data.xml`` (the DotAAS convention) and core properties.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

import pyecma376_2
from basyx.aas import model
from basyx.aas.adapter import aasx
from basyx.aas.adapter.json import read_aas_json_file, write_aas_json_file
from basyx.aas.model import datatypes

from openkamp.core.assets import (
    EquipmentSpec,
    LabelSpec,
    LabelType,
    LineSpec,
    SignalSpec,
    SiteSpec,
    ValueType,
    check_name,
)
from openkamp.core.errors import ImportRejected, InvalidInput

__all__ = ["export_aasx", "export_json", "import_aasx", "import_file", "import_json", "to_aas"]

PathOrFile = str | os.PathLike[str] | IO[str] | IO[bytes]

_HS = "https://admin-shell.io/idta/HierarchicalStructures/"
SEM_HIERARCHY = _HS + "1/0/Submodel"
SEM_ARCHE_TYPE = _HS + "ArcheType/1/0"
SEM_ENTRY_NODE = _HS + "EntryNode/1/0"
SEM_NODE = _HS + "Node/1/0"
SEM_HAS_PART = _HS + "HasPart/1/0"
# Our own concepts: fixed (not derived from ``namespace``) so any export can be recognised.
SEM_OPERATIONAL_DATA = "urn:openkamp:aas:OperationalData:1:0"
SEM_SIGNAL = "urn:openkamp:aas:Signal:1:0"
SEM_LABELS = "urn:openkamp:aas:Labels:1:0"
SEM_LABEL = "urn:openkamp:aas:Label:1:0"

_STR = datatypes.String
_DBL = datatypes.Double
_MAX_ID_SHORT = 128
_ESCAPES = {"_": "__", ".": "_d", "-": "_h"}
_AASX_PART = "/aasx/data.xml"
_HINT_FILE = "Export the file again with OpenKAMP, or check it with an AAS validator."


# --------------------------------------------------------------------------- export


def to_aas(sites: list[SiteSpec], *, namespace: str = "urn:openkamp:") -> model.DictIdentifiableStore:
    """Build the shells and submodels for ``sites`` (see the module docstring for the layout)."""
    _check_tree(sites)
    store: model.DictIdentifiableStore = model.DictIdentifiableStore()
    try:
        for site in sites:
            _add_site(store, site, namespace)
    except (ValueError, TypeError, KeyError, model.AASConstraintViolation) as e:
        # Only text the metamodel forbids gets here (e.g. control characters in a display name).
        raise InvalidInput(
            f"The asset tree cannot be expressed as AAS: {e}",
            hint="Remove control characters from names and descriptions.",
        ) from e
    return store


def export_json(sites: list[SiteSpec], path_or_file: PathOrFile) -> None:
    """Write ``sites`` as an AAS v3 JSON environment to a path or an open (text or binary) file."""
    write_aas_json_file(path_or_file, to_aas(sites), indent=1)


def export_aasx(sites: list[SiteSpec], path: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write ``sites`` as an AASX package (one XML part) to a path or a binary file."""
    store = to_aas(sites)  # first, so a bad tree leaves no half-written package behind
    props = pyecma376_2.OPCCoreProperties()
    props.creator = "OpenKAMP"
    props.created = datetime.datetime.now(datetime.timezone.utc)
    with aasx.AASXWriter(path, failsafe=False) as writer:
        writer.write_all_aas_objects(_AASX_PART, store, aasx.DictSupplementaryFileContainer())
        writer.write_core_properties(props)


def _check_tree(sites: Sequence[SiteSpec]) -> None:
    # Names become ids and idShorts: invalid or duplicate ones would give a broken or ambiguous file.
    _check_names(sites, "site name", "the asset tree")
    for site in sites:
        _check_names(site.lines, "line name", f"site {site.name!r}")
        for line in site.lines:
            _check_names(line.equipment, "equipment name", f"line {line.name!r}")
            for eq in line.equipment:
                _check_names(eq.signals, "signal name", f"equipment {eq.name!r}")
                _check_names(eq.labels, "label name", f"equipment {eq.name!r}")


def _check_names(items: Iterable[Any], what: str, where: str) -> None:
    seen: set[str] = set()
    for item in items:
        try:
            check_name(item.name, what)
        except InvalidInput as e:
            raise InvalidInput(f"{e.message[:-1]} in {where}.", hint=e.hint) from None
        if item.name in seen:
            raise InvalidInput(f"Duplicate {what} {item.name!r} in {where}.", hint="Names must be unique among siblings.")
        seen.add(item.name)


def _add_site(store: model.DictIdentifiableStore, site: SiteSpec, ns: str) -> None:
    sm_id = f"{ns}sm/{site.name}/HierarchicalStructures"
    lines = []
    for line in site.lines:
        line_short = _id_short("Line", line.name)
        path = ("EntryNode", line_short)
        eqs = []
        for eq in line.equipment:
            asset_id = f"{ns}asset/{site.name}/{line.name}/{eq.name}"
            _add_equipment(store, eq, asset_id, f"{ns}aas/{site.name}/{line.name}/{eq.name}",
                           f"{ns}sm/{site.name}/{line.name}/{eq.name}")
            extra = [_string("EquipmentType", eq.equipment_type)] if eq.equipment_type else []
            eqs.append(_entity(_id_short("Equipment", eq.name), eq, extra, [], sm_id, path,
                               model.EntityType.SELF_MANAGED_ENTITY, asset_id, SEM_NODE))
        lines.append(_entity(line_short, line, [], eqs, sm_id, path,
                             model.EntityType.CO_MANAGED_ENTITY, None, SEM_NODE))
    site_asset = f"{ns}asset/{site.name}"
    entry = _entity("EntryNode", site, [], lines, sm_id, ("EntryNode",),
                    model.EntityType.SELF_MANAGED_ENTITY, site_asset, SEM_ENTRY_NODE)
    arche = model.Property("ArcheType", _STR, "Full", semantic_id=_ref(SEM_ARCHE_TYPE))
    hierarchy = model.Submodel(sm_id, [arche, entry], id_short="HierarchicalStructures",
                               semantic_id=_ref(SEM_HIERARCHY))
    shell = model.AssetAdministrationShell(
        model.AssetInformation(model.AssetKind.INSTANCE, global_asset_id=site_asset),
        f"{ns}aas/{site.name}", id_short=_id_short("Site", site.name),
        display_name=_names(site)[1], submodel={model.ModelReference.from_referable(hierarchy)},
    )
    store.add(shell)
    store.add(hierarchy)


def _entity(id_short: str, spec: Any, extra: list[model.SubmodelElement], children: list[model.Entity],
            sm_id: str, path: tuple[str, ...], kind: model.EntityType, asset_id: str | None, sem: str) -> model.Entity:
    """One hierarchy node: attributes, then child nodes, then a HasPart relationship per child."""
    attrs, display = _names(spec)
    parts = [
        model.RelationshipElement(f"HasPart{i:02d}", _entity_ref(sm_id, path), _entity_ref(sm_id, (*path, c.id_short)),
                                  semantic_id=_ref(SEM_HAS_PART))
        for i, c in enumerate(children, 1)
    ]
    return model.Entity(id_short, kind, [*attrs, *extra, *children, *parts], global_asset_id=asset_id,
                        display_name=display, semantic_id=_ref(sem))


def _add_equipment(store: model.DictIdentifiableStore, eq: EquipmentSpec, asset_id: str,
                   aas_id: str, sm_base: str) -> None:
    data = model.Submodel(f"{sm_base}/OperationalData", [_signal(s) for s in eq.signals],
                          id_short="OperationalData", semantic_id=_ref(SEM_OPERATIONAL_DATA))
    labels = model.Submodel(f"{sm_base}/Labels", [_label(lb) for lb in eq.labels],
                            id_short="Labels", semantic_id=_ref(SEM_LABELS))
    info = model.AssetInformation(model.AssetKind.INSTANCE, global_asset_id=asset_id,
                                  asset_type=eq.equipment_type or None)
    store.add(model.AssetAdministrationShell(
        info, aas_id, id_short=_id_short("Equipment", eq.name), display_name=_names(eq)[1],
        submodel={model.ModelReference.from_referable(data), model.ModelReference.from_referable(labels)},
    ))
    store.add(data)
    store.add(labels)


def _signal(sig: SignalSpec) -> model.SubmodelElementCollection:
    elements, display = _names(sig)
    elements.append(_string("ValueType", ValueType(sig.value_type).value))
    if sig.unit:
        elements.append(_string("Unit", sig.unit))
    if sig.min_value is not None or sig.max_value is not None:
        elements.append(model.Range("Range", _DBL, _float(sig.min_value), _float(sig.max_value)))
    if sig.sampling_period_s is not None:
        elements.append(model.Property("SamplingPeriod", _DBL, float(sig.sampling_period_s)))
    return model.SubmodelElementCollection(_id_short("Signal", sig.name), elements, display_name=display,
                                           semantic_id=_ref(SEM_SIGNAL))


def _label(label: LabelSpec) -> model.SubmodelElementCollection:
    elements, display = _names(label)
    elements.append(_string("LabelType", LabelType(label.label_type).value))
    if label.categories:
        # A list, not a collection: categories are ordered and need no idShorts.
        values = [model.Property(None, _STR, str(c)) for c in label.categories]
        elements.append(model.SubmodelElementList("Categories", model.Property, values,
                                                  value_type_list_element=_STR))
    return model.SubmodelElementCollection(_id_short("Label", label.name), elements, display_name=display,
                                           semantic_id=_ref(SEM_LABEL))


def _names(spec: Any) -> tuple[list[model.SubmodelElement], model.MultiLanguageNameType | None]:
    """``Name``/``Description`` properties and the ko/en displayName shared by every spec type."""
    elements: list[model.SubmodelElement] = [_string("Name", spec.name)]
    if spec.description:
        elements.append(_string("Description", spec.description))
    display: dict[str, str] = {}
    for lang, text, id_short in (("ko", spec.name_ko, "NameKo"), ("en", spec.name_en, "NameEn")):
        if text:
            display[lang] = text[:_MAX_ID_SHORT]
            if len(text) > _MAX_ID_SHORT:  # displayName is capped at 128 characters
                elements.append(_string(id_short, text))
    return elements, (model.MultiLanguageNameType(display) if display else None)


def _id_short(prefix: str, name: str) -> str:
    """Injective map from a machine name to a valid idShort (letters, digits, ``_``; ≤ 128)."""
    s = prefix + "_" + "".join(_ESCAPES.get(c, c) for c in name)
    if len(s) > _MAX_ID_SHORT:
        # "_x" never occurs in the plain encoding, so shortened ids cannot collide with plain ones.
        s = s[: _MAX_ID_SHORT - 14] + "_x" + hashlib.sha1(name.encode()).hexdigest()[:12]
    return s


def _string(id_short: str, value: str) -> model.Property:
    return model.Property(id_short, _STR, value)


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def _ref(iri: str) -> model.ExternalReference:
    return model.ExternalReference((model.Key(model.KeyTypes.GLOBAL_REFERENCE, iri),))


def _entity_ref(sm_id: str, path: tuple[str, ...]) -> model.ModelReference[model.Entity]:
    keys = (model.Key(model.KeyTypes.SUBMODEL, sm_id), *(model.Key(model.KeyTypes.ENTITY, p) for p in path))
    return model.ModelReference(keys, model.Entity)


# --------------------------------------------------------------------------- import


def import_json(path_or_file: PathOrFile) -> list[SiteSpec]:
    """Read an AAS v3 JSON environment written by :func:`export_json` (or laid out the same way)."""
    where = _label_of(path_or_file)
    try:
        store = read_aas_json_file(path_or_file, failsafe=False)
    except OSError as e:
        raise ImportRejected(f"Cannot read {where}: {e.strerror or e}.", hint="Check the path.") from e
    except Exception as e:  # noqa: BLE001 - the strict decoder signals bad input with many types
        raise ImportRejected(f"{where} is not a valid AAS v3 JSON file: {_short(e)}", hint=_HINT_FILE) from e
    return _from_store(store, where)


def import_aasx(path: str | os.PathLike[str] | IO[bytes]) -> list[SiteSpec]:
    """Read an AASX package written by :func:`export_aasx` (or laid out the same way)."""
    where = _label_of(path)
    store: model.DictIdentifiableStore = model.DictIdentifiableStore()
    try:
        with aasx.AASXReader(path, failsafe=False) as reader:
            reader.read_into(store, aasx.DictSupplementaryFileContainer())
    except OSError as e:
        raise ImportRejected(f"Cannot read {where}: {e.strerror or e}.", hint="Check the path.") from e
    except Exception as e:  # noqa: BLE001 - zip, OPC and AAS parsers each raise their own types
        raise ImportRejected(f"{where} is not a valid AASX package: {_short(e)}", hint=_HINT_FILE) from e
    return _from_store(store, where)


def import_file(path: str | os.PathLike[str]) -> list[SiteSpec]:
    """Import ``.json`` or ``.aasx`` by extension."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return import_json(path)
    if suffix == ".aasx":
        return import_aasx(path)
    raise ImportRejected(
        f"Cannot import {os.fspath(path)!r} as an Asset Administration Shell: unsupported file type {suffix or '(none)'!r}.",
        hint="Use an AAS v3 JSON environment (.json) or an AASX package (.aasx).",
    )


def _from_store(store: model.DictIdentifiableStore, where: str) -> list[SiteSpec]:
    if not len(store):
        raise ImportRejected(f"{where} contains no AAS shells or submodels.", hint=_HINT_FILE)
    shells = {}
    for obj in store:
        if isinstance(obj, model.AssetAdministrationShell) and obj.asset_information.global_asset_id:
            shells.setdefault(obj.asset_information.global_asset_id, obj)
    hierarchies = [o for o in store if isinstance(o, model.Submodel) and _is(o, SEM_HIERARCHY)]
    if not hierarchies:
        raise ImportRejected(
            f"{where} has no asset hierarchy: no submodel with semanticId {SEM_HIERARCHY}.",
            hint="OpenKAMP reads sites, lines and equipment from an IDTA 'HierarchicalStructures' submodel; "
            + _HINT_FILE,
        )
    sites = [_site(sm, store, shells) for sm in hierarchies]
    try:
        _check_tree(sites)  # the export rules, so whatever we import can be exported again
    except InvalidInput as e:
        raise ImportRejected(f"Invalid OpenKAMP AAS file {where}: {e.message}", hint=e.hint) from e
    return sites


def _site(sm: model.Submodel, store: model.DictIdentifiableStore, shells: dict[str, Any]) -> SiteSpec:
    entries = [e for e in sm.submodel_element if isinstance(e, model.Entity) and _is(e, SEM_ENTRY_NODE)]
    if len(entries) != 1:
        _reject(f"submodel {sm.id!r} must hold exactly one EntryNode entity (found {len(entries)})")
    entry = entries[0]
    site = SiteSpec(**_common(entry, f"site entity in {sm.id!r}"))
    for line_entity in _children(entry):
        line = LineSpec(**_common(line_entity, f"line {line_entity.id_short!r} of site {site.name!r}"))
        for eq_entity in _children(line_entity):
            line.equipment.append(_equipment(eq_entity, store, shells, f"line {line.name!r}"))
        site.lines.append(line)
    return site


def _equipment(entity: model.Entity, store: model.DictIdentifiableStore, shells: dict[str, Any],
               where: str) -> EquipmentSpec:
    what = f"equipment {entity.id_short!r} of {where}"
    eq = EquipmentSpec(**_common(entity, what), equipment_type=_text(_elements(entity.statement), "EquipmentType", what))
    shell = shells.get(entity.global_asset_id)
    if shell is None:
        _reject(f"no AAS for {what}: no shell has globalAssetId {entity.global_asset_id!r}")
    submodels = [store.get(ref.key[0].value) for ref in shell.submodel]
    eq.signals = [_signal_from(smc, what) for smc in _collections(_pick(submodels, SEM_OPERATIONAL_DATA, what))]
    eq.labels = [_label_from(smc, what) for smc in _collections(_pick(submodels, SEM_LABELS, what))]
    return eq


def _signal_from(smc: model.SubmodelElementCollection, where: str) -> SignalSpec:
    what = f"signal {smc.id_short!r} of {where}"
    elements = _elements(smc.value)
    rng = elements.get("Range")
    if rng is not None and not isinstance(rng, model.Range):
        _reject(f"'Range' of {what} must be a Range element")
    return SignalSpec(
        **_common(smc, what),
        unit=_text(elements, "Unit", what),
        value_type=_enum(ValueType, _text(elements, "ValueType", what, required=True), what),
        min_value=_number(rng.min if rng else None, what),
        max_value=_number(rng.max if rng else None, what),
        sampling_period_s=_number(_value(elements, "SamplingPeriod", what), what),
    )


def _label_from(smc: model.SubmodelElementCollection, where: str) -> LabelSpec:
    what = f"label {smc.id_short!r} of {where}"
    elements = _elements(smc.value)
    categories = elements.get("Categories")
    values: list[str] = []
    if categories is not None:
        if not isinstance(categories, model.SubmodelElementList):
            _reject(f"'Categories' of {what} must be a SubmodelElementList")
        for item in categories.value:
            if not (isinstance(item, model.Property) and isinstance(item.value, str)):
                _reject(f"every category of {what} must be an xs:string Property")
            values.append(item.value)
    return LabelSpec(
        **_common(smc, what),
        label_type=_enum(LabelType, _text(elements, "LabelType", what, required=True), what),
        categories=values,
    )


def _common(referable: Any, what: str) -> dict[str, str]:
    """Read what :func:`_names` wrote: name, description, name_ko and name_en."""
    elements = _elements(referable.value if isinstance(referable, model.SubmodelElementCollection)
                         else referable.statement)
    display = dict(referable.display_name or {})
    return {
        "name": _text(elements, "Name", what, required=True),
        "name_ko": _text(elements, "NameKo", what) or display.get("ko", ""),
        "name_en": _text(elements, "NameEn", what) or display.get("en", ""),
        "description": _text(elements, "Description", what),
    }


def _children(entity: model.Entity) -> list[model.Entity]:
    return [e for e in entity.statement if isinstance(e, model.Entity) and _is(e, SEM_NODE)]


def _collections(sm: model.Submodel) -> list[model.SubmodelElementCollection]:
    return [e for e in sm.submodel_element if isinstance(e, model.SubmodelElementCollection)]


def _pick(submodels: list[Any], sem: str, what: str) -> model.Submodel:
    for sm in submodels:
        if isinstance(sm, model.Submodel) and _is(sm, sem):
            return sm
    _reject(f"the AAS of {what} has no submodel with semanticId {sem}")


def _elements(elements: Iterable[model.SubmodelElement]) -> dict[str, model.SubmodelElement]:
    return {e.id_short: e for e in elements if e.id_short is not None}


def _value(elements: dict[str, model.SubmodelElement], id_short: str, what: str) -> Any:
    element = elements.get(id_short)
    if element is None:
        return None
    if not isinstance(element, model.Property):
        _reject(f"{id_short!r} of {what} must be a Property")
    return element.value


def _text(elements: dict[str, model.SubmodelElement], id_short: str, what: str, required: bool = False) -> str:
    value = _value(elements, id_short, what)
    if value is None and required:
        _reject(f"{what} has no {id_short!r} property")
    if value is not None and not isinstance(value, str):
        _reject(f"{id_short!r} of {what} must be an xs:string Property")
    return value or ""


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        _reject(f"{what} has a non-numeric value {value!r} where xs:double is expected")
    return float(value)


def _enum(enum: Any, value: str, what: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        _reject(f"{what} has unknown {enum.__name__} {value!r} (valid: {', '.join(m.value for m in enum)})")


def _is(obj: model.HasSemantics, iri: str) -> bool:
    return obj.semantic_id is not None and any(k.value == iri for k in obj.semantic_id.key)


def _reject(problem: str) -> NoReturn:
    raise ImportRejected(f"Invalid OpenKAMP AAS file: {problem}.", hint=_HINT_FILE)


def _label_of(path_or_file: Any) -> str:
    """How messages name the file: its path, or the name of an open file if it has one."""
    name = path_or_file if isinstance(path_or_file, str | os.PathLike) else getattr(path_or_file, "name", None)
    return repr(os.fspath(name)) if isinstance(name, str | os.PathLike) else "the file"


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."
