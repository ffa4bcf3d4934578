"""Every resource route, with its errors: assets, data, imports, models (train as a job), jobs."""

from __future__ import annotations

import json
import time
from typing import Any

START, END = "2026-03-02T00:00:00+09:00", "2026-03-05T00:00:00+09:00"
SIG = "plant1/line2/press01/motor_current"


def wait_job(api: Any, job_id: int, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def test_assets(world: Any) -> None:
    api = world.client("kim")
    tree = api.get("/api/v1/assets/tree").json()
    assert tree[0]["name"] == "plant1"
    eq = tree[0]["children"][1]["children"][1]
    assert eq["name"] == "press01" and {s["name"] for s in eq["signals"]} >= {"motor_current"}
    site = api.post(
        "/api/v1/assets/nodes", json={"kind": "site", "name": "plant2", "name_ko": "제2공장"}
    )
    assert site.status_code == 201
    sid = site.json()["id"]
    line = api.post(
        "/api/v1/assets/nodes", json={"kind": "line", "name": "L1", "parent_id": sid}
    ).json()
    machine = api.post(
        "/api/v1/assets/nodes",
        json={
            "kind": "equipment",
            "name": "M1",
            "parent_id": line["id"],
            "equipment_type": "press",
        },
    ).json()
    sig = api.post(
        f"/api/v1/assets/nodes/{machine['id']}/signals", json={"name": "온도", "unit": "℃"}
    )
    assert sig.status_code == 201
    got = api.get(f"/api/v1/assets/signals/{sig.json()['id']}").json()
    assert got["path"] == "plant2/L1/M1/온도" and got["unit"] == "℃"
    assert api.get(f"/api/v1/assets/nodes/{machine['id']}").json()["path"] == "plant2/L1/M1"
    assert (
        api.patch(f"/api/v1/assets/nodes/{sid}", json={"name_en": "Plant 2"}).json()["name_en"]
        == "Plant 2"
    )
    assert len(api.get(f"/api/v1/assets/nodes/{machine['id']}/signals").json()) == 1
    assert api.delete(f"/api/v1/assets/nodes/{sid}").status_code == 409  # still has children
    assert api.delete(f"/api/v1/assets/nodes/{sid}", params={"cascade": True}).status_code == 204
    assert api.get(f"/api/v1/assets/nodes/{sid}").status_code == 404
    bad = api.post("/api/v1/assets/nodes", json={"kind": "line", "name": "orphan"})
    assert bad.status_code == 422 and bad.json()["error"]["message"]
    aasx = api.get("/api/v1/assets/export.aasx")
    assert aasx.status_code == 200 and aasx.content[:2] == b"PK"
    assert any(n["name"] == "press01" for n in api.get("/api/v1/assets/nodes").json())


def test_data(world: Any) -> None:
    api = world.client("park")  # reading needs only a read token
    rng = api.get(
        "/api/v1/data/range", params={"signal": SIG, "start": START, "end": END, "limit": 100}
    )
    assert rng.status_code == 200 and len(rng.json()["points"]) == 100 and rng.json()["truncated"]
    latest = api.get(
        "/api/v1/data/latest", params={"signal": [SIG, "plant1/line2/press01/oil_temp"]}
    )
    assert {p["signal"] for p in latest.json()} == {"motor_current", "oil_temp"}
    down = api.get(
        "/api/v1/data/downsample", params={"signal": SIG, "start": START, "end": END, "buckets": 72}
    )
    assert 0 < len(down.json()) <= 72 and {"min", "max", "mean"} <= set(down.json()[0])
    chart = api.get(
        "/api/v1/data/chart", params={"signal": SIG, "start": START, "end": END, "width": 300}
    )
    series = chart.json()["series"]["motor_current"]
    assert len(series["t"]) <= 300 and all(
        lo <= hi for lo, hi in zip(series["min"], series["max"], strict=True)
    )
    assert api.get("/api/v1/data/extent").status_code == 200
    quality = api.get("/api/v1/data/quality", params={"equipment": "plant1/line2/press01"}).json()
    assert set(quality["indices"]) == {
        "completeness",
        "uniqueness",
        "validity",
        "consistency",
        "accuracy",
    }
    table = api.get(
        "/api/v1/datasets/table",
        params={"equipment": "plant1/line1/inj01", "end": END, "limit": 5, "label": "pass_fail"},
    ).json()
    assert table["dataset_id"].startswith("plant1/line1/inj01@") and len(table["schema_hash"]) == 16
    assert table["rows"] > 3000 and len(table["head"]["rows"]) == 5
    assert {"cushion", "pass_fail"} <= set(table["head"]["rows"][0])
    assert api.get("/api/v1/datasets/table", params={"equipment": "plant1/nope"}).status_code == 404
    assert api.get("/api/v1/data/downsample", params={"signal": SIG}).status_code == 422
    assert (
        api.get("/api/v1/data/latest", params={"signal": "plant1/line2/press01/nope"}).status_code
        == 404
    )


def test_import_upload_report_and_quarantine(world: Any, tmp_path: Any) -> None:
    api = world.client("kim")
    csv = "timestamp,pressure\n2026-03-06 00:00:00,1.5\n2026-03-06 00:00:01,oops\n2026-03-06 00:00:02,2.5\n"
    opts = json.dumps({"equipment": "plant1/line2/press01"})
    now = api.post(
        "/api/v1/imports", params={"wait": True}, data={"options": opts},
        files={"file": ("press.csv", csv.encode(), "text/csv")},
    )  # fmt: skip
    assert now.status_code == 201
    report = now.json()["report"]
    assert (report["rows_read"], report["rows_stored"], report["rows_quarantined"]) == (3, 2, 1)
    iid = report["import_id"]
    assert api.get(f"/api/v1/imports/{iid}").json()["rows_quarantined"] == 1
    quarantine = api.get(f"/api/v1/imports/{iid}/quarantine")
    assert quarantine.status_code == 200 and "oops" in quarantine.text
    # The same upload as a job.
    csv2 = csv.replace("2026-03-06", "2026-03-07")
    queued = api.post(
        "/api/v1/imports",
        data={"options": opts},
        files={"file": ("press2.csv", csv2.encode(), "text/csv")},
    )
    job = wait_job(api, queued.json()["job"]["id"])
    assert job["status"] == "done" and job["result"]["report"]["rows_stored"] == 2
    assert len(api.get("/api/v1/imports").json()) >= 2
    bad = api.post(
        "/api/v1/imports",
        data={"options": "{not json"},
        files={"file": ("x.csv", b"a", "text/csv")},
    )
    assert bad.status_code == 422
    empty = api.post(
        "/api/v1/imports", params={"wait": True}, files={"file": ("e.csv", b"", "text/csv")}
    )
    assert empty.status_code == 422 and empty.json()["error"]["type"] == "ImportRejected"


def test_model_journey(world: Any, trained: dict[str, Any]) -> None:
    api = world.client("kim")
    name, v = trained["name"], trained["version"]
    assert trained["stage"] == "candidate" and trained["metrics"]["roc_auc"] > 0.6
    assert [m["name"] for m in api.get("/api/v1/models").json()] == [name]
    card = api.get(f"/api/v1/models/{name}/versions/{v}/card").json()
    assert (
        "group" in card["protocol"] and card["metric_ci"]["roc_auc"][0] < card["metrics"]["roc_auc"]
    )
    assert card["importance"] and {p["kind"] for p in card["plots"]} >= {"matrix", "bar"}
    for lang in ("ko", "en"):
        report = api.get(f"/api/v1/models/{name}/versions/{v}/report", params={"lang": lang})
        assert report.status_code == 200 and f'<html lang="{lang}"' in report.text
    assert (
        api.post(f"/api/v1/models/{name}/versions/{v}/stage", json={"stage": "production"}).json()[
            "stage"
        ]
        == "production"
    )
    scored = api.post(
        f"/api/v1/models/{name}/score", json={"start": "2026-03-04T12:00:00+09:00", "limit": 50}
    ).json()
    assert (
        scored["total"] > 100
        and len(scored["rows"]) == 50
        and 0 <= scored["rows"][0]["probability"] <= 1
    )
    record = {k: scored["rows"][0].get(k, 1.0) for k in trained["inputs"]}
    record = {k: 1.0 if val is None else val for k, val in record.items()}
    one = api.post(f"/api/v1/models/{name}/score-records", json={"records": [record]}).json()
    assert len(one["rows"]) == 1 and "probability" in one["rows"][0]
    why = api.get(
        f"/api/v1/models/{name}/versions/{v}/explain", params={"record": json.dumps(record)}
    )
    assert why.status_code == 200 and set(why.json()["contributions"]) >= set(trained["inputs"])
    assert api.get("/api/v1/models/tasks").json()[0] == "anomaly"
    assert api.get(f"/api/v1/models/{name}/versions/99").status_code == 404
    assert (
        api.post(
            "/api/v1/models/train", json={"task": "magic", "name": "x", "equipment": "e"}
        ).status_code
        == 422
    )
    missing = api.post(
        "/api/v1/models/train",
        json={"task": "classify", "name": "x", "equipment": "plant1/line1/inj01"},
    )
    assert missing.status_code == 422 and "target" in missing.json()["error"]["message"]


def test_jobs(world: Any, trained: dict[str, Any]) -> None:
    api = world.client("kim")
    jobs = api.get("/api/v1/jobs").json()
    assert jobs and jobs[0]["status"] in ("done", "failed", "cancelled", "running", "queued")
    assert "log" not in jobs[0]
    jid = jobs[-1]["id"]
    assert "log" in api.get(f"/api/v1/jobs/{jid}/log").json()
    done = api.post(f"/api/v1/jobs/{jid}/cancel").json()
    assert done["status"] in ("done", "failed", "cancelled")  # a finished job stays as it was
    assert api.get("/api/v1/jobs/999999").status_code == 404
