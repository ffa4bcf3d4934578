"""Secrets handed to clients (API tokens, session cookies, CSRF tokens) and how they are stored.

Only the SHA-256 of a token or cookie secret is stored. That is enough here, unlike for passwords:
the secrets are 256 random bits, so there is nothing to guess from the hash, and a fast hash keeps
every authenticated request cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_MARK = "okp"  # so that a leaked token is easy to recognise (secret scanners, logs)


def digest(secret: str) -> str:
    """The stored form of a token or cookie secret: SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token_secret() -> tuple[str, str]:
    """A new API token ``okp_<prefix>_<random>`` and its prefix (shown to tell tokens apart)."""
    prefix = secrets.token_hex(4)
    return f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def looks_like_token(secret: str) -> bool:
    parts = secret.split("_", 2)
    return len(parts) == 3 and parts[0] == TOKEN_MARK and len(parts[1]) == 8 and len(secret) < 128


def new_session_secret() -> str:
    """A new session cookie value."""
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_secret(expected: str, given: str | None) -> bool:
    """Constant-time comparison (the time does not depend on where the strings differ)."""
    if not given or not expected:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
