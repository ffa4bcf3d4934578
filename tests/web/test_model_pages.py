"""The model result page: how the model was tested and whether it beats the trivial baseline,
in plain words; the decision threshold chosen by a person on the trade-off of missed defects
against false alarms (per day), stored, and used by every way of scoring."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

from .flows_support import job_result, log_in
from .support import END, PASSWORD, VIEWER, Site

URL = "/models/inj01_defect/1"


def test_the_tradeoff_is_counted_per_day_and_the_chosen_threshold_is_used(site: Site) -> None:
    kamp = site.kamp
    me = kamp.principal()
    with site.client() as c:
        csrf = log_in(c)
        page = c.get(URL)
        assert page.status_code == 200 and 'data-testid="tradeoff"' in page.text
        assert "놓치는 불량 (하루)" in page.text and "잘못된 알람 (하루)" in page.text
        trade = c.get("/api/v1/models/inj01_defect/versions/1/tradeoff").json()
        assert trade["unit"] == "day" and trade["defects"] > 0
        rows = trade["rows"]
        # Caught + missed is every defect of a day, whatever the threshold; a higher threshold
        # never raises more false alarms nor misses fewer defects.
        totals = {round(r["caught"] + r["missed"], 6) for r in rows}
        assert len(totals) == 1
        assert all(a["false_alarms"] >= b["false_alarms"] for a, b in itertools.pairwise(rows))
        assert all(a["missed"] <= b["missed"] for a, b in itertools.pairwise(rows))
        # Choose 10 %: stored, applied when the model is loaded, shown as chosen.
        saved = c.post(f"{URL}/threshold", data={"csrf_token": csrf, "threshold": "0.1"})
        assert saved.status_code == 303
        assert kamp.models.get(me, "inj01_defect", 1).params["decision_threshold"] == 0.1
        assert kamp.models.load(me, "inj01_defect", 1).threshold_ == 0.1
        page = c.get(URL)
        assert (
            "사용자가 고른 기준" in page.text
            and 'value="0.1" aria-label="0.1" checked' in page.text
        )
        # Scoring uses it: every row at or above 10 % is a predicted defect, no other.
        shots = site.factory.generate(END, END + timedelta(hours=6))["inj01"]
        sent = c.post(f"{URL}/score", data={"csrf_token": csrf},
                      files={"file": ("s.csv", shots.to_csv(index=False).encode())})  # fmt: skip
        scored = kamp.ml.score_records(
            me, "inj01_defect", shots.drop(columns=["timestamp"]).to_dict("records"), version=1
        )
        expect = int((scored["probability"] >= 0.1).sum())
        assert int((scored["prediction"] == "NG").sum()) == expect
        shown = c.get(job_result(kamp, sent)).text
        flagged = re.search(r"불량 예상: ([\d,]+)건", shown)
        assert flagged and int(flagged.group(1).replace(",", "")) == expect
        # Out of range: refused in words.
        bad = c.post(
            "/api/v1/models/inj01_defect/versions/1/threshold",
            headers={"X-CSRF-Token": csrf},
            json={"threshold": 1.5},
        )
        assert bad.status_code == 422


def test_viewers_see_the_tradeoff_but_do_not_choose(site: Site) -> None:
    with site.client() as c:
        csrf = log_in(c, VIEWER, PASSWORD)
        page = c.get(URL)
        assert 'data-testid="tradeoff"' in page.text and "save-threshold" not in page.text
        denied = c.post(f"{URL}/threshold", data={"csrf_token": csrf, "threshold": "0.2"})
        assert denied.status_code == 403


def test_how_it_was_tested_in_plain_words(site: Site) -> None:
    with site.client() as c:
        log_in(c)
        page = c.get(URL)
        protocol = re.search(r'data-testid="protocol">(.*?)</p>', page.text, re.S)
        assert protocol and re.search(r"[가-힣]", protocol.group(1)), protocol
        assert "leaderboard" not in page.text.split("<details>")[0]  # technical tables folded


def test_anomaly_false_alarms_are_said_per_day_per_machine() -> None:
    from types import SimpleNamespace

    from openkamp.web.modeller import alarms_per_day

    data = {"first": "2026-03-02T00:00:00+09:00", "last": "2026-03-04T00:00:00+09:00", "rows": 2880}
    mv = SimpleNamespace(task="anomaly", provenance={"training": {"data": data}})
    assert alarms_per_day(mv, {"far": 0.01}) == 0.01 * 2880 / 2  # 14.4 a day
    assert alarms_per_day(mv, {}) is None
    hours = {**data, "last": "2026-03-02T02:00:00+09:00"}  # two hours say nothing of a day
    short = SimpleNamespace(task="anomaly", provenance={"training": {"data": hours}})
    assert alarms_per_day(short, {"far": 0.01}) is None


def test_a_model_from_a_dataset_or_a_clear_refusal(site: Site, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Training on a table of records where the service supports it; otherwise the page does
    not offer it and the API says so in words (never an internal error)."""
    from openkamp.ingest.importer import ImportOptions
    from openkamp.web.modeller import dataset_training

    kamp = site.kamp
    me = kamp.principal()
    shots = site.factory.generate(END, END + timedelta(days=1))["inj01"].drop(columns=["timestamp"])
    path = tmp_path / "shots_table.csv"
    shots.to_csv(path, index=False)
    kamp.imports.import_file(me, path, ImportOptions(kind="records", dataset="shots_table"))
    with site.client() as c:
        csrf = log_in(c)
        form = c.get("/models/new?problem=classify")
        data = {"csrf_token": csrf, "task": "classify", "name": "from_table", "independent": "1",
                "dataset": "shots_table", "target": "pass_fail", "time_budget_s": "5"}  # fmt: skip
        if not dataset_training():
            assert 'data-testid="dataset-choice"' not in form.text
            refused = c.post("/models/train", data=data)
            assert refused.status_code == 422 and "데이터셋으로 학습할 수 없습니다" in refused.text
            return
        assert "shots_table" in form.text
        chosen = c.get("/models/new?problem=classify&dataset=shots_table")
        assert 'name="dataset" value="shots_table"' in chosen.text and "pass_fail" in chosen.text
        assert c.get("/models/new?problem=classify&dataset=nope").status_code == 404
        sent = c.post("/models/train", data=data)
        assert sent.status_code == 303 and sent.headers["location"].startswith("/jobs/")
        job = kamp.jobs.wait(me, int(sent.headers["location"].rsplit("/", 1)[1]), timeout=120)
        assert job["status"] == "done", job
        mv = kamp.models.get(me, "from_table", job["result"]["model"]["version"])
        assert mv.provenance["training"]["spec"]["independent"] is True  # the user's statement
        # Without times, the trade-off counts per 1,000 parts instead of per day.
        url = f"/models/from_table/{mv.version}"
        result = c.get(url).text
        assert "놓치는 불량 (1,000개당)" in result
        # The very file it learnt from scores, every row, with its record against the labels.
        scored = c.post(f"{url}/score", data={"csrf_token": csrf},
                        files={"file": (path.name, path.read_bytes())})  # fmt: skip
        assert scored.status_code == 303, scored.text[:400]
        page = c.get(job_result(kamp, scored)).text
        assert f"{len(shots):,}행을 판정했습니다" in page and "실제 불량" in page
