"""The file-store contract suite on the local folder backend, plus corruption detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from openkamp.core.errors import StorageError
from openkamp.storage import open_files
from openkamp.storage.files.local import LocalFileStore
from openkamp.storage.testing.files_contract import FilesContract


class TestLocal(FilesContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> LocalFileStore:
        return open_files(f"file://{tmp_path}/files")


def test_corruption_is_detected(tmp_path: Path) -> None:
    store = open_files(f"file://{tmp_path}/files")
    ref = store.put(1, b"original bytes")
    store._path(1, ref.sha256).write_bytes(b"tampered bytes")
    with pytest.raises(StorageError, match="corrupted"):
        store.read_bytes(1, ref.sha256)
