"""Models: train (as a job), leaderboard and metrics, explanations, report, stages, scoring."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.records import Answer, IsoTime
from openkamp.api.routers.jobs import JobStarted, job_out
from openkamp.api.uploads import UploadLimitRoute
from openkamp.core.tenancy import Role
from openkamp.ml.job_results import rows_result as frame_out
from openkamp.ml.job_results import version_result as version_out
from openkamp.ml.service import TRAINABLE, TrainSpec

router = APIRouter(prefix="/models", tags=["models"], route_class=UploadLimitRoute)


class TrainRequest(BaseModel):
    task: Literal["anomaly", "classify", "regress", "rul", "forecast", "optimise"]
    name: str = Field(min_length=1, max_length=128)
    equipment: str | None = Field(None, description="site/line/equipment (or a dataset)")
    dataset: str | None = Field(None, description="a dataset (table of records) to learn from")
    target: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    features: list[str] | None = None
    groups: str | None = None
    unit: str | None = None
    usage: str | None = None
    normal: list[str] | None = None
    horizon: int = Field(24, ge=1, le=10_000)
    freq: str | None = None
    agg: str | None = None
    controls: list[str] | None = None
    bounds: dict[str, tuple[float, float]] | None = None
    goal: Literal["min", "max"] = "min"
    time_budget_s: float = Field(60.0, gt=0, le=3600)
    random_state: int = 0
    description: str = ""
    independent: bool = Field(
        False, description="The rows are independent parts: shuffled or group folds, not time"
    )


class StageRequest(BaseModel):
    stage: Literal["candidate", "production", "archived"]


class ScoreRequest(BaseModel):
    start: datetime | None = None
    end: datetime | None = None
    equipment: str | None = None
    version: int | None = None
    limit: int = Field(10_000, ge=1, le=200_000)
    partitions: int = Field(
        1,
        ge=1,
        le=256,
        description="As a job (?wait=false): score the period in this many time partitions, "
        "the job's parts, side by side on a Dask cluster (the scores are one run's)",
    )


class ThresholdRequest(BaseModel):
    threshold: float = Field(gt=0, lt=1, description="Probability above which a part is flagged")


class RecipeRequest(BaseModel):
    start: datetime | None = None
    end: datetime | None = None


class RecordsRequest(BaseModel):
    records: list[dict[str, Any]] = Field(min_length=1, max_length=10_000)
    version: int | None = None


class ModelInfo(Answer):
    """One registered version of a model."""

    name: str
    version: int
    task: str
    stage: Literal["candidate", "production", "archived"]
    metrics: dict[str, Any] = Field(description="Validation metrics (numbers; null: not finite)")
    params: dict[str, Any] = Field(description="The chosen learner's settings")
    description: str
    created_at: IsoTime | None
    created_by: str
    dataset_id: str | None = Field(description="What it learnt from (table or dataset id)")
    schema_hash: str | None
    target: str | None
    inputs: list[str] | None


class Trained(Answer):
    model: ModelInfo
    seconds: float


class Rows(Answer):
    """Rows of a table (``index`` first), at most ``limit`` of ``total``."""

    rows: list[dict[str, Any]]
    total: int
    truncated: bool


class ScoreSummary(Answer):
    """What all the scored rows hold (counted over every row, not only those answered)."""

    rows: int
    alarms: int = Field(description="Anomaly alarms")
    predicted_defects: int = Field(description="Rows predicted to be defects (classify)")
    first: IsoTime | None = Field(description="Time of the first scored row")
    last: IsoTime | None = Field(description="Time of the last scored row")
    top_signals: list[str] = Field(description="Signals behind most alarms, most first")


class PeriodScores(Rows):
    """The first ``limit`` scored rows of a period (``total`` of them in all) and a summary
    of every row; a job's result also names where all rows download as CSV."""

    summary: ScoreSummary
    download: str | None = Field(
        description="All rows as CSV (a job's result; the answer of ?wait=true keeps none)"
    )


class FileScores(Rows):
    download: str = Field(description="All rows as CSV (kept for a day)")
    rows_read: int
    quarantined: int
    inputs: dict[str, str] = Field(description="Model input → the file's column that feeds it")
    kind: str = Field(description="What an import of the file would make of it")
    rows_in_training_period: int = Field(
        description="Rows from the period the model learnt from (comparing them replays training)"
    )


class PlotData(Answer):
    kind: str
    title: str
    x: str | None
    y: list[str]
    hline: float | None
    data: list[dict[str, Any]]


class ModelCard(ModelInfo):
    """Validation results of a version."""

    protocol: str
    metrics: dict[str, float]  # the card's finite headline metrics
    metric_ci: dict[str, list[float | None]]
    leaderboard: list[dict[str, Any]]
    importance: dict[str, float] | None
    features: list[str]
    dropped: dict[str, str]
    limits: list[str]
    plots: list[PlotData]


class TradeoffRow(Answer):
    threshold: float
    caught: float
    missed: float
    false_alarms: float
    recall: float


class Tradeoff(Answer):
    """Missed defects against false alarms per ``unit`` (day, or thousand parts)."""

    unit: str
    rows: list[TradeoffRow]
    current: float | None
    evaluated: int
    defects: int


class SettingWindow(Answer):
    control: str
    low: float | None
    high: float | None
    current: float | None
    rows: int
    effect: float | None
    effect_low: float | None
    effect_high: float | None


class Recipe(Answer):
    recipe: list[SettingWindow]
    rows: int
    unit: str
    target: str | None
    next: str | SkipJsonSchema[None] = Field(
        default=None, description="The web page of the result (a job's result only)"
    )


class Contributions(Answer):
    contributions: dict[str, float] = Field(description="Input → its contribution")


@router.get("", response_model=list[ModelInfo])
def models_list(kamp: Kamp, me: Me, name: str | None = None) -> list[dict[str, Any]]:
    """Registered model versions, by name then version."""
    return [version_out(v) for v in kamp.models.list(me, name)]


@router.post(
    "/train", status_code=202, response_model=JobStarted | Trained, responses=responses(404, 409)
)
def models_train(body: TrainRequest, kamp: Kamp, me: Me, wait: bool = False) -> dict[str, Any]:
    """Train a standard model on stored data: a job (poll ``/jobs/{id}``; on the Dask cluster
    when one is configured), or at once with ``wait=true``. The model is registered as a
    ``candidate``."""
    from openkamp.ml.jobs import train_model

    spec = _spec_of(body)
    spec.check()
    if wait:
        result = kamp.ml.train(me, spec)
        return {"model": version_out(result.version), "seconds": result.seconds}
    # The job reads its spec from the request (openkamp.ml.jobs.spec_of), wherever it runs.
    job = kamp.jobs.submit(
        me, "train", f"{spec.task}: {spec.name}", train_model, params=body.model_dump(mode="json")
    )
    return {"job": job_out(job, log=True)}


def _spec_of(body: TrainRequest) -> TrainSpec:
    """The service's spec from a request: equipment and period, or a dataset (where this
    version of the service trains on datasets)."""
    from openkamp.core.errors import InvalidInput

    known = TrainSpec.__dataclass_fields__
    values = body.model_dump()
    if values.get("dataset") and "dataset" not in known:
        raise InvalidInput(
            "Training on a dataset is not available in this version.",
            code="web_data.dataset_training_unavailable",
        )
    if not values.get("dataset") and not values.get("equipment"):
        raise InvalidInput("Choose the equipment or the dataset to learn from.",
                           code="web_data.train_needs_data")  # fmt: skip
    values["equipment"] = values.get("equipment") or ""
    return TrainSpec(**{k: v for k, v in values.items() if k in known})


@router.get("/tasks", response_model=list[str])
def models_tasks(me: Me) -> list[str]:
    """The standard models that can be trained from stored data."""
    return list(TRAINABLE)


@router.get("/{name}/versions/{version}", response_model=ModelInfo)
def models_get(name: str, version: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    return version_out(kamp.models.get(me, name, version))


@router.get("/{name}/versions/{version}/card", response_model=ModelCard)
def models_card(name: str, version: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Validation results: metrics with intervals, leaderboard, importance, plots' data."""
    mv, card = kamp.ml.card(me, name, version)
    plots = [
        {
            "kind": p.kind,
            "title": p.title,
            "x": p.x,
            "y": p.y,
            "hline": p.hline,
            "data": frame_out(p.data, 2000)["rows"],
        }
        for p in card.plots
    ]
    importance = (
        None
        if card.importance is None
        else {str(k): float(v) for k, v in card.importance.head(50).items()}
    )
    return {
        **version_out(mv),
        "protocol": card.protocol,
        "metrics": card.headline(),
        "metric_ci": {k: list(v) for k, v in card.metric_ci.items()},
        "leaderboard": frame_out(pd.DataFrame(card.leaderboard), 100)["rows"],
        "importance": importance,
        "features": card.features,
        "dropped": card.dropped,
        "limits": card.limits,
        "plots": plots,
    }


@router.get("/{name}/versions/{version}/report", response_class=HTMLResponse)
def models_report(
    name: str, version: int, kamp: Kamp, me: Me, lang: Literal["ko", "en"] = "ko"
) -> HTMLResponse:
    """The analysis report: one self-contained HTML page."""
    return HTMLResponse(kamp.ml.report(me, name, version, lang=lang))


@router.post("/{name}/versions/{version}/stage", response_model=ModelInfo, responses=responses(409))
def models_set_stage(
    name: str, version: int, body: StageRequest, kamp: Kamp, me: Me
) -> dict[str, Any]:
    """Deploy (``production``), withdraw (``archived``) or reset (``candidate``) a version."""
    return version_out(kamp.models.set_stage(me, name, version, body.stage))


@router.get("/{name}/versions/{version}/tradeoff", response_model=Tradeoff)
def models_tradeoff(name: str, version: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Missed defects against false alarms (per day of production, or per 1,000 parts) for a
    ladder of decision thresholds of a binary defect model, from its cross-fitted evaluation."""
    from openkamp.core.errors import InvalidInput
    from openkamp.ml.tradeoff import tradeoff

    mv, card = kamp.ml.card(me, name, version)
    out = tradeoff(kamp.models.load(me, name, version), mv.provenance, card)
    if out is None:
        raise InvalidInput(
            f"Model {name!r} has no decision threshold to choose.",
            code="web_data.no_threshold",
        )
    return out


@router.post("/{name}/versions/{version}/threshold", response_model=ModelInfo)
def models_set_threshold(
    name: str, version: int, body: ThresholdRequest, kamp: Kamp, me: Me
) -> dict[str, Any]:
    """Store the decision threshold chosen on the trade-off; every scoring path uses it."""
    return version_out(kamp.models.set_threshold(me, name, version, body.threshold))


@router.post(
    "/{name}/versions/{version}/recipe", status_code=202, response_model=JobStarted | Recipe,
    response_model_exclude_unset=True,
)  # fmt: skip
def models_recipe(
    name: str, version: int, body: RecipeRequest, kamp: Kamp, me: Me, wait: bool = False
) -> dict[str, Any]:
    """ "Recommend settings" of an optimise model as a job: its advice over a stored period,
    summarised as one window per setting with the predicted effect and its spread
    (:mod:`openkamp.ml.recipe`). Poll ``/jobs/{id}``; the result holds ``recipe``."""
    from openkamp.core.errors import InvalidInput
    from openkamp.ml.score_jobs import recipe_job, recipe_of

    mv = kamp.models.get(me, name, version)
    if mv.task != "optimise":
        raise InvalidInput(
            "Only an optimise model recommends settings.", code="web_data.recipe_not_optimise"
        )
    if body.start is None and body.end is None:
        raise InvalidInput(
            "Choose the period to recommend settings for.", code="web_data.score_period_required"
        )
    params = {**body.model_dump(mode="json"), "model": name, "version": version}
    if wait:
        return recipe_of(kamp, me, params)
    job = kamp.jobs.submit(me, "recipe", f"recipe: {name} v{version}", recipe_job, params=params)
    return {"job": job_out(job, log=True)}


#: Rows a scoring job keeps in its result (all rows download as CSV).
JOB_PREVIEW_ROWS = 1000
_ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"model": JobStarted, "description": "The scoring runs as a job (?wait=false)"}
}


def _accepted(job: dict[str, Any]) -> JSONResponse:
    """A job started, answered 202 (the route's own answer model is the scores')."""
    body = JobStarted.model_validate({"job": job_out(job, log=True)}).model_dump(mode="json")
    return JSONResponse(body, status_code=202)


@router.post("/{name}/score", response_model=PeriodScores, responses=_ACCEPTED)
def models_score(
    name: str,
    body: ScoreRequest,
    kamp: Kamp,
    me: Me,
    wait: Annotated[
        bool, Query(description="false: score as a job (202), for long periods")
    ] = True,
) -> Any:
    """Score stored data of a period with the production version (or ``version``): the first
    ``limit`` rows and a summary of all of them. The period is read and scored piece by
    piece, so memory stays bounded whatever its length; ``wait=false`` runs it as a job (poll
    ``/jobs/{id}``) whose result keeps the first rows and downloads all of them as CSV."""
    from openkamp.ml.results import ScoreResults

    args: dict[str, Any] = {"version": body.version, "equipment": body.equipment,
                            "start": body.start, "end": body.end}  # fmt: skip
    if wait:
        out = kamp.ml.score_period(me, name, limit=body.limit, **args)
        return {**frame_out(out.head, body.limit, total=out.summary.rows),
                "summary": out.summary.to_dict(), "download": None}  # fmt: skip
    from openkamp.ml.score_jobs import score_period_job

    mv = kamp.models.get(me, name, body.version)  # a missing model is a 404 now, not a failed job
    token = ScoreResults.of(kamp).create(me)
    source = " ~ ".join("" if t is None else t.isoformat() for t in (body.start, body.end))
    params = {**body.model_dump(mode="json"), "model": mv.name, "version": mv.version,
              "source": source, "token": token,
              "preview": min(body.limit, JOB_PREVIEW_ROWS)}  # fmt: skip
    job = kamp.jobs.submit(me, "score", f"score: {mv.name} v{mv.version} ← {source}",
                           score_period_job, role=Role.VIEWER, params=params)  # fmt: skip
    return _accepted(job)


@router.get("/{name}/scored/{token}", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "Every scored row"}})  # fmt: skip
def models_scored(name: str, token: str, kamp: Kamp, me: Me) -> StreamingResponse:
    """Every row of a scored file or period (kept for a day) as CSV, in file or time order:
    UTF-8 with BOM, text cells that a spreadsheet would run as formulas neutralised."""
    from openkamp.core.cells import neutralise_frame
    from openkamp.core.errors import NotFound
    from openkamp.ml.results import ScoreResults

    store = ScoreResults.of(kamp)
    if store.meta(me, token).get("model") != name:
        raise NotFound("The scored result is gone.", code="web_data.score_gone")

    def chunks() -> Iterator[bytes]:
        first = True
        for batch in store.batches(me, token):
            batch = batch.rename(columns={"_row": "row"})
            text = neutralise_frame(batch).to_csv(index=False, header=first)
            yield (("\ufeff" if first else "") + text).encode("utf-8")
            first = False
        if first:
            yield "\ufeff".encode()

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{token}.csv"'},
    )


@router.post("/{name}/score-records", response_model=Rows)
def models_score_records(name: str, body: RecordsRequest, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Score records given in the request (one output row per record)."""
    df = kamp.ml.score_records(me, name, body.records, version=body.version)
    return frame_out(df, len(body.records))


@router.post("/{name}/score-file", response_model=FileScores, responses=_ACCEPTED)
def models_score_file(
    name: str,
    kamp: Kamp,
    me: Me,
    file: UploadFile,
    request: Request,
    version: Annotated[int | None, Form()] = None,
    limit: Annotated[int, Form(ge=1, le=200_000)] = 10_000,
    wait: Annotated[bool, Form(description="false: score as a job (202)")] = True,
) -> Any:
    """Score a CSV / Excel file as import reads it (title blocks, header rows, units and spacing
    in headers); every column of the file comes back with the model's outputs, one row per
    record, in file order. Only inputs that no column feeds are reported missing. ``kind``:
    what an import of the file would make of it (timeseries or records), as its preview says.
    The file is read and scored chunk by chunk (bounded memory); all rows are kept for a day
    and download as CSV (``download``). ``wait=false`` scores it as a job (poll
    ``/jobs/{id}``; its result keeps the first rows)."""
    import shutil

    from openkamp.api.errors import request_lang
    from openkamp.core.uploads import copy_limited, safe_name
    from openkamp.ml.file_scoring import FileScoring
    from openkamp.ml.results import ScoreResults
    from openkamp.ml.score_jobs import score_file, score_file_job

    name_of_file = safe_name(file.filename, "upload.csv")  # refused before anything is written
    store = ScoreResults.of(kamp)
    token = store.create(me)
    folder = store.folder(me, token)
    upload = folder / "upload"
    upload.mkdir()
    path = upload / name_of_file
    try:
        copy_limited(file.file, path, kamp.settings.upload_max_bytes)
        scoring = FileScoring(kamp, me, name, version, path, request_lang(request))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    mv = scoring.mv
    if wait:
        return score_file(kamp, me, token, lambda: scoring, limit)
    job = kamp.jobs.submit(
        me, "score", f"score: {mv.name} v{mv.version} ← {name_of_file}", score_file_job,
        role=Role.VIEWER,
        params={"model": mv.name, "version": mv.version, "source": name_of_file, "limit": limit,
                "token": token, "file": name_of_file, "lang": request_lang(request),
                "preview": min(limit, JOB_PREVIEW_ROWS)},
    )  # fmt: skip
    return _accepted(job)


@router.get("/{name}/versions/{version}/explain", response_model=Contributions)
def models_explain(
    name: str,
    version: int,
    kamp: Kamp,
    me: Me,
    record: Annotated[str, Query(description="One record as JSON: input name → value")],
) -> dict[str, Any]:
    """Why the model predicts what it does for one record: each input's contribution."""
    from openkamp.core.errors import InvalidInput
    from openkamp.core.uploads import load_json

    values = load_json(record, "record")
    if not isinstance(values, dict):
        raise InvalidInput(
            "record must be a JSON object.", code="input.not_object", params={"what": "record"}
        )
    model = kamp.models.load(me, name, version)
    if not hasattr(model, "explain"):
        raise InvalidInput(f"Model {name!r} cannot explain single records.")
    X = pd.DataFrame([values]).apply(pd.to_numeric, errors="coerce")
    try:
        contrib = model.explain(X)
    except (ValueError, KeyError) as exc:
        raise InvalidInput(f"Cannot explain this record: {exc}") from exc
    row = contrib.iloc[0]
    return {"contributions": {str(k): float(v) for k, v in row.items() if pd.notna(v)}}
