"""What the alert statuses' messages say is true: an unknown status names all three (closed is
one), each named status lists its alerts, and acknowledging a closed alert says it stays closed
instead of claiming it was acknowledged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from openkamp.alerts.service import STATUSES
from openkamp.cli.remote import run_here
from openkamp.core.errors import InvalidInput
from openkamp.i18n import error_text
from openkamp.platform import Platform

from .test_alerts import FAST, machine


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    with Platform.at(tmp_path / "data", **FAST) as k:
        yield k


def test_an_unknown_status_names_every_status(kamp: Platform) -> None:
    with pytest.raises(InvalidInput) as caught:
        kamp.alerts.list(kamp.principal(), status="done")
    for lang in ("ko", "en"):
        message, hint = error_text(caught.value, lang)
        assert "'done'" in message
        assert hint is not None and all(s in hint for s in STATUSES), hint
    assert "닫힘" in error_text(caught.value, "ko")[1]


def test_each_status_lists_its_alerts_and_a_closed_alert_stays_closed(kamp: Platform) -> None:
    me = kamp.principal()
    raised = [  # one per machine (a machine's open alerts of a model merge)
        kamp.alerts.raise_scored_period(
            me, model_name="m", model_version=1, model_id=None,
            equipment_id=machine(kamp, f"m{i}")[0], rows=10, alarms=2,
        )[0]
        for i in range(3)
    ]  # fmt: skip
    kamp.alerts.acknowledge(me, raised[1]["id"])
    kamp.alerts.close(me, raised[2]["id"])
    for status, alert in zip(STATUSES, raised, strict=True):
        assert [a["id"] for a in kamp.alerts.list(me, status=status)] == [alert["id"]]

    closed = raised[2]["id"]
    code, out, err = run_here(kamp, ["alerts", "ack", str(closed)], 120)
    assert code == 0, err
    assert "이미 닫혀" in out and "확인 처리했습니다" not in out
    assert kamp.alerts.get(me, closed)["status"] == "closed"
    code, out, _ = run_here(kamp, ["--lang", "en", "alerts", "ack", str(raised[0]["id"])], 120)
    assert code == 0 and "acknowledged" in out
    assert kamp.alerts.get(me, raised[0]["id"])["status"] == "acknowledged"
