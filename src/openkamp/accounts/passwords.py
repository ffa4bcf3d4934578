"""Password hashing (argon2id) and the password policy.

Hashes are argon2id strings that carry their own parameters, so raising the cost in the settings
upgrades each stored hash at its user's next sign-in (:meth:`Passwords.verify` returns the new
hash). Unknown logins are checked against a dummy hash of the same cost, so a failed sign-in takes
about as long whether or not the login exists.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Sequence

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

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


#: zxcvbn's score (0-4) a password needs: 3 is "safely unguessable: moderate protection from an
#: offline slow-hash scenario" (about 10^8 guesses and more).
MIN_SCORE = 3
#: zxcvbn looks at this many characters (its limit; beyond it a password is long enough that
#: the rest only adds strength).
ESTIMATE_CHARS = 72

# zxcvbn's own feedback is English only: the weakest part it found is said in our words instead,
# keyed on the kind of pattern (the reason, and the message code accounts.password.<reason>).
_PATTERN_REASON = {
    "repeat": "repeated",
    "spatial": "keyboard",
    "sequence": "sequence",
    "date": "dates",
    "regex": "dates",  # recent years
}
_MESSAGES = {
    "contains_login": "The password is built on the login or the organisation's name.",
    "repeated": "The password is a repetition (like 'abcabc') and is guessed quickly.",
    "keyboard": "The password is a run of keys on the keyboard and is guessed quickly.",
    "sequence": "The password is a sequence (like 'abcdef' or '123456') and is guessed quickly.",
    "dates": "The password is mostly a date or a year and is guessed quickly.",
    "too_common": "This password is one of the most common ones and is guessed first.",
    "guessable": "The password is too easy to guess.",
}


def _weak_reason(result: dict, user_inputs: Sequence[str]) -> str:
    """The reason to give for a low score: the pattern that covers the most of the password."""
    matches = [m for m in result.get("sequence", []) if m.get("pattern") != "bruteforce"]
    if not matches:
        return "guessable"
    if any(m.get("dictionary_name") == "user_inputs" for m in matches):
        return "contains_login"
    main = max(matches, key=lambda m: len(m.get("token", "")))
    if main.get("pattern") == "repeat":
        inner = main.get("base_matches") or []
        if any(m.get("dictionary_name") == "user_inputs" for m in inner):
            return "contains_login"
    return _PATTERN_REASON.get(str(main.get("pattern")), "too_common")


def check_password(
    password: str,
    *,
    login: str = "",
    min_length: int = 10,
    user_inputs: Sequence[str] = (),
    min_score: int = MIN_SCORE,
) -> None:
    """Raise :class:`WeakPassword` unless ``password`` meets the policy.

    The policy follows NIST SP 800-63B: long enough, not the login, not one repeated character,
    and not guessable: the zxcvbn estimator (its word and breached-password lists ship in the
    package; nothing is fetched) must give it ``min_score`` or more, with the login and
    ``user_inputs`` (the organisation's name) counted as known words. No rules on character
    classes: they make passwords harder to remember, not harder to guess.
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
            _MESSAGES["too_common"],
            reason="too_common",
            code="accounts.password.too_common",
            params={"min": min_length, "max": MAX_PASSWORD_LENGTH},
            hint=hint,
        )
    known = [w for w in (login, *login.replace("_", ".").split("."), *user_inputs) if w]
    known += [part for w in user_inputs for part in w.split() if part]
    result = zxcvbn(password[:ESTIMATE_CHARS], user_inputs=[w.casefold() for w in known])
    score = int(result["score"])
    if score < min_score:
        reason = _weak_reason(result, known)
        raise WeakPassword(
            _MESSAGES[reason],
            reason=reason,
            code=f"accounts.password.{reason}",
            params={"min": min_length, "max": MAX_PASSWORD_LENGTH, "score": score},
            hint=hint,
        )
