"""Password hashing (argon2id) and the password policy.

Hashes are argon2id strings that carry their own parameters, so raising the cost in the settings
upgrades each stored hash at its user's next sign-in (:meth:`Passwords.verify` returns the new
hash). Unknown logins are checked against a dummy hash of the same cost, so a failed sign-in takes
about as long whether or not the login exists.
"""

from __future__ import annotations

import secrets
import threading

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from openkamp.core.errors import WeakPassword

#: A password longer than this is refused: hashing megabytes on request would be a cheap attack.
MAX_PASSWORD_LENGTH = 256

# The commonest passwords of ten or more characters in public breach lists, and keyboard runs.
_COMMON = frozenset(
    {
        "1234567890", "12345678910", "0123456789", "0987654321", "1q2w3e4r5t", "1qaz2wsx3edc",
        "qwertyuiop", "qwerty1234", "qwerty12345", "asdfghjkl;", "zxcvbnm123", "password12",
        "password123", "password1234", "passw0rd123", "iloveyou12", "abcdefghij", "abcd123456",
        "a123456789", "qwer1234!@", "qwe123qwe123", "admin12345", "administrator", "openkamp123",
        "changeme123", "letmein123", "welcome123", "sunshine123",
    }
)  # fmt: skip


class Passwords:
    """argon2id with the configured cost: hash, verify (and say when to rehash), dummy verify."""

    def __init__(self, *, memory_kib: int = 65536, time_cost: int = 3, parallelism: int = 4):
        self.memory_kib = memory_kib
        self.time_cost = time_cost
        self.parallelism = parallelism
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._dummy: str | None = None
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> tuple[bool, str | None]:
        """Whether ``password`` matches; on a match, a fresh hash when the cost has changed."""
        try:
            self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, None
        if self._hasher.check_needs_rehash(stored_hash):
            return True, self._hasher.hash(password)
        return True, None

    def verify_dummy(self, password: str) -> None:
        """Spend the time of one verification, for a login that does not exist."""
        with self._lock:  # built lazily: most platforms (and tests) never need it
            if self._dummy is None:
                self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        self.verify(self._dummy, password)


def check_password(password: str, *, login: str = "", min_length: int = 10) -> None:
    """Raise :class:`WeakPassword` unless ``password`` meets the policy.

    The policy is deliberately short (NIST SP 800-63B): long enough, not the login, not one
    repeated character, not one of the commonest passwords. No rules on character classes:
    they make passwords harder to remember, not harder to guess.
    """
    hint = (
        f"Use at least {min_length} characters; a few unrelated words are easy to remember "
        "and hard to guess."
    )
    if len(password) < min_length:
        raise WeakPassword(
            f"The password is too short: it needs at least {min_length} characters.",
            reason="too_short",
            code="accounts.password.too_short",
            params={"min": min_length, "max": MAX_PASSWORD_LENGTH},
            hint=hint,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(
            f"The password is too long: at most {MAX_PASSWORD_LENGTH} characters.",
            reason="too_long",
            code="accounts.password.too_long",
            params={"min": min_length, "max": MAX_PASSWORD_LENGTH},
        )
    folded = password.strip().casefold()
    if login and folded == login.strip().casefold():
        raise WeakPassword(
            "The password must not be the same as the login name.",
            reason="equals_login",
            code="accounts.password.equals_login",
            params={"min": min_length, "max": MAX_PASSWORD_LENGTH},
            hint=hint,
        )
    if len(set(password)) == 1:
        raise WeakPassword(
            "The password must not repeat a single character.",
            reason="one_character",
            code="accounts.password.one_character",
            params={"min": min_length, "max": MAX_PASSWORD_LENGTH},
            hint=hint,
        )
    if folded in _COMMON:
        raise WeakPassword(
            "This password is one of the most common ones and is guessed first.",
            reason="too_common",
            code="accounts.password.too_common",
            params={"min": min_length, "max": MAX_PASSWORD_LENGTH},
            hint=hint,
        )
