"""File store in a local folder (``file:///path/to/folder``).

Layout: ``<root>/<org_id>/<sha[:2]>/<sha>``. Writes go to a temporary file in the same folder,
are fsynced and then renamed into place, so a crash leaves either the whole blob or none.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, ClassVar
from urllib.parse import urlparse

from openkamp.core.errors import InvalidInput, NotFound
from openkamp.storage.files.base import FileRef, FileStore

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class LocalFileStore(FileStore):
    scheme: ClassVar[str] = "file"

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.root = Path(parsed.netloc + parsed.path)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, org_id: int, sha256: str) -> Path:
        if not _SHA_RE.match(sha256):
            raise InvalidInput(f"{sha256!r} is not a SHA-256 checksum.")
        return self.root / str(int(org_id)) / sha256[:2] / sha256

    def put(self, org_id: int, source: bytes | BinaryIO | Path) -> FileRef:
        folder = self.root / str(int(org_id))
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                if isinstance(source, bytes | bytearray):
                    digest.update(source)
                    out.write(source)
                    size = len(source)
                else:
                    fh = open(source, "rb") if isinstance(source, Path) else source  # noqa: SIM115
                    try:
                        while chunk := fh.read(_CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                            size += len(chunk)
                    finally:
                        if isinstance(source, Path):
                            fh.close()
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self._path(org_id, sha)
            if final.exists():
                os.unlink(tmp_name)
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp_name, final)
            return FileRef(sha, size)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def open(self, org_id: int, sha256: str) -> BinaryIO:
        path = self._path(org_id, sha256)
        if not path.exists():
            raise NotFound(f"No stored file {sha256[:12]}….")
        return open(path, "rb")

    def exists(self, org_id: int, sha256: str) -> bool:
        return self._path(org_id, sha256).exists()

    def delete(self, org_id: int, sha256: str) -> bool:
        path = self._path(org_id, sha256)
        if not path.exists():
            return False
        path.unlink()
        return True

    def list(self, org_id: int) -> Iterator[FileRef]:
        folder = self.root / str(int(org_id))
        if not folder.exists():
            return
        for path in sorted(folder.glob("??/*")):
            if _SHA_RE.match(path.name):
                yield FileRef(path.name, path.stat().st_size)

    def remove_all(self) -> None:
        """Delete the whole store (tests and `openkamp init --reset`)."""
        shutil.rmtree(self.root, ignore_errors=True)
