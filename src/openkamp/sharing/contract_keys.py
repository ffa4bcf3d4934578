"""The secret keys of one contract's deliveries, derived, never stored (issue 11, item 4).

A contract names its keys by ``contracts.secret_id`` (random, stored in the metadata store); the
keys themselves come from HKDF-SHA256 (RFC 5869, ``cryptography``) of the platform's secret and
that id, one key per use so that no key serves two purposes:

=============  =================================================================================
``pseudonym``  keyed pseudonyms of id columns (HMAC-SHA256): stable within the contract, so that
               two exports of one contract join; unlinkable across contracts
``time_shift`` the one offset the contract's timestamps are shifted by
``noise``      the seed of the noise the contract's policy asks for
``watermark``  the per-recipient watermark hidden in the exported values (and traced with)
=============  =================================================================================

The platform secret is passed in as bytes and only read: a :class:`ContractKey` holds the derived
keys alone. Anyone who holds the platform secret and a contract's ``secret_id`` can re-derive
them (that is what lets the platform trace a leak years later without a key store); a contract's
keys reveal nothing of the platform secret or of another contract's keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from openkamp.core.errors import InvalidInput
from openkamp.i18n import t

__all__ = ["PURPOSES", "ContractKey", "derive_key"]

PURPOSES = ("pseudonym", "time_shift", "noise", "watermark")
# Fixed salt (RFC 5869 section 3.1: a non-secret salt still separates this use of the secret from
# any other the platform makes of it).
_SALT = b"openkamp/sharing/delivery/v1"
MIN_SECRET_BYTES = 16


def derive_key(platform_secret: bytes, secret_id: str, purpose: str) -> bytes:
    """The 32-byte key of ``purpose`` for the contract named ``secret_id``."""
    if (
        not isinstance(platform_secret, bytes | bytearray)
        or len(platform_secret) < MIN_SECRET_BYTES
    ):
        raise _invalid("secret", min=MIN_SECRET_BYTES)
    if not isinstance(secret_id, str) or not secret_id.strip() or len(secret_id) > 64:
        raise _invalid("secret_id")
    if purpose not in PURPOSES:
        raise _invalid("purpose", value=purpose, allowed=", ".join(PURPOSES))
    info = b"openkamp/sharing/" + purpose.encode() + b"\x00" + secret_id.encode("utf-8")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=info).derive(
        bytes(platform_secret)
    )


@dataclass(frozen=True)
class ContractKey:
    """The derived keys of one contract (see the module's table). ``repr`` shows none of them."""

    secret_id: str
    pseudonym: bytes = field(repr=False)
    time_shift: bytes = field(repr=False)
    noise: bytes = field(repr=False)
    watermark: bytes = field(repr=False)

    @classmethod
    def derive(cls, platform_secret: bytes, secret_id: str) -> ContractKey:
        keys = {p: derive_key(platform_secret, secret_id, p) for p in PURPOSES}
        return cls(secret_id=secret_id, **keys)


def _invalid(reason: str, **params: object) -> InvalidInput:
    return InvalidInput(
        t(f"err.sharing.key.{reason}", "en", **params),
        code=f"sharing.key.{reason}",
        params=params,
    )
