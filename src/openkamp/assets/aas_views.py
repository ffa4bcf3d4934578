"""The representations of AAS objects that the AAS HTTP/REST API 3.0 (IDTA-01002 Part 2) serves.

Pure functions over the Eclipse BaSyx SDK's objects, used by the read-only AAS repository
(:mod:`openkamp.api.aas_repository`). Bodies start as the SDK's own JSON serialisation
(``AASToJsonEncoder``) and are then narrowed as a request's modifiers ask:

* ``level=core``: the object with its direct children; their own children are left out;
* ``$metadata``: the object without its value attributes (those the metamodel lets go: an
  Entity keeps its type and asset ids, a File its ``contentType``, a relationship its ends);
* ``$value``: the ValueOnly serialisation (Part 2, "Value-Only Serialization in JSON"): a
  submodel or collection as ``{idShort: value}``, a list as an array, a Property as a JSON
  number, boolean or string by its value type, a Range as ``{min, max}`` and so on;
* ``$reference``: the ModelReference to the object; ``$path``: idShortPaths;
* ``extent=withoutBlobValue`` (the default): Blob values are left out.

Identifiers travel base64url-encoded (UTF-8, padding optional); paged lists answer
``{"paging_metadata": {"cursor": …}, "result": […]}`` where the cursor is the position of the
next item and is absent on the last page.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from basyx.aas import model
from basyx.aas.adapter._generic import ENTITY_TYPES
from basyx.aas.adapter.json import AASToJsonEncoder
from basyx.aas.model import datatypes

from openkamp.core.errors import InvalidInput, NotFound

__all__ = [
    "core",
    "decode_id",
    "encode_id",
    "find_element",
    "id_short_paths",
    "metadata",
    "named_value",
    "page",
    "reference",
    "submodel_value",
    "to_json",
    "value_only",
    "without_blob_values",
]

_T = TypeVar("_T")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")

#: Where each container keeps its children in JSON.
_CHILDREN = {
    "Submodel": "submodelElements",
    "SubmodelElementCollection": "value",
    "SubmodelElementList": "value",
    "Entity": "statements",
    "AnnotatedRelationshipElement": "annotations",
}
#: The value attributes ``$metadata`` leaves out: only optional ones that no constraint needs, so
#: that the rest is still a valid object of the metamodel.
_VALUE_KEYS = {
    "Submodel": ("submodelElements",),
    "Property": ("value", "valueId"),
    "MultiLanguageProperty": ("value", "valueId"),
    "Range": ("min", "max"),
    "Blob": ("value",),
    "File": ("value",),
    "ReferenceElement": ("value",),
    "SubmodelElementCollection": ("value",),
    "SubmodelElementList": ("value",),
    "Entity": ("statements",),  # its asset ids stay: AASd-014 asks a self-managed one for one
    "AnnotatedRelationshipElement": ("annotations",),
    "Operation": ("inputVariables", "outputVariables", "inoutputVariables"),
}
#: The elements ``$path`` lists the children of (Part 2 applies it to these containers).
_PATH_CONTAINERS = (model.SubmodelElementCollection, model.SubmodelElementList, model.Entity)


# --------------------------------------------------------------------------- identifiers


def encode_id(identifier: str) -> str:
    """An identifier as it travels in a URL: base64url of its UTF-8 bytes, without padding."""
    return base64.urlsafe_b64encode(identifier.encode()).decode("ascii").rstrip("=")


def decode_id(text: str) -> str:
    """The identifier a base64url path segment or query value carries (padding optional)."""
    bad = InvalidInput(
        f"{text[:80]!r} is not a base64url-encoded identifier.",
        hint="Encode the identifier's UTF-8 bytes as base64url (RFC 4648 §5).",
        code="aas.bad_id",
        params={"text": text[:80]},
    )
    if not _BASE64URL.fullmatch(text):
        raise bad
    raw = text.rstrip("=")
    if len(raw) % 4 == 1:  # no number of base64 characters leaves 6 bits over
        raise bad
    try:
        value = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_", validate=True)
        decoded = value.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise bad from None
    if not decoded:
        raise bad
    return decoded


# --------------------------------------------------------------------------- paging


def page(items: Sequence[_T], limit: int | None, cursor: str | None) -> dict[str, Any]:
    """One page of ``items`` as a paged result; ``cursor`` is where the page starts."""
    start = 0
    if cursor is not None:
        if not cursor.isascii() or not cursor.isdigit():
            raise InvalidInput(
                f"{cursor[:40]!r} is not a cursor of this server.",
                hint="Pass the cursor of the previous page's paging_metadata unchanged.",
                code="aas.bad_cursor",
                params={"cursor": cursor[:40]},
            )
        start = int(cursor)
    end = len(items) if limit is None else min(len(items), start + limit)
    meta = {"cursor": str(end)} if end < len(items) else {}
    return {"paging_metadata": meta, "result": list(items[start:end])}


# --------------------------------------------------------------------------- JSON


class _Encoder(AASToJsonEncoder):
    """The SDK's encoder, less an empty ``specificAssetIds`` on entities: the SDK writes ``[]``
    for every entity without one (eclipse-basyx/basyx-python-sdk#636), which the metamodel's
    JSON schema rejects (its arrays have at least one item)."""

    @classmethod
    def _entity_to_json(cls, obj: model.Entity) -> dict[str, object]:
        data: dict[str, object] = super()._entity_to_json(obj)
        if not obj.specific_asset_id:
            data.pop("specificAssetIds", None)
        return data


def to_json(obj: object) -> Any:
    """``obj`` (any BaSyx object, or lists and dicts of them) in the SDK's JSON serialisation."""
    return json.loads(json.dumps(obj, cls=_Encoder))


def core(data: dict[str, Any]) -> dict[str, Any]:
    """``level=core``: the object with its direct children, each without children of its own."""
    key = _CHILDREN.get(data.get("modelType", ""))
    if key is None or key not in data:
        return data
    return {**data, key: [_childless(child) for child in data[key]]}


def _childless(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    key = _CHILDREN.get(data.get("modelType", ""))
    return {k: v for k, v in data.items() if k != key}


def metadata(data: dict[str, Any]) -> dict[str, Any]:
    """``$metadata``: the object without its (optional) value attributes."""
    drop = _VALUE_KEYS.get(data.get("modelType", ""), ())
    return {k: v for k, v in data.items() if k not in drop}


def without_blob_values(data: Any) -> Any:
    """``extent=withoutBlobValue``: every Blob inside ``data`` without its value."""
    if isinstance(data, list):
        return [without_blob_values(item) for item in data]
    if not isinstance(data, dict):
        return data
    out = {k: without_blob_values(v) for k, v in data.items()}
    if data.get("modelType") == "Blob":
        out.pop("value", None)
    return out


def reference(obj: model.Referable) -> Any:
    """``$reference``: the ModelReference to ``obj`` (list indices as keys inside lists)."""
    return to_json(model.ModelReference.from_referable(obj))


# --------------------------------------------------------------------------- elements


def find_element(submodel: model.Submodel, path: str) -> model.SubmodelElement:
    """The element at an idShortPath (``Signals.Signal_temp``, ``List[2].Name``)."""
    try:
        parts = model.Referable.parse_id_short_path(path)
    except (ValueError, IndexError, model.AASConstraintViolation):
        raise InvalidInput(
            f"{path[:120]!r} is not an idShortPath.",
            hint="Join idShorts with '.' and write list indices as [0].",
            code="aas.bad_path",
            params={"path": path[:120]},
        ) from None
    try:
        found = submodel.get_referable(parts)
    except (KeyError, TypeError, ValueError):
        found = None
    if not isinstance(found, model.SubmodelElement):
        raise NotFound(
            f"The submodel has no element {path[:120]!r}.",
            code="aas.no_element",
            params={"path": path[:120]},
        )
    return found


def id_short_paths(obj: model.Submodel | model.SubmodelElement, *, deep: bool) -> list[str]:
    """``$path``: the idShortPaths of ``obj``'s descendants (of its children only when not
    ``deep``); an element lists its own path first. Only submodels, collections, lists and
    entities have one."""
    if isinstance(obj, model.Submodel):
        prefix: list[str] = []
        out: list[str] = []
    elif isinstance(obj, _PATH_CONTAINERS):
        prefix = _path_of(obj)
        out = [model.Referable.build_id_short_path(prefix)]
    else:
        raise InvalidInput(
            f"A {type(obj).__name__} has no children to list as paths.",
            hint="$path is for submodels, collections, lists and entities.",
            code="aas.no_path",
            params={"type": type(obj).__name__},
        )
    _add_paths(out, obj, prefix, deep)
    return out


def _path_of(element: model.Referable) -> list[str]:
    parts: list[str] = []
    node: Any = element
    while isinstance(node, model.SubmodelElement):
        parent = node.parent
        if isinstance(parent, model.SubmodelElementList):
            parts.append(str(list(parent.value).index(node)))
        else:
            parts.append(str(node.id_short))
        node = parent
    return parts[::-1]


def _add_paths(out: list[str], obj: object, prefix: list[str], deep: bool) -> None:
    children: Iterable[model.SubmodelElement]
    if isinstance(obj, model.SubmodelElementList):
        for i, child in enumerate(obj.value):
            here = [*prefix, str(i)]
            out.append(model.Referable.build_id_short_path(here))
            if deep:
                _add_paths(out, child, here, deep)
        return
    if isinstance(obj, model.Submodel):
        children = obj.submodel_element
    elif isinstance(obj, model.SubmodelElementCollection):
        children = obj.value
    elif isinstance(obj, model.Entity):
        children = obj.statement
    else:
        return
    for child in children:
        here = [*prefix, str(child.id_short)]
        out.append(model.Referable.build_id_short_path(here))
        if deep:
            _add_paths(out, child, here, deep)


# --------------------------------------------------------------------------- ValueOnly


def submodel_value(submodel: model.Submodel, *, deep: bool = True, blobs: bool = False) -> Any:
    """``$value`` of a submodel: ``{idShort: value}`` of its elements."""
    return _named_values(submodel.submodel_element, math.inf if deep else 1, blobs)


def value_only(element: model.SubmodelElement, *, deep: bool = True, blobs: bool = False) -> Any:
    """The ValueOnly value of one element (``None`` when it has none)."""
    if isinstance(element, model.Operation | model.Capability):
        raise InvalidInput(
            f"A {type(element).__name__} has no value.",
            code="aas.no_value",
            params={"type": type(element).__name__},
        )
    return _value(element, math.inf if deep else 1, blobs)


def named_value(element: model.SubmodelElement, *, deep: bool = True, blobs: bool = False) -> Any:
    """``$value`` of an element: ``{idShort: value}``, as the element appears inside its parent
    (an item of a list, which has no idShort, as its bare value)."""
    value = value_only(element, deep=deep, blobs=blobs)
    return value if element.id_short is None else {element.id_short: value}


def _named_values(elements: Iterable[model.SubmodelElement], depth: float, blobs: bool) -> Any:
    out: dict[str, Any] = {}
    if depth <= 0:
        return out
    for element in elements:
        if isinstance(element, model.Operation | model.Capability):
            continue  # no ValueOnly form outside an invocation
        value = _value(element, depth - 1, blobs)
        if value is not None and element.id_short is not None:
            out[element.id_short] = value
    return out


def _value(element: model.SubmodelElement, depth: float, blobs: bool) -> Any:
    if isinstance(element, model.Property):
        return _typed(element.value)
    if isinstance(element, model.MultiLanguageProperty):
        return [{lang: text} for lang, text in (element.value or {}).items()]
    if isinstance(element, model.Range):
        ends = {"min": _typed(element.min), "max": _typed(element.max)}
        return {k: v for k, v in ends.items() if v is not None}
    if isinstance(element, model.Blob):
        blob: dict[str, Any] = {"contentType": element.content_type}
        if blobs and element.value is not None:
            blob["value"] = base64.b64encode(element.value).decode("ascii")
        return blob
    if isinstance(element, model.File):
        file = {"contentType": element.content_type, "value": element.value}
        return {k: v for k, v in file.items() if v is not None}
    if isinstance(element, model.ReferenceElement):
        return None if element.value is None else to_json(element.value)
    if isinstance(element, model.RelationshipElement):
        ends = {"first": to_json(element.first), "second": to_json(element.second)}
        if isinstance(element, model.AnnotatedRelationshipElement):
            ends["annotations"] = [
                {a.id_short: _value(a, depth - 1, blobs)}
                for a in (element.annotation if depth > 0 else ())
                if a.id_short is not None
            ]
        return ends
    if isinstance(element, model.Entity):
        entity: dict[str, Any] = {"statements": _named_values(element.statement, depth, blobs)}
        if element.entity_type is not None:
            entity["entityType"] = ENTITY_TYPES[element.entity_type]
        if element.global_asset_id is not None:
            entity["globalAssetId"] = element.global_asset_id
        if len(element.specific_asset_id):
            entity["specificAssetIds"] = [{s.name: s.value} for s in element.specific_asset_id]
        return entity
    if isinstance(element, model.BasicEventElement):
        return {"observed": to_json(element.observed)}
    if isinstance(element, model.SubmodelElementList):
        if depth <= 0:
            return []
        # Items without a value stay as null: the indices of the others must not move.
        return [_value(item, depth - 1, blobs) for item in element.value]
    if isinstance(element, model.SubmodelElementCollection):
        return _named_values(element.value, depth, blobs)
    return None


def _typed(value: Any) -> Any:
    """A typed value in JSON: booleans and numbers as such, everything else (and the numbers
    JSON cannot hold: NaN, ±INF) as its XSD lexical form."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else datatypes.xsd_repr(value)
    return datatypes.xsd_repr(value)
