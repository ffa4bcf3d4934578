"""Sign-in with rate limiting, and the browser sessions it opens (with CSRF tokens)."""

from __future__ import annotations

from typing import Any

from openkamp.accounts._core import (
    LOGIN_PATTERN,
    SIGN_IN_FAILED,
    SIGN_IN_HINT,
    TOUCH_INTERVAL,
    AccountsCore,
    normal_login,
    public_session,
)
from openkamp.accounts.credentials import digest, new_csrf_token, new_session_secret, same_secret
from openkamp.core.errors import Forbidden, NotFound, Unauthenticated
from openkamp.core.tenancy import Principal, Role, require
from openkamp.storage.metadata.base import Record


class Sessions(AccountsCore):
    """Sign-in, and the browser sessions it opens."""

    def login(
        self, login: str, password: str, *, client: str = "", user_agent: str = ""
    ) -> tuple[Record, str, str]:
        """Sign in: returns the session record, the cookie secret and the session's CSRF token.

        Every failure says the same thing, whether or not the login exists, and takes about as
        long (an unknown login is checked against a dummy hash). Repeated failures lock the
        login, and separately the client address, for a while (:class:`TooManyAttempts`).

        The login is looked up, and counted, in its one stored form (NFC, see
        :func:`normal_login`): typed as syllables or as jamo it is the same account and the
        same lock; otherwise each mix of composed and decomposed syllables would count apart.
        """
        typed = normal_login(login)
        key_login = f"login:{typed[:128]}"
        keys = [key_login] + ([f"client:{client}"] if client else [])
        self._check_not_locked(keys)
        user = None
        if LOGIN_PATTERN.match(typed):
            user = self.meta.lookup("user", login=typed)
        if user is None:
            self.passwords.verify_dummy(password)
            ok, new_hash = False, None
        else:
            ok, new_hash = self.passwords.verify(user["password_hash"], password)
        if not ok or user is None:  # the reserved attempt was a failure
            for key in keys:
                self.limiter.confirm(key)
            raise Unauthenticated(SIGN_IN_FAILED, hint=SIGN_IN_HINT)
        if not user["active"]:  # only said to someone who knows the password
            for key in keys:  # the right password: not a failure
                self.limiter.release(key)
            raise Unauthenticated(
                "This account is deactivated.", hint="Ask an administrator of your organisation."
            )
        # Only the login's count is forgiven: a success must not clear an address that is
        # guessing other logins.
        self.limiter.succeeded(key_login)
        for key in keys[1:]:  # the address keeps its failures, but not this success
            self.limiter.release(key)
        now = self.clock()
        changes: dict[str, Any] = {"last_login_at": now}
        if new_hash is not None:  # the hash cost changed in the settings: upgrade it now
            changes["password_hash"] = new_hash
        secret, csrf = new_session_secret(), new_csrf_token()
        with self.meta.transaction():
            self.meta.update(user["org_id"], "user", user["id"], changes)
            self._end_sessions(user["org_id"], user["id"], expired_only=True)
            session = self.meta.insert(
                user["org_id"],
                "session",
                {
                    "user_id": user["id"],
                    "token_hash": digest(secret),
                    "csrf_token": csrf,
                    "created_at": now,
                    "expires_at": min(now + self.session_idle, now + self.session_max),
                    "last_seen_at": now,
                    "user_agent": user_agent[:256],
                },
            )
        return public_session(session), secret, csrf

    def authenticate_session(self, cookie_secret: str) -> tuple[Principal, Record]:
        """The signed-in user of a session cookie, and the session (its expiry slid forward).

        A session ends after ``session_idle`` without use, and ``session_max`` after sign-in
        however active it is; a deactivated user's sessions end at once.
        """
        ended = Unauthenticated("Your session has ended.", hint="Sign in again to continue.")
        if not cookie_secret or len(cookie_secret) > 128:
            raise ended
        session = self.meta.lookup("session", token_hash=digest(cookie_secret))
        if session is None:
            raise ended
        now = self.clock()
        org_id = session["org_id"]
        hard_end = session["created_at"] + self.session_max
        if now >= session["expires_at"] or now >= hard_end:
            self._delete_session(session)
            raise ended
        user = self._active_user(org_id, session["user_id"])
        if user is None:
            self._delete_session(session)
            raise ended
        last_seen = session["last_seen_at"]
        if last_seen is None or now - last_seen >= TOUCH_INTERVAL:
            try:
                session = self.meta.update(
                    org_id,
                    "session",
                    session["id"],
                    {"last_seen_at": now, "expires_at": min(now + self.session_idle, hard_end)},
                )
            except NotFound:  # signed out meanwhile (another request, another worker)
                raise ended from None
        return self.principal_of(user), public_session(session)

    def logout(self, cookie_secret: str) -> None:
        """End the session of a cookie (nothing happens for an unknown one)."""
        if not cookie_secret or len(cookie_secret) > 128:
            return
        session = self.meta.lookup("session", token_hash=digest(cookie_secret))
        if session is not None:
            self._delete_session(session)

    def logout_all(self, principal: Principal, user_id: int | None = None) -> int:
        """End every session of a user (oneself by default; another user needs an admin);
        returns how many ended."""
        target = principal.user_id if user_id is None else user_id
        if target is None:
            return 0
        if target != principal.user_id:
            require(principal, Role.ADMIN)
        self.meta.get(principal.org_id, "user", target)  # NotFound outside the organisation
        return self._end_sessions(principal.org_id, target)

    def list_sessions(self, principal: Principal) -> list[Record]:
        """The signed-in user's sessions (which browsers are signed in), without secrets."""
        if principal.user_id is None:
            return []
        found = self.meta.find(principal.org_id, "session", user_id=principal.user_id)
        return [{k: v for k, v in public_session(s).items() if k != "csrf_token"} for s in found]

    def check_csrf(self, session: Record, token: str | None) -> None:
        """Raise :class:`Forbidden` unless ``token`` is the session's CSRF token (compared in
        constant time)."""
        if not same_secret(str(session.get("csrf_token") or ""), token):
            raise Forbidden(
                "The form was not sent from this site, or it is out of date.",
                hint="Reload the page and try again.",
            )

    def purge_expired_sessions(self) -> int:
        """Delete every ended session of every organisation; returns how many."""
        return sum(
            self._end_sessions(org["id"], None, expired_only=True) for org in self.meta.list_orgs()
        )
