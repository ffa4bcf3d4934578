"""``openkamp models``: train, list, inspect, promote, score and report on standard models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from openkamp.cli.common import console, lang, parse_time, platform
from openkamp.core.errors import InvalidInput, OpenKampError
from openkamp.i18n import t

models_app = typer.Typer(
    help="AI standard models: train, score, report / AI 표준 모델: 학습, 예측, 보고서",
    no_args_is_help=True,
)

Start = Annotated[str | None, typer.Option(help="From (ISO time, inclusive)")]
End = Annotated[str | None, typer.Option(help="Until (ISO time, exclusive)")]
Version = Annotated[int | None, typer.Option("--version", "-v", help="Version (default: production, else latest)")]  # fmt: skip


def _split(text: str | None) -> list[str] | None:
    return None if not text else [p.strip() for p in text.split(",") if p.strip()]


def _bounds(items: list[str] | None) -> dict[str, tuple[float, float]] | None:
    if not items:
        return None
    out = {}
    for item in items:
        name, _, rng = item.partition("=")
        lo, _, hi = rng.partition(":")
        try:
            out[name.strip()] = (float(lo), float(hi))
        except ValueError as exc:
            raise InvalidInput(
                f"--bound {item!r} is not 'column=low:high'.", hint="e.g. --bound mould_temp=40:60"
            ) from exc
    return out


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4g}"
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, default=str)[:80]
    return str(v)


def _print_metrics(card: Any, language: str) -> None:
    tbl = Table(t("ml.report.metric", language), t("ml.report.value", language), "95 %")
    for name, value in card.headline().items():
        ci = card.metric_ci.get(name)
        tbl.add_row(
            t(f"ml.metric.{name}", language), _fmt(value), "" if ci is None else f"{ci[0]:.4g} – {ci[1]:.4g}"
        )  # fmt: skip
    console.print(tbl)


def _print_leaderboard(board: list[dict[str, Any]], limit: int = 10) -> None:
    if not board:
        return
    keys = list(dict.fromkeys(k for row in board[:limit] for k in row))
    tbl = Table(*keys)
    for row in board[:limit]:
        tbl.add_row(*(_fmt(row.get(k, "")) for k in keys))
    console.print(tbl)


@models_app.command("train")
def train(
    task: Annotated[
        str, typer.Argument(help="anomaly, classify, regress, rul, forecast, optimise")
    ],
    name: Annotated[str, typer.Argument(help="Model name, e.g. inj01_defect")],
    equipment: Annotated[
        str, typer.Option("--equipment", "-e", help="site/line/equipment (or --dataset)")
    ] = "",
    dataset: Annotated[
        str | None, typer.Option(help="classify/regress: a dataset to learn from, name or name@3")
    ] = None,
    independent: Annotated[
        bool,
        typer.Option(help="Rows are independent parts (their order means nothing): shuffled folds"),
    ] = False,
    target: Annotated[str | None, typer.Option(help="Column to predict (label or signal)")] = None,
    start: Start = None,
    end: End = None,
    features: Annotated[
        str | None, typer.Option(help="Signals to use, comma-separated (default: all)")
    ] = None,
    groups: Annotated[
        str | None, typer.Option(help="Label column of lots / batches / runs (grouped folds)")
    ] = None,
    unit: Annotated[
        str | None, typer.Option(help="rul: label column naming each unit (tool id)")
    ] = None,
    usage: Annotated[
        str | None, typer.Option(help="rul: signal > 0 while the unit is in use")
    ] = None,
    normal: Annotated[
        str | None, typer.Option(help="anomaly: target values meaning normal, comma-separated")
    ] = None,
    horizon: Annotated[int, typer.Option(help="forecast: steps ahead")] = 24,
    freq: Annotated[
        str | None, typer.Option(help="forecast: step, e.g. 1h (default: inferred)")
    ] = None,
    agg: Annotated[
        str | None,
        typer.Option(help="forecast: mean, sum, count (readings per step), last, max, min"),
    ] = None,
    controls: Annotated[
        str | None, typer.Option(help="optimise: signals an operator sets, comma-separated")
    ] = None,
    bound: Annotated[
        list[str] | None, typer.Option(help="optimise: allowed range, column=low:high (repeat)")
    ] = None,
    goal: Annotated[str, typer.Option(help="optimise/regress target: min or max")] = "min",
    budget: Annotated[float, typer.Option(help="Seconds the search may use")] = 60.0,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same model)")] = 0,
    description: Annotated[str, typer.Option(help="What the model is for")] = "",
    report: Annotated[
        Path | None, typer.Option(help="Also write the analysis report (HTML) here")
    ] = None,
) -> None:
    """Train a standard model on stored data and register it as a candidate."""
    from openkamp.ml.service import TrainSpec

    language = lang()
    with platform() as kamp:
        tz = kamp.settings.tz
        spec = TrainSpec(
            task=task, name=name, equipment=equipment, target=target,
            start=parse_time(start, tz), end=parse_time(end, tz), features=_split(features),
            groups=groups, unit=unit, usage=usage, normal=_split(normal), horizon=horizon,
            freq=freq, agg=agg, controls=_split(controls), bounds=_bounds(bound), goal=goal,
            time_budget_s=budget, random_state=seed, description=description,
            dataset=dataset, independent=independent,
        )  # fmt: skip
        with console.status(t("ml.cli.training", language)):
            result = kamp.ml.train(kamp.principal(), spec)
        mv, card = result.version, result.card
        console.print(
            f"[bold green]✓[/] {t(f'ml.task.{mv.task}', language)} — "
            f"{mv.name} v{mv.version} ({mv.stage}), {result.seconds:.1f} s"
        )
        console.print(f"{t('ml.cli.protocol', language)}: {card.protocol}")
        _print_metrics(card, language)
        _print_leaderboard(card.leaderboard)
        if report is not None:
            html = kamp.ml.report(kamp.principal(), name, mv.version, lang=language)
            report.write_text(html, encoding="utf-8")
            console.print(f"{t('ml.cli.report_written', language)}: {report}")


@models_app.command("list")
def list_models(name: Annotated[str | None, typer.Argument()] = None) -> None:
    """List registered models and their versions."""
    language = lang()
    with platform() as kamp:
        versions = kamp.models.list(kamp.principal(), name)
    tbl = Table("name", "v", "task", "stage", "metrics", "created")
    for mv in versions:
        top = ", ".join(f"{k} {_fmt(v)}" for k, v in list(mv.metrics.items())[:3])
        tbl.add_row(
            mv.name, str(mv.version), t(f"ml.task.{mv.task}", language), mv.stage, top,
            "" if mv.created_at is None else mv.created_at.strftime("%Y-%m-%d %H:%M"),
        )  # fmt: skip
    console.print(tbl)


@models_app.command("show")
def show(name: str, version: Version = None) -> None:
    """Show a model version: metrics, protocol, leaderboard, provenance."""
    language = lang()
    with platform() as kamp:
        mv, card = kamp.ml.card(kamp.principal(), name, version)
    console.print(
        f"[bold]{mv.name} v{mv.version}[/] — {t(f'ml.task.{mv.task}', language)}, {mv.stage}"
    )
    console.print(f"{t('ml.cli.protocol', language)}: {card.protocol}")
    _print_metrics(card, language)
    _print_leaderboard(card.leaderboard)
    if card.importance is not None:
        console.print(", ".join(f"{k} {v:.3g}" for k, v in card.importance.head(8).items()))
    prov = mv.provenance
    console.print(
        f"dataset: {prov.get('dataset_id')}  schema: {prov.get('schema_hash')}  code: {prov.get('code_version')}"
    )


@models_app.command("stage")
def stage(
    name: str,
    version: int,
    to: Annotated[str, typer.Argument(help="candidate, production or archived")],
) -> None:
    """Move a version to a stage (production archives the previous production version)."""
    with platform() as kamp:
        mv = kamp.models.set_stage(kamp.principal(), name, version, to)
    console.print(f"✓ {mv.name} v{mv.version}: {mv.stage}")


@models_app.command("delete")
def delete(name: str, version: int) -> None:
    """Delete a version that is not in production."""
    with platform() as kamp:
        kamp.models.delete(kamp.principal(), name, version)
    console.print(f"✓ {name} v{version} deleted")


@models_app.command("score")
def score(
    name: str,
    start: Start = None,
    end: End = None,
    version: Version = None,
    equipment: Annotated[str | None, typer.Option(help="Other equipment of the same kind")] = None,
    records: Annotated[
        Path | None, typer.Option(help="CSV of records to score instead of stored data")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write all results to this CSV")
    ] = None,
) -> None:
    """Score stored data of a period (or records from a CSV) with a registered model."""
    with platform() as kamp:
        me = kamp.principal()
        if records is not None:
            if not records.exists():
                raise OpenKampError(f"No file {str(records)!r}.")
            rows = pd.read_csv(records, encoding="utf-8-sig").to_dict("records")
            result = kamp.ml.score_records(me, name, rows, version=version)
        else:
            tz = kamp.settings.tz
            result = kamp.ml.score(
                me, name, version=version, equipment=equipment,
                start=parse_time(start, tz), end=parse_time(end, tz),
            )  # fmt: skip
    if out is not None:
        from openkamp.core.cells import neutralise_frame

        neutralise_frame(result).to_csv(out, encoding="utf-8-sig")
        console.print(f"✓ {len(result):,} → {out}")
    tbl = Table(str(result.index.name or ""), *map(str, result.columns))
    for idx, row in result.tail(20).iterrows():
        tbl.add_row(str(idx), *(_fmt(v) for v in row.to_list()))
    console.print(tbl)


@models_app.command("report")
def report_cmd(
    name: str,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write")],
    version: Version = None,
) -> None:
    """Write the analysis report of a model version (HTML, in the chosen language)."""
    language = lang()
    with platform() as kamp:
        html = kamp.ml.report(kamp.principal(), name, version, lang=language)
    out.write_text(html, encoding="utf-8")
    console.print(f"{t('ml.cli.report_written', language)}: {out}")
