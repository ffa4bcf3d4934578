"""The metadata contract suite on SQLite, plus migration checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from openkamp.storage import open_metadata
from openkamp.storage.metadata.schema import metadata
from openkamp.storage.metadata.sql import SqlMetadataStore
from openkamp.storage.testing.metadata_contract import MetadataContract


class TestSQLite(MetadataContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqlMetadataStore]:
        s = open_metadata(f"sqlite:///{tmp_path}/meta.sqlite")
        yield s
        s.close()


def test_migrations_create_exactly_the_declared_schema(tmp_path: Path) -> None:
    store = open_metadata(f"sqlite:///{tmp_path}/m.sqlite")
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    store.close()
    assert diff == []


def test_reopening_migrates_nothing_and_keeps_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/m.sqlite"
    store = open_metadata(url)
    store.create_org("acme")
    store.close()
    store = open_metadata(url)
    assert store.find_org("acme") is not None
    store.close()
