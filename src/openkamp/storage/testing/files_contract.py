"""Contract suite for :class:`~openkamp.storage.files.base.FileStore` backends.

Subclass and provide a ``store`` fixture yielding a fresh, empty store.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from openkamp.core.errors import InvalidInput, NotFound
from openkamp.storage.files.base import FileStore


class FilesContract:
    def test_content_addressed_round_trip(self, store: FileStore, tmp_path: Path) -> None:
        data = "공정 데이터, process data\n".encode() * 1000
        ref = store.put(1, data)
        assert ref.sha256 == hashlib.sha256(data).hexdigest() and ref.size == len(data)
        assert store.read_bytes(1, ref.sha256) == data
        assert store.put(1, io.BytesIO(data)) == ref  # same bytes, same address, stored once
        path = tmp_path / "f.bin"
        path.write_bytes(data)
        assert store.put(1, path) == ref
        assert list(store.list(1)) == [ref]

    def test_organisations_are_separate(self, store: FileStore) -> None:
        ref = store.put(1, b"secret")
        assert not store.exists(2, ref.sha256)
        with pytest.raises(NotFound):
            store.open(2, ref.sha256)
        assert list(store.list(2)) == []

    def test_delete_and_bad_addresses(self, store: FileStore) -> None:
        ref = store.put(1, b"x")
        assert store.delete(1, ref.sha256) is True
        assert store.delete(1, ref.sha256) is False
        with pytest.raises(NotFound):
            store.read_bytes(1, ref.sha256)
        with pytest.raises(InvalidInput):
            store.open(1, "../../etc/passwd")

    def test_large_stream(self, store: FileStore) -> None:
        blob = bytes(range(256)) * 20_000  # 5 MB, streamed in chunks
        ref = store.put(1, io.BytesIO(blob))
        with store.open(1, ref.sha256) as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == ref.sha256
