"""What the parts of the account service share: its settings, checks and record views."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta
from typing import Any

from openkamp.accounts.limiter import Clock, LoginLimiter
from openkamp.accounts.passwords import Passwords, check_password
from openkamp.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyAttempts,
)
from openkamp.core.tenancy import (
    Principal,
    Role,
    role_rank,
)
from openkamp.core.text import nfc, skeleton
from openkamp.storage.metadata.base import MetadataStore, Record

LANGUAGES = ("ko", "en")
LOGIN_PATTERN = re.compile(r"^[\w.@+-]{2,64}$")  # \w includes Hangul: Korean logins are fine
#: Timestamps of use are written at most this often (not on every request).
TOUCH_INTERVAL = timedelta(minutes=1)

ADMIN_ROLES = (Role.ADMIN.value, Role.OPERATOR.value)
SIGN_IN_FAILED = "The login or password is wrong."
SIGN_IN_HINT = "Check both and try again. After several failures, sign-in pauses for a while."


class AccountsCore:
    """State and helpers shared by the users, tokens and sessions parts of the service."""

    meta: MetadataStore
    passwords: Passwords
    limiter: LoginLimiter
    session_idle: timedelta
    session_max: timedelta
    password_min_length: int
    clock: Clock

    def principal_of(self, user: Record) -> Principal:
        """The principal a signed-in user acts as (with the role the user holds now)."""
        return Principal(
            org_id=user["org_id"],
            name=user["login"],
            roles=frozenset({Role(user["role"])}),
            user_id=user["id"],
        )

    def _active_user(self, org_id: int, user_id: int) -> Record | None:
        try:
            user = self.meta.get(org_id, "user", user_id)
        except NotFound:
            return None
        return user if user["active"] else None

    def _check_not_locked(self, keys: list[str]) -> None:
        """Reserve one attempt on every key, atomically, before the password is checked
        (raises :class:`TooManyAttempts` when a key is locked): concurrent attempts cannot run
        more password checks than the limit. A success gives its reservation back."""
        wait = self.limiter.attempt(keys)
        if wait > 0:
            minutes = max(1, round(wait / 60))
            raise TooManyAttempts(
                f"Too many failed sign-ins. Try again in about {minutes} minute(s).",
                retry_after_s=wait,
                hint="If you forgot your password, an administrator can set a new one.",
                code="accounts.locked",
                params={"minutes": minutes},
            )

    def _check_new_password(
        self, password: str, login: str, org_id: int | None = None, *, org_name: str = ""
    ) -> None:
        """The password policy, with the login and the organisation's names as words to avoid."""
        names = [org_name]
        if org_id is not None:
            with contextlib.suppress(NotFound):
                org = self.meta.get_org(org_id)
                names += [str(org.get("name") or ""), str(org.get("display_name") or "")]
        check_password(
            password,
            login=login,
            min_length=self.password_min_length,
            user_inputs=[n for n in names if n],
        )

    @staticmethod
    def _check_may_grant(principal: Principal, role: Role) -> None:
        highest = max((role_rank(r) for r in principal.roles), default=-1)
        if role_rank(role) > highest:
            raise Forbidden(
                f"'{principal.name}' cannot act on or grant the role '{role.value}'.",
                hint="Only someone with that role or a stronger one can.",
            )

    def _check_admin_remains(self, org_id: int) -> None:
        admins = self.meta.find(org_id, "user", role=list(ADMIN_ROLES), active=1)
        if not admins:
            raise Conflict(
                "This would leave the organisation without an active administrator.",
                hint="Make another user an administrator first.",
            )

    def _clean_login(self, login: str) -> str:
        login = normal_login(login)
        if not LOGIN_PATTERN.match(login):
            raise InvalidInput(
                f"The login {login!r} is not valid.",
                hint="Use 2 to 64 letters, digits or the characters . _ - @ +.",
                code="accounts.bad_login",
                params={"login": login},
            )
        return login

    def _delete_session(self, session: Record) -> None:
        with contextlib.suppress(NotFound):  # it may have ended concurrently
            self.meta.delete(session["org_id"], "session", session["id"])

    def _end_sessions(
        self,
        org_id: int,
        user_id: int | None,
        *,
        keep: int | None = None,
        expired_only: bool = False,
    ) -> int:
        where: dict[str, Any] = {} if user_id is None else {"user_id": user_id}
        now = self.clock()
        n = 0
        for session in self.meta.find(org_id, "session", **where):
            if session["id"] == keep:
                continue
            if expired_only and not (
                now >= session["expires_at"] or now >= session["created_at"] + self.session_max
            ):
                continue
            self._delete_session(session)
            n += 1
        return n


def normal_login(typed: str) -> str:
    """The one form a login is stored and looked up in: trimmed, lower case, NFC (``김`` typed
    as three jamo is the login ``김``)."""
    return nfc(typed.strip().lower())


def login_shape(text: str) -> str:
    """What a login (or an organisation name, which ends logins) looks like, ignoring case:
    equal shapes are look-alikes (``kim``, ``ｋｉｍ``, ``kіm`` with a Cyrillic і)."""
    return skeleton(normal_login(text)).casefold()


def public_user(user: Record) -> Record:
    out = {k: v for k, v in user.items() if k != "password_hash"}
    out["active"] = bool(user["active"])
    return out


def public_session(session: Record) -> Record:
    return {k: v for k, v in session.items() if k != "token_hash"}


def parse_role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(
            f"Unknown role {value!r}.", hint=f"Use one of {[r.value for r in Role]}."
        ) from None


def check_language(value: str) -> str:
    if value not in LANGUAGES:
        raise InvalidInput(f"Unknown language {value!r}.", hint=f"Use one of {list(LANGUAGES)}.")
    return value
