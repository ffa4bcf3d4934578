"""Memory per request: every read route of the API against an equipment of ≥ 10 M points.

    python bench/memory.py [--timestamps 1000000] [--signals 10] [--dataset-rows 1000000]
                           [--repeat 2] [--json] [--only PREFIX] [--export-rows N,N,...]

Builds a fresh data folder: one machine (``big/line1/big01``) with ``--signals`` signals sampled
every second for ``--timestamps`` seconds (10 M points by default) and two label columns on every
reading (pass / fail with 2 % defects, a lot number); a record dataset of ``--dataset-rows`` rows
× 12 columns linked to it; one small day of the demo factory with a trained model, an import
with quarantined rows, a job and alerts, so that every route has something to read. Then starts
``uvicorn`` with ``openkamp.api:create_app`` in its own process (one worker, as ``openkamp serve``
runs) and calls every GET route of ``/api/v1`` (the list is checked against the server's own
OpenAPI description: a route that is not measured fails the run), as a read-only viewer, with the
largest request each allows: the whole period, the largest limits and pages, exports of the whole
dataset; then the POST routes that read a whole dataset (:func:`posts`: the governed export of
the record dataset, offered and contracted by a buyer organisation). ``--only PREFIX`` measures
the routes under one prefix only (``/api/v1/sharing``: the sharing routes and the export).
``--export-rows 300000,1000000,3000000`` adds a record dataset of each size (the same columns),
offered and contracted the same way, and measures their exports too, smallest first, after the
main one (:func:`exports`; the JSON's ``export_by_rows``: per size the growth, and the server's
peak over its memory before the first of these exports, so what a smaller one kept still counts).
The export of the 1,000,000-row record dataset (two-core machine, ``--only /api/v1/sharing
--timestamps 1000 --signals 2``): 560 MB of growth when it was transformed and marked as one
frame, 164 MB streamed in batches (same data, same watermark rules); with the row keys counted
on disk and every numeric column marked: 102 MB for 1,000,000 rows, 203 MB for 3,000,000. That
growth was the version's reader: pyarrow's ``ParquetFile.iter_batches`` over the whole file kept
what it read of every row group until the pass ended (about the file's size); read one row group
at a time (``DatasetService.iter_batches``), the export grows a fresh server by 42 MB for
300,000 rows, 39 MB for 1,000,000 and 40 MB for 3,000,000 the first time (what any export
loads), 4-10 MB the second (before: 53, 102, 211 MB; then 6, 4, 111 MB; docs/benchmarks.md).

Per request it resets the server process's peak resident memory (``/proc/<pid>/clear_refs``),
reads the body to the end (not kept), and reports the peak minus the resident memory just before
the request: the memory that request needed. The baseline is ``/api/v1/health`` measured the same
way. Target (issue 9): ``worst_rss_growth_mb`` ≤ 300 with the route named.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit_json, machine, platform_server, print_table

PASSWORD = "bench password 2026"
T0 = datetime(2026, 1, 5, tzinfo=UTC)
BIG = "big/line1/big01"
TARGET_MB = 300.0
EXPORT = "/api/v1/sharing/contracts/{contract_id}/export"
EXPORT_KEYS = ("rows", "run", "status", "seconds", "growth_mb", "peak_over_start_mb",
               "rss_before_mb", "rss_after_mb")  # fmt: skip


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/{pid}/status")


def record_parts(rows: int) -> Iterator[pd.DataFrame]:
    """The record dataset of ``rows`` rows in parts of 100,000: a time, ten numbers, a lot."""
    r = np.random.default_rng(1)
    for lo in range(0, rows, 100_000):
        n = min(100_000, rows - lo)
        frame = pd.DataFrame(
            # five columns with the two decimals an instrument gives (the export's watermark
            # marks them), five continuous
            {
                f"v{i}": np.round(r.normal(size=n), 2) if i < 5 else r.normal(size=n)
                for i in range(10)
            }
            | {"lot": [f"=L{k % 97}" for k in range(lo, lo + n)]}
        )
        frame.insert(0, "time", pd.date_range(T0 + timedelta(seconds=lo), periods=n, freq="s"))
        yield frame


def prepare(
    data_dir: Path, timestamps: int, signals: int, dataset_rows: int, export_rows: list[int]
) -> dict[str, Any]:
    """Fill ``data_dir``; returns what the routes need (names, ids, tokens)."""
    from openkamp.core.assets import EquipmentSpec, LabelSpec, LineSpec, SignalSpec, SiteSpec
    from openkamp.core.tenancy import Role
    from openkamp.ingest.importer import ImportOptions
    from openkamp.platform import Platform
    from openkamp.sim import Factory
    from openkamp.storage.timeseries.base import LABEL_SCHEMA, POINT_SCHEMA

    kamp = Platform.at(data_dir)
    system = kamp.principal()
    names = [f"s{i:02d}" for i in range(signals)]
    big = EquipmentSpec(
        "big01",
        name_ko="대형 프레스",
        signals=[SignalSpec(n, unit="bar") for n in names],
        labels=[LabelSpec("pass_fail", categories=["OK", "NG"]), LabelSpec("lot")],
    )
    factory = Factory(seed=3)
    demo = factory.asset_model()
    kamp.assets.apply_tree(
        system, [demo, SiteSpec("big", lines=[LineSpec("line1", equipment=[big])])]
    )
    sig_ids = [s.id for s in kamp.query.signals(system, [f"{BIG}/{n}" for n in names])]
    cols = {c.name: c.id for c in kamp.assets.list_label_columns(system)
            if kamp.assets.get_node(system, c.equipment_id).name == "big01"}  # fmt: skip
    rng = np.random.default_rng(0)
    step = 200_000
    t0_us = int(T0.timestamp() * 1_000_000)
    for lo in range(0, timestamps, step):
        n = min(step, timestamps - lo)
        us = t0_us + (np.arange(lo, lo + n, dtype=np.int64) * 1_000_000)
        ts = pa.array(us, pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC"))
        kamp.ts.write(
            system.org_id,
            pa.Table.from_arrays(
                [
                    pa.array(np.repeat(np.array(sig_ids, np.int64), n)),
                    pa.concat_arrays([ts] * len(sig_ids)),
                    pa.array(rng.normal(100, 5, n * len(sig_ids))),
                ],
                schema=POINT_SCHEMA,
            ),
        )
        judged = np.where(rng.random(n) < 0.02, "NG", "OK")
        lots = np.char.add("LOT-", (np.arange(lo, lo + n) // 3600).astype(str))
        kamp.ts.write_labels(
            system.org_id,
            pa.Table.from_arrays(
                [
                    pa.array(np.repeat(np.array([cols["pass_fail"], cols["lot"]], np.int64), n)),
                    pa.concat_arrays([ts, ts]),
                    pa.array(np.concatenate([judged, lots]).tolist(), pa.string()),
                ],
                schema=LABEL_SCHEMA,
            ),
        )

    kamp.datasets.create(system, "shots", record_parts(dataset_rows), equipment=BIG)
    for rows in export_rows:
        kamp.datasets.create(system, f"shots{rows}", record_parts(rows))
    start = datetime.fromisoformat("2026-03-02T00:00:00+09:00")
    paths = {e.name: f"{demo.name}/{ln.name}/{e.name}" for ln in demo.lines for e in ln.equipment}
    files = data_dir.parent / "files"
    for file in factory.write_files(files, start, start + timedelta(days=1)):
        kamp.imports.import_file(system, file, ImportOptions(equipment=paths[file.stem]))
    bad = files / "bad.csv"
    bad.write_text("timestamp,pressure\n2026-03-03 00:00:00,1\n2026-03-03 00:00:01,oops\n")
    kamp.imports.import_file(system, bad, ImportOptions(equipment=paths["press01"]))
    admin = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    me = kamp.accounts.principal_of(admin)
    viewer = kamp.accounts.create_user(me, "view", PASSWORD, role=Role.VIEWER)
    out = {
        "admin_token": kamp.accounts.create_token(me, "bench", ["admin"])[1],
        "token": kamp.accounts.create_token(kamp.accounts.principal_of(viewer), "b", ["read"])[1],
        "signals": names,
        "points": kamp.ts.count(system.org_id, sig_ids),
        "labels": kamp.ts.count_labels(system.org_id, list(cols.values())),
        "node_id": kamp.assets.resolve(system, BIG).id,
        "signal_id": sig_ids[0],
        "column_id": cols["pass_fail"],
        "demo_equipment": paths["inj01"],
        "import_id": max(r["id"] for r in kamp.meta.find(system.org_id, "import")),
        "first": T0.isoformat(),
        "end": (T0 + timedelta(seconds=timestamps)).isoformat(),
        # one of each live-path record, so their routes answer with something
        "connection_id": kamp.connections.create(me, "gateway", "http", {"equipment": BIG})["id"],
        "rule_id": kamp.alert_rules.create(me, name="hot", kind="limit", signal_id=sig_ids[0])["id"],
        "channel_id": kamp.channels.create(
            me, name="hook", kind="webhook",
            config={"url": "http://127.0.0.1:9/hook", "retries": 0, "timeout_s": 1},
        )["id"],
    }  # fmt: skip
    out.update(share(kamp, system.org_id, export_rows))
    kamp.close()
    return out


def share(kamp: Any, owner_org: int, export_rows: Sequence[int] = ()) -> dict[str, Any]:
    """The record dataset offered by its owner and contracted by a buyer organisation: the
    buyer's token exports it (POST, the governed, watermarked CSV of every row); the same for
    each dataset of ``export_rows`` rows (``export_contracts``: rows -> contract id)."""
    from openkamp.core.tenancy import Role, system_principal

    owner = system_principal(owner_org)
    buyer_org = system_principal(kamp.principal("buyer").org_id)

    def contract(dataset: str) -> tuple[int, int]:
        offer = kamp.sharing.catalog.create(
            owner, f"{dataset}-offer", dataset, title_ko="샷", title_en="Shots",
            description_ko="샷 데이터", description_en="Shot data", equipment_type="press",
            industry="C29", problem="quality",
            price={"model": "metered", "rates": [{"unit": "rows_1000", "amount": "1"}]},
            policy={"purposes": ["quality"]},
        )  # fmt: skip
        kamp.sharing.catalog.publish(owner, offer["id"])
        asked = kamp.sharing.contracts.request(buyer_org, offer["id"], "quality")
        return int(offer["id"]), int(kamp.sharing.contracts.approve(owner, asked.id).id)

    offer_id, contract_id = contract("shots")
    more = {rows: contract(f"shots{rows}")[1] for rows in export_rows}
    user = kamp.accounts.create_user(buyer_org, "buyer", PASSWORD, role=Role.ENGINEER)
    token = kamp.accounts.create_token(kamp.accounts.principal_of(user), "b", ["write"])[1]
    return {"offer_id": offer_id, "contract_id": contract_id, "buyer_token": token,
            "export_contracts": more}  # fmt: skip


def posts(ctx: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The POST routes measured (they make something: each is listed with its body), by the
    buyer organisation: the governed export of the whole record dataset."""
    return {EXPORT: [{}]}


def exports(
    client: httpx.Client, pid: int, contracts: dict[int, int], repeat: int
) -> list[dict[str, Any]]:
    """The governed export of each further record dataset (``--export-rows``), smallest first:
    per request what :func:`measure` gives, and ``peak_over_start_mb``, the server's peak during
    the request over its memory before the first of them (memory an export kept counts against
    the next one here; the growth per request, from the memory just before, hides it)."""
    out: list[dict[str, Any]] = []
    start = status_kb(pid, "VmRSS") / 1024
    for rows, contract_id in sorted(contracts.items()):
        for run in range(repeat):
            result = measure(client, pid, EXPORT.format(contract_id=contract_id), {}, "POST", {})
            out.append({"route": f"POST {EXPORT}", "params": f"rows={rows}", "run": run,
                        "as": "buyer", "rows": rows, **result,
                        "peak_over_start_mb": result["peak_mb"] - start})  # fmt: skip
    return out


def routes(ctx: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every GET route of /api/v1 (by its OpenAPI path) with the largest requests it allows."""
    whole = {"start": ctx["first"], "end": ctx["end"]}
    sigs = [f"{BIG}/{n}" for n in ctx["signals"]]
    two = sigs[:2]  # the most points /data/export allows: 2 signals × 1 M seconds = 2 M points
    model, version = ctx["model"], ctx["version"]
    return {
        "/api/v1/health": [{}],
        "/api/v1/auth/setup": [{}],
        "/api/v1/auth/me": [{}],
        "/api/v1/assets/tree": [{}],
        "/api/v1/assets/nodes": [{}],
        "/api/v1/assets/nodes/{node_id}": [{}],
        "/api/v1/assets/nodes/{node_id}/impact": [{}],
        "/api/v1/assets/nodes/{node_id}/signals": [{}],
        "/api/v1/assets/nodes/{node_id}/labels": [{}],
        "/api/v1/assets/signals/{signal_id}": [{}],
        "/api/v1/assets/signals/{signal_id}/impact": [{}],
        "/api/v1/assets/labels/{column_id}/impact": [{}],
        "/api/v1/assets/export.aasx": [{}],
        "/api/v1/data/range": [{"signal": sigs, **whole, "limit": 200_000}],
        "/api/v1/data/latest": [{"signal": sigs}],
        "/api/v1/data/downsample": [{"signal": sigs, **whole, "buckets": 10_000}],
        "/api/v1/data/chart": [{"signal": sigs, **whole, "width": 5000}],
        "/api/v1/data/extent": [{}, {"signal": sigs}],
        "/api/v1/data/quality": [{"equipment": BIG}, {"equipment": BIG, **whole}],
        "/api/v1/data/markers": [{"equipment": ctx["node_id"], **whole}],
        "/api/v1/data/export": [{"signal": two, **whole}],
        "/api/v1/datasets/table": [{"equipment": BIG, "limit": 10_000}],
        "/api/v1/datasets": [{}],
        "/api/v1/datasets/{name}": [{}],
        "/api/v1/datasets/{name}/rows": [{"limit": 1000, "offset": 0},
                                         {"limit": 1000, "offset": 999_000}],
        "/api/v1/datasets/{name}/export": [{"format": "csv"}, {"format": "xlsx"}],
        "/api/v1/imports": [{}],
        "/api/v1/imports/{import_id}": [{}],
        "/api/v1/imports/{import_id}/quarantine": [{}],
        "/api/v1/jobs": [{}],
        "/api/v1/jobs/{job_id}": [{}],
        "/api/v1/jobs/{job_id}/log": [{}],
        "/api/v1/models": [{}],
        "/api/v1/models/tasks": [{}],
        "/api/v1/models/{name}/versions/{version}": [{}],
        "/api/v1/models/{name}/versions/{version}/card": [{}],
        "/api/v1/models/{name}/versions/{version}/report": [{}],
        "/api/v1/models/{name}/versions/{version}/tradeoff": [{}],
        "/api/v1/models/{name}/versions/{version}/explain": [
            {"record": json.dumps(ctx["record"])}
        ],
        "/api/v1/models/{name}/scored/{token}": [{}],
        "/api/v1/alerts": [{}],
        "/api/v1/alerts/machines": [{}],
        "/api/v1/alerts/{alert_id}": [{}],
        "/api/v1/users": [{}],
        "/api/v1/users/{user_id}": [{}],
        "/api/v1/tokens": [{}],
        "/api/v1/orgs": [{}],
        "/api/v1/alerts/rules": [{}],
        "/api/v1/alerts/rules/{rule_id}": [{}],
        "/api/v1/alerts/channels": [{}],
        "/api/v1/alerts/channels/{channel_id}": [{}],
        "/api/v1/connections": [{}],
        "/api/v1/connections/kinds": [{}],
        "/api/v1/connections/{connection_id}": [{}],
        "/api/v1/connections/{connection_id}/status": [{}],
        "/api/v1/retention": [{}],
        "/api/v1/retention/signals": [{}],
        "/api/v1/retention/signals/{signal_id}": [{}],
        "/api/v1/simulator": [{}],  # running: false (no live demo in the bench's server)
        # data sharing (issue 11): the record dataset offered and contracted by a buyer
        # organisation (``share``); the viewer of the owner sees the offer and the contract
        "/api/v1/sharing/offers": [{}],
        "/api/v1/sharing/catalog": [{"limit": 100}],
        "/api/v1/sharing/catalog/dcat": [{}],
        "/api/v1/sharing/catalog/{offer_id}": [{}],
        "/api/v1/sharing/catalog/{offer_id}/industry": [{}],
        "/api/v1/sharing/industry": [{}],
        "/api/v1/sharing/contracts": [{"limit": 1000}],
        "/api/v1/sharing/contracts/{contract_id}": [{}],
        "/api/v1/sharing/contracts/{contract_id}/usage": [{}],
        "/api/v1/sharing/contracts/{contract_id}/deliveries": [{}],
        "/api/v1/sharing/contracts/{contract_id}/jobs": [{}],
        "/api/v1/sharing/contracts/{contract_id}/industry": [{}],
        # pooled compute-to-data: none run here (a pooled job trains a model), so the job and
        # valuation routes answer 404; the list answers empty
        "/api/v1/sharing/pooled": [{}],
        "/api/v1/sharing/pooled/{pooled_id}": [{}],
        "/api/v1/sharing/pooled/{pooled_id}/payments": [{}],
        "/api/v1/sharing/valuations/{valuation_id}": [{}],
        "/api/v1/sharing/ledger/head": [{}],
        "/api/v1/sharing/ledger/usage": [{"limit": 10_000}],
        "/api/v1/sharing/ledger/proof/{index}": [{}],
        "/api/v1/sharing/ledger/export": [{}],
        "/api/v1/sharing/settlement/statements": [{}],
        "/api/v1/sharing/settlement/invoices": [{}],
        "/api/v1/sharing/settlement/earnings": [{}],
    } | {"_fill": [{  # path parameters
        "node_id": ctx["node_id"], "signal_id": ctx["signal_id"], "column_id": ctx["column_id"],
        "name": "shots", "import_id": ctx["import_id"], "job_id": ctx["job_id"],
        "alert_id": ctx["alert_id"], "user_id": ctx["user_id"], "model": model,
        "version": version, "connection_id": ctx["connection_id"], "rule_id": ctx["rule_id"],
        "channel_id": ctx["channel_id"], "offer_id": ctx["offer_id"],
        "contract_id": ctx["contract_id"], "index": 0, "pooled_id": 1, "valuation_id": 1,
    }]}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--timestamps", type=int, default=1_000_000)
    ap.add_argument("--signals", type=int, default=10)
    ap.add_argument("--dataset-rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--export-rows", default="", help="comma-separated sizes of further record "
                    "datasets whose governed exports are measured too, e.g. 300000,1000000")  # fmt: skip
    ap.add_argument("--only", default="", help="measure only the routes under this prefix "
                    "(and /health, the baseline), e.g. /api/v1/sharing")  # fmt: skip
    args = ap.parse_args()
    export_rows = sorted({int(n) for n in args.export_rows.split(",") if n.strip()})

    with tempfile.TemporaryDirectory(prefix="okp-bench-mem-") as tmp:
        data_dir = Path(tmp) / "data"
        t0 = time.perf_counter()
        ctx = prepare(data_dir, args.timestamps, args.signals, args.dataset_rows, export_rows)
        print(f"prepared {ctx['points']:,} points, {ctx['labels']:,} label values, "
              f"{args.dataset_rows:,} dataset rows in {time.perf_counter() - t0:.0f} s")  # fmt: skip
        results: list[dict[str, Any]] = []
        by_rows: list[dict[str, Any]] = []
        with platform_server(data_dir) as (base, pid):
            admin = httpx.Client(base_url=base, timeout=600,
                                 headers={"Authorization": f"Bearer {ctx['admin_token']}"})  # fmt: skip
            queued = admin.post(
                "/api/v1/models/train",
                json={"task": "classify", "name": "inj01_defect", "equipment":
                      ctx["demo_equipment"], "target": "pass_fail", "time_budget_s": 5},
            )  # fmt: skip
            queued.raise_for_status()
            ctx["job_id"] = queued.json()["job"]["id"]
            for _ in range(600):
                job = admin.get(f"/api/v1/jobs/{ctx['job_id']}").json()
                if job["status"] in ("done", "failed", "cancelled"):
                    break
                time.sleep(0.5)
            if job["status"] != "done":
                raise SystemExit(f"training failed: {job}")
            model = job["result"]["model"]
            ctx["model"], ctx["version"] = model["name"], model["version"]
            inputs = model.get("inputs") or []
            ctx["record"] = {(i if isinstance(i, str) else i.get("name")): 1.0 for i in inputs}
            admin.post(f"/api/v1/models/{ctx['model']}/score",
                       json={"equipment": ctx["demo_equipment"]})  # fmt: skip
            ctx["scored"] = scored_download(admin, ctx["model"], ctx["version"],
                                           ctx["demo_equipment"])  # fmt: skip
            alerts = admin.get("/api/v1/alerts").json()
            ctx["alert_id"] = alerts[0]["id"] if alerts else 1
            ctx["user_id"] = admin.get("/api/v1/auth/me").json()["user"]["id"]
            spec = admin.get("/api/v1/openapi.json").json()
            listed = {p for p, ops in spec["paths"].items() if "get" in ops and
                      p.startswith("/api/v1/") and p != "/api/v1/openapi.json"}  # fmt: skip
            plan = routes(ctx)
            fill = plan.pop("_fill")[0]
            missing = sorted(listed - set(plan))
            plan = {p: v for p, v in plan.items() if p in listed}
            if args.only:
                missing = [p for p in missing if p.startswith(args.only)]
                plan = {p: v for p, v in plan.items()
                        if p.startswith(args.only) or p == "/api/v1/health"}  # fmt: skip
            viewer = httpx.Client(base_url=base, timeout=600,
                                  headers={"Authorization": f"Bearer {ctx['token']}"})  # fmt: skip
            for path, variants in plan.items():
                url = path.replace("{name}/versions/{version}",
                                   f"{fill['model']}/versions/{fill['version']}")  # fmt: skip
                url = url.replace("/datasets/{name}", "/datasets/shots")
                if path.endswith("/scored/{token}"):  # the job's own address, already whole
                    url = ctx["scored"] or path
                url = url.format(**fill)
                for params in variants:
                    who = viewer
                    for run in range(args.repeat):
                        result = measure(who, pid, url, params)
                        # an administrator's route, or a result kept for the user who made it
                        if result["status"] in (403, 404) and who is viewer:
                            who = admin
                            result = measure(who, pid, url, params)
                        results.append({"route": path, "params": _short(params), "run": run,
                                        "as": "viewer" if who is viewer else "admin",
                                        **result})  # fmt: skip
            buyer = httpx.Client(base_url=base, timeout=600,
                                 headers={"Authorization": f"Bearer {ctx['buyer_token']}"})  # fmt: skip
            for path, bodies in posts(ctx).items():
                if args.only and not path.startswith(args.only):
                    continue
                for body in bodies:
                    for run in range(args.repeat):
                        result = measure(buyer, pid, path.format(**fill), {}, "POST", body)
                        results.append({"route": f"POST {path}", "params": _short(body),
                                        "run": run, "as": "buyer", **result})  # fmt: skip
            if not args.only or EXPORT.startswith(args.only):
                by_rows = exports(buyer, pid, ctx["export_contracts"], args.repeat)
                results += by_rows

    base_growth = max(r["growth_mb"] for r in results if r["route"] == "/api/v1/health")
    rows = []
    for r in results:
        rows.append((r["route"].removeprefix("/api/v1"), r["params"], str(r["run"]),
                     r["as"], str(r["status"]), f"{r['bytes']:,}", f"{r['seconds']:.2f}",
                     f"{r['rss_before_mb']:.0f}", f"{r['growth_mb']:.1f}"))  # fmt: skip
    print_table(
        f"Peak RSS growth per request ({ctx['points']:,} points; baseline /health "
        f"{base_growth:.1f} MB)",
        rows,
        ("route", "params", "run", "as", "status", "bytes", "s", "RSS before MB", "growth MB"),
    )
    if by_rows:
        print_table(
            "Governed export by rows (smallest first; peak over the server's memory before the "
            "first of them)",
            [(f"{r['rows']:,}", str(r["run"]), str(r["status"]), f"{r['bytes']:,}",
              f"{r['seconds']:.1f}", f"{r['rss_before_mb']:.0f}", f"{r['growth_mb']:.1f}",
              f"{r['peak_over_start_mb']:.1f}", f"{r['rss_after_mb']:.0f}") for r in by_rows],
            ("rows", "run", "status", "bytes", "s", "RSS before MB", "growth MB",
             "peak over start MB", "RSS after MB"),
        )  # fmt: skip
    worst = max(results, key=lambda r: r["growth_mb"])
    errors = [r for r in results if r["status"] >= 500]
    refused = sorted({f"{r['route']} {r['status']}" for r in results if 400 <= r["status"] < 500})
    print(f"\nworst: {worst['route']} {worst['params']}: {worst['growth_mb']:.1f} MB "
          f"(target ≤ {TARGET_MB:.0f} MB); server errors: {len(errors)}; refused: {refused}; "
          f"routes not measured: {missing or 'none'}")  # fmt: skip
    emit_json(
        args.json,
        {
            "benchmark": "memory",
            "machine": machine(),
            "points": ctx["points"],
            "label_values": ctx["labels"],
            "dataset_rows": args.dataset_rows,
            "routes": len(plan),
            "requests": len(results),
            "errors": len(errors),
            "refused": refused,
            "routes_not_measured": missing,
            "baseline_health_growth_mb": base_growth,
            "worst_rss_growth_mb": worst["growth_mb"],
            "worst_route": f"{worst['route']} {worst['params']}",
            "worst_growth_vs_baseline": worst["growth_mb"] / max(base_growth, 0.1),
            "target_mb": TARGET_MB,
            "export_by_rows": [{k: r[k] for k in EXPORT_KEYS} for r in by_rows],
            "per_request": results,
        },
    )
    if missing or errors:
        sys.exit(1)


def scored_download(admin: httpx.Client, model: str, version: int, equipment: str) -> str | None:
    """The download address of a scoring job's rows (None where scoring has no such job)."""
    queued = admin.post(f"/api/v1/models/{model}/score", params={"wait": False},
                        json={"equipment": equipment, "version": version})  # fmt: skip
    if queued.status_code != 202:
        print(f"scoring job refused: {queued.status_code} {queued.text[:300]}", file=sys.stderr)
        return None
    job_id = queued.json()["job"]["id"]
    for _ in range(600):
        job = admin.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed", "cancelled"):
            break
        time.sleep(0.5)
    download = (job.get("result") or {}).get("download")
    if not download:
        print(f"scoring job gave no download: {queued.status_code} {job}", file=sys.stderr)
    return str(download) if download else None


def measure(
    client: httpx.Client,
    pid: int,
    url: str,
    params: dict[str, Any],
    method: str = "GET",
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One request: the server's peak resident memory during it, less its memory before."""
    rss = status_kb(pid, "VmRSS")
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    started = time.perf_counter()
    size = 0
    with client.stream(method, url, params=params, json=body) as r:
        for chunk in r.iter_bytes():
            size += len(chunk)
    seconds = time.perf_counter() - started
    peak = status_kb(pid, "VmHWM")
    return {
        "status": r.status_code,
        "bytes": size,
        "seconds": seconds,
        "rss_before_mb": rss / 1024,
        "growth_mb": max(0, peak - rss) / 1024,
        "peak_mb": peak / 1024,
        "rss_after_mb": status_kb(pid, "VmRSS") / 1024,
    }


def _short(params: dict[str, Any]) -> str:
    out = []
    for k, v in params.items():
        if isinstance(v, list):
            v = f"[{len(v)}]"
        elif k in ("start", "end"):
            v = "…"
        elif isinstance(v, str) and len(v) > 24:
            v = v[:20] + "…"
        out.append(f"{k}={v}")
    return " ".join(out)


if __name__ == "__main__":
    main()
