"""Alert listeners (the live overview follows alerts through them): told of every alert opened
and every change (episode ended, acknowledged, closed), with the organisation; a failing
listener never fails the change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.alerts.test_rules import FAST

from openkamp.platform import Platform


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    with Platform.at(tmp_path / "data", **FAST) as k:
        yield k


def test_listeners_hear_each_opening_and_change(kamp: Platform) -> None:
    heard: list[tuple[int, int, str, bool]] = []

    def listener(org_id: int, rec: dict[str, Any]) -> None:
        heard.append((org_id, rec["id"], rec["status"], bool((rec["detail"] or {}).get("active"))))

    def broken(org_id: int, rec: dict[str, Any]) -> None:
        raise RuntimeError("a listener's bug")

    kamp.alerts.add_listener(broken)
    kamp.alerts.add_listener(listener)
    org, me, now = kamp.default_org_id, kamp.principal(), datetime.now(UTC)
    rec = kamp.alerts.open_episode(
        org, source="limit", severity="warning", title="t", key="alerting.text.limit",
        params={}, episode="e1", equipment_id=None, model_id=None, rule_id=None,
        first_at=now, last_at=now,
    )  # fmt: skip
    kamp.alerts.end_episode(org, rec["id"], cleared_at=now, last_at=now, count=3)
    kamp.alerts.acknowledge(me, rec["id"], "seen")
    kamp.alerts.close(me, rec["id"])
    kamp.alerts.close(me, rec["id"])  # closed already: no change, nothing told
    assert heard == [
        (org, rec["id"], "open", True),
        (org, rec["id"], "open", False),
        (org, rec["id"], "acknowledged", False),
        (org, rec["id"], "closed", False),
    ]
    kamp.alerts.remove_listener(listener)
    kamp.alerts.raise_alert(me, source="stale", severity="info", title="t", key="k")
    assert len(heard) == 4
