"""A long period scored in time partitions, each part on its own (on a Dask cluster, each on a
worker), gives exactly the scores of the period scored in one run; parts that run twice do their
work once.

Three days of the demo factory (seed 5): an anomaly model that looks back far (a lag window of
3, smoothing of 7, an alarm filter of 5) and a defect model, both learnt from the first two
days. Here the jobs run in this process (parts one after another); ``tests/jobs/
test_dask_model_jobs.py`` runs them on a cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from tests.ml.factory_models import END, PRESS, START, platform_with_models, specs

import openkamp.ml.partitions as partitions
from openkamp.jobs.executor import JobTask
from openkamp.jobs.fanout import Part
from openkamp.ml.jobs import _train_machine, spec_params
from openkamp.ml.results import ScoreResults
from openkamp.ml.score_jobs import _score_one, score_period_job
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform

SPECS = specs(budget_s=3)


@pytest.fixture(scope="module")
def kamp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    platform = platform_with_models(
        tmp_path_factory.mktemp("partitions"), [SPECS["watch"], SPECS["defect"]]
    )
    yield platform
    platform.close()


def _score_job(kamp: Platform, name: str, n: int, preview: int = 1000) -> dict[str, Any]:
    """A period scoring job as the API submits it (``?wait=false``), run to its end."""
    me = kamp.principal()
    mv = kamp.models.get(me, name)
    token = ScoreResults.of(kamp).create(me)
    params = {"model": name, "version": mv.version, "start": START.isoformat(),
              "end": END.isoformat(), "equipment": None, "token": token, "preview": preview,
              "partitions": n}  # fmt: skip
    job = kamp.jobs.submit(me, "score", name, score_period_job, params=params)
    done = kamp.jobs.wait(me, job["id"], timeout=120)
    assert done["status"] == "done", done["log"]
    return {**done, "token": token}


def _kept(kamp: Platform, token: str) -> pd.DataFrame:
    me = kamp.principal()
    return pd.concat(list(ScoreResults.of(kamp).batches(me, token)), ignore_index=True)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal to the last bit: the same rows, columns and values."""
    assert list(a.columns) == list(b.columns) and a.index.equals(b.index)
    for col in a.columns:
        assert a[col].to_numpy().tolist() == b[col].to_numpy().tolist(), col


@pytest.mark.parametrize("name", ["watch", "defect"])
def test_partitions_score_the_period_as_one_run(kamp: Platform, name: str) -> None:
    me = kamp.principal()
    model = kamp.models.load(me, name)
    if name == "watch":  # a model that looks back (and ahead) far
        assert model.params_ == {"detector": "pca", "lags": 3, "smoothing": 7}
        assert model.alarm_filter == 5
    one = _score_job(kamp, name, 1)
    many = _score_job(kamp, name, 7)
    assert "7 time partitions" in many["log"] and "[partition 7/7] done" in many["log"]
    # The job's answer: the first rows, the count and the summary of every row.
    for key in ("rows", "total", "truncated", "summary"):
        assert many["result"][key] == one["result"][key], key
    assert many["result"]["total"] > 5000 and many["result"]["truncated"]
    assert many["result"]["download"].endswith(many["token"])
    # Every kept row, numbered through in time order, exactly as one run scores and numbers it.
    whole = kamp.ml.score_period(me, name, start=START, end=END, limit=None).head
    kept = _kept(kamp, many["token"])
    _same(kept, _kept(kamp, one["token"]))
    assert kept["_row"].tolist() == list(range(1, len(whole) + 1))
    _same(kept.drop(columns="_row").set_index("timestamp").rename_axis("timestamp"), whole)
    if name == "watch":
        assert many["result"]["summary"]["alarms"] == int(whole["alarm"].sum()) > 0


def test_the_look_back_margin_is_what_makes_partitions_exact(
    kamp: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut short (only the lag window), the smoothing starts afresh at each partition: other
    scores near every cut. With the model's margin: the same to the last bit."""
    me = kamp.principal()
    whole = kamp.ml.score_period(me, "watch", start=START, end=END, limit=None).head

    def scored() -> pd.DataFrame:
        mv, parts = partitions.plan(kamp, me, "watch", partitions=6, start=START, end=END)
        heads = [
            partitions.score_partition(kamp, me, "watch", mv.version, None, p, limit=None).head
            for p in parts
        ]
        return pd.concat(heads)

    _same(scored(), whole)
    monkeypatch.setattr(partitions, "lookback", lambda task, model: partitions.Lookback(3, 10))
    short = scored()
    assert short.index.equals(whole.index)
    assert (short["score"] != whole["score"]).sum() > 100


def _part(kamp: Platform, params: dict[str, Any], job_id: int = 4242) -> Part:
    me = kamp.principal()
    return Part(kamp, JobTask(me.org_id, job_id, me, score_period_job, params), lambda: False)


def test_a_partition_scored_again_keeps_the_first_runs_rows(kamp: Platform) -> None:
    """Dask runs a part again when its worker died: the second run finds the partition done."""
    me = kamp.principal()
    mv, parts = partitions.plan(kamp, me, "watch", partitions=3, start=START, end=END)
    store = ScoreResults.of(kamp)
    token = store.create(me)
    params = {"model": "watch", "token": token, "preview": 10, "equipment": None}
    item = {**parts[1].to_dict(), "version": mv.version}
    first = _score_one(_part(kamp, params), item)
    folder = store.folder(me, token) / "partitions" / "00001"
    files = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = _part(kamp, params)
    assert _score_one(again, item) == first
    assert again.lines == ["scored by an earlier run of this part"]
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == files  # not rewritten
    assert first["rows"] == first["summary"]["rows"] > 0 and len(first["head"]) == 10


def test_a_machine_model_trained_again_by_a_rerun_part_is_registered_once(
    kamp: Platform,
) -> None:
    me = kamp.principal()
    spec = TrainSpec(task="anomaly", name="rerun", start=START, end=END, time_budget_s=1.0,
                     options={"detector": "pca", "lags": 0, "smoothing": 1})  # fmt: skip
    params = {"spec": {**spec_params(spec), "equipment": ""}}
    item = {"equipment": PRESS, "name": "rerun-press01"}
    first = _train_machine(_part(kamp, params, job_id=77), item)
    again = _part(kamp, params, job_id=77)
    second = _train_machine(again, item)
    assert [v.version for v in kamp.models.list(me, "rerun-press01")] == [1]
    assert second["version"] == first["version"] == 1
    assert again.lines == ["version 1 was registered by an earlier run of this part"]
    # Another job's part is other work: it registers its own version.
    third = _train_machine(_part(kamp, params, job_id=78), item)
    assert third["version"] == 2
    fenced = kamp.models.fenced(me, "rerun-press01", f"job {me.org_id}/77: {PRESS}")
    assert fenced is not None and fenced.version == 1
