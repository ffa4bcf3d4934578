"""The one error hierarchy of OpenKAMP.

Services raise these; only the edges (CLI, and later the HTTP API) translate them into exit codes
or status codes. Every error carries a message for the user that names the problem and, where there
is one, the fix.

    OpenKampError
    ├── ConfigError                 settings are invalid or unsafe
    ├── Unauthenticated             no valid credentials: wrong login or password, ended session,
    │   │                           invalid / expired / revoked token, deactivated account
    │   └── TooManyAttempts         sign-in locked for a while after repeated failures
    ├── NotFound                    no such record (or not visible to the acting organisation)
    ├── Forbidden                   the principal may not do this
    ├── Conflict                    the change would break a rule (duplicate name, referenced record)
    ├── InvalidInput                a value given by the user is wrong
    │   ├── ImportRejected          a whole file cannot be imported (nothing was changed)
    │   ├── TooLarge                an upload is over the size limit or the organisation's quota
    │   └── WeakPassword            a new password does not meet the password policy
    └── StorageError                a storage engine failed
        └── UnknownBackend          no backend is registered for a URL scheme
"""

from __future__ import annotations


class OpenKampError(Exception):
    """Base of every error OpenKAMP raises on purpose.

    ``message`` and ``hint`` are the English text (logs, API clients that ask for English).
    ``code`` names the error's text in the message catalogue (``err.<code>`` and, optionally,
    ``err.<code>.hint``, formatted with ``params``), which the edges show in the user's language
    through :func:`openkamp.i18n.error_text`. Errors a user can meet carry a code.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        code: str | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code
        self.params = dict(params or {})

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class ConfigError(OpenKampError):
    """Settings are invalid, inconsistent or unsafe for the chosen environment."""


class Unauthenticated(OpenKampError):
    """Who is acting could not be established. Sign-in failures never say whether the login exists."""


class TooManyAttempts(Unauthenticated):
    """Too many failed sign-ins for this login or client address; ``retry_after_s`` says how long."""

    def __init__(
        self, message: str, *, retry_after_s: float, hint: str | None = None, **kw: object
    ) -> None:
        super().__init__(message, hint=hint, **kw)  # type: ignore[arg-type]
        self.retry_after_s = retry_after_s


class NotFound(OpenKampError):
    """No such record, or it belongs to another organisation (we never say which)."""


class Forbidden(OpenKampError):
    """The acting principal lacks the role needed for this action."""


class Conflict(OpenKampError):
    """The change would violate a rule: a duplicate name, or deleting something still referenced."""


class InvalidInput(OpenKampError):
    """A value supplied by the user is malformed or out of range."""


class TooLarge(InvalidInput):
    """An upload is larger than the size limit, or would take the organisation's staged files
    over their quota. Nothing of it is kept."""


class ImportRejected(InvalidInput):
    """A whole file cannot be imported. Nothing was stored; ``hint`` says how to fix the file."""


class WeakPassword(InvalidInput):
    """A new password breaks the policy; ``reason`` is a stable code an interface can translate
    (``too_short``, ``too_long``, ``equals_login``, ``one_character``, ``too_common``)."""

    def __init__(self, message: str, *, reason: str, hint: str | None = None, **kw: object) -> None:
        super().__init__(message, hint=hint, **kw)  # type: ignore[arg-type]
        self.reason = reason


class StorageError(OpenKampError):
    """A storage engine failed in a way the user cannot fix by changing input."""


class UnknownBackend(StorageError, ConfigError):
    """No storage backend is registered for the scheme of a URL."""
