"""ODRL 2.2 JSON-LD of usage policies (issue 11): :func:`to_jsonld` writes the compact form with
the W3C context, :func:`from_jsonld` reads it back and refuses anything unknown or malformed.

Profile and clauses: :mod:`openkamp.sharing.policy`. The document's ``@context`` is the W3C
context followed by the prefixes ``odrl``, ``okp`` (the profile) and ``xsd``; reading refuses a
context that defines anything else, since a redefined term would give the triples another
meaning than the one the evaluator reads. Reading also accepts ODRL's ``uid`` and ``type``,
``odrl:``-prefixed or full IRIs for vocabulary terms, and single values for one-element lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openkamp.sharing.policy import (
    ACTION_NAMES,
    LEFT_OPERAND_NAMES,
    ODRL,
    ODRL_CONTEXT,
    OKP,
    PROFILE,
    PURPOSE_NAMES,
    XSD,
    Action,
    Anonymise,
    Before,
    Channel,
    ChannelIs,
    Constraint,
    CountUnit,
    DeleteWithin,
    Duty,
    IndustryIn,
    MaxCount,
    NotBefore,
    Permission,
    PolicyKind,
    Prohibition,
    Purpose,
    PurposeIn,
    RecipientIn,
    UsagePolicy,
    check_iri,
    policy_error,
    shown,
    validate,
)

# The document's own context: the profile's prefix; odrl and xsd as the W3C context has them.
LOCAL_CONTEXT: Mapping[str, str] = {"odrl": ODRL, "okp": OKP, "xsd": XSD}
_ODRL_CONTEXTS = (ODRL_CONTEXT, "https://www.w3.org/ns/odrl.jsonld")
_DAYS = re.compile(r"P(\d{1,5})D")


def to_jsonld(policy: UsagePolicy) -> dict[str, Any]:
    """The policy as compact ODRL 2.2 JSON-LD (validated first)."""
    validate(policy)
    doc: dict[str, Any] = {
        "@context": [ODRL_CONTEXT, dict(LOCAL_CONTEXT)],
        "@type": policy.kind.value,
        "@id": policy.uid,
        "profile": PROFILE,
        "conflict": "prohibit",
        "target": policy.target,
        "assigner": policy.assigner,
    }
    if policy.assignee is not None:
        doc["assignee"] = policy.assignee
    if policy.permissions:
        doc["permission"] = [_permission_json(p) for p in policy.permissions]
    if policy.prohibitions:
        doc["prohibition"] = [{"@id": p.uid, "action": p.action.value} for p in policy.prohibitions]
    return doc


def _permission_json(p: Permission) -> dict[str, Any]:
    out: dict[str, Any] = {"@id": p.uid, "action": p.action.value}
    if p.constraints:
        out["constraint"] = [_constraint_json(c) for c in p.constraints]
    if p.duties:
        out["duty"] = [_duty_json(d) for d in p.duties]
    return out


def _constraint_json(c: Constraint) -> dict[str, Any]:
    def node(left: str, operator: str, right: object, **extra: object) -> dict[str, Any]:
        return {
            "@id": c.uid,
            "leftOperand": left,
            "operator": operator,
            "rightOperand": right,
            **extra,
        }

    match c:
        case PurposeIn():
            return node(
                "purpose", "isAnyOf", [{"@id": f"okp:purpose:{p.value}"} for p in c.purposes]
            )
        case RecipientIn():
            return node(
                "recipient",
                "isNoneOf" if c.exclude else "isAnyOf",
                [{"@id": org} for org in c.orgs],
            )
        case IndustryIn():
            return node("odrl:industry", "isNoneOf" if c.exclude else "isAnyOf", list(c.codes))
        case NotBefore() | Before():
            return node(
                "dateTime",
                "gteq" if isinstance(c, NotBefore) else "lt",
                {"@value": c.at.isoformat(), "@type": "xsd:dateTime"},
            )
        case MaxCount():
            return node("count", "lteq", c.limit, unit={"@id": f"okp:{c.unit.value}"})
        case ChannelIs():
            return node("deliveryChannel", "eq", {"@id": f"okp:{c.channel.value}"})
    raise AssertionError(c)  # pragma: no cover (validated)


def _duty_json(d: Duty) -> dict[str, Any]:
    if isinstance(d, Anonymise):
        return {"@id": d.uid, "action": "anonymize"}
    elapsed = {
        "leftOperand": "elapsedTime",
        "operator": "lteq",
        "rightOperand": {"@value": f"P{d.days}D", "@type": "xsd:duration"},
    }
    return {"@id": d.uid, "action": "delete", "constraint": [elapsed]}


# --- JSON-LD: reading ------------------------------------------------------------------------

_POLICY_KEYS = {
    "@context",
    "@id",
    "uid",
    "@type",
    "type",
    "profile",
    "conflict",
    "target",
    "assigner",
    "assignee",
    "permission",
    "prohibition",
}
_PERMISSION_KEYS = {"@id", "uid", "@type", "type", "action", "constraint", "duty"}
_PROHIBITION_KEYS = {"@id", "uid", "@type", "type", "action"}
_CONSTRAINT_KEYS = {
    "@id",
    "uid",
    "@type",
    "type",
    "leftOperand",
    "operator",
    "rightOperand",
    "unit",
}
_DUTY_KEYS = {"@id", "uid", "@type", "type", "action", "constraint"}
# Operators each left operand takes (ODRL 2.2 notes, narrowed to what the evaluator decides).
_OPERATORS = {
    "purpose": ("isAnyOf",),
    "recipient": ("isAnyOf", "isNoneOf"),
    "industry": ("isAnyOf", "isNoneOf"),
    "dateTime": ("gteq", "lt"),
    "count": ("lteq",),
    "deliveryChannel": ("eq",),
}


def from_jsonld(document: Mapping[str, Any] | str) -> UsagePolicy:
    """Read an ODRL 2.2 JSON-LD Offer or Agreement of the OpenKAMP profile (compact form, as
    :func:`to_jsonld` writes it; ``uid``/``type`` accepted for ``@id``/``@type``, single values
    for one-element lists). Anything unknown or malformed raises :class:`InvalidInput`."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError as exc:
            raise policy_error("json", "", detail=str(exc)) from exc
    doc = _object(document, "")
    _keys(doc, _POLICY_KEYS, "")
    _context(doc.get("@context"))
    profiles = [_ref(p, "profile") for p in _list(doc.get("profile"), "profile")]
    if PROFILE not in profiles:
        raise policy_error("profile", "profile", profile=PROFILE)
    conflict = doc.get("conflict")
    if conflict is not None and _term(conflict, "conflict", ODRL) != "prohibit":
        raise policy_error("conflict", "conflict", value=shown(conflict))
    kind_name = _term(_one(doc, "@type", "type", ""), "@type", ODRL)
    try:
        kind = PolicyKind(kind_name)
    except ValueError:
        raise policy_error("policy_type", "@type", value=kind_name) from None
    assignee = doc.get("assignee")
    policy = UsagePolicy(
        uid=check_iri(_one(doc, "@id", "uid", ""), "@id"),
        kind=kind,
        target=_ref(_required(doc, "target", ""), "target"),
        assigner=_ref(_required(doc, "assigner", ""), "assigner"),
        assignee=None if assignee is None else _ref(assignee, "assignee"),
        permissions=tuple(
            _read_permission(_object(p, f"permission[{i}]"), f"permission[{i}]")
            for i, p in enumerate(_list(doc.get("permission"), "permission"))
        ),
        prohibitions=tuple(
            _read_prohibition(_object(p, f"prohibition[{i}]"), f"prohibition[{i}]")
            for i, p in enumerate(_list(doc.get("prohibition"), "prohibition"))
        ),
    )
    return validate(policy)


def _read_permission(node: Mapping[str, Any], path: str) -> Permission:
    _keys(node, _PERMISSION_KEYS, path)
    _rule_type(node, "Permission", path)
    return Permission(
        uid=check_iri(_one(node, "@id", "uid", path), f"{path}.@id"),
        action=_action(_required(node, "action", path), f"{path}.action"),
        constraints=tuple(
            _read_constraint(_object(c, f"{path}.constraint[{j}]"), f"{path}.constraint[{j}]")
            for j, c in enumerate(_list(node.get("constraint"), f"{path}.constraint"))
        ),
        duties=tuple(
            _read_duty(_object(d, f"{path}.duty[{j}]"), f"{path}.duty[{j}]")
            for j, d in enumerate(_list(node.get("duty"), f"{path}.duty"))
        ),
    )


def _read_prohibition(node: Mapping[str, Any], path: str) -> Prohibition:
    if "constraint" in node:
        raise policy_error("prohibition_constraint", f"{path}.constraint")
    _keys(node, _PROHIBITION_KEYS, path)
    _rule_type(node, "Prohibition", path)
    return Prohibition(
        uid=check_iri(_one(node, "@id", "uid", path), f"{path}.@id"),
        action=_action(_required(node, "action", path), f"{path}.action"),
    )


def _read_constraint(node: Mapping[str, Any], path: str) -> Constraint:
    _keys(node, _CONSTRAINT_KEYS, path)
    _rule_type(node, "Constraint", path)
    uid = check_iri(_one(node, "@id", "uid", path), f"{path}.@id")
    left = _term(_required(node, "leftOperand", path), f"{path}.leftOperand", ODRL)
    if left not in _OPERATORS:
        raise policy_error(
            "left_operand", f"{path}.leftOperand", value=left, allowed=LEFT_OPERAND_NAMES
        )
    operator = _term(_required(node, "operator", path), f"{path}.operator", ODRL)
    if operator not in _OPERATORS[left]:
        raise policy_error(
            "operator",
            f"{path}.operator",
            left=left,
            value=operator,
            allowed=", ".join(_OPERATORS[left]),
        )
    right = _required(node, "rightOperand", path)
    rpath = f"{path}.rightOperand"
    if left != "count" and "unit" in node:
        raise policy_error("unknown_key", path, name="unit", allowed="(count only)")
    match left:
        case "purpose":
            return PurposeIn(uid, tuple(_purpose(v, rpath) for v in _list(right, rpath)))
        case "recipient":
            orgs = tuple(_ref(v, rpath) for v in _list(right, rpath))
            return RecipientIn(uid, orgs, operator == "isNoneOf")
        case "industry":
            return IndustryIn(
                uid, tuple(_literal(v, rpath) for v in _list(right, rpath)), operator == "isNoneOf"
            )
        case "dateTime":
            at = _datetime(right, rpath)
            return NotBefore(uid, at) if operator == "gteq" else Before(uid, at)
        case "count":
            unit = _okp(_required(node, "unit", path), f"{path}.unit", CountUnit, "unit")
            return MaxCount(uid, _count(right, rpath), unit)
        case _:  # deliveryChannel
            return ChannelIs(uid, _okp(right, rpath, Channel, "channel"))


def _read_duty(node: Mapping[str, Any], path: str) -> Duty:
    _keys(node, _DUTY_KEYS, path)
    _rule_type(node, "Duty", path)
    uid = check_iri(_one(node, "@id", "uid", path), f"{path}.@id")
    action = _term(_required(node, "action", path), f"{path}.action", ODRL)
    constraints = _list(node.get("constraint"), f"{path}.constraint")
    if action == "anonymize":
        if constraints:
            raise policy_error("duty_constraint", f"{path}.constraint")
        return Anonymise(uid)
    if action != "delete":
        raise policy_error(
            "duty_action", f"{path}.action", value=action, allowed="anonymize, delete"
        )
    cpath = f"{path}.constraint[0]"
    if len(constraints) != 1:
        raise policy_error("delete_elapsed", f"{path}.constraint")
    elapsed = _object(constraints[0], cpath)
    _keys(elapsed, _CONSTRAINT_KEYS - {"unit"}, cpath)
    left = _term(_required(elapsed, "leftOperand", cpath), f"{cpath}.leftOperand", ODRL)
    operator = _term(_required(elapsed, "operator", cpath), f"{cpath}.operator", ODRL)
    if left != "elapsedTime" or operator != "lteq":
        raise policy_error("delete_elapsed", cpath)
    value = _typed(_required(elapsed, "rightOperand", cpath), f"{cpath}.rightOperand", "duration")
    match = _DAYS.fullmatch(value)
    if match is None:
        raise policy_error("duration", f"{cpath}.rightOperand", value=value)
    return DeleteWithin(uid, int(match.group(1)))


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise policy_error("not_object", path or "(document)", value=shown(value))
    return value


def _keys(node: Mapping[str, Any], allowed: set[str], path: str) -> None:
    for key in node:
        if key not in allowed:
            raise policy_error(
                "unknown_key", path or "(document)", name=key, allowed=", ".join(sorted(allowed))
            )
    for a, b in (("@id", "uid"), ("@type", "type")):
        if a in node and b in node:
            raise policy_error(
                "unknown_key", path or "(document)", name=b, allowed=f"{a} (not both {a} and {b})"
            )


def _one(node: Mapping[str, Any], key: str, alias: str, path: str) -> Any:
    value = node.get(key, node.get(alias))
    if value is None:
        raise policy_error("missing", path or "(document)", name=key)
    return value


def _required(node: Mapping[str, Any], key: str, path: str) -> Any:
    if node.get(key) is None:
        raise policy_error("missing", path or "(document)", name=key)
    return node[key]


def _list(value: object, path: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Mapping) and "@list" in value:
        value = value["@list"]
    return list(value) if isinstance(value, list) else [value]


def _context(context: object) -> None:
    items = _list(context, "@context")
    if not any(isinstance(c, str) and c in _ODRL_CONTEXTS for c in items):
        raise policy_error("context", "@context", context=ODRL_CONTEXT)
    for item in items:
        if isinstance(item, str) and item in _ODRL_CONTEXTS:
            continue
        # Only the prefixes this profile writes: a context that redefines ODRL's terms would make
        # the triples mean something else than what the evaluator reads.
        if not isinstance(item, Mapping) or any(LOCAL_CONTEXT.get(k) != v for k, v in item.items()):
            raise policy_error(
                "context_term",
                "@context",
                value=shown(item),
                allowed=", ".join(f"{k}: {v}" for k, v in LOCAL_CONTEXT.items()),
            )


def _expand(value: str) -> str:
    prefix, sep, rest = value.partition(":")
    if sep and prefix in LOCAL_CONTEXT and not rest.startswith("//"):
        return LOCAL_CONTEXT[prefix] + rest
    return value


def _term(value: object, path: str, namespace: str) -> str:
    """An ODRL vocabulary term given as ``term``, ``odrl:term``, its IRI or ``{"@id": …}``."""
    if isinstance(value, Mapping) and set(value) == {"@id"}:
        value = value["@id"]
    if not isinstance(value, str):
        raise policy_error("term", path, value=shown(value))
    full = _expand(value)
    if full.startswith(namespace):
        return full[len(namespace) :]
    if ":" in value:
        raise policy_error("term", path, value=value)
    return value


def _action(value: object, path: str) -> Action:
    name = _term(value, path, ODRL)
    try:
        return Action(name)
    except ValueError:
        raise policy_error("action", path, value=name, allowed=ACTION_NAMES) from None


def _ref(value: object, path: str) -> str:
    """An IRI given as a string or ``{"@id": …}`` (compact ``okp:``/``odrl:`` IRIs expanded)."""
    if isinstance(value, Mapping) and set(value) == {"@id"}:
        value = value["@id"]
    if not isinstance(value, str):
        raise policy_error("iri", path, value=shown(value))
    return check_iri(_expand(value), path)


def _okp(value: object, path: str, enum: type[Any], reason: str) -> Any:
    iri = _ref(value, path)
    name = iri[len(OKP) :] if iri.startswith(OKP) else None
    try:
        return enum(name)
    except ValueError:
        raise policy_error(reason, path, value=shown(value)) from None


def _purpose(value: object, path: str) -> Purpose:
    iri = _ref(value, path)
    prefix = f"{OKP}purpose:"
    try:
        return Purpose(iri[len(prefix) :] if iri.startswith(prefix) else "")
    except ValueError:
        raise policy_error("purpose", path, value=iri, allowed=PURPOSE_NAMES) from None


def _literal(value: object, path: str) -> str:
    if isinstance(value, Mapping) and set(value) <= {"@value", "@type"} and "@value" in value:
        if value.get("@type") not in (None, "xsd:string", XSD + "string"):
            raise policy_error("industry", path, value=shown(value))
        value = value["@value"]
    if not isinstance(value, str):
        raise policy_error("industry", path, value=shown(value))
    return value


def _typed(value: object, path: str, xsd_type: str) -> str:
    """The lexical form of ``{"@value": …, "@type": "xsd:<xsd_type>"}``."""
    if (
        not isinstance(value, Mapping)
        or set(value) != {"@value", "@type"}
        or _expand(str(value["@type"])) != XSD + xsd_type
        or not isinstance(value["@value"], str)
    ):
        raise policy_error("typed", path, value=shown(value), type=f"xsd:{xsd_type}")
    return value["@value"]


def _datetime(value: object, path: str) -> datetime:
    text = _typed(value, path, "dateTime")
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise policy_error("typed", path, value=text, type="xsd:dateTime") from None
    if at.utcoffset() is None:
        raise policy_error("timezone", path, value=text)
    return at


def _count(value: object, path: str) -> int:
    if isinstance(value, Mapping) and set(value) == {"@value", "@type"}:
        if _expand(str(value["@type"])) not in (XSD + "integer", XSD + "nonNegativeInteger"):
            raise policy_error("count", path, value=shown(value))
        value = value["@value"]
        if isinstance(value, str) and value.isdigit():
            value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise policy_error("count", path, value=shown(value))
    return value


def _rule_type(node: Mapping[str, Any], expected: str, path: str) -> None:
    given = node.get("@type", node.get("type"))
    if given is not None and _term(given, f"{path}.@type", ODRL) != expected:
        raise policy_error("node_type", f"{path}.@type", value=shown(given), expected=expected)
