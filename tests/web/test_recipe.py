""" "Recommend settings" gives a recipe: one window per setting with the predicted effect and its
spread, run as a job with progress, shown in the page's language."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from openkamp.ml.recipe import recipe
from openkamp.ml.service import TrainSpec

from .flows_support import log_in
from .support import INJ, START, Site


def test_a_window_per_setting_from_the_row_advice() -> None:
    n = 101
    advice = pd.DataFrame(
        {
            "hold": np.linspace(570, 580, n),  # advised values, where the advice changes it
            "hold_current": np.full(n, 600.0),
            "speed": np.full(n, 50.0),
            "speed_current": np.full(n, 50.0),
            "changed": ["hold"] * n,
            "improvement": np.linspace(0.01, 0.03, n),  # probabilities
        }
    )
    [hold] = recipe(advice, ["hold", "speed"], scale=100.0)  # speed never changes: no window
    assert (hold.low, hold.high) == (572.5, 577.5) and hold.current == 600.0 and hold.rows == n
    assert abs(hold.effect - 2.0) < 1e-9 and abs(hold.effect_low - 1.5) < 1e-9
    assert abs(hold.effect_high - 2.5) < 1e-9


def test_recommend_settings_runs_as_a_job_and_shows_a_recipe(site: Site) -> None:
    kamp = site.kamp
    me = kamp.principal()
    kamp.ml.train(
        me,
        TrainSpec(task="optimise", name="inj01_best", equipment=INJ, target="pass_fail",
                  controls=["hold_pressure", "mould_temp"], start=START,
                  end=START + pd.Timedelta(days=2), time_budget_s=5),
    )  # fmt: skip
    with site.client() as c:
        csrf = log_in(c)
        page = c.get("/models/inj01_best/1")
        assert 'data-testid="recipe-run"' in page.text
        asked = c.post("/models/inj01_best/1/recipe", data={"csrf_token": csrf})
        assert asked.status_code == 422 and "기간" in asked.text  # a period, never all history
        sent = c.post("/models/inj01_best/1/recipe",
                      data={"csrf_token": csrf, "start": "2026-03-04", "end": "2026-03-04"})  # fmt: skip
        assert sent.status_code == 303 and sent.headers["location"].startswith("/jobs/")
        job_id = int(sent.headers["location"].rsplit("/", 1)[1])
        job = kamp.jobs.wait(me, job_id, timeout=120)
        assert job["status"] == "done", job
        shown = c.get(f"/jobs/{job_id}").text
        assert "조건별 추천 범위 정리 중" in shown or "완료" in shown  # stages in Korean
        result = job["result"]
        assert result["rows"] > 100 and result["next"] == f"/models/inj01_best/1/recipe/{job_id}"
        recipe_page = c.get(result["next"])
        assert recipe_page.status_code == 200
        for w in result["recipe"]:
            assert w["low"] <= w["high"] and w["control"] in ("hold_pressure", "mould_temp")
            assert w["effect_low"] <= w["effect"] <= w["effect_high"]
        rows = re.findall(r'<tr data-control="(\w+)">', recipe_page.text)
        assert rows == [w["control"] for w in result["recipe"]]
        if rows:
            assert "보압" in recipe_page.text or "금형" in recipe_page.text  # display names
        assert "%p" in recipe_page.text or not rows
        other = c.get(f"/models/inj01_best/1/recipe/{job_id + 1000}")
        assert other.status_code == 404
