"""API tokens: created with scopes no stronger than their user, stored hashed, revocable."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from openkamp.accounts._core import TOUCH_INTERVAL, AccountsCore
from openkamp.accounts.credentials import digest, looks_like_token, new_token_secret
from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from openkamp.core.tenancy import (
    SCOPE_CEILING,
    Principal,
    Role,
    Scope,
    require,
    role_rank,
    scope_rank,
)
from openkamp.storage.metadata.base import Record


class ApiTokens(AccountsCore):
    """API tokens of users: create, list, revoke, authenticate."""

    def create_token(
        self,
        principal: Principal,
        name: str,
        scopes: Iterable[Scope | str],
        expires_in: timedelta | None = None,
    ) -> tuple[Record, str]:
        """A new API token of the principal's user; returns its record and its secret.

        The secret (``okp_<prefix>_<random>``) is returned only here; only its SHA-256 is
        stored. Scopes include the ones below them (``write`` can also read) and cannot exceed
        the user's role: ``write`` needs engineer, ``admin`` needs admin.
        """
        if principal.user_id is None:
            raise Forbidden(
                "API tokens belong to a user account.", hint="Sign in as a user to create one."
            )
        top = _top_scope(scopes)
        if not (principal.has(SCOPE_CEILING[top]) and principal.allows(top)):
            raise Forbidden(
                f"Your role cannot give a token the scope '{top.value}'.",
                hint="A token can do at most what you can; choose a lower scope.",
            )
        name = name.strip()
        if not 1 <= len(name) <= 128:
            raise InvalidInput("A token needs a name of 1 to 128 characters.")
        if expires_in is not None and expires_in <= timedelta(0):
            raise InvalidInput("A token's lifetime must be positive.")
        if self.meta.find(principal.org_id, "api_token", user_id=principal.user_id, name=name):
            raise Conflict(f"You already have a token named {name!r}.", hint="Choose another name.")
        secret, prefix = new_token_secret()
        now = self.clock()
        record = self.meta.insert(
            principal.org_id,
            "api_token",
            {
                "user_id": principal.user_id,
                "name": name,
                "prefix": prefix,
                "token_hash": digest(secret),
                "scopes": [s.value for s in _scopes_up_to(top)],
                "created_at": now,
                "expires_at": None if expires_in is None else now + expires_in,
            },
        )
        return self._public_token(record), secret

    def list_tokens(self, principal: Principal, *, all_users: bool = False) -> list[Record]:
        """The principal's own tokens, or every token of the organisation (admin only)."""
        if all_users:
            require(principal, Role.ADMIN)
            records = self.meta.find(principal.org_id, "api_token")
        elif principal.user_id is None:
            return []
        else:
            records = self.meta.find(principal.org_id, "api_token", user_id=principal.user_id)
        return [self._public_token(r) for r in records]

    def revoke_token(self, principal: Principal, token_id: int) -> Record:
        """Revoke a token: one's own, or any of the organisation's for an admin. Idempotent."""
        record = self.meta.get(principal.org_id, "api_token", token_id)
        if record["user_id"] != principal.user_id and not principal.has(Role.ADMIN):
            raise NotFound(f"No api token with id {token_id}.")  # as if it did not exist
        if record["revoked_at"] is None:
            record = self.meta.update(
                principal.org_id, "api_token", token_id, {"revoked_at": self.clock()}
            )
        return self._public_token(record)

    def authenticate_token(self, secret: str) -> Principal:
        """The principal an API token acts as: its user's organisation, a role no higher than
        both the user's current role and the token's scopes, and those scopes."""
        invalid = Unauthenticated(
            "The API token is not valid.",
            hint="Send 'Authorization: Bearer okp_…' with a token from Settings → API tokens.",
        )
        if not looks_like_token(secret):
            raise invalid
        record = self.meta.lookup("api_token", token_hash=digest(secret))
        if record is None:
            raise invalid
        now = self.clock()
        if record["revoked_at"] is not None:
            raise Unauthenticated("This API token has been revoked.", hint="Create a new one.")
        if record["expires_at"] is not None and now >= record["expires_at"]:
            raise Unauthenticated("This API token has expired.", hint="Create a new one.")
        user = self._active_user(record["org_id"], record["user_id"])
        if user is None:
            raise Unauthenticated("The account this API token belongs to is deactivated.")
        if record["last_used_at"] is None or now - record["last_used_at"] >= TOUCH_INTERVAL:
            self.meta.update(record["org_id"], "api_token", record["id"], {"last_used_at": now})
        user_role = Role(user["role"])
        # The user may have lost a role since the token was made: cap by the role held now.
        allowed = max(
            (s for s in Scope if role_rank(SCOPE_CEILING[s]) <= role_rank(user_role)),
            key=scope_rank,
        )
        try:
            granted = _top_scope(record["scopes"] or ())
        except InvalidInput:  # a damaged record: refuse rather than guess
            raise invalid from None
        top = min(granted, allowed, key=scope_rank)
        role = min(user_role, SCOPE_CEILING[top], key=role_rank)
        return Principal(
            org_id=user["org_id"],
            name=user["login"],
            roles=frozenset({role}),
            user_id=user["id"],
            scopes=frozenset(_scopes_up_to(top)),
            token_id=record["id"],
        )

    def _public_token(self, record: Record) -> Record:
        out = {k: v for k, v in record.items() if k != "token_hash"}
        out["hint"] = f"okp_{record['prefix']}_…"
        if record["revoked_at"] is not None:
            out["status"] = "revoked"
        elif record["expires_at"] is not None and self.clock() >= record["expires_at"]:
            out["status"] = "expired"
        else:
            out["status"] = "active"
        return out


def _top_scope(scopes: Iterable[Scope | str]) -> Scope:
    """The strongest of some scopes (each includes the ones below it)."""
    parsed = []
    for value in scopes:
        try:
            parsed.append(Scope(value))
        except ValueError:
            raise InvalidInput(
                f"Unknown token scope {value!r}.", hint=f"Use one of {[s.value for s in Scope]}."
            ) from None
    if not parsed:
        raise InvalidInput("A token needs at least one scope.", hint="For example 'read'.")
    return max(parsed, key=scope_rank)


def _scopes_up_to(top: Scope) -> list[Scope]:
    return [s for s in Scope if scope_rank(s) <= scope_rank(top)]
