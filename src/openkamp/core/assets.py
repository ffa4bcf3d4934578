"""The standard asset model: site → line → equipment → signal, plus label columns on equipment.

Two families of types live here:

* *Specs* (``SiteSpec`` … ``SignalSpec``) describe an asset tree declaratively, with no ids. The
  simulator produces them, AAS import/export converts them, and the asset service creates records
  from them.
* *Records* (``Node``, ``Signal``, ``LabelColumn``) are what the metadata store holds: they carry
  ids and the owning organisation.

An equipment's ``Nameplate`` is what its manufacturer's nameplate says (the AAS Digital Nameplate).

Names are machine names (letters of any script, digits, ``_ . -``; unique among siblings); ``name_ko`` and ``name_en``
are what people read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
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


# --------------------------------------------------------------------------- nameplate

#: One line of text: no control characters (tab, line breaks included) and only characters an
#: AAS string may hold (AASd-130, the XML 1.0 characters).
_LINE_RE = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
_YEAR_RE = re.compile(r"[0-9]{4}")
_COUNTRY_RE = re.compile(r"[A-Z]{2}")
# An absolute URI or URN: a scheme, a colon, then no white space (RFC 3986's shape, not its
# every rule: the value is a name the manufacturer gave, not something OpenKAMP fetches).
_URI_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Nameplate:
    """What the manufacturer's nameplate of a machine says, as the Digital Nameplate submodel
    (IDTA 02006-2-0) of its AAS export holds it; every field is one line of text, "" when not
    known. The contact is the manufacturer's (or its service partner's) address.

    The export writes the nameplate only when :meth:`missing` is empty: the template requires
    the product URI, manufacturer, product designation, product type (or family), year of
    construction and a postal address (street, zip code, city, country) of the contact.
    """

    manufacturer_name: str = ""
    product_designation: str = ""
    product_type: str = ""
    serial_number: str = ""
    year_of_construction: str = ""
    product_uri: str = ""
    street: str = ""
    zipcode: str = ""
    city: str = ""
    country: str = ""  # ISO 3166-1 alpha-2, upper case ("KR")
    phone: str = ""
    email: str = ""

    def missing(self) -> list[str]:
        """The required fields still empty, in field order ([] = a complete nameplate)."""
        return [f for f in NAMEPLATE_REQUIRED if not getattr(self, f)]

    @property
    def complete(self) -> bool:
        return not self.missing()

    def stored(self) -> dict[str, str]:
        """The filled fields only (what the metadata store keeps)."""
        return {k: v for k, v in asdict(self).items() if v}

    def __bool__(self) -> bool:
        return bool(self.stored())


#: The fields of a nameplate, in the order forms and the API show them.
NAMEPLATE_FIELDS = tuple(f.name for f in fields(Nameplate))
NAMEPLATE_REQUIRED = (
    "manufacturer_name", "product_designation", "product_type", "year_of_construction",
    "product_uri", "street", "zipcode", "city", "country",
)  # fmt: skip


def nameplate_code(problem: str, key: str) -> str:
    """The code of a problem (``bad_text``, ``too_long``, ``bad``) with one nameplate field:
    one text per field, so that the message names the field in the reader's language."""
    return f"nameplate.{problem}.{key}"


def check_nameplate(values: Mapping[str, object] | Nameplate) -> Nameplate:
    """A valid, normalised :class:`Nameplate` from ``values`` (unknown keys and bad values raise
    :class:`InvalidInput` with a code): texts in NFC without surrounding blanks, one line of at
    most ``MAX_LABEL`` characters; the year four digits, the country an upper-case two-letter
    code, the product URI absolute, the e-mail address one with an ``@``. Codes and numbers
    typed with full-width characters (a Korean input method) are read as ASCII."""
    if isinstance(values, Nameplate):
        values = asdict(values)
    if not isinstance(values, Mapping):
        raise InvalidInput("A nameplate is a set of named fields.", code="nameplate.not_fields")
    unknown = sorted(set(values) - set(NAMEPLATE_FIELDS))
    if unknown:
        raise InvalidInput(
            f"Unknown nameplate fields {unknown}.",
            hint=f"Use {', '.join(NAMEPLATE_FIELDS)}.",
            code="nameplate.unknown_field",
            params={"fields": ", ".join(unknown)},
        )
    out: dict[str, str] = {}
    for key, value in values.items():
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InvalidInput(
                f"The nameplate's {key} must be text.", code=nameplate_code("bad_text", key)
            )
        text = unicodedata.normalize("NFC", value).strip()
        if key in ("year_of_construction", "country", "zipcode"):
            text = unicodedata.normalize("NFKC", text)
        if len(text) > MAX_LABEL:
            raise InvalidInput(
                f"The nameplate's {key} is too long ({len(text)} characters, at most {MAX_LABEL}).",
                code=nameplate_code("too_long", key),
                params={"length": len(text), "max": MAX_LABEL},
            )
        if not _LINE_RE.fullmatch(text):
            raise InvalidInput(
                f"The nameplate's {key} holds control characters or line breaks.",
                code=nameplate_code("bad_text", key),
            )
        out[key] = text
    checks = (
        ("year_of_construction", _YEAR_RE, "a year of four digits, such as 2019"),
        ("country", _COUNTRY_RE, "a two-letter ISO 3166-1 country code, such as KR"),
        ("product_uri", _URI_RE, "an absolute URI, such as https://maker.example/p/123"),
        ("email", _EMAIL_RE, "an e-mail address"),
    )
    if out.get("country"):
        out["country"] = out["country"].upper()
    for key, pattern, expected in checks:
        text = out.get(key, "")
        if text and not pattern.fullmatch(text):
            raise InvalidInput(
                f"The nameplate's {key} {text!r} is not {expected}.",
                code=nameplate_code("bad", key),
                params={"text": text},
            )
    return Nameplate(**out)


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
    nameplate: Nameplate = field(default_factory=Nameplate)


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
    nameplate: Nameplate = field(default_factory=Nameplate)  # equipment only
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
