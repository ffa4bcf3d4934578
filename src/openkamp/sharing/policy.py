"""Usage policies as ODRL 2.2 documents (issue 11, item 2): model, JSON-LD, validator, evaluator.

A factory's terms for a dataset are an ODRL 2.2 ``Offer`` (what the catalog shows) or
``Agreement`` (what a contract binds, with an ``assignee``), written as JSON-LD with the W3C
context ``http://www.w3.org/ns/odrl.jsonld`` in the **OpenKAMP profile** (:data:`PROFILE`, declared
in every document with ``profile``). This module holds the typed model (:class:`UsagePolicy`), its
validator that refuses unknown or malformed clauses (:func:`validate`, errors in Korean and
English) and builders for the usual offer and its agreement. Its JSON-LD form, both ways, is in
:mod:`openkamp.sharing.policy_jsonld`; the evaluator run on every access, whose refusal names the
clause, in :mod:`openkamp.sharing.access`.

Clauses and their ODRL form (every clause carries an ``@id``; a refusal names it):

==================  ===========================================================================
clause              ODRL 2.2
==================  ===========================================================================
purpose             constraint ``purpose isAnyOf [okp:purpose:…]``
recipients          constraint ``recipient isAnyOf / isNoneOf [organisation IRIs]``
industries          constraint ``odrl:industry isAnyOf / isNoneOf ["C29", …]`` (KSIC codes)
time window         constraints ``dateTime gteq T0`` and ``dateTime lt T1`` (xsd:dateTime)
maximum             constraint ``count lteq N`` with ``unit`` okp:row / okp:query / okp:training
compute-to-data     constraint ``deliveryChannel eq okp:computeToData``
anonymisation       duty ``anonymize``
deletion            duty ``delete`` with constraint ``elapsedTime lteq PnD`` (xsd:duration, days)
no redistribution   prohibition ``distribute``
parties             ``assigner`` (the owner), ``assignee`` (an Agreement's consumer), ``target``
==================  ===========================================================================

What the profile adds (terms ODRL leaves to profiles, namespace ``urn:openkamp:odrl:``, prefix
``okp``): the units of count, the delivery channels and the purposes below, and these rules:

- **Counting.** Counters are kept per policy (one contract) by the usage ledger and handed to
  :func:`evaluate` in :class:`Usage`. ``okp:row``: rows delivered to the consumer (reading,
  export, training on delivered rows, redistribution); compute-to-data delivers none. A request
  for n rows is allowed while used + n <= N, so the N-th row is the last one allowed.
  ``okp:query``: accesses the policy allowed, of any kind (one read call, one export, one
  training job); the (N+1)-th is refused. ``okp:training``: trainings allowed (training on
  delivered rows and compute-to-data); the (N+1)-th is refused. A count limit in a rule limits
  the whole contract's counter, whatever the rule's action.
- **Conflicts.** ``conflict`` is always ``prohibit``: a prohibition wins over every permission.
  Prohibitions carry no constraints (they always apply), so adding a constraint anywhere can
  only narrow what is allowed.
- **Duties.** ``anonymize``: rows delivered must have gone through the transforms the contract
  requires (the delivery layer applies them and says so with ``AccessRequest.anonymised``).
  ``delete``: every delivered copy must be deleted within N days of its delivery; while a copy
  is overdue (``Usage.oldest_undeleted``) the permission is not in effect (ODRL: a permission
  whose duty is not fulfilled does not apply). Accesses that deliver rows carry both duties
  back in :attr:`Decision.obligations` (with the deletion deadline).
- **Actions.** A request is one of :class:`Access`; each maps to an ODRL action (read → read,
  export → reproduce, train and compute-to-data → derive, redistribute → distribute) and a
  delivery channel (compute-to-data → okp:computeToData, the others → okp:rowDelivery). ODRL's
  ``use`` includes all of these (ODRL 2.2 ``includedIn``).

Identifiers are written with JSON-LD's ``@id`` rather than ``uid``: versions of the published
ODRL context map ``uid`` either to ``@id`` or to the property ``odrl:uid``, so only ``@id`` makes
the policy's IRI the subject of its triples in every processor. Likewise ``odrl:industry`` is
written as a compact IRI, because the published context's ``industry`` term does not expand to
the vocabulary's IRI. Reading accepts ``uid`` and ``type`` as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeAlias

from openkamp.core.errors import InvalidInput
from openkamp.i18n import t

ODRL = "http://www.w3.org/ns/odrl/2/"
ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
XSD = "http://www.w3.org/2001/XMLSchema#"
OKP = "urn:openkamp:odrl:"
PROFILE = "urn:openkamp:odrl:profile:1"
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


class PolicyKind(StrEnum):
    OFFER = "Offer"
    AGREEMENT = "Agreement"


class Action(StrEnum):
    """ODRL 2.2 actions a rule may name. Every one but ``use`` is ``includedIn`` use."""

    USE = "use"
    READ = "read"
    REPRODUCE = "reproduce"
    DERIVE = "derive"
    DISTRIBUTE = "distribute"

    def covers(self, other: Action) -> bool:
        return self is other or self is Action.USE


class Purpose(StrEnum):
    """The profile's purposes (``okp:purpose:<value>``)."""

    QUALITY = "quality"
    MAINTENANCE = "maintenance"
    PROCESS = "process"
    ENERGY = "energy"
    RESEARCH = "research"
    PRODUCT = "product"
    EDUCATION = "education"

    @property
    def iri(self) -> str:
        return f"{OKP}purpose:{self.value}"


class Channel(StrEnum):
    """Delivery channels (``okp:<value>``): rows handed over, or computation in the owner's space."""

    ROW_DELIVERY = "rowDelivery"
    COMPUTE_TO_DATA = "computeToData"


class CountUnit(StrEnum):
    """What a ``count`` constraint counts (``okp:<value>``); see the module's notes."""

    ROW = "row"
    QUERY = "query"
    TRAINING = "training"


class Access(StrEnum):
    """What a request does with the data."""

    READ = "read"
    EXPORT = "export"
    TRAIN = "train"
    COMPUTE_TO_DATA = "compute_to_data"
    REDISTRIBUTE = "redistribute"

    @property
    def action(self) -> Action:
        return _ACCESS_ACTION[self]

    @property
    def channel(self) -> Channel:
        return Channel.COMPUTE_TO_DATA if self is Access.COMPUTE_TO_DATA else Channel.ROW_DELIVERY

    @property
    def delivers_rows(self) -> bool:
        return self is not Access.COMPUTE_TO_DATA

    @property
    def is_training(self) -> bool:
        return self in (Access.TRAIN, Access.COMPUTE_TO_DATA)


# Lists of allowed names, as the validator's messages show them.
ACTION_NAMES = ", ".join(a.value for a in Action)
PURPOSE_NAMES = ", ".join(f"okp:purpose:{p.value}" for p in Purpose)
LEFT_OPERAND_NAMES = "purpose, recipient, odrl:industry, dateTime, count, deliveryChannel"

_ACCESS_ACTION = {
    Access.READ: Action.READ,
    Access.EXPORT: Action.REPRODUCE,
    Access.TRAIN: Action.DERIVE,
    Access.COMPUTE_TO_DATA: Action.DERIVE,
    Access.REDISTRIBUTE: Action.DISTRIBUTE,
}


# --- the model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurposeIn:
    """``purpose isAnyOf``: the stated purpose is one of these."""

    uid: str
    purposes: tuple[Purpose, ...]


@dataclass(frozen=True)
class RecipientIn:
    """``recipient isAnyOf`` (or ``isNoneOf`` when ``exclude``): organisation IRIs."""

    uid: str
    orgs: tuple[str, ...]
    exclude: bool = False


@dataclass(frozen=True)
class IndustryIn:
    """``odrl:industry isAnyOf`` (or ``isNoneOf`` when ``exclude``): industry codes (KSIC)."""

    uid: str
    codes: tuple[str, ...]
    exclude: bool = False


@dataclass(frozen=True)
class NotBefore:
    """``dateTime gteq``: no access before ``at``."""

    uid: str
    at: datetime


@dataclass(frozen=True)
class Before:
    """``dateTime lt``: access only before ``at`` (the window's end is excluded)."""

    uid: str
    at: datetime


@dataclass(frozen=True)
class MaxCount:
    """``count lteq limit`` with ``unit``: at most ``limit`` rows, queries or trainings."""

    uid: str
    limit: int
    unit: CountUnit


@dataclass(frozen=True)
class ChannelIs:
    """``deliveryChannel eq``: only through this channel (compute-to-data only, typically)."""

    uid: str
    channel: Channel


Constraint: TypeAlias = (
    PurposeIn | RecipientIn | IndustryIn | NotBefore | Before | MaxCount | ChannelIs
)


@dataclass(frozen=True)
class Anonymise:
    """Duty ``anonymize``: delivered rows go through the contract's transforms."""

    uid: str


@dataclass(frozen=True)
class DeleteWithin:
    """Duty ``delete`` with ``elapsedTime lteq P<days>D``: delete each copy within ``days``."""

    uid: str
    days: int


Duty: TypeAlias = Anonymise | DeleteWithin


@dataclass(frozen=True)
class Permission:
    uid: str
    action: Action
    constraints: tuple[Constraint, ...] = ()
    duties: tuple[Duty, ...] = ()


@dataclass(frozen=True)
class Prohibition:
    uid: str
    action: Action


@dataclass(frozen=True)
class UsagePolicy:
    """An ODRL Offer or Agreement of the OpenKAMP profile, about one ``target`` dataset."""

    uid: str
    kind: PolicyKind
    target: str
    assigner: str
    assignee: str | None = None
    permissions: tuple[Permission, ...] = ()
    prohibitions: tuple[Prohibition, ...] = ()


def offer(
    uid: str,
    *,
    target: str,
    assigner: str,
    purposes: Sequence[Purpose] | None = None,
    recipients: Sequence[str] | None = None,
    excluded_recipients: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
    excluded_industries: Sequence[str] | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    max_rows: int | None = None,
    max_queries: int | None = None,
    max_trainings: int | None = None,
    compute_to_data_only: bool = False,
    anonymise: bool = False,
    delete_within_days: int | None = None,
    no_redistribution: bool = True,
) -> UsagePolicy:
    """The usual Offer: one permission to ``use`` with the given clauses, and (by default) the
    prohibition to redistribute. Clause ids are ``<uid>#<clause>``; left-out clauses are absent."""
    c: list[Constraint] = []
    if purposes is not None:
        c.append(PurposeIn(f"{uid}#purpose", tuple(purposes)))
    if recipients is not None:
        c.append(RecipientIn(f"{uid}#recipients", tuple(recipients)))
    if excluded_recipients is not None:
        c.append(RecipientIn(f"{uid}#excluded-recipients", tuple(excluded_recipients), True))
    if industries is not None:
        c.append(IndustryIn(f"{uid}#industries", tuple(industries)))
    if excluded_industries is not None:
        c.append(IndustryIn(f"{uid}#excluded-industries", tuple(excluded_industries), True))
    if valid_from is not None:
        c.append(NotBefore(f"{uid}#valid-from", valid_from))
    if valid_until is not None:
        c.append(Before(f"{uid}#valid-until", valid_until))
    for limit, unit, clause in (
        (max_rows, CountUnit.ROW, "max-rows"),
        (max_queries, CountUnit.QUERY, "max-queries"),
        (max_trainings, CountUnit.TRAINING, "max-trainings"),
    ):
        if limit is not None:
            c.append(MaxCount(f"{uid}#{clause}", limit, unit))
    if compute_to_data_only:
        c.append(ChannelIs(f"{uid}#compute-to-data-only", Channel.COMPUTE_TO_DATA))
    duties: list[Duty] = []
    if anonymise:
        duties.append(Anonymise(f"{uid}#anonymise"))
    if delete_within_days is not None:
        duties.append(DeleteWithin(f"{uid}#delete", delete_within_days))
    prohibitions = (Prohibition(f"{uid}#no-redistribution", Action.DISTRIBUTE),)
    return UsagePolicy(
        uid,
        PolicyKind.OFFER,
        target,
        assigner,
        permissions=(Permission(f"{uid}#use", Action.USE, tuple(c), tuple(duties)),),
        prohibitions=prohibitions if no_redistribution else (),
    )


def agreement(terms: UsagePolicy, uid: str, assignee: str) -> UsagePolicy:
    """The Agreement a contract binds: ``terms`` (an Offer, possibly changed by the owner) for
    ``assignee``. Clause ids under the offer's IRI move under the agreement's."""

    def rebase(clause: Any) -> Any:
        old = clause.uid
        return replace(
            clause, uid=uid + old[len(terms.uid) :] if old.startswith(terms.uid) else old
        )

    return validate(
        UsagePolicy(
            uid,
            PolicyKind.AGREEMENT,
            terms.target,
            terms.assigner,
            assignee,
            permissions=tuple(
                replace(
                    rebase(p),
                    constraints=tuple(rebase(c) for c in p.constraints),
                    duties=tuple(rebase(d) for d in p.duties),
                )
                for p in terms.permissions
            ),
            prohibitions=tuple(rebase(p) for p in terms.prohibitions),
        )
    )


# --- errors ----------------------------------------------------------------------------------


def policy_error(reason: str, path: str, **params: object) -> InvalidInput:
    """The validator's error: code ``policy.invalid.<reason>``, ``params['path']`` says where."""
    params = {"path": path, **params}
    hint_key = f"err.policy.invalid.{reason}.hint"
    return InvalidInput(
        t(f"err.policy.invalid.{reason}", "en", **params),
        hint=t(hint_key, "en", **params) if _has(hint_key) else None,
        code=f"policy.invalid.{reason}",
        params=params,
    )


def _has(key: str) -> bool:
    from openkamp.i18n import MESSAGES

    return key in MESSAGES


def check_iri(value: object, path: str) -> str:
    """``value`` if it is an absolute IRI, else the validator's ``iri`` error at ``path``."""
    if not isinstance(value, str) or not _IRI.fullmatch(value):
        raise policy_error("iri", path, value=shown(value))
    return value


def shown(value: object) -> str:
    """A value as an error message shows it (JSON, at most 80 characters)."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "…"


# --- validation of the model -----------------------------------------------------------------


def validate(policy: UsagePolicy) -> UsagePolicy:
    """Check a policy as the profile defines it; return it, or raise :class:`InvalidInput`
    (code ``policy.invalid.<reason>``, ``params['path']`` in JSON-LD terms)."""
    check_iri(policy.uid, "@id")
    if not isinstance(policy.kind, PolicyKind):
        raise policy_error("policy_type", "@type", value=shown(policy.kind))
    check_iri(policy.target, "target")
    check_iri(policy.assigner, "assigner")
    if policy.assignee is not None:
        check_iri(policy.assignee, "assignee")
    elif policy.kind is PolicyKind.AGREEMENT:
        raise policy_error("missing", "", name="assignee")
    if not policy.permissions and not policy.prohibitions:
        raise policy_error("no_rules", "")
    seen = {policy.uid}

    def once(uid: str, path: str) -> None:
        check_iri(uid, f"{path}.@id")
        if uid in seen:
            raise policy_error("duplicate_id", path, value=uid)
        seen.add(uid)

    for i, perm in enumerate(policy.permissions):
        path = f"permission[{i}]"
        once(perm.uid, path)
        if not isinstance(perm.action, Action):
            raise policy_error(
                "action", f"{path}.action", value=shown(perm.action), allowed=ACTION_NAMES
            )
        starts = [c.at for c in perm.constraints if isinstance(c, NotBefore)]
        ends = [c.at for c in perm.constraints if isinstance(c, Before)]
        for j, c in enumerate(perm.constraints):
            once(c.uid, f"{path}.constraint[{j}]")
            _check_constraint(c, f"{path}.constraint[{j}]")
        if starts and ends and max(starts) >= min(ends):
            raise policy_error(
                "empty_window", path, start=max(starts).isoformat(), end=min(ends).isoformat()
            )
        for j, d in enumerate(perm.duties):
            once(d.uid, f"{path}.duty[{j}]")
            if isinstance(d, DeleteWithin) and not (
                isinstance(d.days, int) and not isinstance(d.days, bool) and 0 <= d.days <= 99999
            ):
                raise policy_error("days", f"{path}.duty[{j}]", value=shown(d.days))
            if not isinstance(d, Anonymise | DeleteWithin):
                raise policy_error(
                    "duty_action", f"{path}.duty[{j}]", value=shown(d), allowed="anonymize, delete"
                )
    for i, proh in enumerate(policy.prohibitions):
        once(proh.uid, f"prohibition[{i}]")
        if not isinstance(proh.action, Action):
            raise policy_error(
                "action", f"prohibition[{i}].action", value=shown(proh.action), allowed=ACTION_NAMES
            )
    return policy


def _check_constraint(c: Constraint, path: str) -> None:
    right = f"{path}.rightOperand"
    match c:
        case PurposeIn():
            if not c.purposes:
                raise policy_error("empty", right)
            for p in c.purposes:
                if not isinstance(p, Purpose):
                    raise policy_error("purpose", right, value=shown(p), allowed=PURPOSE_NAMES)
        case RecipientIn():
            if not c.orgs:
                raise policy_error("empty", right)
            for org in c.orgs:
                check_iri(org, right)
        case IndustryIn():
            if not c.codes:
                raise policy_error("empty", right)
            for code in c.codes:
                if not isinstance(code, str) or not code.strip() or code != code.strip():
                    raise policy_error("industry", right, value=shown(code))
        case NotBefore() | Before():
            if not isinstance(c.at, datetime) or c.at.utcoffset() is None:
                raise policy_error("timezone", right, value=shown(str(c.at)))
        case MaxCount():
            if not isinstance(c.limit, int) or isinstance(c.limit, bool) or c.limit < 0:
                raise policy_error("count", right, value=shown(c.limit))
            if not isinstance(c.unit, CountUnit):
                raise policy_error("unit", f"{path}.unit", value=shown(c.unit))
        case ChannelIs():
            if not isinstance(c.channel, Channel):
                raise policy_error("channel", right, value=shown(c.channel))
        case _:
            raise policy_error(
                "left_operand",
                f"{path}.leftOperand",
                value=shown(repr(c)),
                allowed=LEFT_OPERAND_NAMES,
            )
