"""Issue 9, finding 5: the data folder and everything in it is private to the account running
the platform (folders 0700, files 0600), also when the folder existed with wider modes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from openkamp.core.tenancy import Role
from openkamp.platform import Platform


@pytest.fixture
def restore_umask() -> Iterator[None]:
    old = os.umask(0o022)
    os.umask(old)
    try:
        yield
    finally:
        os.umask(old)


def _open(data: Path) -> list[str]:
    """Paths under ``data`` that others than the owner may read, write or enter."""
    wide = []
    for path in [data, *data.rglob("*")]:
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if mode & 0o077 or (path.is_dir() and mode != want):
            wide.append(f"{path.relative_to(data.parent)}: {oct(mode)}")
    return wide


def test_the_data_folder_is_private(tmp_path: Path, restore_umask: None) -> None:
    os.umask(0o022)  # the usual default: new folders 0755, files 0644
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "staged").mkdir(mode=0o755)
    old = data / "staged" / "left.csv"
    old.write_text("a,b\n")
    old.chmod(0o644)
    kamp = Platform.at(data, password_hash_memory_kib=1024, password_hash_time_cost=1)
    try:
        me = kamp.principal()
        admin = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", "correct horse b")
        kamp.accounts.create_user(
            kamp.accounts.principal_of(admin), "park", "correct horse b", role=Role.ENGINEER
        )
        site = kamp.assets.create_node(me, "site", "plant1")
        line = kamp.assets.create_node(me, "line", "line1", site.id)
        kamp.assets.create_node(me, "equipment", "press01", line.id)
        src = tmp_path / "press.csv"
        rows = [f"2026-03-06 00:00:{i:02d},{i * 1.5}" for i in range(30)]
        src.write_text("\n".join(["timestamp,pressure", *rows, "2026-03-06 00:01:00,oops"]) + "\n")
        from openkamp.ingest.importer import ImportOptions

        report = kamp.imports.import_file(me, src, ImportOptions(equipment="plant1/line1/press01"))
        assert report.rows_stored == 30 and report.rows_quarantined == 1
        staged = data / "staged" / "1"
        staged.mkdir(parents=True)
        (staged / "upload.csv").write_bytes(b"x")
        wide = _open(data)
        names = {p.name for p in data.rglob("*")}
        assert {"metadata.sqlite", "timeseries.duckdb", "files"} <= names
        assert wide == []
    finally:
        kamp.close()
    assert _open(data) == []
