"""The standard asset model: site → line → equipment → signal, plus label columns on equipment.

Two families of types live here:

* *Specs* (``SiteSpec`` … ``SignalSpec``) describe an asset tree declaratively, with no ids. The
  simulator produces them, AAS import/export converts them, and the asset service creates records
  from them.
* *Records* (``Node``, ``Signal``, ``LabelColumn``) are what the metadata store holds: they carry
  ids and the owning organisation.

Names are machine names (letters of any script, digits, ``_ . -``; unique among siblings); ``name_ko`` and ``name_en``
are what people read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from openkamp.core.errors import InvalidInput

# Letters of any script (Korean engineers name signals in Hangul), digits, "_", ".", "-".
_NAME_RE = re.compile(r"^[^\W_][\w.\-]{0,127}$")


class NodeKind(StrEnum):
    SITE = "site"
    LINE = "line"
    EQUIPMENT = "equipment"


#: Which kind of node may hang under which (None = top level).
PARENT_KIND: dict[NodeKind, NodeKind | None] = {
    NodeKind.SITE: None,
    NodeKind.LINE: NodeKind.SITE,
    NodeKind.EQUIPMENT: NodeKind.LINE,
}


class ValueType(StrEnum):
    """How a signal's values are interpreted (all are stored as 64-bit floats)."""

    FLOAT = "float"
    INT = "int"
    BOOL = "bool"


class LabelType(StrEnum):
    """Label / event columns: per-timestamp facts such as pass/fail, defect type or lot id."""

    BOOL = "bool"
    CATEGORY = "category"
    TEXT = "text"
    NUMBER = "number"


def check_name(name: str, what: str = "name") -> str:
    """Return ``name`` if it is a valid machine name, else raise :class:`InvalidInput`."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise InvalidInput(
            f"Invalid {what} {name!r}.",
            hint="Use 1-128 letters (Hangul is fine), digits, '_', '.' or '-', starting with a "
            "letter or digit; put free display text in name_ko / name_en.",
            code="assets.bad_name",
            params={"name": name},
        )
    return name


#: Longest free text a user may give: display names, units, types (``MAX_LABEL``) and
#: descriptions (``MAX_DESCRIPTION``), in characters. A 5 M-character description made every
#: asset-tree response 15.6 MB.
MAX_LABEL = 200
MAX_DESCRIPTION = 4000


def check_texts(values: dict[str, object], what: str = "asset") -> None:
    """Raise :class:`InvalidInput` (``text.too_long``) when a free-text value of ``values`` is
    longer than its limit: ``description`` ``MAX_DESCRIPTION``, any other string ``MAX_LABEL``.
    Names are checked by :func:`check_name`; non-strings are left to their own checks."""
    for key, value in values.items():
        if key == "name" or not isinstance(value, str):
            continue
        limit = MAX_DESCRIPTION if key == "description" else MAX_LABEL
        if len(value) > limit:
            raise InvalidInput(
                f"The {key} of the {what} is too long ({len(value)} characters, at most {limit}).",
                code="text.too_long",
                params={"field": key, "length": len(value), "max": limit},
            )


def slugify(text: str, fallback: str = "col") -> str:
    """Turn a free-text header into a valid machine name, deterministically (Hangul is kept)."""
    s = re.sub(r"[^\w.\-]+", "_", text.strip()).strip("_.-")
    if not s:
        import hashlib

        s = f"{fallback}_{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"
    if not s[0].isalnum():
        s = f"{fallback}_{s}"
    return s[:128]


# --------------------------------------------------------------------------- specs (no ids)


@dataclass
class SignalSpec:
    name: str
    name_ko: str = ""
    name_en: str = ""
    unit: str = ""
    value_type: ValueType = ValueType.FLOAT
    min_value: float | None = None
    max_value: float | None = None
    sampling_period_s: float | None = None
    description: str = ""


@dataclass
class LabelSpec:
    name: str
    name_ko: str = ""
    name_en: str = ""
    label_type: LabelType = LabelType.CATEGORY
    categories: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class EquipmentSpec:
    name: str
    name_ko: str = ""
    name_en: str = ""
    equipment_type: str = ""
    description: str = ""
    signals: list[SignalSpec] = field(default_factory=list)
    labels: list[LabelSpec] = field(default_factory=list)


@dataclass
class LineSpec:
    name: str
    name_ko: str = ""
    name_en: str = ""
    description: str = ""
    equipment: list[EquipmentSpec] = field(default_factory=list)


@dataclass
class SiteSpec:
    name: str
    name_ko: str = ""
    name_en: str = ""
    description: str = ""
    lines: list[LineSpec] = field(default_factory=list)


# --------------------------------------------------------------------------- records (stored)


@dataclass(frozen=True)
class Node:
    """A site, line or equipment as stored."""

    id: int
    org_id: int
    kind: NodeKind
    parent_id: int | None
    name: str
    name_ko: str = ""
    name_en: str = ""
    equipment_type: str = ""
    description: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class Signal:
    """A measured quantity of one piece of equipment."""

    id: int
    org_id: int
    equipment_id: int
    name: str
    name_ko: str = ""
    name_en: str = ""
    unit: str = ""
    value_type: ValueType = ValueType.FLOAT
    min_value: float | None = None
    max_value: float | None = None
    sampling_period_s: float | None = None
    description: str = ""


@dataclass(frozen=True)
class LabelColumn:
    """A label / event column of one piece of equipment (pass/fail, defect type, lot id …)."""

    id: int
    org_id: int
    equipment_id: int
    name: str
    name_ko: str = ""
    name_en: str = ""
    label_type: LabelType = LabelType.CATEGORY
    categories: tuple[str, ...] = ()
    description: str = ""
