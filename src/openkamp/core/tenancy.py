"""Who is acting: organisations, roles and the principal every service call takes.

Every stored record belongs to one organisation. Service functions take a :class:`Principal`
and check access through :func:`require`, the one place such checks live.

A principal made for an API token also carries the token's :class:`Scope` set. Its roles are
already capped by those scopes (a ``read`` token acts as a viewer, whatever its user's role), so
:func:`require` alone keeps a read-only token from writing; :func:`require_scope` is for the edge,
which checks that a request's kind (read or write) is covered by the token.
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


class Scope(StrEnum):
    """What an API token may do; each scope includes the ones below it."""

    READ = "read"  # read-only requests (GET)
    WRITE = "write"  # also changes data, as an engineer would
    ADMIN = "admin"  # also manages the organisation (users, tokens), as an admin would


_SCOPE_RANK = {Scope.READ: 0, Scope.WRITE: 1, Scope.ADMIN: 2}

#: The strongest role a token with a scope may act with. Operator powers (across organisations)
#: are never given to a token: they need an interactive session.
SCOPE_CEILING = {Scope.READ: Role.VIEWER, Scope.WRITE: Role.ENGINEER, Scope.ADMIN: Role.ADMIN}


def role_rank(role: Role) -> int:
    """Position of a role in the order viewer < engineer < admin < operator (0 = viewer)."""
    return _RANK[role]


def scope_rank(scope: Scope) -> int:
    """Position of a scope in the order read < write < admin (0 = read)."""
    return _SCOPE_RANK[scope]


@dataclass(frozen=True)
class Principal:
    """The acting user or token: the organisation it acts for and its roles there.

    ``user_id`` is set for a signed-in user or a user's API token (``None`` for local tools);
    ``scopes`` is set only for an API token (``None``: not limited by scopes); ``token_id`` names
    the token a request came with.
    """

    org_id: int
    name: str
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.VIEWER}))
    user_id: int | None = None
    scopes: frozenset[Scope] | None = None
    token_id: int | None = None

    def has(self, role: Role) -> bool:
        """True when one of the principal's roles is at least ``role``."""
        return any(_RANK[r] >= _RANK[role] for r in self.roles)

    def allows(self, scope: Scope) -> bool:
        """True unless the principal is a token whose scopes do not cover ``scope``."""
        if self.scopes is None:
            return True
        return any(_SCOPE_RANK[s] >= _SCOPE_RANK[scope] for s in self.scopes)

    @property
    def is_token(self) -> bool:
        return self.token_id is not None


def require(principal: Principal, role: Role) -> None:
    """Raise :class:`Forbidden` unless the principal holds ``role`` or a stronger one."""
    if not principal.has(role):
        raise Forbidden(
            f"'{principal.name}' needs the role '{role.value}' for this action.",
            hint="Ask an administrator of your organisation to grant it.",
        )


def require_scope(principal: Principal, scope: Scope) -> None:
    """Raise :class:`Forbidden` unless the principal's token scopes cover ``scope``."""
    if not principal.allows(scope):
        raise Forbidden(
            f"This API token does not have the scope '{scope.value}'.",
            hint="Create a token with that scope (it cannot exceed your own role).",
        )


def scope_for_method(method: str) -> Scope:
    """The scope an HTTP request needs: ``read`` for safe methods, ``write`` for the others."""
    return Scope.READ if method.upper() in ("GET", "HEAD", "OPTIONS") else Scope.WRITE


def system_principal(org_id: int) -> Principal:
    """The principal used by local tools (CLI, demo) acting as the organisation's administrator."""
    return Principal(org_id=org_id, name="local-admin", roles=frozenset({Role.ADMIN}))
