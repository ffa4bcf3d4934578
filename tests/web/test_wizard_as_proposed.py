"""The import wizard's proposal, accepted as it is, imports what the preview showed.

For every file of the realistic-file corpus (tests/ingest/corpus.py): stage it, read the
preview, build the options exactly as the page's script does when the user changes nothing
(``options()`` in src/openkamp/web/static/import.js: the roles of the table's rows for a record
table, the signal / label / id / ignore choices for a time series, the time columns only when
they differ from the preview's), run the import, and compare the report with the preview: the
same kind, the same time column(s), every row of the file accounted for as the corpus says.

A mismatch here is a class of bug a user meets without doing anything wrong: the preview shows
one thing and "가져오기" does another (a split date and time proposed under a name the time
selects do not list, and the import then refused the file, or silently dropped its time).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkamp.api import create_app
from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.platform import Platform

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ingest.corpus import Case, cases, write_case

from .flows_support import log_in

ADMIN, PASSWORD = "admin", "wizard-as-proposed-2026"
CASES = {c.name: c for c in cases()}


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, Platform, dict[str, str]]]:
    root = tmp_path_factory.mktemp("wizard")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    kamp.accounts.create_first_admin(kamp.default_org_id, ADMIN, PASSWORD)
    with TestClient(create_app(platform=kamp), follow_redirects=False) as c:
        yield c, kamp, {"X-CSRF-Token": log_in(c, ADMIN, PASSWORD)}
    kamp.close()


def as_the_page_sends(preview: dict[str, Any], equipment: str | None) -> dict[str, Any]:
    """``options()`` of import.js with nothing changed by the user."""
    opts: dict[str, Any] = {"kind": preview["kind"]}
    if equipment:
        opts["equipment"] = equipment
    # The time selects show the preview's time columns; unchanged, they are not sent.
    rows = [c for c in preview["columns"] if c["kind"] != "time"]
    if preview["kind"] == "records":
        opts["roles"] = {c["column"]: c["kind"] for c in rows}
        return opts
    opts.update(columns={}, label_columns=[], ignore_columns=[], id_columns=[])
    for c in rows:
        if c["kind"] == "ignore":
            opts["ignore_columns"].append(c["column"])
        elif c["kind"] == "id":
            opts["id_columns"].append(c["column"])
        else:
            if c["kind"] == "label":
                opts["label_columns"].append(c["column"])
            if c["target"]:
                opts["columns"][c["column"]] = c["target"]
    return opts


def _machine(kamp: Platform, case: Case) -> str:
    """A machine of its own per case (with the signals the case says exist)."""
    me = kamp.principal()
    name = f"m_{case.name}"[:60]
    signals = [SignalSpec(n, ko, "", "") for n, ko in case.existing.items()]
    kamp.assets.apply_tree(
        me, [SiteSpec("corpus", lines=[LineSpec("line", equipment=[EquipmentSpec(name, signals=signals)])])]
    )  # fmt: skip
    return f"corpus/line/{name}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_proposal_imports_what_the_preview_showed(
    client: tuple[TestClient, Platform, dict[str, str]], tmp_path: Path, name: str
) -> None:
    c, kamp, h = client
    case = CASES[name]
    if case.options:
        pytest.skip(
            f"{name}: the corpus imports it with options a user sets ({sorted(case.options)})"
        )
    path = write_case(case, tmp_path)
    staged = c.post("/import/stage", headers=h, files={"file": (path.name, path.read_bytes())})
    assert staged.status_code == 200, staged.text
    preview = staged.json()
    assert preview["kind"] == case.kind, (preview["kind"], preview["kind_reasons"])
    if preview["time_columns"]:
        # The time selects list the file's header: what the preview proposes must be there.
        assert set(preview["time_columns"]) <= set(preview["header"]), preview["time_columns"]
        assert preview["time_columns"] == case.time_columns
    equipment = _machine(kamp, case)
    opts = as_the_page_sends(preview, equipment)
    # Asked again with those options (the page's "다시 확인"), the preview does not change.
    again = c.post("/import/preview", headers=h, json={"token": preview["token"], "options": opts})
    assert again.status_code == 200, again.text
    second = again.json()
    assert (second["kind"], second["time_columns"]) == (preview["kind"], preview["time_columns"])
    assert [(x["column"], x["kind"]) for x in second["columns"]] == [
        (x["column"], x["kind"]) for x in preview["columns"]
    ]
    run = c.post("/import/run", headers=h, json={"token": preview["token"], "options": opts})
    assert run.status_code == 200, run.text
    me = kamp.principal()
    job = kamp.jobs.wait(me, run.json()["job"]["id"], timeout=120)
    assert job["status"] == "done", (job["status"], job["result"])
    report = job["result"]["report"] if "report" in job["result"] else job["result"]
    assert report["kind"] == preview["kind"]
    assert report["timestamp_column"] == preview["timestamp_column"]
    assert report["rows_read"] == case.rows_read
    assert report["rows_stored"] == case.rows_stored
    assert report["rows_read"] == report["rows_stored"] + report["rows_quarantined"]
    if preview["time_columns"]:
        assert report["first_ts"] and report["last_ts"]
