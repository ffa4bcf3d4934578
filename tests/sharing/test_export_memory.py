"""The streamed governed export needs the same memory whatever the rows: the process's peak
resident memory grows by no more for a version 4 times as long.

Measured in a process of its own (the allocator's state of a test run says nothing), after a
first export that loads what any export loads, as the server runs it (on a worker thread): the
peak resident memory during the export, less the memory before; the smaller export's is the
lesser of two (the first of a size now and then takes some MB more, whatever the size). The
table's values are random full-precision numbers, so the stored file is about as large as its
values (8 bytes a value: 1,000,000 rows x 13 columns ~104 MB); the offer drops all but one
column, so the export reads every column (the version is read whole) but writes two, and stays
short. Before the fix the version's reader kept what it had read of every row group until the
pass ended (pyarrow's ``ParquetFile.iter_batches`` over the whole file), so an export grew the
process by about the file's size: 1,000,000 rows 87 MB, 250,000 rows 7-12 MB (after: 6-8 MB
and 5-30 MB); docs/benchmarks.md has the server's figures (bench/memory.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROWS = 250_000
#: Growth allowed beyond the smaller export's, for 4 times the rows (the batch is the same;
#: what is left is the allocator's noise, a few MB).
SLACK_MB = 16.0

_SCRIPT = r"""
import json, sys, threading
from pathlib import Path

import numpy as np
import pandas as pd

from openkamp.core.tenancy import system_principal
from openkamp.platform import Platform

folder, rows = Path(sys.argv[1]), int(sys.argv[2])


def kb(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(key)


def table(n, seed):
    r = np.random.default_rng(seed)
    frame = pd.DataFrame({f"v{i}": r.normal(size=n) for i in range(12)})
    frame.insert(0, "time", pd.date_range("2026-01-05", periods=n, freq="s", tz="UTC"))
    return frame


kamp = Platform.at(folder, duckdb_memory_limit="256MB")
owner, buyer = (system_principal(kamp.principal(n).org_id) for n in ("acme", "beta"))
contracts = {}
for name, n in (("warm", 20_000), ("small", rows), ("large", 4 * rows)):
    kamp.datasets.create(owner, name, table(n, len(contracts)))
    offer = kamp.sharing.catalog.create(
        owner, f"{name}-offer", name, title_ko="샷", title_en="Shots", description_ko="샷",
        description_en="Shots", equipment_type="press", industry="C29", problem="quality",
        price={"model": "metered", "rates": [{"unit": "rows_1000", "amount": "1"}]},
        policy={"purposes": ["quality"]},
        transforms={"version": 1, "transforms": [
            {"op": "drop", "columns": [f"v{i}" for i in range(1, 12)]}]},
    )
    kamp.sharing.catalog.publish(owner, offer["id"])
    asked = kamp.sharing.contracts.request(buyer, offer["id"], "quality")
    contracts[name] = kamp.sharing.contracts.approve(owner, asked.id).id


def export(name):
    before = kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
    done = {}
    worker = threading.Thread(
        target=lambda: done.update(d=kamp.sharing.delivery.deliver(buyer, contracts[name]))
    )
    worker.start()
    worker.join()
    growth = (kb("VmHWM") - before) / 1024
    done["d"].path.unlink()
    return {"rows": done["d"].rows, "growth_mb": growth}


export("warm")
print(json.dumps({"small": [export("small"), export("small")], "large": export("large")}))
kamp.close()
"""


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_four_times_the_rows_need_no_more_memory(tmp_path: Path) -> None:
    if not Path("/proc/self/clear_refs").exists():  # pragma: no cover - Linux only
        pytest.skip("peak resident memory is read from /proc (Linux)")
    run = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(tmp_path / "data"), str(ROWS)],
        capture_output=True, text=True, timeout=230,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    small, large = got["small"], got["large"]
    assert [r["rows"] for r in small] == [ROWS, ROWS] and large["rows"] == 4 * ROWS
    least = min(r["growth_mb"] for r in small)
    assert large["growth_mb"] - least < SLACK_MB, got
