"""A live factory on a clock the test moves, so every test sees the same readings."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from openkamp.sim import Factory, demo_lines
from openkamp.sim.live import Broker, LiveFactory, run_broker
from openkamp.sim.live.mosquitto import broker_or_skip

ORIGIN = pd.Timestamp("2026-03-02 09:00:00", tz="Asia/Seoul")  # a Monday
FAST = {"hydraulic_press": 1.0, "cnc": 1.0, "melting_tank": 2.0, "injection_moulding": 5.0}


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def make_live(**kw: object) -> LiveFactory:
    factory = Factory(seed=7, lines=demo_lines(1, FAST))
    clock = Clock(ORIGIN.timestamp())
    return LiveFactory(factory, start=ORIGIN, clock=clock, **kw)  # type: ignore[arg-type]


@pytest.fixture
def live() -> LiveFactory:
    return make_live()


@pytest.fixture(scope="module")
def broker() -> Iterator[Broker]:
    broker_or_skip()
    with run_broker() as b:
        yield b
