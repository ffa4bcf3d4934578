"""Who is acting: organisations, roles and the principal every service call takes.

Every stored record belongs to one organisation. Service functions take a :class:`Principal`
and check access through :func:`require`, the one place such checks live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from openkamp.core.errors import Forbidden

DEFAULT_ORG_SLUG = "default"


class Role(StrEnum):
    """Roles, from most to least powerful within one organisation (operator spans organisations)."""

    OPERATOR = "operator"
    ADMIN = "admin"
    ENGINEER = "engineer"
    VIEWER = "viewer"


# What each role may do. Writes need engineer; managing the organisation needs admin.
_RANK = {Role.VIEWER: 0, Role.ENGINEER: 1, Role.ADMIN: 2, Role.OPERATOR: 3}


@dataclass(frozen=True)
class Principal:
    """The acting user or token: the organisation it acts for and its roles there."""

    org_id: int
    name: str
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.VIEWER}))

    def has(self, role: Role) -> bool:
        """True when one of the principal's roles is at least ``role``."""
        return any(_RANK[r] >= _RANK[role] for r in self.roles)


def require(principal: Principal, role: Role) -> None:
    """Raise :class:`Forbidden` unless the principal holds ``role`` or a stronger one."""
    if not principal.has(role):
        raise Forbidden(
            f"'{principal.name}' needs the role '{role.value}' for this action.",
            hint="Ask an administrator of your organisation to grant it.",
        )


def system_principal(org_id: int) -> Principal:
    """The principal used by local tools (CLI, demo) acting as the organisation's administrator."""
    return Principal(org_id=org_id, name="local-admin", roles=frozenset({Role.ADMIN}))
