"""What an owner gives for a catalog offer, checked (issue 11, item 1): the offer's name, its
texts in Korean and English, the equipment type, KSIC industry and problem codes, the price model
(:func:`openkamp.sharing.pricing.parse_price`) and the usage policy's clauses, which become the
keyword arguments of :func:`openkamp.sharing.policy.offer` (and are read back from a stored
Offer by :func:`clauses_of`). Every refusal is an :class:`InvalidInput` with a code
``sharing.catalog.<reason>`` (or the price's ``sharing.price.<reason>``) naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from openkamp.core.errors import InvalidInput
from openkamp.i18n import t
from openkamp.sharing import policy as P

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_TITLE",
    "POLICY_CLAUSES",
    "PROBLEMS",
    "check_fields",
    "check_name",
    "check_transforms",
    "clauses_of",
    "policy_clauses",
]

#: Manufacturing problems an offer is for.
PROBLEMS = ("anomaly", "defect", "quality", "rul", "forecast", "setting", "vision", "other")
#: Clauses of the usage policy (keyword arguments of :func:`openkamp.sharing.policy.offer`).
POLICY_CLAUSES = (
    "purposes", "recipients", "excluded_recipients", "industries", "excluded_industries",
    "valid_from", "valid_until", "max_rows", "max_queries", "max_trainings",
    "compute_to_data_only", "anonymise", "delete_within_days", "no_redistribution",
)  # fmt: skip
MAX_TITLE = 256
MAX_DESCRIPTION = 4000
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}")
EQUIPMENT = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
KSIC = re.compile(r"[A-U][0-9]{2,5}")


def error(cls: type[Any], reason: str, **params: object) -> Any:
    """A domain error with code ``sharing.catalog.<reason>`` and its English text."""
    code = f"sharing.catalog.{reason}"
    return cls(t(f"err.{code}", "en", **params), code=code, params=params)


def check_name(name: object) -> str:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise error(InvalidInput, "name", value=P.shown(name))
    return name


def _check_text(field: str, value: object, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise error(InvalidInput, "text", field=field, max=limit)
    return value.strip()


def check_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """The catalog fields in ``values`` checked and normalised (only those present)."""
    out: dict[str, Any] = {}
    for lang in ("ko", "en"):
        if f"title_{lang}" in values:
            out[f"title_{lang}"] = _check_text("title", values[f"title_{lang}"], MAX_TITLE)
        if f"description_{lang}" in values:
            out[f"description_{lang}"] = _check_text(
                "description", values[f"description_{lang}"], MAX_DESCRIPTION
            )
    if "equipment_type" in values:
        value = values["equipment_type"]
        if not isinstance(value, str) or not EQUIPMENT.fullmatch(value):
            raise error(InvalidInput, "equipment_type", value=P.shown(value))
        out["equipment_type"] = value
    if "industry" in values:
        value = values["industry"]
        if not isinstance(value, str) or not KSIC.fullmatch(value):
            raise error(InvalidInput, "industry", value=P.shown(value))
        out["industry"] = value
    if "problem" in values:
        value = values["problem"]
        if value not in PROBLEMS:
            raise error(InvalidInput, "problem", value=P.shown(value), allowed=", ".join(PROBLEMS))
        out["problem"] = value
    if "price" in values:
        from openkamp.sharing.pricing import parse_price

        out["price"] = parse_price(values["price"]).to_json()
    return out


def _clause_time(field: str, value: object) -> datetime:
    at = value
    if isinstance(value, str):
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            at = None
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise error(InvalidInput, "policy_value", field=field, value=P.shown(str(value)))
    return at


def policy_clauses(policy: Mapping[str, Any] | None) -> dict[str, Any]:
    """Keyword arguments of :func:`openkamp.sharing.policy.offer` from the owner's clauses
    (JSON values: purposes and dates as strings)."""
    if policy is None:
        return {}
    if not isinstance(policy, Mapping):
        raise error(InvalidInput, "policy_value", field="policy", value=P.shown(str(policy)))
    out: dict[str, Any] = {}
    for field, value in policy.items():
        if field not in POLICY_CLAUSES:
            raise error(
                InvalidInput, "policy_field", field=str(field), allowed=", ".join(POLICY_CLAUSES)
            )
        bad = error(InvalidInput, "policy_value", field=field, value=P.shown(value))
        if value is None:
            continue
        if field == "purposes":
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise bad
            try:
                out[field] = [P.Purpose(p) for p in value]
            except ValueError:
                raise bad from None
        elif field in ("recipients", "excluded_recipients", "industries", "excluded_industries"):
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise bad
            if not all(isinstance(x, str) and x for x in value):
                raise bad
            if "industries" in field and not all(KSIC.fullmatch(x) for x in value):
                raise bad
            out[field] = list(value)
        elif field in ("valid_from", "valid_until"):
            out[field] = _clause_time(field, value)
        elif field in ("max_rows", "max_queries", "max_trainings", "delete_within_days"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise bad
            out[field] = value
        else:  # the booleans
            if not isinstance(value, bool):
                raise bad
            out[field] = value
    return out


_MAX_CLAUSE = {
    P.CountUnit.ROW: "max_rows",
    P.CountUnit.QUERY: "max_queries",
    P.CountUnit.TRAINING: "max_trainings",
}


def check_transforms(value: object, columns: Sequence[str]) -> dict[str, Any] | None:
    """The transforms an offer's governed exports apply (a :class:`~openkamp.sharing.
    transforms.TransformSpec` document, ``sharing.transform.<reason>`` when malformed), each
    column it names one of the dataset version's ``columns``; None: the default transforms."""
    if value is None:
        return None
    from openkamp.sharing.transforms import TransformSpec

    spec = TransformSpec.from_json(value)
    known = set(columns)
    for i, step in enumerate(spec.transforms):
        named = getattr(step, "columns", None) or ()
        if hasattr(step, "column"):
            named = (step.column,)
        for column in named:
            if column not in known:
                raise error(InvalidInput, "transform_column", path=f"transforms[{i}]",
                            column=P.shown(column))  # fmt: skip
    return spec.to_json()


def clauses_of(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The clauses of a stored offer's policy, as :func:`openkamp.sharing.policy.offer` takes
    them (to rebuild it for another dataset version)."""
    from openkamp.sharing.policy_jsonld import from_jsonld

    policy = from_jsonld(rec["policy"])
    out: dict[str, Any] = {"no_redistribution": bool(policy.prohibitions)}
    for perm in policy.permissions:
        for c in perm.constraints:
            if isinstance(c, P.PurposeIn):
                out["purposes"] = list(c.purposes)
            elif isinstance(c, P.RecipientIn):
                out["excluded_recipients" if c.exclude else "recipients"] = list(c.orgs)
            elif isinstance(c, P.IndustryIn):
                out["excluded_industries" if c.exclude else "industries"] = list(c.codes)
            elif isinstance(c, P.NotBefore):
                out["valid_from"] = c.at
            elif isinstance(c, P.Before):
                out["valid_until"] = c.at
            elif isinstance(c, P.MaxCount):
                out[_MAX_CLAUSE[c.unit]] = c.limit
            elif isinstance(c, P.ChannelIs):
                out["compute_to_data_only"] = True
        for d in perm.duties:
            if isinstance(d, P.Anonymise):
                out["anonymise"] = True
            elif isinstance(d, P.DeleteWithin):
                out["delete_within_days"] = d.days
    return out
