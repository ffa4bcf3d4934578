"""Model wizard for a non-expert: the problem in plain words, the data, training as a job with a
live progress bar, results in words, the analysis report, deployment and scoring new data.

Training goes through the API's own route function (``models_train``: the same job, the same
checks); the job page follows ``/api/v1/jobs/{id}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkamp.api.routers.models import TrainRequest, models_train
from openkamp.charts import bar
from openkamp.core.errors import InvalidInput, NotFound
from openkamp.i18n import t
from openkamp.jobs.texts import localized
from openkamp.ml.tradeoff import tradeoff
from openkamp.web.assets_page import machine_or_404
from openkamp.web.overview import TreeNode, asset_tree, display, equipment_of
from openkamp.web.page import Page, Posting, lang_of, platform_of, render
from openkamp.web.scoring import display_inputs

router = APIRouter()

#: The problems, in the order a factory meets them: task, and which columns the form asks for.
PROBLEMS = ("classify", "anomaly", "rul", "regress", "forecast", "optimise")


def _day(value: str | None, tz: Any) -> datetime | None:
    if not value:
        return None
    try:
        d = date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD).") from exc
    return datetime(d.year, d.month, d.day, tzinfo=tz)


def _extent(request: Request, who: Any, machine: TreeNode | None) -> tuple[str, str]:
    """First and last day with data of an equipment, as ``YYYY-MM-DD`` in local time."""
    if machine is None or not machine.signals:
        return "", ""
    kamp = platform_of(request)
    rows = kamp.query.extent(who.principal, [s["id"] for s in machine.signals]).to_pylist()
    firsts = [r["first_ts"] for r in rows if r.get("first_ts") is not None]
    lasts = [r["last_ts"] for r in rows if r.get("last_ts") is not None]
    if not firsts:
        return "", ""
    tz = kamp.settings.tz
    return (
        min(firsts).astimezone(tz).date().isoformat(),
        max(lasts).astimezone(tz).date().isoformat(),
    )


def _columns(
    request: Request, who: Any, machine: TreeNode | None
) -> dict[str, list[dict[str, str]]]:
    """The chosen equipment's signals and label columns: each its machine name (what the form
    posts) and its display name in the page's language (what the person reads)."""
    if machine is None:
        return {"signals": [], "labels": []}
    kamp = platform_of(request)
    lang = lang_of(request)
    labels = [
        {"name": c.name, "label": display(c, lang)}
        for c in kamp.assets.list_label_columns(who.principal, machine.id)
    ]
    signals = [{"name": s["name"], "label": s.get("label") or s["name"]} for s in machine.signals]
    return {"signals": signals, "labels": labels}


@router.get("/models", response_class=HTMLResponse)
def models_page(request: Request, who: Page) -> HTMLResponse:
    versions = platform_of(request).models.list(who.principal)
    return render(request, "models.html", who, versions=list(reversed(versions)))


@router.get("/models/new", response_class=HTMLResponse)
def wizard(
    request: Request,
    who: Page,
    problem: str = "",
    equipment: int | None = None,
    dataset: str = "",
) -> HTMLResponse:
    kamp = platform_of(request)
    machines = equipment_of(asset_tree(request, who, latest=False))
    machine = machine_or_404(machines, equipment)
    datasets = kamp.datasets.list(who.principal) if dataset_training() else []
    chosen = None
    if dataset:
        chosen = next((d for d in datasets if d.name == dataset), None)
        if chosen is None:
            raise NotFound(
                f"No dataset {dataset!r}.", code="web_data.no_dataset", params={"name": dataset}
            )
        machine = None
    elif problem in PROBLEMS and machine is None and machines:
        machine = machines[0]
    start, end = _extent(request, who, machine)
    source = chosen.name if chosen is not None else (machine.name if machine is not None else "")
    suggested = f"{source}_{problem}" if source and problem else ""
    return render(
        request,
        "model_new.html",
        who,
        problems=PROBLEMS,
        problem=problem if problem in PROBLEMS else "",
        machines=machines,
        machine=machine,
        columns=_columns(request, who, machine)
        if chosen is None
        else _dataset_columns(chosen, lang_of(request)),
        start=start,
        end=end,
        suggested=suggested,
        datasets=datasets,
        dataset=chosen,
    )


def dataset_training() -> bool:
    """Whether models can be trained on a dataset (``TrainSpec.dataset``) in this version."""
    from openkamp.ml.service import TrainSpec

    return "dataset" in TrainSpec.__dataclass_fields__


def _dataset_columns(version: Any, lang: str) -> dict[str, list[dict[str, str]]]:
    """A dataset's columns as the wizard offers them: labels (targets, groups) and inputs, each
    its stored name (what the form posts) and its display name in ``lang``."""
    labels = list(version.label_columns)
    groups = [c for c in (version.group_column, *version.id_columns) if c]

    def shown(name: str) -> dict[str, str]:
        try:
            return {"name": name, "label": version.column(name).label(lang)}
        except InvalidInput:  # a column the version does not describe
            return {"name": name, "label": name}

    return {
        "signals": [shown(c) for c in version.input_columns],
        "labels": [shown(c) for c in labels + [g for g in groups if g not in labels]],
    }


@router.post("/models/train")
def train(
    request: Request,
    who: Posting,
    task: Annotated[str, Form()],
    name: Annotated[str, Form()],
    equipment: Annotated[str, Form()] = "",
    dataset: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    groups: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
    usage: Annotated[str, Form()] = "",
    normal: Annotated[str, Form()] = "",
    freq: Annotated[str, Form()] = "",
    agg: Annotated[str, Form()] = "",
    horizon: Annotated[int, Form()] = 24,
    controls: Annotated[list[str] | None, Form()] = None,
    goal: Annotated[str, Form()] = "min",
    time_budget_s: Annotated[float, Form()] = 60.0,
    independent: Annotated[str, Form()] = "",
) -> Response:
    kamp = platform_of(request)
    tz = kamp.settings.tz
    last = _day(end, tz)
    try:
        body = TrainRequest(
            task=task,  # type: ignore[arg-type,unused-ignore]
            name=name.strip(),
            equipment=equipment or None,
            dataset=dataset or None,
            target=target or None,
            start=_day(start, tz),
            end=None if last is None else last + timedelta(days=1),  # the last day included
            groups=groups or None,
            unit=unit or None,
            usage=usage or None,
            normal=[v.strip() for v in normal.split(",") if v.strip()] or None,
            freq=freq or None,
            agg=agg or None,
            horizon=horizon,
            controls=controls or None,
            goal=goal,  # type: ignore[arg-type,unused-ignore]
            time_budget_s=time_budget_s,
            independent=bool(independent),
        )
    except ValueError as exc:  # pydantic's ValidationError
        raise InvalidInput(f"The form is incomplete: {exc}") from exc
    out = models_train(body, kamp, who.principal)
    if "job" in out:
        return RedirectResponse(f"/jobs/{out['job']['id']}", status_code=303)
    model = out["model"]
    return RedirectResponse(_model_url(model["name"], model["version"]), status_code=303)


def _model_url(name: str, version: int) -> str:
    return f"/models/{quote(name, safe='')}/{version}"


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, who: Page, job_id: int) -> HTMLResponse:
    job = localized(platform_of(request).jobs.get(who.principal, job_id), lang_of(request))
    return render(request, "job.html", who, job=job)


@router.post("/jobs/{job_id}/cancel")
def cancel_job(request: Request, who: Posting, job_id: int) -> Response:
    """Cancel a queued job at once, or ask a running one to stop; back to its page."""
    platform_of(request).jobs.cancel(who.principal, job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


# --------------------------------------------------------------------------- results


def _pct(v: float) -> str:
    return f"{100 * v:.0f}"


def in_words(task: str, metrics: dict[str, float], ci: dict[str, Any], lang: str) -> list[str]:
    """The headline figures as sentences a production manager reads (with 95 % intervals)."""

    def interval(key: str, pct: bool = True) -> str:
        lo_hi = ci.get(key)
        if not lo_hi or any(not math.isfinite(float(x)) for x in lo_hi):
            return ""
        lo, hi = (float(x) for x in lo_hi)
        text = f"{_pct(lo)}–{_pct(hi)}" if pct else f"{lo:.3g}–{hi:.3g}"
        return t("web.result.interval", lang, range=text)

    out: list[str] = []
    m = metrics
    if task == "classify":
        if "recall" in m:
            out.append(t("web.words.recall", lang, n=_pct(m["recall"])) + interval("recall"))
        if "precision" in m:
            out.append(
                t("web.words.precision", lang, n=_pct(m["precision"])) + interval("precision")
            )
        if "roc_auc" in m:
            out.append(t("web.words.roc_auc", lang, n=_pct(m["roc_auc"])) + interval("roc_auc"))
    elif task == "anomaly":
        if "recall" in m:
            out.append(
                t("web.words.anomaly_recall", lang, n=_pct(m["recall"])) + interval("recall")
            )
        if "far" in m:
            out.append(t("web.words.far", lang, n=f"{100 * m['far']:.1f}") + interval("far"))
    elif task in ("regress", "rul"):
        if "mae" in m:
            out.append(t("web.words.mae", lang, n=f"{m['mae']:.3g}") + interval("mae", pct=False))
        if "rmse" in m and "mae" not in m:
            out.append(t("web.words.mae", lang, n=f"{m['rmse']:.3g}") + interval("rmse", False))
        if "r2" in m:
            out.append(t("web.words.r2", lang, n=_pct(max(0.0, m["r2"]))))
    elif task == "forecast":
        if "mase" in m:
            key = "web.words.mase_better" if m["mase"] < 1 else "web.words.mase_worse"
            out.append(t(key, lang, n=_pct(abs(1 - m["mase"]))))
    elif task == "optimise" and "predicted_improvement" in m:
        out.append(t("web.words.improvement", lang, n=f"{m['predicted_improvement']:.3g}"))
    if not out:
        out.append(t("web.words.none", lang))
    return out


@router.get("/models/{name}/{version}", response_class=HTMLResponse)
def result_page(request: Request, who: Page, name: str, version: int) -> HTMLResponse:
    from openkamp.ml.report import render_plot

    kamp = platform_of(request)
    lang = lang_of(request)
    mv, card = kamp.ml.card(who.principal, name, version)
    metrics = card.headline()
    shown = display_inputs(kamp, who.principal, mv, lang)
    namer = feature_namer(mv.task, card, shown, lang)
    plots = []
    for i, plot in enumerate(card.plots):
        try:
            plots.append(render_plot(for_people(plot, shown, lang, namer), lang=lang, uid=f"p{i}"))
        except (ValueError, KeyError):  # a plot the data cannot draw is left out, not fatal
            continue
    importance = ""
    has_own = any(p.title == "ml.plot.importance" for p in card.plots)
    if not has_own and card.importance is not None and len(card.importance):
        top = card.importance.head(15)
        importance = bar(
            [namer(str(k)) for k in top.index],
            top.to_numpy(),
            title=t("ml.plot.importance", lang),
            uid="importance",
        )
    inputs = list(shown.values())
    words = in_words(mv.task, metrics, card.metric_ci, lang)
    daily = alarms_per_day(mv, metrics)
    if daily is not None:
        words.append(t("web_data.words.alarms_per_day", lang, n=f"{daily:.1f}"))
    trade = tradeoff(kamp.models.load(who.principal, name, version), mv.provenance, card)
    return render(
        request,
        "model_result.html",
        who,
        mv=mv,
        card=card,
        metrics=metrics,
        ci=card.metric_ci,
        words=words,
        plots=plots,
        importance=importance,
        inputs=inputs,
        url=_model_url(mv.name, mv.version),
        qname=quote(mv.name, safe=""),
        **how_tested(card, lang),
        trade=trade,
        chosen=mv.params.get("decision_threshold"),
    )


@router.post("/models/{name}/{version}/threshold")
def set_threshold(
    request: Request,
    who: Posting,
    name: str,
    version: int,
    threshold: Annotated[float, Form()],
) -> Response:
    """Store the threshold chosen on the trade-off view; back to the result page."""
    platform_of(request).models.set_threshold(who.principal, name, version, threshold)
    return RedirectResponse(_model_url(name, version) + "#threshold", status_code=303)


def how_tested(card: Any, lang: str) -> dict[str, Any]:
    """The evaluation protocol and the verdict against the trivial baseline, in plain words
    (``ml.protocol.*`` and ``ml.verdict.*`` of the model card; empty where a card has none)."""
    from openkamp.i18n import MESSAGES
    from openkamp.ml.report import protocol_keys

    # The same words as the report: every template's protocol (folds, anomaly splits, unit
    # cuts, backtests), a combined one as its parts in order.
    keys = protocol_keys(card) if card is not None else None
    verdict = getattr(card, "verdict", None) or ""
    return {
        "protocol_text": " ".join(t(k, lang) for k in keys) if keys else "",
        "verdict": verdict,
        "verdict_text": t(f"ml.verdict.{verdict}", lang)
        if f"ml.verdict.{verdict}" in MESSAGES
        else "",
    }


def alarms_per_day(mv: Any, metrics: dict[str, float]) -> float | None:
    """False alarms of an anomaly model per day on one machine in normal operation: its
    false-alarm rate times the readings per day of the training period."""
    far = metrics.get("far")
    data = (mv.provenance.get("training") or {}).get("data") or {}
    if mv.task != "anomaly" or far is None or not math.isfinite(far):
        return None
    try:
        first, last = datetime.fromisoformat(data["first"]), datetime.fromisoformat(data["last"])
        span = (last - first).total_seconds()
    except (KeyError, TypeError, ValueError):
        return None
    if span < 6 * 3600 or not data.get("rows"):
        return None
    return float(far) * int(data["rows"]) / (span / 86400)


def feature_namer(task: str, card: Any, shown: dict[str, str], lang: str) -> Callable[[str], str]:
    """How the page names a model's features: as the report does (:func:`~openkamp.ml.report.
    feature_label`: display names, and what a template built, e.g. 공구 사용 기간 for ``age``),
    else an input's display name at the start of a derived name (:func:`people_name`)."""
    from openkamp.ml.report import feature_label

    method = getattr(card, "method", None) or {}

    def name(feature: str) -> str:
        said = feature_label(feature, task, lang, shown, method)
        return said if said != feature else people_name(feature, shown)

    return name


def for_people(
    plot: Any, shown: dict[str, str], lang: str, namer: Callable[[str], str] | None = None
) -> Any:
    """A card's plot with axis names in the page's language (:func:`~openkamp.ml.report.
    axis_label`) and inputs by display name (``namer``: a model's own feature names)."""
    from dataclasses import replace

    from openkamp.ml.report import axis_label

    people = namer or (lambda v: people_name(v, shown))

    def name(c: str) -> str:
        return axis_label(c, lang) or people(c)

    data = plot.data.copy() if isinstance(plot.data, pd.DataFrame) else pd.DataFrame(plot.data)
    for col in data.columns:
        if data[col].dtype == object or pd.api.types.is_string_dtype(data[col].dtype):
            data[col] = data[col].map(lambda v: people(str(v)) if isinstance(v, str) else v)
    if plot.kind == "matrix":
        data.index = [people(str(v)) for v in data.index]
        data.columns = [people(str(v)) for v in data.columns]
        return replace(plot, data=data)
    data = data.rename(columns=lambda c: name(str(c)))
    return replace(
        plot,
        data=data,
        x=None if plot.x is None else name(plot.x),
        y=[name(y) for y in plot.y],
    )


def people_name(feature: str, shown: dict[str, str]) -> str:
    """A feature by the name people know: an input's display name (``hold_pressure`` → 보압),
    also at the start of a derived feature (``hold_pressure__mean`` → ``보압__mean``)."""
    if feature in shown:
        return shown[feature]
    for name in sorted(shown, key=len, reverse=True):
        if feature.startswith(name) and feature[len(name) : len(name) + 1] in ("_", " ", "("):
            return shown[name] + feature[len(name) :]
    return feature


@router.post("/models/{name}/{version}/stage")
def set_stage(
    request: Request,
    who: Posting,
    name: str,
    version: int,
    stage: Annotated[str, Form()] = "production",
) -> Response:
    platform_of(request).models.set_stage(who.principal, name, version, stage)
    return RedirectResponse(_model_url(name, version), status_code=303)


def _explain_one(
    model: Any,
    record: dict[str, Any],
    inputs: list[str],
    lang: str,
    shown: dict[str, str] | None = None,
) -> str:
    """A bar chart of each input's contribution to one record's prediction (inputs by their
    display names in ``shown``), or ''."""
    if not hasattr(model, "explain"):
        return ""
    X = pd.DataFrame([{k: record.get(k) for k in inputs}]).apply(pd.to_numeric, errors="coerce")
    try:
        contrib = model.explain(X).iloc[0].dropna()
    except (ValueError, KeyError, TypeError):
        return ""
    contrib = contrib.reindex(contrib.abs().sort_values(ascending=False).index).head(12)
    names = dict(shown or {})
    names["(bias)"] = t("web_data.explain.bias", lang)
    return bar(
        [people_name(str(k), names) for k in contrib.index],
        contrib.to_numpy(),
        title=t("web.score.explain_title", lang),
        uid="explain",
    )
