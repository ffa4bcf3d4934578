"""``openkamp migrate --to postgresql://…``: the installation copied to PostgreSQL and verified
(:mod:`openkamp.storage.migrate_install`); prints the checks and the settings to use from then
on. Exit status 3 when any count or checksum differs."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeElapsedColumn
from rich.table import Table

from openkamp.cli.common import console, lang, settings
from openkamp.core.errors import OpenKampError
from openkamp.i18n import t

#: Exit status when the copy differs from the source.
MISMATCH = 3


def migrate(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="Empty PostgreSQL database, e.g. postgresql://kamp@db-host/kamp "
            "(?partition=day: time partitions of a day) / 대상 PostgreSQL",
        ),
    ],
    timeseries_to: Annotated[
        str | None,
        typer.Option(
            "--timeseries-to", help="Another database for the time series (default: --to)"
        ),
    ] = None,
    batch_points: Annotated[
        int, typer.Option("--batch-points", help="Points per write (memory bound)", min=1000)
    ] = 100_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Copy this installation (SQLite metadata, DuckDB time series) into PostgreSQL and verify
    every table and signal; then print the settings that point the installation at it.
    The server must be stopped. / 이 설치를 PostgreSQL로 옮기고 검증합니다."""
    from openkamp.cli import remote
    from openkamp.storage.migrate_install import migrate_installation

    s = settings()
    language = lang()
    running = remote.find_server(s.data_dir)
    if running is not None:
        raise OpenKampError(
            f"A server is running on this data folder ({running[0]}); it cannot be moved while "
            "it runs.",
            hint="Stop the server (Ctrl+C, or systemctl stop openkamp), then run this again.",
            code="migrate.server_running",
            params={"url": running[0]},
        )
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                label = f"{t('migrate.copying', language)}: {t(f'migrate.stage.{stage}', language)}"
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        report = migrate_installation(
            s, to, timeseries_to=timeseries_to, batch_points=batch_points, progress=progress
        )
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        _print(report, language)
    if not report.ok:
        if not as_json:
            from openkamp.cli.common import err_console

            err_console.print(
                f"[bold red]{t('error', language)}:[/] "
                + t("err.migrate.mismatch", language, n=len(report.mismatches)),
                highlight=False,
            )
        raise typer.Exit(MISMATCH)


def _print(report: object, language: str) -> None:
    from openkamp.storage.migrate_install import MigrationReport

    assert isinstance(report, MigrationReport)
    mark = {True: "[green]✓[/]", False: "[bold red]✗[/]"}
    tbl = Table(title=t("migrate.checks", language))
    for key in ("what", "source", "target", "checksum"):
        tbl.add_column(
            t(f"migrate.col.{key}", language), justify="left" if key == "what" else "right"
        )
    tbl.add_column("")
    points = Table(title=t("migrate.points_title", language))
    for key in ("what", "source", "target", "value_sum", "time_sum", "checksum"):
        points.add_column(
            t(f"migrate.col.{key}", language), justify="left" if key == "what" else "right"
        )
    points.add_column("")
    for c in report.checks:
        digest = c.source_digest if c.source_digest == c.target_digest else (
            f"{c.source_digest} → {c.target_digest}"
        )  # fmt: skip
        if c.kind == "points":
            values = _pair(c.source_detail.get("value_sum"), c.target_detail.get("value_sum"))
            times = _pair(c.source_detail.get("time_sum"), c.target_detail.get("time_sum"))
            points.add_row(
                c.name, f"{c.source:,}", f"{c.target:,}", values, times, digest, mark[c.ok]
            )
            continue
        name = c.name if c.kind == "table" else f"{c.kind} ({c.name})"
        if c.source_detail != c.target_detail:
            digest += f" {c.source_detail} → {c.target_detail}"
        tbl.add_row(name, f"{c.source:,}", f"{c.target:,}", digest, mark[c.ok])
    console.print(tbl)
    if points.row_count:
        console.print(points)
    if report.ok:
        console.print(f"[green]✓[/] {t('migrate.done', language, seconds=report.seconds)}")
        console.print(t("migrate.settings", language))
        for line in report.settings_lines():
            console.print(line, highlight=False, markup=False, soft_wrap=True)
        console.print(f"[dim]{t('migrate.data_dir_note', language)}[/]")


def _pair(a: object, b: object) -> str:
    def show(v: object) -> str:
        return repr(v) if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else "-"

    return show(a) if a == b else f"{show(a)} → {show(b)}"
