"""The wizards in-process: import (stage, preview, mapping, run, report) and model (train as a
job, results, deploy, score), with their errors."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from openkamp.web.modeller import in_words

from .flows_support import job_result
from .support import END, Site, sign_in

RENAMED = "금형 온도 센서"


def _csv(site: Site, tmp: Path, *, damage: bool = False) -> Path:
    day = site.factory.generate(END, END + timedelta(hours=6))["inj01"]
    text = day.rename(columns={"mould_temp": RENAMED}).to_csv(index=False)
    if damage:  # a sensor error text and a cut line, as hand-edited exports have
        lines = text.splitlines()
        cells = lines[5].split(",")
        cells[1] = "센서오류"
        lines[5] = ",".join(cells)
        lines[9] = lines[9][:20]
        text = "\n".join(lines) + "\n"
    path = tmp / ("damaged.csv" if damage else "new_day.csv")
    path.write_text(text, encoding="utf-8")
    return path


def test_import_wizard(site: Site, tmp_path: Path) -> None:
    with site.client() as c:
        csrf = sign_in(c)
        h = {"X-CSRF-Token": csrf}
        path = _csv(site, tmp_path, damage=True)
        staged = c.post("/import/stage", headers=h, files={"file": (path.name, path.read_bytes())})
        assert staged.status_code == 200, staged.text
        p = staged.json()
        # One row per shot with an unknown column, a judgement and a lot id in text: the
        # machine's time series (the text columns become labels), and the preview says why.
        assert p["kind"] == "timeseries" and p["detected_kind"] == "timeseries"
        assert any("timestamp" in r for r in p["kind_reasons"])
        # Confirmed as the machine's time series, as the page sends it.
        p = c.post(
            "/import/preview",
            headers=h,
            json={"token": p["token"], "options": {"kind": "timeseries"}},
        ).json()
        assert p["equipment"] == "plant1/line1/inj01" and p["timestamp_column"] == "timestamp"
        assert len(p["rows"]) == 8 and p["header"][0] == "timestamp"
        cols = {col["column"]: col for col in p["columns"]}
        assert cols["pass_fail"]["kind"] == "label" and cols["pass_fail"]["exists"]
        assert not cols[RENAMED]["exists"]  # would become a new signal
        mapping = {
            "kind": "timeseries",
            "columns": {RENAMED: "mould_temp"},
            "ignore_columns": ["defect_type"],
        }
        again = c.post(
            "/import/preview", headers=h, json={"token": p["token"], "options": mapping}
        ).json()
        cols = {col["column"]: col for col in again["columns"]}
        assert cols[RENAMED]["exists"] and cols[RENAMED]["target"] == "mould_temp"
        assert cols["defect_type"]["kind"] == "ignore"
        run = c.post("/import/run", headers=h, json={"token": p["token"], "options": mapping})
        assert run.status_code == 200, run.text
        job = site.kamp.jobs.wait(site.kamp.principal(), run.json()["job"]["id"], timeout=60)
        assert job["status"] == "done", job
        report = job["result"]["report"]
        assert report["rows_quarantined"] == 2 and report["rows_read"] == report["rows_stored"] + 2
        # The staged file is gone once imported.
        gone = c.post("/import/run", headers=h, json={"token": p["token"], "options": {}})
        assert gone.status_code == 422 and "Upload the file again" in gone.json()["error"]["hint"]
        page = c.get(f"/import/{report['import_id']}")
        assert page.status_code == 200
        assert "숫자가 아닌 값" in page.text or "열 개수 불일치" in page.text  # reasons in words
        link = re.search(r'href="(/api/v1/imports/\d+/quarantine)"', page.text)
        assert link
        rows = c.get(link.group(1))
        assert rows.status_code == 200 and "센서오류" in rows.text
        assert c.get("/").status_code == 200  # the overview lists the import job


def test_import_wizard_errors(site: Site) -> None:
    with site.client() as c:
        h = {"X-CSRF-Token": sign_in(c)}
        old = c.post("/import/stage", headers=h, files={"file": ("old.xls", b"\xd0\xcf\x11")})
        assert old.status_code == 422 and ".xlsx" in old.json()["error"]["hint"]
        for token in ("../../etc", "x" * 20):
            bad = c.post("/import/preview", headers=h, json={"token": token, "options": {}})
            assert bad.status_code == 422
        assert c.post("/import/run", headers=h, content=b"not json").status_code == 422


def test_model_wizard_train_deploy_score(site: Site, tmp_path: Path) -> None:
    kamp = site.kamp
    inj = kamp.assets.resolve(kamp.principal(), "plant1/line1/inj01")
    with site.client() as c:
        csrf = sign_in(c)
        form = c.get(f"/models/new?problem=classify&equipment={inj.id}")
        assert 'name="target"' in form.text and "pass_fail" in form.text
        start = re.search(r'name="start" value="([\d-]+)"', form.text)
        assert start and start.group(1) == "2026-03-02"
        sent = c.post(
            "/models/train",
            data={"csrf_token": csrf, "task": "classify", "name": "wizard_defect",
                  "equipment": "plant1/line1/inj01", "target": "pass_fail", "groups": "lot_id",
                  "start": "2026-03-02", "end": "2026-03-04", "time_budget_s": "5"},
        )  # fmt: skip
        assert sent.status_code == 303 and sent.headers["location"].startswith("/jobs/")
        job_id = int(sent.headers["location"].rsplit("/", 1)[1])
        assert "progress" in c.get(f"/jobs/{job_id}").text
        job = kamp.jobs.wait(kamp.principal(), job_id, timeout=120)
        assert job["status"] == "done", job
        model = job["result"]["model"]
        url = f"/models/{model['name']}/{model['version']}"
        page = c.get(url)
        assert page.status_code == 200 and "실제 불량 100개 중" in page.text
        assert page.text.count("<svg") >= 2
        deployed = c.post(f"{url}/stage", data={"csrf_token": csrf, "stage": "production"})
        assert deployed.status_code == 303
        assert kamp.models.get(kamp.principal(), "wizard_defect", model["version"]).stage == (
            "production"
        )
        shots = site.factory.generate(END, END + timedelta(hours=2))["inj01"].head(25)
        scored = c.post(
            f"{url}/score",
            data={"csrf_token": csrf},
            files={"file": ("shots.csv", shots.to_csv(index=False).encode())},
        )
        assert scored.status_code == 303, scored.text[:500]  # a job, kept, then shown
        scored = c.get(job_result(site.kamp, scored))
        assert scored.text.count("<tr>") == 26 and "25행을 판정했습니다" in scored.text
        assert "판정 이유" in scored.text  # the riskiest row explained
        assert "불량 예상:" in scored.text
        period = c.post(
            f"{url}/score", data={"csrf_token": csrf, "start": "2026-03-04", "end": "2026-03-04"}
        )
        assert period.status_code == 303
        assert "행을 판정했습니다" in c.get(job_result(site.kamp, period)).text
        missing = c.post(
            f"{url}/score",
            data={"csrf_token": csrf},
            files={"file": ("bad.csv", b"a,b\n1,2\n")},
        )
        assert missing.status_code == 422 and "injection_time" in missing.text
        incomplete = c.post(
            "/models/train", data={"csrf_token": csrf, "task": "classify", "name": "x",
                                   "equipment": "plant1/line1/inj01"},
        )  # fmt: skip
        assert incomplete.status_code == 422 and "target" in incomplete.text


def test_results_in_words() -> None:
    words = in_words("classify", {"recall": 0.8, "precision": 0.5}, {"recall": (0.7, 0.9)}, "ko")
    assert words[0] == "실제 불량 100개 중 약 80개를 미리 찾아냅니다 (95 % 구간 70–90)"
    assert "100" in in_words("classify", {"precision": 0.5}, {}, "en")[0]
    assert "±0.5" in in_words("regress", {"mae": 0.5, "r2": 0.9}, {}, "en")[0]
    assert "smaller" in in_words("forecast", {"mase": 0.8}, {}, "en")[0]
    assert in_words("rul", {}, {}, "en") == ["No figure to summarise; see the table below."]


def test_a_running_job_is_cancelled_from_its_page(site: Site) -> None:
    import threading

    kamp = site.kamp
    me = kamp.principal()
    started = threading.Event()

    def slow(ctx):  # type: ignore[no-untyped-def]
        started.set()
        for _ in range(600):
            ctx.check()  # raises once a cancel was asked for
            threading.Event().wait(0.05)
        return {}

    job = kamp.jobs.submit(me, "test", "slow job", slow)
    assert started.wait(10)
    with site.client() as c:
        csrf = sign_in(c)
        page = c.get(f"/jobs/{job['id']}")
        assert 'action="/jobs/' in page.text and "job-cancel" in page.text
        assert c.post(f"/jobs/{job['id']}/cancel", data={}).status_code == 403  # no CSRF token
        sent = c.post(f"/jobs/{job['id']}/cancel", data={"csrf_token": csrf})
        assert sent.status_code == 303 and sent.headers["location"] == f"/jobs/{job['id']}"
    done = kamp.jobs.wait(me, job["id"], timeout=20)
    assert done["status"] == "cancelled"
