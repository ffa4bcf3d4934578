"""``openkamp retention``, run as a user runs it (a real process, real files): policies of the
organisation and of a signal, Korean and English, and a run that drops old raw points while their
per-minute and per-hour roll-ups stay."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
from tests.test_cli import run

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.platform import Platform
from openkamp.settings import Settings

SIGNAL = "plant1/line1/m1/pressure"


def _stored(data: Path, before: datetime) -> tuple[int, int, int]:
    """(raw points, minute-tier count, hour-tier count) of the signal before ``before``."""
    kamp = Platform(Settings(data_dir=data))
    try:
        org = kamp.default_org_id
        sid = int(kamp.assets.resolve(kamp.principal(), SIGNAL).id)
        raw = kamp.ts.read(org, [sid], None, before).num_rows
        minute = kamp.ts.rollups(org, [sid], "minute", None, before).column("count")
        hour = kamp.ts.rollups(org, [sid], "hour", None, before).column("count")
        return raw, int(sum(minute.to_pylist())), int(sum(hour.to_pylist()))
    finally:
        kamp.close()


def test_retention_policies_and_a_run_that_keeps_the_rollups(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # 40 days, a reading every 10 minutes, ending two days ago (written here: the commands are
    # what is tested)
    kamp = Platform(Settings(data_dir=data))
    try:
        sigs = [SignalSpec("pressure", unit="bar")]
        kamp.assets.apply_tree(kamp.principal(), [SiteSpec("plant1", lines=[LineSpec(
            "line1", equipment=[EquipmentSpec("m1", signals=sigs)])])])  # fmt: skip
        sid = int(kamp.assets.resolve(kamp.principal(), SIGNAL).id)
        end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
        times = [end - timedelta(minutes=10 * i) for i in range(40 * 144)]
        kamp.ts.write(kamp.default_org_id, pa.table({
            "signal_id": pa.array([sid] * len(times), pa.int64()),
            "ts": pa.array(times, pa.timestamp("us", tz="UTC")),
            "value": pa.array([float(i % 50) for i in range(len(times))], pa.float64()),
        }))  # fmt: skip
    finally:
        kamp.close()
    # on a whole hour: raw points are dropped by whole hours, an hour aggregate is all or nothing
    cut = (datetime.now(UTC) - timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    old_raw, old_minute, old_hour = _stored(data, cut)
    assert old_raw > 1000 and old_minute == old_raw == old_hour

    saved = run(data, "retention", "set", "--raw-days", "30", "--minute-days", "365").stdout
    assert "보관 기간을 저장했습니다" in saved and "조직 기본값" in saved
    assert "30일" in saved and "365일" in saved and "영구" in saved
    english = run(data, "--lang", "en", "retention", "show").stdout
    assert "Organisation default" in english and "30 days" in english and "forever" in english

    done = run(data, "retention", "run").stdout
    found = re.search(r"원시 ([\d,]+)점", done)
    assert found, done
    dropped = int(found.group(1).replace(",", ""))
    raw, minute, hour = _stored(data, cut)
    # the raw points before the cut are gone; the roll-ups keep them all
    assert raw == 0 and dropped >= old_raw
    assert (minute, hour) == (old_minute, old_hour)

    # a signal's own policy, and back to the default
    own = run(data, "retention", "set", "--signal", SIGNAL, "--raw-days", "7").stdout
    assert SIGNAL in own and "7일" in own
    cleared = run(data, "--lang", "en", "retention", "clear", SIGNAL).stdout
    assert "Every signal follows the organisation default." in cleared

    # mistakes: a clear message in the user's language, no traceback
    bad = run(data, "retention", "set", "--raw-days", "many", ok=False)
    assert bad.returncode == 2 and "숫자로" in bad.stderr and "Traceback" not in bad.stderr
    order = run(data, "--lang", "en", "retention", "set", "--raw-days", "400", ok=False)
    assert order.returncode == 2 and "raw <= per-minute <= per-hour" in order.stderr

    # the old form still works: keep raw points N days and drop the older now
    short = run(data, "retention", "--keep-days", "20").stdout
    assert "20일" in short and "원시" in short
    newer = (datetime.now(UTC) - timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    assert _stored(data, newer)[0] == 0
