"""Backup and restore of a regional installation (issue 12): ``pg_dump -Fc`` of the database
taken while points stream in, a CSV import runs and ledger entries are appended, then a copy of
the data folder (files, keys); ``pg_restore`` into a fresh database gives a consistent
installation: it opens, the ledger verifies, every import is balanced (one cut off by the backup
is marked interrupted once its process's lease has run out, with the counts of what it had
stored), and every streamed signal holds a whole number of batches, the same number for all of
them (a batch is one transaction: never half of one), with its roll-ups equal to what its raw
points add up to. These are the commands docs/deploy.md gives.

Needs the test PostgreSQL server and pg_dump / pg_restore (PATH or /usr/lib/postgresql/*/bin):
skipped without them, a failure under CI=true.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from installation_support import PASSWORD, build, on_postgres

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.ingest.importer import ImportOptions
from openkamp.platform import Platform
from openkamp.sharing.policy import Access
from openkamp.storage.testing.postgres import _dsn, fresh_database
from openkamp.storage.timeseries.base import POINT_SCHEMA

pytestmark = pytest.mark.postgres

STREAM = "plant2/line1/stream01"
SIGNALS = 4
#: Points per signal per batch: one write of 20,000 points, one transaction.
PER_BATCH = 5_000
STEP = timedelta(seconds=10)
T0 = datetime(2026, 6, 1, tzinfo=UTC)
#: Short leases, so the leases of the processes running at backup time run out soon after.
LEASES = {"lease_ttl_s": 3.0, "lease_heartbeat_s": 1.0}


def pg_tool(name: str) -> str:
    """A PostgreSQL client program: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found is None:
        versions = sorted(
            glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
            key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
        )
        found = versions[-1] if versions else None
    if found is None:
        why = f"{name} is not installed (apt-get install postgresql-client)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{why}: in CI a missing program is a failure")
        pytest.skip(why)
    return found


def batch(i: int, sids: list[int]) -> pa.Table:
    """Batch ``i`` of the stream: the next PER_BATCH readings of every signal."""
    k = np.arange(i * PER_BATCH, (i + 1) * PER_BATCH)
    ts = pa.array(k * int(STEP / timedelta(microseconds=1)) + _us(T0)).cast(POINT_SCHEMA[1].type)
    return pa.table(
        {
            "signal_id": np.repeat(sids, len(k)),
            "ts": pa.concat_arrays([ts] * len(sids)),
            "value": np.concatenate([s * 1000 + k * 0.5 for s in sids]),
        },
        schema=POINT_SCHEMA,
    )


def _us(dt: datetime) -> int:
    return (dt - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


class Load:
    """What runs while the backup is taken: the stream's writer, an import, ledger entries."""

    def __init__(self, kamp: Platform, sids: list[int], csv: Path, contract: int) -> None:
        self.kamp, self.sids, self.csv, self.contract = kamp, sids, csv, contract
        self.stop = threading.Event()
        self.committed = 0  # batches whose write returned
        self.errors: list[BaseException] = []
        self.threads = [
            threading.Thread(target=self._guard(f), daemon=True)
            for f in (self._stream, self._import, self._ledger)
        ]

    def _guard(self, fn: object) -> object:
        def run() -> None:
            try:
                fn()  # type: ignore[operator]
            except BaseException as exc:  # reported by the test
                self.errors.append(exc)

        return run

    def _stream(self) -> None:
        i = 0
        while not self.stop.is_set():
            self.kamp.ts.write(self.kamp.default_org_id, batch(i, self.sids))
            i += 1
            self.committed = i

    def _import(self) -> None:
        me = self.kamp.principal()
        self.kamp.imports.import_file(me, self.csv, ImportOptions(equipment="plant2/line1/csv01"))

    def _ledger(self) -> None:
        beta = self.kamp.principal("beta")
        while not self.stop.is_set():
            self.kamp.sharing.authorize(beta, self.contract, Access.READ, rows=1)
            time.sleep(0.05)

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=120)
        assert not self.errors, self.errors


def test_a_backup_taken_during_ingest_restores_consistent(tmp_path: Path) -> None:
    pg_dump, pg_restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    data = tmp_path / "data"
    with fresh_database("okbk") as url:
        settings = on_postgres(
            data, url, f"{url}&partition=day", import_chunk_bytes=64 * 1024, **LEASES
        )
        made = build(settings, tmp_path)
        n_csv = 150_000
        csv = tmp_path / "csv01.csv"
        pd.DataFrame({
            "timestamp": pd.date_range("2026-07-01", periods=n_csv, freq="s", tz="UTC"),
            "temp": np.round(np.linspace(20, 80, n_csv), 3),
        }).to_csv(csv, index=False)  # fmt: skip
        kamp = Platform(settings)
        try:
            stream = [SignalSpec(f"s{i}", f"신호{i}", f"Signal {i}", "") for i in range(SIGNALS)]
            kamp.assets.apply_tree(kamp.principal(), [SiteSpec("plant2", lines=[LineSpec(
                "line1", equipment=[EquipmentSpec("stream01", signals=stream),
                                    EquipmentSpec("csv01", signals=[SignalSpec("temp")])],
            )])])  # fmt: skip
            me = kamp.principal()
            sids = [kamp.assets.resolve(me, f"{STREAM}/s{i}").id for i in range(SIGNALS)]
            load = Load(kamp, sids, csv, made["contract"])
            load.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not (
                load.committed >= 2 and any(r["status"] == "running" for r in kamp.imports.list(me))
            ):
                time.sleep(0.05)
            # the backup: the database, then the data folder (files are written before the
            # records naming them, so every file the dump names is in the later copy)
            dump = tmp_path / "kamp.dump"
            first = load.committed
            running = {r["id"] for r in kamp.imports.list(me) if r["status"] == "running"}
            started = time.monotonic()
            subprocess.run(
                [pg_dump, "--format=custom", f"--file={dump}", f"--dbname={_dsn(url)}"],
                check=True, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            dump_s = time.monotonic() - started
            last = load.committed
            still = {r["id"] for r in kamp.imports.list(me) if r["status"] == "running"}
            shutil.copytree(data, tmp_path / "restored-data")
            load.finish()
            streamed = load.committed
        finally:
            kamp.close()
    # restore into a new database, on the copied folder
    with fresh_database("okrs") as url:
        done = subprocess.run(
            [pg_restore, "--exit-on-error", "--no-owner", "--single-transaction",
             f"--dbname={_dsn(url)}", str(dump)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        folder = tmp_path / "restored-data"
        settings = on_postgres(folder, url, f"{url}&partition=day", **LEASES)
        time.sleep(LEASES["lease_ttl_s"] + 1)  # the backed-up processes' leases run out
        kamp = Platform(settings)
        try:
            me = kamp.principal()
            assert kamp.sharing.ledger.verify().ok
            assert kamp.sharing.ledger.size() >= made["ledger_size"]
            kamp.accounts.login("admin", PASSWORD)
            imports = kamp.imports.list(me)
            assert imports and all(
                r["rows_read"] == r["rows_stored"] + r["rows_quarantined"] for r in imports
            )
            assert all(r["status"] in ("done", "interrupted") for r in imports)
            cut = [r for r in imports if r["status"] == "interrupted"]
            # the import the backup cut off (running at its start, perhaps not at its end)
            assert still <= {r["id"] for r in cut} <= running
            temp = kamp.assets.resolve(me, "plant2/line1/csv01/temp").id
            csv_points = kamp.ts.count(me.org_id, [temp])
            for r in imports:
                if r["file_name"] == "csv01.csv":  # the record is behind its points, never ahead
                    stored = kamp.ts.count(me.org_id, [temp])
                    assert r["rows_stored"] <= stored <= n_csv
            for v in kamp.datasets.list(me):
                assert kamp.datasets.verify(me, f"{v.name}@{v.version}")
            # the stream: a whole number of batches, the same for every signal
            sids = [kamp.assets.resolve(me, f"{STREAM}/s{i}").id for i in range(SIGNALS)]
            counts = {kamp.ts.count(me.org_id, [s]) for s in sids}
            assert len(counts) == 1
            (count,) = counts
            assert count % PER_BATCH == 0
            batches = count // PER_BATCH
            assert first <= batches <= last, (first, batches, last)
            want = pa.concat_tables([batch(i, sids) for i in range(batches)]).sort_by(
                [("signal_id", "ascending"), ("ts", "ascending")]
            )
            got = kamp.ts.read(me.org_id, sids)
            assert got.equals(want)
            minute = kamp.ts.rollups(me.org_id, sids, "minute")
            assert minute.column("count").to_pylist() == _minute_counts(want)
            print(
                f"backup during ingest: pg_dump {dump_s:.2f} s, {dump.stat().st_size:,} bytes; "
                f"batches committed before / during / after the dump: {first} / {last} / "
                f"{streamed}; restored {batches} batches x {PER_BATCH * SIGNALS:,} points; "
                f"imports (status, read, stored) {[(r['status'], r['rows_read'], r['rows_stored']) for r in imports]}, "
                f"the cut import's signal holds {csv_points:,} points; "
                f"ledger {kamp.sharing.ledger.size()} entries, verified"
            )
        finally:
            kamp.close()


def _minute_counts(points: pa.Table) -> list[int]:
    """Points per (signal, minute), in signal and minute order."""
    sig = points.column("signal_id").to_numpy()
    minute = points.column("ts").cast(pa.int64()).to_numpy() // 60_000_000
    key = np.unique(np.c_[sig, minute], axis=0, return_counts=True)[1]
    return [int(k) for k in key]
