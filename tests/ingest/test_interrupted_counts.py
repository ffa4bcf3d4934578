"""An import killed mid-way (SIGKILL) keeps a record of what it had stored.

Issue 9, finding 10: an interrupted import's record showed 0 rows although 1.1 M rows were
stored. A running import now writes its counts, as far as its writes are committed, to its record
about once a second; the next start marks it 'interrupted' and keeps them. The record never says
more than the store holds.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from openkamp.platform import Platform
from openkamp.sim.bulk import write_wide_csv

SIGNALS = 5

CHILD = """
import sys
from openkamp.core.assets import EquipmentSpec, LineSpec, SiteSpec
from openkamp.ingest.importer import ImportOptions
from openkamp.platform import Platform

kamp = Platform.at(sys.argv[1])
me = kamp.principal()
kamp.assets.apply_tree(me, [SiteSpec("s", lines=[LineSpec("l", equipment=[EquipmentSpec("m")])])])
kamp.imports.import_file(me, sys.argv[2], ImportOptions(equipment="s/l/m", kind="timeseries"))
print("finished", flush=True)
"""


def _running_counts(db: Path) -> tuple[str, int] | None:
    if not db.exists():
        return None
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            row = con.execute("SELECT status, rows_stored FROM imports ORDER BY id DESC").fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else (str(row[0]), int(row[1] or 0))


def test_a_killed_import_keeps_what_it_stored(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = write_wide_csv(tmp_path / "big.csv", rows=1_500_000, signals=SIGNALS)
    env = {**os.environ, "OPENKAMP_IMPORT_CHUNK_BYTES": str(256 * 1024)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data), str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    seen = None
    try:
        while time.monotonic() < deadline and child.poll() is None:
            seen = _running_counts(data / "metadata.sqlite")
            if seen is not None and seen[0] == "running" and seen[1] > 0:
                break
            time.sleep(0.05)
        assert child.poll() is None, child.communicate()
        assert seen is not None and seen[1] > 0, "the running import never recorded its counts"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    with Platform.at(data) as kamp:
        me = kamp.principal()
        (rec,) = kamp.imports.list(me)
        assert rec["status"] == "interrupted"
        stored_points = kamp.ts.count(me.org_id)
        assert rec["rows_stored"] > 0  # was 0 however much had been stored
        assert rec["rows_read"] == rec["rows_stored"] + rec["rows_quarantined"]
        assert rec["rows_stored"] * SIGNALS <= stored_points  # never more than the store holds
        assert rec["report"]["status"] == "interrupted"
        assert rec["report"]["rows_stored"] == rec["rows_stored"]
