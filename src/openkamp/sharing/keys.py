"""Ed25519 signing keys of the usage ledger: the platform's and one per organisation.

Keys live in a folder of the data folder (``<data_dir>/keys/ledger`` by default), never in the
repository: ``platform.pem`` and ``org-<id>.pem`` (PKCS #8, PEM), each made the first time it is
needed, in a 0700 folder as 0600 files, created exclusively so that two processes starting at once
agree on one key. A key file found with wider permissions is tightened, as the data folder is
(:mod:`openkamp.core.private`).

The platform holds the organisations' keys on their behalf (custodial keys): an organisation's
signed tree head proves what the platform recorded while that organisation acted. What protects an
organisation against the platform itself is keeping tree heads outside it (an exported bundle)
and asking for consistency proofs later. Public keys are exported raw (32 bytes, hex) with their
key id, the SHA-256 of the DER SubjectPublicKeyInfo (as RFC 6962 names a log by its key).
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from openkamp.core.errors import StorageError
from openkamp.core.private import DIR_MODE, FILE_MODE
from openkamp.sharing.verify_standalone import key_id

__all__ = ["LedgerKeys", "SigningKey"]


@dataclass(frozen=True)
class SigningKey:
    """A private key with its raw public key and key id."""

    private: Ed25519PrivateKey
    public: bytes
    key_id: bytes

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


class LedgerKeys:
    """The ledger's keys in ``folder``: :meth:`signer` makes a missing key, :meth:`public_key`
    only reads one."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._keys: dict[int | None, SigningKey] = {}
        self._lock = threading.Lock()

    def _path(self, org_id: int | None) -> Path:
        return self.folder / ("platform.pem" if org_id is None else f"org-{int(org_id)}.pem")

    def signer(self, org_id: int | None) -> SigningKey:
        """The platform's key (``None``) or an organisation's, made if there is none yet."""
        key = self._keys.get(org_id)
        if key is None:
            with self._lock:
                key = self._load(org_id, create=True)
                assert key is not None
        return key

    def public_key(self, org_id: int | None) -> bytes | None:
        """The raw public key of the platform (``None``) or an organisation; None if none."""
        key = self._keys.get(org_id)
        if key is None:
            with self._lock:
                key = self._load(org_id, create=False)
        return None if key is None else key.public

    def _load(self, org_id: int | None, *, create: bool) -> SigningKey | None:
        if org_id in self._keys:
            return self._keys[org_id]
        path = self._path(org_id)
        if not path.exists():
            if not create:
                return None
            self._create(path)
        _tighten(path)
        try:
            private = load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise StorageError(f"The ledger key {path} cannot be read: {exc}") from exc
        if not isinstance(private, Ed25519PrivateKey):
            raise StorageError(f"The ledger key {path} is not an Ed25519 key.")
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        key = SigningKey(private, public, key_id(public))
        self._keys[org_id] = key
        return key

    def _create(self, path: Path) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        os.chmod(self.folder, DIR_MODE)
        pem = Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
        # Written whole under a temporary name, then linked into place: a second process either
        # links first (and this one reads its key) or finds the complete file.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):  # another process linked its key first
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


def _tighten(path: Path) -> None:
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & 0o077:
        os.chmod(path, FILE_MODE)
