"""The contract service's tests (test_contracts.py) on a platform whose metadata is in
PostgreSQL: every lifecycle move, authorization, usage counter and ledger entry as on SQLite.

Needs the test PostgreSQL server (skipped without one, a failure under CI=true).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .contract_support import World, world
from .test_contracts import *  # noqa: F403 - the same tests, collected here with the fixture below


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    yield from world(tmp_path, backend="postgresql")
