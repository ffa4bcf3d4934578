"""Scoring as portable jobs: a stored period or an uploaded file scored into a kept result
(:class:`~openkamp.ml.results.ScoreResults`), in the server's pool or, with ``jobs_scheduler``
set, on a Dask worker. Each reads everything from its context (``ctx.platform``,
``ctx.principal``, ``ctx.params``); the result folder and an uploaded file are in the
installation's data folder, which every worker sees at the same path.

``score_period_job``
    A period of stored data (:meth:`ModelService.score_period`). Its result is the API's
    ``PeriodScores``: the first rows, a summary of all rows and where all of them download.
    With ``partitions`` above 1, the period is cut into time partitions scored side by side,
    the job's parts (:mod:`openkamp.ml.partitions`), with the scores one run gives.
``score_file_job``
    A file uploaded into the result's folder (:class:`~openkamp.ml.file_scoring.FileScoring`);
    its result is the API's ``FileScores``.
``recipe_job``
    An optimise model's advice over a period, one window per setting (the API's ``Recipe``).

Parameters (besides what the API records for people to read): ``model`` and ``version`` (the
version resolved when the job was asked for), ``token`` (the kept result), ``preview`` (rows the
result keeps); a period's ``equipment``, ``start``, ``end`` (ISO times) and ``partitions``; a
file's ``file`` (its name in the result's ``upload`` folder), ``limit`` and ``lang``.

A partition is a part that may run twice (a worker lost mid-part): it writes its rows into a
folder of its own, renamed into place whole with its outcome, so a second run finds the first
one's rows instead of writing them again (or writes them whole if the first did not finish).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from openkamp.core.errors import InvalidInput, OpenKampError
from openkamp.jobs import JobContext
from openkamp.jobs.executor import portable
from openkamp.jobs.fanout import Outcome, Part
from openkamp.ml.job_results import download_url, rows_result
from openkamp.ml.partitions import Partition, plan, score_partition
from openkamp.ml.results import ROW, PartWriter, ScoreResults, numbered
from openkamp.ml.scoring import LEAST_READINGS, ScoreSummary, too_few_readings

__all__ = ["recipe_job", "recipe_of", "score_file", "score_file_job", "score_period_job"]

#: Where a partitioned job's parts keep their rows, inside the result's folder, until numbered.
_PARTITIONS = "partitions"


def _time(value: Any) -> datetime | None:
    return None if value in (None, "") else datetime.fromisoformat(str(value))


def _progress(ctx: JobContext) -> Any:
    def say(fraction: float) -> None:
        ctx.check()
        ctx.progress(0.02 + 0.96 * fraction, "score")

    return say


@portable
def score_period_job(ctx: JobContext) -> dict[str, Any]:
    """A stored period into the kept result ``token`` (see the module docstring)."""
    p = ctx.params
    if int(p.get("partitions") or 1) > 1:
        return _score_partitions(ctx)
    kamp, me = ctx.platform, ctx.principal
    store = ScoreResults.of(kamp)
    token, preview = str(p["token"]), int(p["preview"])
    with store.writer(me, token) as write:
        out = kamp.ml.score_period(
            me, p["model"], version=p.get("version"), equipment=p.get("equipment"),
            start=_time(p.get("start")), end=_time(p.get("end")), limit=preview,
            sink=numbered(write), progress=_progress(ctx),
        )  # fmt: skip
    store.save_meta(me, token, {"model": out.version.name, "version": out.version.version,
                                "file": False, "rows": out.summary.rows})  # fmt: skip
    return {**rows_result(out.head, preview, total=out.summary.rows),
            "summary": out.summary.to_dict(), "download": download_url(out.version.name, token)}  # fmt: skip


@portable
def score_file_job(ctx: JobContext) -> dict[str, Any]:
    """An uploaded file into the kept result ``token`` (see the module docstring)."""
    from openkamp.ml.file_scoring import FileScoring

    p = ctx.params
    kamp, me = ctx.platform, ctx.principal
    upload = ScoreResults.of(kamp).folder(me, str(p["token"])) / "upload" / str(p["file"])

    def scoring() -> Any:
        lang = str(p.get("lang") or "en")
        return FileScoring(kamp, me, p["model"], p.get("version"), upload, lang)

    return score_file(kamp, me, str(p["token"]), scoring, int(p["preview"]), _progress(ctx))


def score_file(
    kamp: Any,
    me: Any,
    token: str,
    scoring: Any,
    rows: int,
    progress: Any = None,
) -> dict[str, Any]:
    """Score a file uploaded into the kept result ``token`` (``scoring()``: its
    :class:`~openkamp.ml.file_scoring.FileScoring`) and answer the API's ``FileScores`` with the
    first ``rows`` rows. The upload is removed once read, and the result too when it fails."""
    store = ScoreResults.of(kamp)
    folder = store.folder(me, token)
    try:
        with store.writer(me, token) as write:
            file = scoring()
            done = file.run(sink=write, limit=rows, progress=progress)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(folder / "upload", ignore_errors=True)
    mv, meta = file.mv, done.meta
    store.save_meta(me, token, {**meta, "model": mv.name, "version": mv.version,
                                "rows": done.summary.rows,
                                "rows_in_training_period": done.rows_in_training_period})  # fmt: skip
    frame = done.head.rename(columns={"_row": "row"})
    out = rows_result(frame.set_index("row"), rows, total=done.summary.rows)
    # Rows from the period the model learnt from: comparing them with their labels replays
    # training (flattering), it does not show how the model does on new data.
    return {**out, "download": download_url(mv.name, token), "rows_read": meta["rows_read"],
            "quarantined": meta["quarantined"], "inputs": meta["inputs"], "kind": meta["kind"],
            "rows_in_training_period": done.rows_in_training_period}  # fmt: skip


# -- settings recommended by an optimise model ----------------------------------------------------


def recipe_of(kamp: Any, me: Any, params: dict[str, Any], ctx: Any = None) -> dict[str, Any]:
    """An optimise model's advice over a period as one window per setting (the API's
    ``Recipe``; ``next``: the result's page, for a job)."""
    from urllib.parse import quote

    from openkamp.ml.recipe import recipe

    name, version = str(params["model"]), int(params["version"])

    def say(fraction: float, stage: str) -> None:
        if ctx is not None:
            ctx.progress(fraction, stage)

    say(0.05, "web_data.job.recipe_read")
    advice = kamp.ml.score(me, name, version=version, start=_time(params.get("start")),
                           end=_time(params.get("end")))  # fmt: skip
    say(0.85, "web_data.job.recipe_summarise")
    mv = kamp.models.get(me, name, version)
    model = kamp.models.load(me, name, version)
    defect = type(getattr(model, "surrogate_", None)).__name__ == "ClassifyModel"
    windows = recipe(
        advice, list(getattr(model, "controls", []) or []), scale=100.0 if defect else 1.0
    )
    out: dict[str, Any] = {
        "recipe": [w.to_dict() for w in windows],
        "rows": len(advice),
        "unit": "%p" if defect else "",
        "target": (mv.provenance.get("training") or {}).get("spec", {}).get("target"),
    }
    if ctx is not None:
        out["next"] = f"/models/{quote(name, safe='')}/{version}/recipe/{ctx.job_id}"
    return out


@portable
def recipe_job(ctx: JobContext) -> dict[str, Any]:
    """:func:`recipe_of` as a job (``model``, ``version``, ``start``, ``end``)."""
    return recipe_of(ctx.platform, ctx.principal, ctx.params, ctx)


# -- a period in time partitions -------------------------------------------------------------------


def _score_partitions(ctx: JobContext) -> dict[str, Any]:
    """:func:`score_period_job` with the period cut into time partitions, the job's parts."""
    p = ctx.params
    kamp, me = ctx.platform, ctx.principal
    store = ScoreResults.of(kamp)
    token, preview = str(p["token"]), int(p["preview"])
    mv, parts = plan(
        kamp, me, p["model"], partitions=int(p["partitions"]), version=p.get("version"),
        equipment=p.get("equipment"), start=_time(p.get("start")), end=_time(p.get("end")),
    )  # fmt: skip
    ctx.log(f"{len(parts)} time partitions of about {parts[0].points} points")
    ctx.progress(0.02, "score")
    items = [{**part.to_dict(), "version": mv.version} for part in parts]
    outcomes = ctx.map(_score_one, items, label=_label(len(items)), span=(0.02, 0.96))
    for o in outcomes:
        if not o.ok:
            raise _failure(o)
    values = [o.value for o in outcomes]
    summary = ScoreSummary(mv.task)
    for v in values:
        summary.merge(ScoreSummary.of_state(v["summary"]))
    if mv.task == "anomaly" and summary.rows < LEAST_READINGS:
        raise too_few_readings(summary.rows)  # as one run refuses the period
    _number(store.folder(me, token), [int(v["rows"]) for v in values])
    if kamp.ml.on_scored is not None:  # the period's alerts, once for all its partitions
        kamp.ml.on_scored(me, mv, summary, p.get("equipment"))
    store.save_meta(me, token, {"model": mv.name, "version": mv.version, "file": False,
                                "rows": summary.rows, "partitions": len(parts)})  # fmt: skip
    rows = [row for v in values for row in v["head"]][:preview]
    return {"rows": rows, "total": summary.rows, "truncated": summary.rows > preview,
            "summary": summary.to_dict(), "download": download_url(mv.name, token)}  # fmt: skip


def _label(n: int) -> Any:
    return lambda item: f"partition {int(item['index']) + 1}/{n}"


def _failure(o: Outcome) -> Exception:
    """A failed partition as the job's error: a domain error as itself (its class where it is
    one of :mod:`openkamp.core.errors`, its code, parameters and hint), anything else as an
    internal error naming the partition."""
    from openkamp.core import errors

    record = o.error_record or {}
    kind = getattr(errors, str(record.get("type")), None)
    if record.get("type", "internal") == "internal" or not o.error:
        return RuntimeError(f"partition {int(o.item['index']) + 1}: {o.error}")
    if not (isinstance(kind, type) and issubclass(kind, OpenKampError)):
        kind = InvalidInput
    hint = record.get("hint")
    message = o.error[: -len(hint) - 1] if hint and o.error.endswith(f" {hint}") else o.error
    try:
        return kind(message, hint=hint, code=record.get("code"), params=record.get("params"))
    except TypeError:  # an error with arguments of its own
        return InvalidInput(message, hint=hint, code=record.get("code"),
                            params=record.get("params"))  # fmt: skip


def _score_one(part: Part, item: dict[str, Any]) -> dict[str, Any]:
    """One time partition: its rows into its own folder of the result, numbered from 1, and
    its first rows and summary (see the module docstring: a second run finds the first's)."""
    p = part.params
    kamp, me = part.platform, part.principal
    base = ScoreResults.of(kamp).folder(me, str(p["token"])) / _PARTITIONS
    final = base / f"{int(item['index']):05d}"
    if (final / "done.json").is_file():
        part.log("scored by an earlier run of this part")
        return dict(json.loads((final / "done.json").read_text(encoding="utf-8")))
    work = base / f"{final.name}-{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True)
    try:
        with PartWriter(work) as write:
            out = score_partition(
                kamp, me, p["model"], int(item["version"]), p.get("equipment"),
                Partition.of({k: v for k, v in item.items() if k != "version"}),
                limit=int(p["preview"]), sink=numbered(write),
                progress=lambda _f: part.check(),
            )  # fmt: skip
        value = {"index": int(item["index"]), "rows": out.summary.rows,
                 "summary": out.summary.state(),
                 "head": rows_result(out.head, int(p["preview"]))["rows"]}  # fmt: skip
        (work / "done.json").write_text(json.dumps(value), encoding="utf-8")
        try:
            os.rename(work, final)  # whole, or not at all
        except OSError:  # another run of this part got there first: its rows stand
            shutil.rmtree(work, ignore_errors=True)
            return dict(json.loads((final / "done.json").read_text(encoding="utf-8")))
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return value


def _number(folder: Path, counts: list[int]) -> None:
    """The partitions' rows as the result's parts, numbered through (``_row``: a row's place in
    the whole period, as one run numbers them); the partitions' folders are removed."""
    base = folder / _PARTITIONS
    offset = 0
    for k, count in enumerate(counts):
        for j, path in enumerate(sorted((base / f"{k:05d}").glob("part-*.parquet"))):
            table = pq.read_table(path)
            at = table.schema.get_field_index(ROW)
            rows = pc.add(table.column(at), pa.scalar(offset, table.schema.field(at).type))
            target = folder / f"part-{k:05d}-{j:05d}.parquet"
            pq.write_table(table.set_column(at, ROW, rows), target.with_suffix(".tmp"))
            os.replace(target.with_suffix(".tmp"), target)
        offset += count
    shutil.rmtree(base, ignore_errors=True)
