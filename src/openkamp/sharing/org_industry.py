"""An organisation's industry (KSIC code, ``orgs.industry``): what a usage policy's industry
clause checks of a consumer (issue 11, item 2). Its administrators set it; anyone in it reads it.

An industry clause fails closed: while the consumer's code is not recorded, every use under an
offer whose terms allow (or exclude) industries is refused. :func:`industry_check` says so before
it happens, for the pages and the API: the codes the clauses allow and exclude, whether the
organisation's code meets them (None: not recorded), whether the user may record it, and
otherwise whom to ask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal, Role, require
from openkamp.i18n import t
from openkamp.sharing.offer_fields import KSIC
from openkamp.sharing.policy import IndustryIn, UsagePolicy
from openkamp.storage.metadata.schema import orgs, users

__all__ = ["IndustryCheck", "administrators", "industry", "industry_check", "set_industry"]


@dataclass(frozen=True)
class IndustryCheck:
    """What the industry clauses of an offer's (or a contract's) terms ask of the principal's
    organisation. ``met`` is None while the organisation's code is not recorded: every use would
    be refused until an administrator records it."""

    industry: str | None  # the organisation's KSIC code (None: not recorded)
    allowed: tuple[str, ...]  # the codes the clauses allow only (empty: any not excluded)
    excluded: tuple[str, ...]  # the codes the clauses exclude
    met: bool | None
    can_set: bool  # the principal may record the code (an administrator)
    administrators: tuple[str, ...]  # whom to ask otherwise

    def to_json(self) -> dict[str, Any]:
        return {"industry": self.industry, "allowed": list(self.allowed),
                "excluded": list(self.excluded), "met": self.met, "can_set": self.can_set,
                "administrators": list(self.administrators)}  # fmt: skip


def industry(meta: Any, principal: Principal) -> str | None:
    require(principal, Role.VIEWER)
    value = meta.get_org(principal.org_id).get("industry")
    return None if not value else str(value)


def set_industry(meta: Any, principal: Principal, code: str | None) -> str | None:
    """Record (or, with None or "", clear) the organisation's KSIC code, e.g. ``C29``."""
    require(principal, Role.ADMIN)
    value = None if code is None or code == "" else code
    if value is not None and (not isinstance(value, str) or not KSIC.fullmatch(value)):
        params: dict[str, object] = {"value": str(value)[:40]}
        raise InvalidInput(
            t("err.sharing.org.industry", "en", **params),
            code="sharing.org.industry",
            params=params,
        )
    with meta._write() as conn:
        conn.execute(update(orgs).where(orgs.c.id == principal.org_id).values(industry=value))
    return value


def administrators(meta: Any, principal: Principal) -> list[str]:
    """The active administrators of the principal's organisation, as its members know them
    (display name and login): whom to ask to record the industry."""
    require(principal, Role.VIEWER)
    u = users.c
    stmt = (
        select(u.login, u.display_name)
        .where(u.org_id == principal.org_id, u.active == 1,
               u.role.in_((Role.ADMIN.value, Role.OPERATOR.value)))
        .order_by(u.id)
    )  # fmt: skip
    with meta._read() as conn:
        rows = list(conn.execute(stmt))
    return [
        f"{r.display_name} ({r.login})" if r.display_name and r.display_name != r.login
        else str(r.login)
        for r in rows
    ]  # fmt: skip


def industry_check(
    meta: Any, principal: Principal, policy: UsagePolicy | Mapping[str, Any] | str | None
) -> IndustryCheck | None:
    """The industry clauses of ``policy`` (an ODRL Offer or Agreement) against the principal's
    organisation; None when the terms have no industry clause."""
    require(principal, Role.VIEWER)
    if policy is None or policy == {}:
        return None
    if not isinstance(policy, UsagePolicy):
        from openkamp.sharing.policy_jsonld import from_jsonld

        policy = from_jsonld(policy)
    clauses = [c for p in policy.permissions for c in p.constraints if isinstance(c, IndustryIn)]
    if not clauses:
        return None
    code = industry(meta, principal)
    met = None if code is None else all((code in c.codes) != c.exclude for c in clauses)

    def codes(exclude: bool) -> tuple[str, ...]:
        return tuple(dict.fromkeys(x for c in clauses if c.exclude is exclude for x in c.codes))

    return IndustryCheck(
        industry=code, allowed=codes(False), excluded=codes(True), met=met,
        can_set=principal.has(Role.ADMIN), administrators=tuple(administrators(meta, principal)),
    )  # fmt: skip
