"""``openkamp ledger``, run as a user runs it (a real process on a real data folder): verify in
Korean and English, the newest tree head, an organisation's and the whole log's auditor bundle
checked by the standalone verifier, and a tampered entry found (exit status 1)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from openkamp.platform import Platform
from openkamp.settings import Settings
from openkamp.sharing import Entry


def run(data: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """``openkamp ARGS`` in a new process on the data folder; checks the exit status if ``ok``."""
    env = {**os.environ, "COLUMNS": "200", "OPENKAMP_DATA_DIR": str(data)}
    proc = subprocess.run(
        [sys.executable, "-m", "openkamp.cli.main", *args],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def _fill(data: Path) -> Path:
    """Ledger entries of two organisations (uses of acme's data by beta); the database file."""
    kamp = Platform(Settings(data_dir=data))
    try:
        acme, beta = kamp.principal("acme").org_id, kamp.principal("beta").org_id
        for i in range(3):
            kamp.sharing.ledger.append(beta, [
                Entry("access", dataset="press@3", contract=1, parties=[acme],
                      details={"rows": 10 + i, "allowed": True})
                for _ in range(4)
            ])  # fmt: skip
        return Path(str(kamp.meta.engine.url.database))  # type: ignore[attr-defined]
    finally:
        kamp.close()


def test_ledger_verify_head_export_and_tamper(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = _fill(data)

    ko = run(data, "ledger", "verify").stdout
    assert "검증 통과" in ko and "12" in ko
    en = run(data, "--lang", "en", "ledger", "verify").stdout
    assert "Ledger verified: 12 entries" in en

    head = json.loads(run(data, "ledger", "head", "--json").stdout)
    assert head["signer"] == "platform" and head["tree_size"] == 12
    kept = tmp_path / "kept.json"
    kept.write_text(json.dumps(head), "utf-8")
    assert "org:beta" in run(data, "--lang", "en", "ledger", "head", "--org", "beta").stdout
    assert run(data, "ledger", "verify", "--trusted", str(kept)).returncode == 0

    out = run(data, "ledger", "export", str(tmp_path / "acme"), "--org", "acme").stdout
    assert "감사용 묶음" in out
    whole = run(data, "--lang", "en", "ledger", "export", str(tmp_path / "all"), "--all").stdout
    assert "Auditor's bundle" in whole
    for bundle in ("acme", "all"):
        check = subprocess.run(
            [sys.executable, "-m", "openkamp.sharing.verify_standalone", str(tmp_path / bundle)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr
    manifest = json.loads((tmp_path / "acme" / "manifest.json").read_text("utf-8"))
    assert manifest["organisation"] == "acme" and manifest["tree_size"] == 12
    nobody = run(data, "ledger", "export", str(tmp_path / "x"), "--org", "nobody", ok=False)
    assert nobody.returncode == 2 and "nobody" in nobody.stderr

    # someone who can write the database file changes a use's row count
    con = sqlite3.connect(db)
    for (name,) in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_%'"
    ).fetchall():
        con.execute(f"DROP TRIGGER {name}")
    con.execute("UPDATE ledger_entries SET leaf = replace(leaf, '\"rows\":11', '\"rows\":1') "
                "WHERE seq = 5")  # fmt: skip
    con.commit()
    con.close()
    bad = run(data, "ledger", "verify", ok=False)
    assert bad.returncode == 1
    assert "문제" in bad.stderr and "head_root" in bad.stderr and "트리 헤드" in bad.stderr
    bad_en = run(data, "--lang", "en", "ledger", "verify", ok=False)
    assert bad_en.returncode == 1 and "a tree head does not match" in bad_en.stderr
