"""The private broker helper: starts on a free port, stops with the block; a missing Mosquitto
is a skip on a workstation but a failure in CI."""

from __future__ import annotations

import socket

import pytest

from openkamp.core.errors import ConfigError
from openkamp.sim.live import mosquitto


def test_run_broker_listens_then_stops() -> None:
    mosquitto.broker_or_skip()
    with mosquitto.run_broker() as b:
        with socket.create_connection((b.host, b.port), timeout=2):
            pass
        assert (b.folder / "mosquitto.conf").read_text().startswith(f"listener {b.port} ")
    with pytest.raises(OSError), socket.create_connection((b.host, b.port), timeout=1):
        pass


def test_missing_mosquitto_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mosquitto, "find_mosquitto", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="in CI a missing broker is a failure"):
        mosquitto.broker_or_skip()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        mosquitto.broker_or_skip()
    with pytest.raises(ConfigError) as err, mosquitto.run_broker():
        pass
    assert err.value.code == "live.no_mosquitto"
