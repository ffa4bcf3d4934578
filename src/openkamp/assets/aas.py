"""Asset Administration Shell (AAS V3.0) export and import of the asset model.

Shells and submodels are built with the Eclipse BaSyx SDK (``basyx.aas``) and written as AAS 3.0
through aas-core3.0, which verifies every metamodel constraint first (:mod:`.aas_files`: why, and
how the bytes stay the same from one export to the next). Imports use basyx's *strict* decoders,
then check the OpenKAMP layout below.

Identifiers are ``namespace`` + a path of machine names (URI-unreserved characters, or Hangul,
which an IRI may hold). The platform's exports take the namespace from :func:`export_context`:
the organisation's configured prefix (setting ``aas_id_prefixes``), else one derived from the
organisation and the moment it was created, so that two factories that both call a site
``plant1`` never export the same ids.

Layout per site:

* **Site AAS** ``{ns}aas/{site}`` (asset ``{ns}asset/{site}``, kind Instance) with the submodel
  ``HierarchicalStructures``: semanticIds of IDTA 02011 *Hierarchical Structures enabling Bills of
  Material* 1.0, ``ArcheType`` = ``Full``. Its ``EntryNode`` entity is the site; nested ``Node``
  entities are the lines (co-managed: a line has no shell of its own, so by AASd-014 it carries no
  asset id) and, inside them, the equipment (self-managed: ``globalAssetId`` names the asset of the
  equipment's shell). Each parent has ``HasPartNN`` relationships to its children, as the template
  asks. This submodel is the authoritative source for site, line and equipment attributes.
* **Equipment AAS** ``{ns}aas/{site}/{line}/{eq}`` (asset ``{ns}asset/{site}/{line}/{eq}``, kind
  Instance, ``assetType`` = equipment type) with the submodels ``OperationalData`` (one
  collection per signal: ``Name``, ``ValueType``, ``Unit`` (the display text), ``Range``
  (xs:double min/max), ``SamplingPeriod`` (xs:double, seconds), ``Description``), ``Labels`` (one
  collection per label column: ``Name``, ``LabelType``, ``Categories`` (ordered list of
  xs:string), ``Description``) and, for a machine with signals, ``TimeSeries`` (IDTA 02008). Each
  signal has an IEC 61360 concept description with its UCUM unit (:mod:`.aas_semantics`).
  OperationalData and Labels carry OpenKAMP semanticIds (``urn:openkamp:aas:…``). A machine
  whose nameplate is complete also has the submodel ``Nameplate``, the IDTA 02006-2-0 Digital
  Nameplate (:mod:`.aas_nameplate`; a partly filled one is kept in its hierarchy entity).

Rules that make ``import(export(x)) == x`` exact:

* The machine name is always the ``Name`` property. The idShort is only a valid, injective
  encoding of it: a kind prefix (so names never clash with fixed idShorts, and start with a
  letter), then ``_`` escapes ``_``/``.``/``-`` as ``__``/``_d``/``_h`` (``temp.pv`` →
  ``Signal_temp_dpv``) and non-ASCII letters as ``_u`` + six hex digits (``온도`` →
  ``Signal__u00c628_u00b3c4``). Encodings past 128 characters are cut and end in ``_x`` + a hash.
* ``name_ko`` / ``name_en`` are the ``displayName`` in languages ``ko`` / ``en``. displayName is
  capped at 128 characters, so longer texts are also kept whole in ``NameKo`` / ``NameEn``.
* Empty strings and ``None`` numbers are left out. Floats are xs:double in Python's shortest
  exact ``repr``. Order is document order (JSON arrays and XML elements are ordered).

AASX packages hold one XML part, ``/aasx/data.xml`` (the DotAAS convention), and core properties.
Import needs only this layout, not the namespace; a file without any site hierarchy is rejected.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypedDict, TypeVar

from basyx.aas import model
from basyx.aas.model import datatypes

from openkamp.assets import aas_files
from openkamp.assets.aas_nameplate import (
    SEM_NAMEPLATE,
    SEM_NAMEPLATE_DRAFT,
    NameplateError,
    nameplate_draft,
    nameplate_submodel,
    read_nameplate,
)
from openkamp.assets.aas_semantics import global_ref, signal_concept, time_series
from openkamp.core.assets import (
    EquipmentSpec,
    LabelSpec,
    LabelType,
    LineSpec,
    SignalSpec,
    SiteSpec,
    ValueType,
    check_name,
    check_nameplate,
)
from openkamp.core.errors import ImportRejected, InvalidInput

if TYPE_CHECKING:
    from openkamp.core.tenancy import Principal
    from openkamp.platform import Platform

__all__ = [
    "ExportContext",
    "default_namespace",
    "export_aasx",
    "export_context",
    "export_json",
    "import_aasx",
    "import_file",
    "import_json",
    "to_aas",
]

_T = TypeVar("_T")
PathOrFile = str | os.PathLike[str] | IO[str] | IO[bytes]

_HS = "https://admin-shell.io/idta/HierarchicalStructures/"
SEM_HIERARCHY = _HS + "1/0/Submodel"
SEM_ARCHE_TYPE = _HS + "ArcheType/1/0"
SEM_ENTRY_NODE = _HS + "EntryNode/1/0"
SEM_NODE = _HS + "Node/1/0"
SEM_HAS_PART = _HS + "HasPart/1/0"
# Fixed rather than derived from ``namespace``, so any OpenKAMP export is recognised on import.
SEM_OPERATIONAL_DATA = "urn:openkamp:aas:OperationalData:1:0"
SEM_SIGNAL = "urn:openkamp:aas:Signal:1:0"
SEM_LABELS = "urn:openkamp:aas:Labels:1:0"
SEM_LABEL = "urn:openkamp:aas:Label:1:0"

#: The namespace of a bare library call; the platform's exports use :func:`export_context`.
NAMESPACE = "urn:openkamp:"
#: Where the platform serves signal data (``openkamp.api``: ``/api/v1`` + the data router).
DATA_API = "/api/v1/data"

_SUBMODEL_SEMANTICS = {
    "HierarchicalStructures": SEM_HIERARCHY,
    "OperationalData": SEM_OPERATIONAL_DATA,
    "Labels": SEM_LABELS,
}
_STR = datatypes.String
_DBL = datatypes.Double
_MAX_NAME = 128  # the metamodel's limit for idShort and displayName texts
_ESCAPES = {"_": "__", ".": "_d", "-": "_h"}
# AASd-130: the characters any AAS string may hold (XML 1.0 characters)
_TEXT_RE = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
_HINT = "Export the file again with OpenKAMP, or check it with an AAS v3 validator."


class _Common(TypedDict):
    """The fields every spec type has, as :func:`_names` writes them."""

    name: str
    name_ko: str
    name_en: str
    description: str


class _Bad(Exception):
    """A layout problem found on import; :func:`_from_store` adds the file name."""


# --------------------------------------------------------------------------- export


def to_aas(
    sites: list[SiteSpec], *, namespace: str = NAMESPACE, data_api: str = DATA_API
) -> model.DictIdentifiableStore:
    """Build the shells, submodels and concept descriptions for ``sites`` (layout in the module
    docstring); ``data_api`` is the URL of the platform's data API the time series link to."""
    _check_tree(sites)
    store: model.DictIdentifiableStore = model.DictIdentifiableStore()
    try:
        for site in sites:
            _add_site(store, site, namespace, data_api)
    except (ValueError, model.AASConstraintViolation) as e:
        # Values the metamodel forbids (control characters in a text, an unknown value type).
        raise InvalidInput(
            f"The asset tree cannot be written as AAS: {e}",
            hint="Fix that value; AAS texts may not contain control characters.",
        ) from e
    return store


def export_json(
    sites: list[SiteSpec],
    path_or_file: PathOrFile,
    *,
    namespace: str = NAMESPACE,
    data_api: str = DATA_API,
) -> None:
    """Write ``sites`` as an AAS 3.0 JSON environment to a path or an open text/binary file."""
    env = aas_files.to_environment(to_aas(sites, namespace=namespace, data_api=data_api))
    aas_files.write_json(env, path_or_file)


def export_aasx(
    sites: list[SiteSpec],
    path: str | os.PathLike[str] | IO[bytes],
    *,
    namespace: str = NAMESPACE,
    data_api: str = DATA_API,
) -> None:
    """Write ``sites`` as an AASX package (AAS 3.0 XML) to a path or an open binary file."""
    # First: a bad tree leaves no half-written file.
    env = aas_files.to_environment(to_aas(sites, namespace=namespace, data_api=data_api))
    aas_files.write_aasx(env, path, creator="OpenKAMP")


class ExportContext(TypedDict):
    """The keyword arguments of the platform's exports for one organisation."""

    namespace: str
    data_api: str


def export_context(kamp: Platform, principal: Principal) -> ExportContext:
    """Namespace and data API URL of the acting organisation's exports (CLI and API)."""
    org = kamp.meta.get_org(principal.org_id)
    configured = kamp.settings.aas_id_prefixes.get(org["name"])
    return {
        "namespace": configured or default_namespace(org["name"], org["created_at"]),
        "data_api": kamp.settings.public_url.rstrip("/") + DATA_API,
    }


def default_namespace(org_name: str, created_at: datetime.datetime) -> str:
    """``urn:openkamp:{org}.{key}:`` where the key is a hash of the organisation's name and the
    microsecond it was created: stable for one organisation (its ids do not change between
    exports), different for organisations of the same name in two installations."""
    when = created_at if created_at.tzinfo else created_at.replace(tzinfo=datetime.UTC)
    stamp = when.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    key = hashlib.sha256(f"{org_name}\n{stamp}".encode()).hexdigest()[:16]
    return f"urn:openkamp:{urllib.parse.quote(org_name, safe='')}.{key}:"


def _check_tree(sites: Sequence[SiteSpec]) -> None:
    # Names become ids and idShorts: invalid or duplicate ones would make a broken file.
    _check_names(sites, "site name", "the asset tree")
    for site in sites:
        _check_names(site.lines, "line name", f"site {site.name!r}")
        for line in site.lines:
            _check_names(line.equipment, "equipment name", f"line {line.name!r}")
            for eq in line.equipment:
                _check_names(eq.signals, "signal name", f"equipment {eq.name!r}")
                _check_names(eq.labels, "label name", f"equipment {eq.name!r}")
                try:
                    check_nameplate(eq.nameplate)
                except InvalidInput as e:
                    raise InvalidInput(
                        f"{e.message.rstrip('.')} (equipment {eq.name!r}).",
                        hint=e.hint,
                        code=e.code,
                        params=e.params,
                    ) from None


def _check_names(items: Iterable[Any], what: str, where: str) -> None:
    seen: set[str] = set()
    for item in items:
        try:
            check_name(item.name, what)
        except InvalidInput as e:
            raise InvalidInput(f"{e.message.rstrip('.')} in {where}.", hint=e.hint) from None
        if item.name in seen:
            raise InvalidInput(
                f"Duplicate {what} {item.name!r} in {where}.",
                hint="Names must be unique among siblings.",
            )
        seen.add(item.name)


def _add_site(store: model.DictIdentifiableStore, site: SiteSpec, ns: str, data_api: str) -> None:
    lines = []
    for line in site.lines:
        eqs = []
        for eq in line.equipment:
            path = f"{site.name}/{line.name}/{eq.name}"
            concepts = [
                signal_concept(
                    f"{ns}cd/{path}/{sig.name}", _id_short("Signal", sig.name), sig, path
                )
                for sig in eq.signals
            ]
            signals = [_signal(sig, cd.id) for sig, cd in zip(eq.signals, concepts, strict=True)]
            data = _submodel(f"{ns}sm/{path}", "OperationalData", signals)
            labels = _submodel(f"{ns}sm/{path}", "Labels", map(_label, eq.labels))
            submodels = [data, labels]
            if eq.signals:
                variables = [
                    (str(c.id_short), s, c.id) for s, c in zip(eq.signals, concepts, strict=True)
                ]
                submodels.append(
                    time_series(f"{ns}sm/{path}/TimeSeries", eq, path, variables, data_api)
                )
            nameplate = check_nameplate(eq.nameplate)
            if nameplate.complete:
                submodels.append(nameplate_submodel(f"{ns}sm/{path}/Nameplate", nameplate))
            shell = _shell(f"{ns}aas/{path}", f"{ns}asset/{path}", "Equipment", eq, submodels)
            shell.asset_information.asset_type = eq.equipment_type or None
            store.update((shell, *submodels, *concepts))
            extra: list[model.SubmodelElement] = []
            if eq.equipment_type:
                extra.append(_string("EquipmentType", eq.equipment_type))
            if nameplate and not nameplate.complete:
                extra.append(nameplate_draft(nameplate))
            eqs.append(_node(_id_short("Equipment", eq.name), eq, [], f"{ns}asset/{path}", extra))
        lines.append(_node(_id_short("Line", line.name), line, eqs, None))
    asset_id = f"{ns}asset/{site.name}"
    entry = _node("EntryNode", site, lines, asset_id, sem=SEM_ENTRY_NODE)
    arche = model.Property("ArcheType", _STR, "Full", semantic_id=global_ref(SEM_ARCHE_TYPE))
    hierarchy = _submodel(f"{ns}sm/{site.name}", "HierarchicalStructures", [arche, entry])
    _add_has_parts(entry)  # once attached: references are built from the chain of parents
    store.update((_shell(f"{ns}aas/{site.name}", asset_id, "Site", site, [hierarchy]), hierarchy))


def _shell(
    aas_id: str, asset_id: str, prefix: str, spec: Any, submodels: list[model.Submodel]
) -> model.AssetAdministrationShell:
    return model.AssetAdministrationShell(
        model.AssetInformation(model.AssetKind.INSTANCE, global_asset_id=asset_id),
        aas_id,
        id_short=_id_short(prefix, spec.name),
        display_name=_names(spec)[1],
        submodel={model.ModelReference.from_referable(sm) for sm in submodels},
    )


def _submodel(
    base: str, id_short: str, elements: Iterable[model.SubmodelElement]
) -> model.Submodel:
    sem = _SUBMODEL_SEMANTICS[id_short]
    return model.Submodel(
        f"{base}/{id_short}", elements, id_short=id_short, semantic_id=global_ref(sem)
    )


def _node(
    id_short: str,
    spec: Any,
    children: list[model.Entity],
    asset_id: str | None,
    extra: Iterable[model.SubmodelElement] = (),
    sem: str = SEM_NODE,
) -> model.Entity:
    """A hierarchy entity: self-managed with an asset id (it has a shell), else co-managed."""
    attrs, display = _names(spec)
    kind = model.EntityType.SELF_MANAGED_ENTITY if asset_id else model.EntityType.CO_MANAGED_ENTITY
    return model.Entity(
        id_short,
        kind,
        [*attrs, *extra, *children],
        global_asset_id=asset_id,  # AASd-014: only self-managed entities have one
        display_name=display,
        semantic_id=global_ref(sem),
    )


def _add_has_parts(entity: model.Entity) -> None:
    """Add ``HasPartNN`` relationships from each entity to its child entities (IDTA 02011)."""
    children = [c for c in entity.statement if isinstance(c, model.Entity)]
    sem = global_ref(SEM_HAS_PART)
    for i, child in enumerate(children, 1):
        first = model.ModelReference.from_referable(entity)
        second = model.ModelReference.from_referable(child)
        rel = model.RelationshipElement(f"HasPart{i:02d}", first, second, semantic_id=sem)
        entity.statement.add(rel)
        _add_has_parts(child)


def _signal(sig: SignalSpec, concept_id: str) -> model.SubmodelElementCollection:
    extra: list[model.SubmodelElement] = [_string("ValueType", ValueType(sig.value_type).value)]
    if sig.unit:
        extra.append(_string("Unit", sig.unit))
    if sig.min_value is not None or sig.max_value is not None:
        # float(): basyx will not cast an int to xs:double, and specs may hold ``min_value=0``.
        lo, hi = (None if v is None else float(v) for v in (sig.min_value, sig.max_value))
        extra.append(model.Range("Range", _DBL, lo, hi))
    if sig.sampling_period_s is not None:
        extra.append(model.Property("SamplingPeriod", _DBL, float(sig.sampling_period_s)))
    collection = _collection("Signal", sig, extra, SEM_SIGNAL)
    # What the signal is: its IEC 61360 concept description (OperationalData's own semanticId
    # says what the collection's layout is).
    collection.supplemental_semantic_id.append(global_ref(concept_id))
    return collection


def _label(label: LabelSpec) -> model.SubmodelElementCollection:
    extra: list[model.SubmodelElement] = [_string("LabelType", LabelType(label.label_type).value)]
    if label.categories:
        # A list, not a collection: categories are ordered and need no idShorts.
        values = [_string(None, str(c)) for c in label.categories]
        extra.append(
            model.SubmodelElementList(
                "Categories", model.Property, values, value_type_list_element=_STR
            )
        )
    return _collection("Label", label, extra, SEM_LABEL)


def _collection(
    prefix: str, spec: Any, extra: list[model.SubmodelElement], sem: str
) -> model.SubmodelElementCollection:
    elements, display = _names(spec)
    return model.SubmodelElementCollection(
        _id_short(prefix, spec.name),
        [*elements, *extra],
        display_name=display,
        semantic_id=global_ref(sem),
    )


def _names(spec: Any) -> tuple[list[model.SubmodelElement], model.MultiLanguageNameType | None]:
    """``Name``/``Description`` properties and the ko/en displayName that every spec type has."""
    elements: list[model.SubmodelElement] = [_string("Name", spec.name)]
    if spec.description:
        elements.append(_string("Description", spec.description))
    display: dict[str, str] = {}
    for lang, text, id_short in (("ko", spec.name_ko, "NameKo"), ("en", spec.name_en, "NameEn")):
        if text:
            display[lang] = text[:_MAX_NAME]
            if len(text) > _MAX_NAME:
                elements.append(_string(id_short, text))
    return elements, (model.MultiLanguageNameType(display) if display else None)


def _id_short(prefix: str, name: str) -> str:
    """Injective map from a machine name to a valid idShort (letters, digits, ``_``; <= 128)."""
    # Non-ASCII letters (Hangul names) become "_u" + six hex digits: still injective, because a
    # single "_" always starts an escape.
    s = (
        prefix
        + "_"
        + "".join(_ESCAPES.get(c, c) if c.isascii() else f"_u{ord(c):06x}" for c in name)
    )
    if len(s) > _MAX_NAME:
        # "_x" never occurs in a full encoding, so shortened idShorts cannot clash with those.
        s = s[: _MAX_NAME - 14] + "_x" + hashlib.sha1(name.encode()).hexdigest()[:12]
    return s


def _string(id_short: str | None, value: str) -> model.Property:
    if not _TEXT_RE.fullmatch(value):
        raise ValueError(f"{value!r} holds characters AAS forbids (AASd-130)")
    return model.Property(id_short, _STR, value)


# --------------------------------------------------------------------------- import


def import_json(path_or_file: PathOrFile) -> list[SiteSpec]:
    """Read an AAS v3 JSON environment laid out as :func:`export_json` writes it."""
    return _load(path_or_file, "AAS v3 JSON file", lambda: aas_files.read_json(path_or_file))


def import_aasx(path: str | os.PathLike[str] | IO[bytes]) -> list[SiteSpec]:
    """Read an AASX package laid out as :func:`export_aasx` writes it."""

    return _load(path, "AASX package", lambda: aas_files.read_aasx(path))


def import_file(path: str | os.PathLike[str]) -> list[SiteSpec]:
    """Import an AAS ``.json`` or ``.aasx`` file, chosen by extension."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return import_json(path)
    if suffix == ".aasx":
        return import_aasx(path)
    raise ImportRejected(
        f"Cannot import {_file_label(path)}: unsupported file type ({suffix or 'no extension'}).",
        hint="Use an AAS v3 JSON environment (.json) or an AASX package (.aasx).",
    )


def _load(
    source: Any, kind: str, read: Callable[[], model.DictIdentifiableStore]
) -> list[SiteSpec]:
    where = _file_label(source)
    try:
        store = read()
    except OSError as e:
        raise ImportRejected(f"Cannot read {where}: {e}.", hint="Check the path.") from e
    except Exception as e:  # the strict zip, OPC, JSON and XML parsers raise many types
        raise ImportRejected(
            f"Cannot import {where}: it is not a valid {kind} ({_short(e)}).", hint=_HINT
        ) from e
    return _from_store(store, where)


def _from_store(store: model.DictIdentifiableStore, where: str) -> list[SiteSpec]:
    """Rebuild the specs; every layout problem becomes one :class:`ImportRejected`."""
    try:
        if not len(store):
            raise _Bad("it holds no shells or submodels")
        hierarchies = [o for o in store if isinstance(o, model.Submodel) and _is(o, SEM_HIERARCHY)]
        if not hierarchies:
            raise _Bad(
                "it has no asset hierarchy (an IDTA 'HierarchicalStructures' submodel "
                f"with semanticId {SEM_HIERARCHY})"
            )
        # Equipment entities find their shell, and so their submodels, by globalAssetId.
        by_asset: dict[str | None, list[Any]] = {}
        for shell in (o for o in store if isinstance(o, model.AssetAdministrationShell)):
            refs = shell.submodel
            by_asset.setdefault(
                shell.asset_information.global_asset_id, [store.get(r.key[0].value) for r in refs]
            )
        sites = [_site(sm, by_asset) for sm in hierarchies]
    except _Bad as e:
        raise ImportRejected(f"Cannot import {where}: {e}.", hint=_HINT) from None
    try:
        _check_tree(sites)  # the export rules, so whatever is imported can be exported again
    except InvalidInput as e:
        raise ImportRejected(f"Cannot import {where}: {e.message}", hint=e.hint) from e
    return sites


def _site(sm: model.Submodel, by_asset: dict[str | None, list[Any]]) -> SiteSpec:
    entries = [e for e in _of_type(sm.submodel_element, model.Entity) if _is(e, SEM_ENTRY_NODE)]
    if len(entries) != 1:
        raise _Bad(f"submodel {sm.id!r} must hold one EntryNode entity, not {len(entries)}")
    site = SiteSpec(**_common(entries[0], f"the site in {sm.id!r}"))
    for line_node in _children(entries[0]):
        line = LineSpec(**_common(line_node, f"line {line_node.id_short!r} of site {site.name!r}"))
        for eq_node in _children(line_node):
            line.equipment.append(_equipment(eq_node, by_asset, f"line {line.name!r}"))
        site.lines.append(line)
    return site


def _equipment(
    node: model.Entity, by_asset: dict[str | None, list[Any]], where: str
) -> EquipmentSpec:
    what = f"equipment {node.id_short!r} of {where}"
    eq_type = _text(_elements(node.statement), "EquipmentType", what)
    eq = EquipmentSpec(**_common(node, what), equipment_type=eq_type)
    submodels = by_asset.get(node.global_asset_id)
    if submodels is None:
        raise _Bad(f"no shell has the globalAssetId {node.global_asset_id!r} of {what}")
    data, labels = (_pick(submodels, sem, what) for sem in (SEM_OPERATIONAL_DATA, SEM_LABELS))
    collection = model.SubmodelElementCollection
    eq.signals = [_signal_from(c, what) for c in _of_type(data.submodel_element, collection)]
    eq.labels = [_label_from(c, what) for c in _of_type(labels.submodel_element, collection)]
    plates = [sm for sm in submodels if isinstance(sm, model.Submodel) and _is(sm, SEM_NAMEPLATE)]
    drafts = [e for e in _of_type(node.statement, collection) if _is(e, SEM_NAMEPLATE_DRAFT)]
    if len(plates) + len(drafts) > 1:
        raise _Bad(f"{what} has more than one nameplate")
    source = plates[0].submodel_element if plates else drafts[0].value if drafts else None
    if source is not None:
        try:
            eq.nameplate = read_nameplate(source, what)
        except NameplateError as e:
            raise _Bad(str(e)) from None
    return eq


def _signal_from(smc: model.SubmodelElementCollection, where: str) -> SignalSpec:
    what = f"signal {smc.id_short!r} of {where}"
    elements = _elements(smc.value)
    rng = elements.get("Range")
    if rng is not None and not isinstance(rng, model.Range):
        raise _Bad(f"'Range' of {what} must be a Range element")
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
    categories: list[str] = []
    listed = elements.get("Categories")
    if listed is not None:
        if not isinstance(listed, model.SubmodelElementList):
            raise _Bad(f"'Categories' of {what} must be a SubmodelElementList")
        for item in listed.value:
            if not (isinstance(item, model.Property) and isinstance(item.value, str)):
                raise _Bad(f"the categories of {what} must be xs:string properties")
            categories.append(item.value)
    return LabelSpec(
        **_common(smc, what),
        label_type=_enum(LabelType, _text(elements, "LabelType", what, required=True), what),
        categories=categories,
    )


def _common(element: model.Entity | model.SubmodelElementCollection, what: str) -> _Common:
    """Read back what :func:`_names` wrote: name, name_ko, name_en and description."""
    children = element.statement if isinstance(element, model.Entity) else element.value
    elements = _elements(children)
    display = dict(element.display_name or {})
    return {
        "name": _text(elements, "Name", what, required=True),
        "name_ko": _text(elements, "NameKo", what) or display.get("ko", ""),
        "name_en": _text(elements, "NameEn", what) or display.get("en", ""),
        "description": _text(elements, "Description", what),
    }


def _children(entity: model.Entity) -> list[model.Entity]:
    return [e for e in _of_type(entity.statement, model.Entity) if _is(e, SEM_NODE)]


def _of_type(elements: Iterable[Any], cls: type[_T]) -> list[_T]:
    return [e for e in elements if isinstance(e, cls)]


def _pick(submodels: list[Any], sem: str, what: str) -> model.Submodel:
    for sm in submodels:
        if isinstance(sm, model.Submodel) and _is(sm, sem):
            return sm
    raise _Bad(f"the shell of {what} has no submodel with semanticId {sem}")


def _elements(elements: Iterable[model.SubmodelElement]) -> dict[str, model.SubmodelElement]:
    return {e.id_short: e for e in elements if e.id_short is not None}


def _value(elements: dict[str, model.SubmodelElement], id_short: str, what: str) -> Any:
    element = elements.get(id_short)
    if element is None:
        return None
    if not isinstance(element, model.Property):
        raise _Bad(f"{id_short!r} of {what} must be a Property")
    return element.value


def _text(
    elements: dict[str, model.SubmodelElement], id_short: str, what: str, required: bool = False
) -> str:
    value = _value(elements, id_short, what)
    if value is None and required:
        raise _Bad(f"{what} has no {id_short!r} property")
    if value is not None and not isinstance(value, str):
        raise _Bad(f"{id_short!r} of {what} must be an xs:string property")
    return value or ""


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"{what} has {value!r} where an xs:double is expected")
    return float(value)


def _enum(enum: Any, value: str, what: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        valid = ", ".join(m.value for m in enum)
        raise _Bad(f"{what} has the unknown {enum.__name__} {value!r} (valid: {valid})") from None


def _is(obj: Any, iri: str) -> bool:
    sem = getattr(obj, "semantic_id", None)
    return sem is not None and any(k.value == iri for k in sem.key)


def _file_label(path_or_file: Any) -> str:
    """How messages name the file: its path, or the name of an open file if it has one."""
    name = path_or_file
    if not isinstance(name, str | os.PathLike):
        name = getattr(path_or_file, "name", None)
    return repr(os.fspath(name)) if isinstance(name, str | os.PathLike) else "the file"


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."
