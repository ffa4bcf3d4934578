"""Deciding one access under a usage policy (issue 11): :func:`evaluate` runs on every read,
export, training and compute-to-data job; a refusal names the clause (its ``@id``) and says why
in Korean and English, and an allowed access carries the duties it must fulfil.

The clauses, how each count is counted and what the duties mean are set out in
:mod:`openkamp.sharing.policy` (the OpenKAMP ODRL profile).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from openkamp.core.errors import Forbidden
from openkamp.i18n import t
from openkamp.sharing.policy import (
    Access,
    Anonymise,
    Before,
    ChannelIs,
    Constraint,
    CountUnit,
    Duty,
    IndustryIn,
    MaxCount,
    NotBefore,
    Permission,
    Purpose,
    PurposeIn,
    RecipientIn,
    UsagePolicy,
    policy_error,
    validate,
)


@dataclass(frozen=True)
class Usage:
    """What the contract has used so far (from the usage ledger); see the module's counting."""

    rows: int = 0
    queries: int = 0
    trainings: int = 0
    # Delivery time of the oldest delivered copy whose deletion is not confirmed yet.
    oldest_undeleted: datetime | None = None


@dataclass(frozen=True)
class AccessRequest:
    """One access to decide: who (organisation IRI, industry code), what, why, when, how much."""

    org: str
    access: Access
    purpose: Purpose
    at: datetime
    industry: str | None = None
    rows: int = 0  # rows this access would deliver (ignored for compute-to-data)
    anonymised: bool = False  # the rows delivered went through the contract's transforms
    usage: Usage = Usage()


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused: the clause (its ``@id``) and its text's parameters.

    ``params`` are language-neutral or ``{"ko": …, "en": …}`` pairs that the catalogue's
    Korean and English texts pick from, so :func:`openkamp.i18n.error_text` shows it too."""

    clause: str
    kind: str
    params: Mapping[str, object]

    @property
    def code(self) -> str:
        return f"policy.refused.{self.kind}"

    def text(self, lang: str = "ko") -> str:
        return t(f"err.{self.code}", lang, clause=self.clause, **self.params)


@dataclass(frozen=True)
class Obligation:
    """A duty an allowed access carries: ``anonymise`` before delivery, ``delete`` by ``due``."""

    clause: str
    kind: str
    due: datetime | None = None

    def text(self, lang: str = "ko") -> str:
        due = self.due.isoformat() if self.due is not None else ""
        return t(f"policy.obligation.{self.kind}", lang, clause=self.clause, due=due)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    permission: str | None = None  # the @id of the permission that allowed the access
    refusals: tuple[Refusal, ...] = ()  # every failing clause, the main reason first
    obligations: tuple[Obligation, ...] = ()

    @property
    def refusal(self) -> Refusal | None:
        return self.refusals[0] if self.refusals else None

    def text(self, lang: str = "ko") -> str:
        if self.refusal is not None:
            return self.refusal.text(lang)
        return t("policy.allowed", lang, clause=self.permission)

    def raise_if_refused(self) -> None:
        """Raise :class:`Forbidden` (code ``policy.refused.<clause kind>``) for a refusal."""
        if self.refusal is not None:
            r = self.refusal
            raise Forbidden(r.text("en"), code=r.code, params={"clause": r.clause, **r.params})


def evaluate(policy: UsagePolicy, request: AccessRequest) -> Decision:
    """Decide one access. Allowed when no prohibition covers its action and some permission
    covering it has every constraint satisfied and no duty broken; otherwise refused, naming the
    failing clauses (the assignee, the prohibition, or each failing clause of the permissions)."""
    validate(policy)
    if request.at.utcoffset() is None:
        raise policy_error("timezone", "request.at", value=request.at.isoformat())
    action = request.access.action
    what = _pair("policy.access", request.access.value)
    if policy.assignee is not None and request.org != policy.assignee:
        return Decision(
            False,
            refusals=(
                Refusal(policy.uid, "assignee", {"assignee": policy.assignee, "org": request.org}),
            ),
        )
    for proh in policy.prohibitions:
        if proh.action.covers(action):
            params = {"action": what, "prohibited": _pair("policy.action", proh.action.value)}
            return Decision(False, refusals=(Refusal(proh.uid, "prohibition", params),))
    candidates = [p for p in policy.permissions if p.action.covers(action)]
    if not candidates:
        return Decision(False, refusals=(Refusal(policy.uid, "no_permission", {"action": what}),))
    refusals: list[Refusal] = []
    for perm in candidates:
        failed = [r for c in perm.constraints if (r := _check(c, request)) is not None]
        failed += [r for d in perm.duties if (r := _check_duty(d, request)) is not None]
        if not failed:
            return Decision(True, perm.uid, obligations=_obligations(perm, request))
        refusals += [r for r in failed if r not in refusals]
    return Decision(False, refusals=tuple(refusals))


def _pair(prefix: str, value: str) -> dict[str, str]:
    return {lang: t(f"{prefix}.{value}", lang) for lang in ("ko", "en")}


def _pairs(prefix: str, values: Sequence[str], sep: str = ", ") -> dict[str, str]:
    return {lang: sep.join(t(f"{prefix}.{v}", lang) for v in values) for lang in ("ko", "en")}


def _check(c: Constraint, r: AccessRequest) -> Refusal | None:
    match c:
        case PurposeIn():
            if r.purpose in c.purposes:
                return None
            return Refusal(
                c.uid,
                "purpose",
                {
                    "purpose": _pair("policy.purpose", r.purpose.value),
                    "allowed": _pairs("policy.purpose", [p.value for p in c.purposes]),
                },
            )
        case RecipientIn():
            if (r.org in c.orgs) != c.exclude:
                return None
            kind = "recipient_excluded" if c.exclude else "recipient"
            return Refusal(c.uid, kind, {"org": r.org})
        case IndustryIn():
            if r.industry is None:  # fail closed: an unknown industry proves nothing
                return Refusal(c.uid, "industry_unknown", {})
            if (r.industry in c.codes) != c.exclude:
                return None
            kind = "industry_excluded" if c.exclude else "industry"
            return Refusal(c.uid, kind, {"industry": r.industry, "allowed": ", ".join(c.codes)})
        case NotBefore():
            if r.at >= c.at:
                return None
            return Refusal(c.uid, "not_before", {"start": c.at.isoformat(), "at": r.at.isoformat()})
        case Before():
            if r.at < c.at:
                return None
            return Refusal(c.uid, "before", {"end": c.at.isoformat(), "at": r.at.isoformat()})
        case MaxCount():
            return _check_count(c, r)
        case ChannelIs():
            if r.access.channel is c.channel:
                return None
            return Refusal(
                c.uid,
                "channel",
                {
                    "channel": _pair("policy.channel", c.channel.value),
                    "action": _pair("policy.access", r.access.value),
                },
            )
    raise AssertionError(c)  # pragma: no cover (validated)


def _check_count(c: MaxCount, r: AccessRequest) -> Refusal | None:
    u = r.usage
    if c.unit is CountUnit.ROW:
        rows = r.rows if r.access.delivers_rows else 0
        if u.rows + rows <= c.limit:
            return None
        return Refusal(c.uid, "max_rows", {"used": u.rows, "rows": rows, "limit": c.limit})
    if c.unit is CountUnit.QUERY:
        if u.queries + 1 <= c.limit:
            return None
        return Refusal(c.uid, "max_queries", {"used": u.queries, "limit": c.limit})
    if not r.access.is_training or u.trainings + 1 <= c.limit:
        return None
    return Refusal(c.uid, "max_trainings", {"used": u.trainings, "limit": c.limit})


def _check_duty(d: Duty, r: AccessRequest) -> Refusal | None:
    if isinstance(d, Anonymise):
        if not r.access.delivers_rows or r.anonymised:
            return None
        return Refusal(d.uid, "anonymise", {})
    oldest = r.usage.oldest_undeleted
    if oldest is None or r.at <= oldest + timedelta(days=d.days):
        return None
    due = oldest + timedelta(days=d.days)
    return Refusal(
        d.uid, "delete", {"delivered": oldest.isoformat(), "days": d.days, "due": due.isoformat()}
    )


def _obligations(perm: Permission, r: AccessRequest) -> tuple[Obligation, ...]:
    if not r.access.delivers_rows:
        return ()
    return tuple(
        Obligation(d.uid, "anonymise")
        if isinstance(d, Anonymise)
        else Obligation(d.uid, "delete", r.at + timedelta(days=d.days))
        for d in perm.duties
    )
