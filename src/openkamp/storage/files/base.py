"""The file store interface: content-addressed blobs (uploads, quarantine files, model artefacts).

A blob is addressed by the SHA-256 of its bytes, within one organisation. Storing the same bytes
twice stores them once. Reading verifies the checksum, so a corrupted blob is never handed out
silently.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar


@dataclass(frozen=True)
class FileRef:
    """A stored blob: its checksum (the address) and size in bytes."""

    sha256: str
    size: int


class FileStore(ABC):
    scheme: ClassVar[str]

    @abstractmethod
    def put(self, org_id: int, source: bytes | BinaryIO | Path) -> FileRef:
        """Store bytes (or a file's content) and return their address."""

    @abstractmethod
    def open(self, org_id: int, sha256: str) -> BinaryIO:
        """Open a stored blob for reading. Raises NotFound if it is absent."""

    @abstractmethod
    def exists(self, org_id: int, sha256: str) -> bool: ...

    @abstractmethod
    def delete(self, org_id: int, sha256: str) -> bool:
        """Remove a blob; False if it was not there."""

    @abstractmethod
    def list(self, org_id: int) -> Iterator[FileRef]: ...

    def read_bytes(self, org_id: int, sha256: str) -> bytes:
        """The whole blob, checksum verified."""
        import hashlib

        from openkamp.core.errors import StorageError

        with self.open(org_id, sha256) as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StorageError(f"Stored file {sha256[:12]}… is corrupted (checksum mismatch).")
        return data

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""
