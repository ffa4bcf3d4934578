"""Shared fixtures: a platform on embedded storage in a temporary folder.

``OPENKAMP_TEST_STORAGE=postgresql`` runs the same tests on the regional centre's configuration:
every platform a test builds keeps its metadata and time series in a PostgreSQL database of its
own on the test server (see :class:`openkamp.storage.testing.postgres.DatabasePerDataDir`);
tests of the embedded engines themselves (``embedded_only``) are skipped there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from openkamp.core.assets import EquipmentSpec, LabelSpec, LabelType, LineSpec, SignalSpec, SiteSpec
from openkamp.core.tenancy import Principal
from openkamp.platform import Platform

STORAGE = os.environ.get("OPENKAMP_TEST_STORAGE", "embedded").strip().lower() or "embedded"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if STORAGE == "embedded":
        return
    skip = pytest.mark.skip(reason=f"tests the embedded engines; this run is on {STORAGE}")
    for item in items:
        if "embedded_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _storage_configuration() -> Iterator[str]:
    """The storage every platform of this run uses (embedded unless OPENKAMP_TEST_STORAGE)."""
    if STORAGE == "embedded":
        yield STORAGE
        return
    if STORAGE != "postgresql":
        pytest.exit(f"OPENKAMP_TEST_STORAGE={STORAGE!r}: use embedded or postgresql", 2)
    from openkamp.storage.testing.postgres import DatabasePerDataDir, server_or_skip

    server_or_skip()
    databases = DatabasePerDataDir()
    databases.install()
    try:
        yield STORAGE
    finally:
        databases.close()


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    platform = Platform.at(tmp_path / "data", duckdb_memory_limit="256MB")
    yield platform
    platform.close()


@pytest.fixture
def me(kamp: Platform) -> Principal:
    return kamp.principal()


@pytest.fixture
def press(kamp: Platform, me: Principal) -> str:
    """A small press with three signals and a pass/fail label; returns its path."""
    kamp.assets.apply_tree(
        me,
        [
            SiteSpec(
                "plant1",
                "본사공장",
                "Main plant",
                lines=[
                    LineSpec(
                        "line1",
                        "1라인",
                        equipment=[
                            EquipmentSpec(
                                "press01",
                                "프레스 1호기",
                                "Press 1",
                                equipment_type="hydraulic_press",
                                signals=[
                                    SignalSpec(
                                        "pressure",
                                        "압력",
                                        "Pressure",
                                        "bar",
                                        min_value=0,
                                        max_value=250,
                                    ),
                                    SignalSpec("oil_temp", "유온", "Oil temperature", "℃"),
                                    SignalSpec("current", "전류", "Motor current", "A"),
                                ],
                                labels=[
                                    LabelSpec(
                                        "result", "판정", "Result", LabelType.CATEGORY, ["OK", "NG"]
                                    )
                                ],
                            )
                        ],
                    )
                ],
            )
        ],
    )
    return "plant1/line1/press01"
