"""The platform's secret of deliveries (issue 11, item 4): 32 random bytes from which each
contract's keys are derived (:mod:`openkamp.sharing.contract_keys`: pseudonyms, time shift,
noise, watermark).

It lives in ``<data_dir>/keys/sharing/secret`` (never in the repository), made the first time it
is needed, in a 0700 folder as a 0600 file, created exclusively (written under a temporary name,
then linked into place) so that two processes starting at once agree on one secret. A file found
with wider permissions is tightened. Losing it loses the ability to trace leaked copies of past
exports and to keep pseudonyms stable across a contract's exports: back it up with the ledger's
keys.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import threading
from pathlib import Path

from openkamp.core.errors import StorageError
from openkamp.core.private import DIR_MODE, FILE_MODE

__all__ = ["SECRET_BYTES", "PlatformSecret"]

SECRET_BYTES = 32


class PlatformSecret:
    """The secret file of a data folder, read once and kept (``value()``)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / "secret"
        self._value: bytes | None = None
        self._lock = threading.Lock()

    @classmethod
    def at(cls, data_dir: str | Path) -> PlatformSecret:
        return cls(Path(data_dir) / "keys" / "sharing")

    def value(self) -> bytes:
        """The secret (made now if there is none yet)."""
        with self._lock:
            if self._value is None:
                if not self.path.exists():
                    self._create()
                mode = stat.S_IMODE(os.stat(self.path).st_mode)
                if mode & 0o077:
                    os.chmod(self.path, FILE_MODE)
                data = self.path.read_bytes()
                if len(data) != SECRET_BYTES:
                    raise StorageError(
                        f"The sharing secret {self.path} holds {len(data)} bytes, not "
                        f"{SECRET_BYTES}: restore it from a backup."
                    )
                self._value = data
            return self._value

    def _create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        os.chmod(self.folder, DIR_MODE)
        tmp = self.path.with_name(f".secret.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(SECRET_BYTES))
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):  # another process linked its secret first
                os.link(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
