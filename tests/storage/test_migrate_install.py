"""``openkamp migrate --to postgresql://…`` (issue 12, item 4): an embedded installation (SQLite
metadata, DuckDB time series) with assets, an import, points, labels, roll-ups past a retention
horizon, a dataset, a model, an offer, a contract and ledger entries, copied into a fresh
PostgreSQL database and verified; a platform opened on the copy has everything (the same points,
roll-ups and horizons, the ledger verifies, sign-in and the old session work, new records get
new ids); a second migration into the same database is refused, in Korean and English.

Needs the test PostgreSQL server (skipped without one, a failure under CI=true). The source is
embedded whatever OPENKAMP_TEST_STORAGE says: its URLs are given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from installation_support import PASSWORD, build, embedded, on_postgres, snapshot

from openkamp.core.errors import ConfigError, Conflict
from openkamp.platform import Platform
from openkamp.settings import Settings
from openkamp.sharing.policy import Access
from openkamp.storage.migrate_install import migrate_installation, target_urls
from openkamp.storage.testing.postgres import fresh_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def installation(tmp_path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    data = tmp_path / "data"
    yield data, build(embedded(data), tmp_path)


def test_an_embedded_installation_moves_to_postgresql(
    installation: tuple[Path, dict[str, Any]],
) -> None:
    data, before = installation
    stages: list[str] = []
    with fresh_database("okmig") as url:
        report = migrate_installation(
            embedded(data), url, batch_points=5_000,
            progress=lambda stage, done, total: stages.append(stage),
        )  # fmt: skip
        assert report.ok, [c.to_json() for c in report.mismatches]
        assert {"metadata", "points", "rollups", "verify"} <= set(stages)
        by = {(c.kind, c.name): c for c in report.checks}
        for table in ("orgs", "nodes", "signals", "label_columns", "imports", "datasets",
                      "models", "users", "sessions", "offers", "contracts", "ledger_entries",
                      "ledger_nodes", "ledger_heads", "contract_usage"):  # fmt: skip
            assert by[("table", table)].source > 0, table
        assert ("table", "leases") not in by  # process state: not copied
        points = [c for c in report.checks if c.kind == "points"]
        assert len(points) == 3 and sum(c.source for c in points) == 600 + 2 * 3 * 8640 - 8640 + 1
        assert all(c.source_detail["time_sum"] > 0 for c in points)
        assert by[("labels", "default")].source == 600
        assert by[("rollup_minute", "default")].source > 0
        assert by[("horizons", "default")].source == 2
        assert report.settings_lines() == [
            f"OPENKAMP_METADATA_URL={url}",
            f"OPENKAMP_TIMESERIES_URL={url}",
            f"OPENKAMP_DATA_DIR={data.resolve()}",
        ]
        # the installation on PostgreSQL, same data folder (files and keys)
        kamp = Platform(on_postgres(data, url))
        try:
            assert kamp.meta.engine.dialect.name == "postgresql"
            assert snapshot(kamp) == before["stores"]
            me, beta = kamp.principal(), kamp.principal("beta")
            assert kamp.sharing.ledger.size() == before["ledger_size"]
            assert kamp.sharing.ledger.verify().ok
            admin, _ = kamp.accounts.authenticate_session(before["cookie"])  # signed in still
            kamp.accounts.login("admin", PASSWORD)
            assert [r["status"] for r in kamp.imports.list(me)] == ["done"]
            rec = kamp.imports.list(me)[0]
            assert rec["rows_read"] == rec["rows_stored"] + rec["rows_quarantined"]
            assert kamp.datasets.verify(me, "press-shots@1")
            assert [v.version for v in kamp.models.list(me)] == [1]
            assert kamp.sharing.contracts.get(beta, before["contract"]).state.value == "active"
            # new records get new ids (the sequences moved past the copied ones), and the
            # ledger grows and still verifies
            kamp.accounts.create_user(admin, "kim", PASSWORD)
            kamp.sharing.authorize(beta, before["contract"], Access.READ, rows=1)
            assert kamp.sharing.ledger.verify().ok
            assert kamp.sharing.ledger.size() > before["ledger_size"]
        finally:
            kamp.close()
        # a second migration into the same database is refused before anything is written
        with pytest.raises(Conflict) as refused:
            migrate_installation(embedded(data), url)
        assert refused.value.code == "migrate.target_not_empty"
        assert "contracts" in str(refused.value.params["tables"])


def test_the_command_copies_prints_the_settings_and_refuses_a_used_target(
    installation: tuple[Path, dict[str, Any]],
) -> None:
    data, _ = installation
    env = {
        **os.environ,
        "COLUMNS": "200",
        "OPENKAMP_DATA_DIR": str(data),
        **{k.upper(): str(v) for k, v in _env(embedded(data)).items()},
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "openkamp.cli.main", *args],
            capture_output=True, text=True, env=env, timeout=300,
        )  # fmt: skip

    with fresh_database("okmig") as url:
        done = run("--lang", "en", "migrate", "--to", f"{url}&partition=day")
        assert done.returncode == 0, done.stderr
        meta, ts = target_urls(f"{url}&partition=day")
        assert meta == url and ts == f"{url}&partition=day"
        lines = done.stdout.splitlines()
        assert f"OPENKAMP_METADATA_URL={url}" in lines
        assert f"OPENKAMP_TIMESERIES_URL={url}&partition=day" in lines
        assert "every count and checksum matches" in done.stdout and "✗" not in done.stdout
        assert "vibration" in done.stdout and "ledger_entries" in done.stdout
        again = run("migrate", "--to", url)
        assert again.returncode == 2
        assert "대상 데이터베이스에 이미 OpenKAMP 데이터가 있습니다" in again.stderr
        assert "Traceback" not in again.stderr
        as_json = run("--lang", "en", "migrate", "--to", url, "--json")
        assert as_json.returncode == 2 and "already holds OpenKAMP data" in as_json.stderr
    with fresh_database("okmig") as url:
        done = run("migrate", "--to", url, "--json")
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        assert answer["ok"] and answer["settings"][0] == f"OPENKAMP_METADATA_URL={url}"
        assert {c["kind"] for c in answer["checks"]} >= {"table", "points", "labels", "horizons"}


def _env(s: Settings) -> dict[str, str]:
    return {
        "openkamp_metadata_url": str(s.metadata_url),
        "openkamp_timeseries_url": str(s.timeseries_url),
    }


def test_refusals_before_anything_is_written(tmp_path: Path) -> None:
    s = embedded(tmp_path / "data")
    with pytest.raises(ConfigError) as wrong:
        migrate_installation(s, "sqlite:///elsewhere.sqlite")
    assert wrong.value.code == "migrate.not_postgresql"
    with fresh_database("okmig") as url:
        with pytest.raises(ConfigError) as same:
            migrate_installation(replace_urls(s, url), url)
        assert same.value.code == "migrate.same_store"


def replace_urls(s: Settings, url: str) -> Settings:
    return s.model_copy(update={"metadata_url": url, "timeseries_url": url})


def test_a_mismatch_exits_with_3_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Any count or checksum that differs: the table marks it, the exit status is 3, and the
    settings to switch over are not printed."""
    from openkamp.cli.main import run
    from openkamp.storage import migrate_install
    from openkamp.storage._digests import Check

    def fake(settings: Settings, to: str, **_: Any) -> migrate_install.MigrationReport:
        good = Check("table", "orgs", 2, 2, "ab", "ab")
        bad = Check("points", "default: plant1/line1/press01/pressure", 10, 9, "cd", "ef",
                    {"value_sum": 1.5, "time_sum": 10}, {"value_sum": 1.0, "time_sum": 9})  # fmt: skip
        return migrate_install.MigrationReport(to, to, tmp_path, [good, bad], 0.1)

    monkeypatch.setattr(migrate_install, "migrate_installation", fake)
    monkeypatch.setenv("OPENKAMP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    code = run(["--lang", "en", "migrate", "--to", "postgresql://kamp@db/kamp"])
    out, err = capsys.readouterr()
    assert code == 3
    assert "✗" in out and "10 → 9" in out.replace(",", "")
    assert "differs from the source in 1 places" in err
    assert "OPENKAMP_METADATA_URL" not in out


def test_a_running_server_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With a live server on the data folder nothing is copied (it would keep writing)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from openkamp.cli import remote
    from openkamp.cli.main import run

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    data = tmp_path / "data"
    try:
        remote.write_server_file(data, f"http://127.0.0.1:{server.server_address[1]}")
        monkeypatch.setenv("OPENKAMP_DATA_DIR", str(data))
        code = run(["--lang", "ko", "migrate", "--to", "postgresql://kamp@db/kamp"])
    finally:
        server.shutdown()
    assert code == 2
    assert "서버가 실행 중입니다" in capsys.readouterr().err
