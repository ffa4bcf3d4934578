"""An organisation's industry (KSIC code, ``orgs.industry``): what a usage policy's industry
clause checks of a consumer (issue 11, item 2). Its administrators set it; anyone in it reads it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal, Role, require
from openkamp.i18n import t
from openkamp.sharing.offer_fields import KSIC
from openkamp.storage.metadata.schema import orgs

__all__ = ["industry", "set_industry"]


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
