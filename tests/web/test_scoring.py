"""Scoring ("판정") accepts what import accepts: the same reader and header normalisation, only
missing inputs listed, extra columns passed through; results riskiest first, filtered, in
local time, with the model's record against the file's labels, downloadable in full."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from .flows_support import job_result, log_in
from .support import END, Site

URL = "/models/inj01_defect/1"


def _shots(site: Site, hours: int = 12) -> pd.DataFrame:
    """Later shots of the machine the model learnt from, with an id column of our own."""
    shots = site.factory.generate(END, END + timedelta(hours=hours))["inj01"]
    shots.insert(0, "부품번호", [f"P{i:05d}" for i in range(len(shots))])
    return shots


def _score(site: Site, c: TestClient, csrf: str, name: str, body: bytes) -> tuple[int, str, str]:
    """Score a file on the page: a job (its page first), then the result's page."""
    sent = c.post(f"{URL}/score", data={"csrf_token": csrf}, files={"file": (name, body)})
    if sent.status_code != 303:
        return sent.status_code, sent.text, ""
    where = job_result(site.kamp, sent)
    page = c.get(where)
    return page.status_code, page.text, where


def _cells(html: str) -> list[list[str]]:
    body = html.split('data-testid="score-table"', 1)[1].split("</table>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in body.split("<tr>")[2:]]


def test_the_file_the_model_was_trained_on_scores_with_units_and_spacing(site: Site) -> None:
    shots = _shots(site)
    # Headers as an MES export writes them: units in brackets, spaces, a title block above.
    renamed = shots.rename(
        columns={"injection_pressure": "injection pressure(bar)", "hold_pressure": "hold_pressure [bar]",
                 "mould_temp": "MOULD_TEMP(℃)"}
    )  # fmt: skip
    text = "사출기 생산 실적\n기간: 2026-03-05\n\n" + renamed.to_csv(index=False)
    with site.client() as c:
        csrf = log_in(c)
        status, html, where = _score(site, c, csrf, "mes.csv", text.encode("cp949"))
        assert status == 200, html[:600]
        assert f"{len(shots):,}행을 판정했습니다" in html
        rows = _cells(html)
        assert len(rows) == 200  # the page shows the first 200 ...
        head = html.split('data-testid="score-table"', 1)[1].split("</thead>", 1)[0]
        titles = re.findall(r"<th>(.*?)</th>", head)
        assert "불량 확률" in titles and "예측" in titles and "부품번호" in titles
        p = titles.index("불량 확률")
        risks = [float(r[p]) for r in rows]
        assert risks == sorted(risks, reverse=True)  # ... riskiest first
        # Times in the platform's local time (Asia/Seoul), as the file wrote them.
        t = titles.index("시간")
        local = {str(ts)[:16] for ts in shots["timestamp"].dt.tz_localize(None)}
        assert {r[t][:16] for r in rows} <= local
        # The file's labels are there: the model's record against them.
        assert "실제 불량" in html and "잡았고" in html
        # Every row downloads, with the id column to join back to the file.
        csv = c.get(f"{where}/download?format=csv")
        assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
        table = pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig")
        assert len(table) == len(shots) and set(table["부품번호"]) == set(shots["부품번호"])
        xlsx = c.get(f"{where}/download?format=xlsx")
        assert xlsx.status_code == 200
        sheet = pd.read_excel(io.BytesIO(xlsx.content))
        assert len(sheet) == len(shots) and "불량 확률" in sheet.columns


def test_only_predicted_defects_and_the_record_against_labels(site: Site) -> None:
    shots = _shots(site, hours=6)
    kamp = site.kamp
    model = kamp.models.load(kamp.principal(), "inj01_defect", 1)
    me = kamp.principal()
    machine = kamp.assets.resolve(me, "plant1/line1/inj01").id

    def counted() -> int:
        """Predicted defects in the machine's open alert of this model (one until acknowledged)."""
        return sum(a["count"] for a in kamp.alerts.list(me, status="open", equipment_id=machine)
                   if a["source"] == "defects" and a["model_id"] == model_id)  # fmt: skip

    model_id = kamp.models.get(me, "inj01_defect", 1).id
    before = counted()
    with site.client() as c:
        csrf = log_in(c)
        status, html, where = _score(site, c, csrf, "shots.csv", shots.to_csv(index=False).encode())
        assert status == 200
        flagged = re.search(r"불량 예상: ([\d,]+)건", html)
        assert flagged
        n_flagged = int(flagged.group(1).replace(",", ""))
        # The predicted defects are counted in the machine's alert, for the overview; the same
        # file scored again is not counted twice.
        assert n_flagged > 0 and counted() == before + n_flagged
        again = _score(site, c, csrf, "shots.csv", shots.to_csv(index=False).encode())
        assert again[0] == 200 and counted() == before + n_flagged
        only = c.get(f"{where}?only=1")
        assert only.status_code == 200
        head = only.text.split('data-testid="score-table"', 1)[1].split("</thead>", 1)[0]
        titles = re.findall(r"<th>(.*?)</th>", head)
        rows = _cells(only.text)
        assert len(rows) == min(n_flagged, 200)
        assert all(r[titles.index("예측")] == str(model.pos_label_) for r in rows)
        # The summary's counts add up against the file's own labels.
        caught = re.search(
            r"실제 불량 ([\d,]+)개 중 ([\d,]+)개를 잡았고 ([\d,]+)개를 놓쳤습니다", html
        )
        assert caught
        actual, hit, missed = (int(g.replace(",", "")) for g in caught.groups())
        assert actual == int((shots["pass_fail"] == model.pos_label_).sum())
        assert hit + missed == actual
        false_alarms = re.search(r"양품 ([\d,]+)개 중 ([\d,]+)개를 불량으로", html)
        assert false_alarms and hit + int(false_alarms.group(2)) == n_flagged


def test_only_the_missing_inputs_are_listed(site: Site) -> None:
    shots = _shots(site, hours=1).drop(columns=["cushion", "screw_rpm"])
    with site.client() as c:
        csrf = log_in(c)
        status, html, _ = _score(site, c, csrf, "short.csv", shots.to_csv(index=False).encode())
        assert status == 422
        message = re.search(r'<p class="error">(.*?)</p>', html, re.S)
        assert message and "입력 2개가 없습니다" in message.group(1)
        # In the page's language, with the code name to find the column by.
        assert "쿠션량 (cushion)" in message.group(1) and "(screw_rpm)" in message.group(1)
        assert "mould_temp" not in message.group(1) and "injection_time" not in message.group(1)


def test_excel_downloads_cannot_carry_formulas(site: Site) -> None:
    shots = _shots(site, hours=1)
    shots["부품번호"] = [
        '=HYPERLINK("http://x")',
        "+1",
        "-2",
        "@SUM(A1)",
        *list(shots["부품번호"][4:]),
    ]
    with site.client() as c:
        csrf = log_in(c)
        status, _, where = _score(site, c, csrf, "f.csv", shots.to_csv(index=False).encode())
        assert status == 200
        sheet = pd.read_excel(io.BytesIO(c.get(f"{where}/download?format=xlsx").content))
        ids = set(sheet["부품번호"].astype(str))
        assert {'\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)"} <= ids
        csv = c.get(f"{where}/download?format=csv").content.decode("utf-8-sig")
        assert "\n=" not in csv and ",=" not in csv


def test_a_form_without_a_file_asks_for_a_period(site: Site) -> None:
    with site.client() as c:
        csrf = log_in(c)
        sent = c.post(f"{URL}/score", data={"csrf_token": csrf})
        assert sent.status_code == 422 and "기간을 고르세요" in sent.text
        period = c.post(f"{URL}/score", data={"csrf_token": csrf, "start": "2026-03-04"})
        assert period.status_code == 303
        page = c.get(job_result(site.kamp, period))
        assert page.status_code == 200 and "행을 판정했습니다" in page.text
        gone = c.get(f"{URL}/scored/AAAAAAAAAAAAAAAAAAAAAAAA")
        assert gone.status_code == 404


def test_the_api_scores_a_file_as_the_page_does(site: Site) -> None:
    shots = _shots(site, hours=2).rename(columns={"cushion": "쿠션 량(mm)"})
    with site.client() as c:
        csrf = log_in(c)
        h = {"X-CSRF-Token": csrf, "Accept-Language": "en"}
        out = c.post(
            "/api/v1/models/inj01_defect/score-file",
            headers=h,
            files={"file": ("s.csv", shots.to_csv(index=False).encode())},
        )
        assert out.status_code == 200, out.text
        body = out.json()
        assert body["total"] == len(shots) and body["quarantined"] == 0
        first = body["rows"][0]
        assert first["부품번호"] == "P00000" and "probability" in first
        assert body["rows_in_training_period"] == 0  # shots after the training period
        # Shots of the period the model learnt from are counted, so a comparison with their
        # labels is known for the replay it is.
        learnt = site.factory.generate(END - timedelta(hours=2), END)["inj01"]
        again = c.post(
            "/api/v1/models/inj01_defect/score-file",
            headers=h,
            files={"file": ("old.csv", learnt.to_csv(index=False).encode())},
        )
        assert again.status_code == 200, again.text
        seen = again.json()["rows_in_training_period"]
        assert 0.9 * len(learnt) <= seen <= len(learnt)  # up to the last reading it learnt from
        short = c.post(
            "/api/v1/models/inj01_defect/score-file",
            headers=h,
            files={"file": ("s.csv", shots.drop(columns=["screw_rpm"]).to_csv(index=False))},
        )
        assert short.status_code == 422
        error = short.json()["error"]
        assert error["code"] == "web_data.score_missing_inputs" and "screw_rpm" in error["message"]
        assert "injection_time" not in error["message"]


def test_anomaly_alarms_come_first_and_can_be_shown_alone(site: Site) -> None:
    from openkamp.ml.service import TrainSpec

    from .support import INJ, START

    kamp = site.kamp
    me = kamp.principal()
    kamp.ml.train(
        me,
        TrainSpec(task="anomaly", name="inj01_watch", equipment=INJ, start=START,
                  end=START + timedelta(days=2), time_budget_s=3),
    )  # fmt: skip
    with site.client() as c:
        csrf = log_in(c)
        sent = c.post("/models/inj01_watch/1/score",
                      data={"csrf_token": csrf, "start": "2026-03-04", "end": "2026-03-04"})  # fmt: skip
        assert sent.status_code == 303
        where = job_result(kamp, sent)
        page = c.get(where).text
        alarms = re.search(r"이상 알람: ([\d,]+)건", page)
        assert alarms
        n_alarms = int(alarms.group(1).replace(",", ""))
        head = page.split('data-testid="score-table"', 1)[1].split("</thead>", 1)[0]
        titles = re.findall(r"<th>(.*?)</th>", head)
        rows = _cells(page)
        scores = [float(r[titles.index("이상 점수")]) for r in rows]
        assert scores == sorted(scores, reverse=True)  # the alarms are on top, not lost
        only = c.get(f"{where}?only=1")
        assert "알람만 보기" in page and len(_cells(only.text)) == min(n_alarms, 200)
        table = pd.read_csv(
            io.BytesIO(c.get(f"{where}/download?format=csv&only=1").content), encoding="utf-8-sig"
        )
        assert len(table) == n_alarms and "알람" in table.columns


def test_a_quality_value_model_is_compared_with_the_values_in_the_file(site: Site) -> None:
    from openkamp.ml.service import TrainSpec

    from .support import INJ, START

    kamp = site.kamp
    kamp.ml.train(
        kamp.principal(),
        TrainSpec(task="regress", name="inj01_cycle", equipment=INJ, target="cycle_time",
                  start=START, end=START + timedelta(days=2), time_budget_s=3),
    )  # fmt: skip
    shots = _shots(site, hours=3)
    with site.client() as c:
        csrf = log_in(c)
        sent = c.post("/models/inj01_cycle/1/score", data={"csrf_token": csrf},
                      files={"file": ("s.csv", shots.to_csv(index=False).encode())})  # fmt: skip
        where = job_result(kamp, sent)
        page = c.get(where).text
        said = re.search(r"([\d,]+)개 행에서 예측은 평균 ±([\d.e+-]+)만큼", page)
        assert said, page[:2000]
        table = kamp.ml.score_records(
            kamp.principal(), "inj01_cycle", shots.drop(columns=["timestamp"]).to_dict("records")
        )
        mae = float((table["prediction"] - shots["cycle_time"].to_numpy()).abs().mean())
        assert int(said.group(1).replace(",", "")) == len(shots)
        assert abs(float(said.group(2)) - mae) <= 0.005 * max(1.0, mae)  # shown to 3 digits


def test_a_file_is_scored_chunk_by_chunk_as_all_its_rows_at_once(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file read in many chunks (the import's chunks, 64 KB here) scores like all its rows at
    once, for the model that looks back across rows (lags, smoothing, alarm filter)."""
    from openkamp.ml.file_scoring import FileScoring, read_file
    from openkamp.ml.service import TrainSpec

    from .support import INJ, START

    kamp = site.kamp
    me = kamp.principal()
    kamp.ml.train(
        me,
        TrainSpec(task="anomaly", name="inj01_chunks", equipment=INJ, start=START,
                  end=START + timedelta(days=1), time_budget_s=3,
                  options={"lags": 2, "smoothing": 5, "alarm_filter": 5}),
    )  # fmt: skip
    path = site.root / "many_shots.csv"
    _shots(site, hours=36).to_csv(path, index=False)
    monkeypatch.setattr(kamp.imports, "chunk_bytes", 64 * 1024)
    whole = read_file(kamp, path, me).frame
    assert path.stat().st_size > 3 * 64 * 1024  # several chunks
    model = kamp.models.load(me, "inj01_chunks", 1)
    names = [str(f) for f in model.feature_names_in_]
    expected = kamp.ml.score_records(me, "inj01_chunks", whole[names].to_dict("records"))
    pieces: list[pd.DataFrame] = []
    done = FileScoring(kamp, me, "inj01_chunks", 1, path).run(sink=pieces.append, limit=5)
    assert len(pieces) > 3 and len(done.head) == 5
    got = pd.concat(pieces, ignore_index=True)
    assert got["_row"].tolist() == list(range(1, len(whole) + 1))
    assert got["부품번호"].tolist() == whole["부품번호"].tolist()  # the file's own columns
    pd.testing.assert_series_equal(got["score"], expected["score"], check_names=False)
    assert got["alarm"].tolist() == expected["alarm"].tolist()
    assert got["top_signal"].tolist() == expected["top_signal"].tolist()
    assert done.summary.rows == len(whole) and done.meta["rows_read"] == len(whole)


def test_the_api_scores_as_a_job_and_keeps_every_row(site: Site) -> None:
    """?wait=false: a job (202) whose result keeps the first rows and a summary; every row
    downloads as CSV, formula cells neutralised, and only under its own model's name."""
    shots = _shots(site, hours=6)
    shots.loc[0, "부품번호"] = "=HYPERLINK(1)"
    kamp = site.kamp
    me = kamp.principal()
    with site.client() as c:
        csrf = log_in(c)
        h = {"X-CSRF-Token": csrf}
        sent = c.post(
            "/api/v1/models/inj01_defect/score-file",
            headers=h,
            files={"file": ("s.csv", shots.to_csv(index=False).encode())},
            data={"wait": "false", "limit": "20"},
        )
        assert sent.status_code == 202, sent.text
        job = kamp.jobs.wait(me, sent.json()["job"]["id"], timeout=120)
        assert job["status"] == "done" and job["kind"] == "score", job
        result = job["result"]
        assert result["total"] == len(shots) and len(result["rows"]) == 20
        csv = c.get(result["download"])
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        table = pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig")
        assert len(table) == len(shots) and table["row"].tolist() == list(range(1, len(shots) + 1))
        assert table["부품번호"].iloc[0] == "'=HYPERLINK(1)" and "probability" in table
        other = c.get(result["download"].replace("inj01_defect", "inj01_cycle"))
        assert other.status_code == 404
        period = c.post(
            "/api/v1/models/inj01_defect/score?wait=false",
            headers=h,
            json={"start": "2026-03-04T00:00:00+09:00", "end": "2026-03-05T00:00:00+09:00",
                  "limit": 10},
        )  # fmt: skip
        assert period.status_code == 202, period.text
        job = kamp.jobs.wait(me, period.json()["job"]["id"], timeout=120)
        assert job["status"] == "done", job
        summary = job["result"]["summary"]
        assert summary["rows"] == job["result"]["total"] > 10 == len(job["result"]["rows"])
        rows = pd.read_csv(io.BytesIO(c.get(job["result"]["download"]).content))
        assert len(rows) == summary["rows"] and "timestamp" in rows and "probability" in rows
        assert rows["row"].tolist() == list(range(1, len(rows) + 1))  # in time order
        at_once = c.post(
            "/api/v1/models/inj01_defect/score",
            headers=h,
            json={"start": "2026-03-04T00:00:00+09:00", "end": "2026-03-05T00:00:00+09:00",
                  "limit": 10},
        )  # fmt: skip
        assert at_once.status_code == 200
        assert at_once.json()["summary"] == summary and at_once.json()["download"] is None
