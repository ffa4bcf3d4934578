"""Shared fixtures: a platform on embedded storage in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openkamp.core.assets import EquipmentSpec, LabelSpec, LabelType, LineSpec, SignalSpec, SiteSpec
from openkamp.core.tenancy import Principal
from openkamp.platform import Platform


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
