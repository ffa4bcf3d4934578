"""The ``openkamp`` command line: thin wiring of platform calls, with rich output.

User mistakes (an OpenKampError) print a clear message and a hint, never a traceback, and exit
with status 2; storage failures exit with 1. Usage mistakes print a short message and where
the help is; anything unexpected prints one line and where its details were logged.

While ``openkamp serve`` runs on the same data folder, commands act through the server
(``cli/remote.py``) instead of opening the folder a second time.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from openkamp.cli.alerts import alerts_app
from openkamp.cli.assets import assets_app
from openkamp.cli.common import (
    DataDir,
    console,
    lang,
    parse_time,
    platform,
    settings,
    state,
)
from openkamp.cli.datasets import datasets_app
from openkamp.cli.edge import edge_app
from openkamp.cli.ledger import ledger_app
from openkamp.cli.migrate import migrate
from openkamp.cli.models import models_app
from openkamp.cli.retention import retention_app
from openkamp.cli.simulate import simulate
from openkamp.cli.users import first_login, users_app
from openkamp.core.errors import OpenKampError
from openkamp.i18n import t

app = typer.Typer(
    help="OpenKAMP: open AI manufacturing platform / 오픈 제조 AI 플랫폼", no_args_is_help=True
)
imports_app = typer.Typer(
    help="Past imports and their quarantined rows / 가져오기 기록", no_args_is_help=True
)
sim_app = typer.Typer(help="Factory simulator / 공장 시뮬레이터", no_args_is_help=True)
app.add_typer(assets_app, name="assets")
app.add_typer(imports_app, name="imports")
app.add_typer(sim_app, name="sim")
app.add_typer(models_app, name="models")
app.add_typer(datasets_app, name="datasets")
app.add_typer(users_app, name="users")
app.add_typer(alerts_app, name="alerts")
app.add_typer(edge_app, name="edge")
app.add_typer(retention_app, name="retention")
app.add_typer(ledger_app, name="ledger")
app.command("simulate")(simulate)
app.command("migrate")(migrate)


@app.callback()
def _root(
    data_dir: DataDir = None,
    lang: Annotated[str | None, typer.Option("--lang", help="ko or en (default: settings)")] = None,
) -> None:
    state.data_dir = data_dir
    state.lang = lang


# --------------------------------------------------------------------------- init / demo


@app.command()
def init() -> None:
    """Create the data folder, databases and the default organisation."""
    with platform() as kamp:
        console.print(
            f"[green]✓[/] {kamp.settings.data_dir.resolve()}  (org: {kamp.settings.default_org_name})"
        )


@app.command()
def demo(
    days: Annotated[int, typer.Option(help="Days of simulated data")] = 30,
    seed: Annotated[int, typer.Option(help="Simulator seed")] = 42,
    models: Annotated[bool, typer.Option(help="Also train two standard models on it")] = True,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Then start the web platform on it")
    ] = False,
) -> None:
    """Load the simulator's demo factory: a month of data imported through the real import path,
    and two standard models trained on it (defects, press health) with their reports; with
    --serve, then start the web platform and print its address and the first login."""
    from openkamp.demo import run_demo
    from openkamp.sim.live.demo import start_live_demo

    if serve_after and state.borrowed is not None:
        raise OpenKampError(
            "A server is already running on this data folder.",
            hint="Open it in the browser, or stop it first (Ctrl+C where it runs).",
            code="cli.server_running",
        )
    with platform() as kamp:
        if kamp.models.list(kamp.principal()):
            console.print(f"[dim]{t('demo_already', lang())}[/]")
        else:
            run_demo(kamp, days=days, seed=seed, console=console, lang=lang(), models=models)
        login = first_login(kamp)
        # The factory, running: live data over MQTT and OPC UA while the server runs.
        live = start_live_demo(kamp, console, lang()) if serve_after else None
    if serve_after:
        try:
            _serve(login, simulator=live)
        finally:
            if live is not None:
                live.stop()
        return
    _print_login(login)


def _print_login(login: tuple[str, str] | None) -> None:
    """Every command that creates a login prints it (once: only its hash is stored)."""
    if login is None:
        console.print(f"[dim]{t('accounts.cli.admin_exists', lang())}[/]")
    else:
        console.print(
            f"{t('first_login', lang())}: [bold]{login[0]}[/] / [bold]{login[1]}[/]",
            highlight=False,
        )


def _serve(login: tuple[str, str] | None, simulator: Any = None) -> None:
    import uvicorn

    from openkamp.api import create_app
    from openkamp.cli import remote

    s = settings()
    url = f"http://{'127.0.0.1' if s.host in ('0.0.0.0', '', '::') else s.host}:{s.port}"
    console.rule(f"[bold]OpenKAMP[/] {url}" + ("" if s.role == "all" else f" ({s.role})"))
    if login is not None:
        _print_login(login)
    console.print(f"[dim]{t('stop_server', lang())}[/]")
    app = create_app(s)
    app.state.simulator = simulator  # the live demo's, for fault injection from the UI
    # Commands run while the server holds the data folder go through it (cli/remote.py); a
    # worker process among several on PostgreSQL does not hold it (commands open it too).
    alone = s.role == "all"
    if alone:
        remote.install(app, remote.write_server_file(s.data_dir, url))
    data_dir = s.data_dir

    class Server(uvicorn.Server):
        # uvicorn re-raises Ctrl+C / SIGTERM once it has shut down, which ends the process
        # before a `finally` here: the file goes as part of the shutdown itself.
        async def shutdown(self, sockets: Any = None) -> None:
            if alone:
                remote.remove_server_file(data_dir)
            await super().shutdown(sockets=sockets)

    try:
        # uvicorn believes X-Forwarded-For from 127.0.0.1 by default: off, the account service
        # believes it only from OPENKAMP_TRUSTED_PROXIES. No `server: uvicorn` banner.
        config = uvicorn.Config(
            app, host=s.host, port=s.port, log_level="warning", proxy_headers=False,
            server_header=False,
        )  # fmt: skip
        Server(config).run()
    finally:
        if alone:
            remote.remove_server_file(data_dir)


def _work() -> None:
    """A job worker (``serve --role jobs``): claims and runs queued jobs until SIGTERM or
    Ctrl+C; no HTTP."""
    import signal
    import threading

    from openkamp.platform import Platform
    from openkamp.workers.roles import RoleRuntime

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with Platform(settings()) as kamp:
        runtime = RoleRuntime(kamp, "jobs")
        runtime.start()
        assert kamp.leases is not None
        console.print(t("workers.started", lang(), role="jobs", holder=kamp.leases.holder))
        console.print(f"[dim]{t('stop_server', lang())}[/]")
        try:
            while not stop.wait(1.0):
                pass
        finally:
            runtime.stop()


class ProcessRole(StrEnum):
    ALL = "all"
    API = "api"
    INGEST = "ingest"
    JOBS = "jobs"


Role = Annotated[
    ProcessRole | None,
    typer.Option(
        "--role",
        help="all (default: everything in this process), api, ingest or jobs (several processes "
        "on PostgreSQL) / 역할",
    ),
]


@app.command()
def serve(
    role: Role = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port (default: OPENKAMP_PORT)")
    ] = None,
    host: Annotated[
        str | None, typer.Option("--host", help="Address (default: OPENKAMP_HOST)")
    ] = None,
) -> None:
    """Start the web platform (UI and API) on the data folder (OPENKAMP_HOST / OPENKAMP_PORT);
    with --role, one kind of worker of a regional installation on PostgreSQL (docs/deploy.md)."""
    from openkamp.cli import remote
    from openkamp.workers.roles import check_role

    given = {"role": None if role is None else role.value, "port": port, "host": host}
    for name, value in given.items():
        if value is not None:
            state.overrides[name] = value
    check_role(settings())  # said before anything opens
    if settings().role == "jobs":
        _work()
        return
    if settings().role != "all":  # one worker among several: no data folder to hold
        login = None
        if settings().role == "api":
            with platform() as kamp:
                login = first_login(kamp)
        _serve(login)
        return
    running = remote.find_server(settings().data_dir)
    if running is not None:
        raise OpenKampError(
            f"A server is already running on this data folder: {running[0]}",
            hint="Open it in the browser, or stop it first (Ctrl+C where it runs).",
            code="cli.server_running_at",
            params={"url": running[0]},
        )
    with platform() as kamp:
        login = first_login(kamp)
    _serve(login)


# --------------------------------------------------------------------------- import


def print_report(report: Any, language: str) -> None:
    if report.status == "skipped":
        console.print(f"[yellow]{t('skipped', language, id=report.previous_import_id)}[/]")
        return
    tbl = Table(
        title=f"{t('import_report', language)} #{report.import_id}: {report.file_name}",
        show_header=False,
    )
    tbl.add_column(style="bold")
    tbl.add_column(justify="right")
    tbl.add_row(t("equipment", language), report.equipment)
    tbl.add_row(
        t("layout", language),
        f"{report.layout}  {report.details.get('encoding', '')} {report.details.get('delimiter', '')!r}",
    )
    tbl.add_row(t("time_range", language), f"{report.first_ts or '-'} → {report.last_ts or '-'}")
    if report.dataset:  # a table of records: its rows went to a dataset version
        tbl.add_row(t("datasets.title", language), report.dataset)
    from openkamp.ingest.importer import COUNTS

    for key in COUNTS:
        style = "red" if key == "rows_quarantined" and getattr(report, key) else ""
        tbl.add_row(
            t(key, language),
            f"[{style}]{getattr(report, key):,}[/]" if style else f"{getattr(report, key):,}",
        )
    if report.created:
        tbl.add_row(
            t("created", language),
            ", ".join(report.created[:12]) + (" …" if len(report.created) > 12 else ""),
        )
    console.print(tbl)
    if report.reasons:
        console.print(
            f"[bold]{t('reasons', language)}[/]: "
            + ", ".join(f"{t('reason.' + k, language)} {v:,}" for k, v in report.reasons.items())
        )
        for ex in report.examples[:5]:
            console.print(
                f"  [dim]row {ex['row']}:[/] {ex['reason']}  [dim]{ex['content'][:80]}[/]"
            )
        console.print(
            f"  [dim]openkamp imports show {report.import_id} --quarantine quarantine.csv[/]"
        )


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


@app.command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="CSV, Excel .xlsx or Parquet files")],
    equipment: Annotated[
        str | None,
        typer.Option("--equipment", "-e", help="Equipment path, e.g. plant1/line1/press01"),
    ] = None,
    layout: Annotated[str, typer.Option(help="auto, wide or long")] = "auto",
    timestamp_column: Annotated[str | None, typer.Option("--timestamp-column")] = None,
    timestamp_format: Annotated[
        str | None, typer.Option("--timestamp-format", help="e.g. %Y-%m-%d %H:%M:%S")
    ] = None,
    timezone: Annotated[
        str | None, typer.Option(help="Zone of times without offset (default Asia/Seoul)")
    ] = None,
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="column=signal ('column=-' ignores it)")
    ] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", help="Store this column as labels")
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Skip this column")] = None,
    no_create: Annotated[bool, typer.Option("--no-create", help="Never create signals")] = False,
    encoding: Annotated[str | None, typer.Option(help="utf-8, cp949 … (default: detect)")] = None,
    delimiter: Annotated[str | None, typer.Option(help="Field delimiter (default: detect)")] = None,
    skip_rows: Annotated[int, typer.Option(help="Title lines above the header")] = 0,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet name or number")] = None,
    force: Annotated[bool, typer.Option(help="Import again even if already imported")] = False,
    kind: Annotated[
        str, typer.Option(help="auto, timeseries (signals) or records (a dataset)")
    ] = "auto",
    dataset: Annotated[
        str | None, typer.Option(help="Dataset name of a record table (default: file name)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Import files; prints rows read / stored / quarantined for each."""
    from openkamp.ingest.importer import ImportOptions

    cols: dict[str, str] = {}
    for item in mapping or []:
        col, sep, target = item.partition("=")
        if not sep:
            raise OpenKampError(f"--map {item!r} is not 'column=signal'.")
        cols[col] = target
    opts = ImportOptions(
        equipment=equipment,
        layout=cast(Any, layout),
        timestamp_column=timestamp_column,
        timestamp_format=timestamp_format,
        timezone=timezone,
        columns=cols,
        label_columns=label or [],
        ignore_columns=ignore or [],
        create_signals=not no_create,
        encoding=encoding,
        delimiter=delimiter,
        skip_rows=skip_rows,
        sheet=int(sheet) if sheet and sheet.isdecimal() else sheet,
        force=force,
        kind=cast(Any, kind),
        dataset=dataset,
    )
    with platform() as kamp:
        me = kamp.principal()
        for f in files:
            if as_json:
                report = kamp.imports.import_file(me, f, opts)
                print(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
                continue
            with _progress() as bar:
                task = bar.add_task(
                    f"{t('importing', lang())} {f.name}",
                    total=f.stat().st_size if f.exists() else 1,
                )
                report = kamp.imports.import_file(
                    me,
                    f,
                    opts,
                    progress=lambda done, total, task=task: bar.update(
                        task, completed=done, total=total
                    ),
                )
            print_report(report, lang())


@imports_app.command("list")
def imports_list() -> None:
    """List past imports."""
    with platform() as kamp:
        recs = kamp.imports.list(kamp.principal())
    tbl = Table(
        "#",
        "file",
        "status",
        t("rows_read", lang()),
        t("rows_stored", lang()),
        t("rows_quarantined", lang()),
        "started",
    )
    for r in recs:
        tbl.add_row(
            str(r["id"]),
            r["file_name"],
            r["status"],
            f"{r['rows_read']:,}",
            f"{r['rows_stored']:,}",
            f"{r['rows_quarantined']:,}",
            r["started_at"].strftime("%Y-%m-%d %H:%M"),
        )
    console.print(tbl)


@imports_app.command("show")
def imports_show(
    import_id: int,
    quarantine: Annotated[
        Path | None, typer.Option(help="Write the quarantined rows to this CSV")
    ] = None,
) -> None:
    """Show one import's report; optionally save its quarantined rows."""
    from openkamp.ingest.importer import ImportReport

    with platform() as kamp:
        me = kamp.principal()
        rec = kamp.imports.get(me, import_id)
        report = ImportReport(**rec["report"]) if rec["report"] else None
        if report:
            print_report(report, lang())
        else:
            console.print(rec)
        if quarantine is not None:
            from openkamp.core.cells import neutralise_csv

            data = kamp.imports.quarantined_rows(me, import_id)  # neutralised as the API's
            quarantine.write_bytes(b"".join(neutralise_csv([data])) if data else b"")
            console.print(f"[green]✓[/] {quarantine}")


# --------------------------------------------------------------------------- data


@app.command()
def query(
    signals: Annotated[list[str], typer.Argument(help="Signal paths or ids")],
    start: Annotated[str | None, typer.Option(help="ISO time (default: first point)")] = None,
    end: Annotated[str | None, typer.Option(help="ISO time (default: after last point)")] = None,
    buckets: Annotated[
        int, typer.Option(help="Downsample into this many time buckets (0 = raw)")
    ] = 20,
    latest: Annotated[bool, typer.Option(help="Only the latest value of each signal")] = False,
    limit: Annotated[int, typer.Option(help="Rows to print at most")] = 50,
) -> None:
    """Query stored values: latest, raw or downsampled (min / max / mean / last)."""
    with platform() as kamp:
        me, tz = kamp.principal(), kamp.settings.tz
        if latest:
            tbl = kamp.query.latest(me, signals)
            _print_arrow(tbl.select(["signal", "ts", "value"]), tz, limit)
            return
        s, e = parse_time(start, tz), parse_time(end, tz)
        if s is None or e is None:
            ext = kamp.query.extent(me, signals)
            if ext.num_rows == 0:
                console.print("[yellow]no data[/]")
                return
            s = s or min(ext.column("first_ts").to_pylist())
            e = e or max(ext.column("last_ts").to_pylist()) + timedelta(microseconds=1)
        if buckets > 0:
            tbl = kamp.query.downsample(me, signals, s, e, buckets)
            _print_arrow(
                tbl.select(["signal", "bucket_start", "count", "min", "max", "mean", "last"]),
                tz,
                limit,
            )
        else:
            tbl = kamp.query.read(me, signals, s, e, limit=limit)
            _print_arrow(tbl.select(["signal", "ts", "value"]), tz, limit)


def _print_arrow(tbl: Any, tz: Any, limit: int) -> None:
    out = Table(*tbl.column_names)
    for row in tbl.slice(0, limit).to_pylist():
        cells = []
        for v in row.values():
            if isinstance(v, datetime):
                cells.append(v.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"))
            elif isinstance(v, float):
                cells.append(f"{v:.4g}")
            else:
                cells.append(str(v))
        out.add_row(*cells)
    console.print(out)
    if tbl.num_rows > limit:
        console.print(f"[dim]… {tbl.num_rows - limit:,} more rows[/]")


@app.command()
def export(
    signals: Annotated[list[str], typer.Argument(help="Signal paths or ids")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output .csv or .parquet")],
    start: Annotated[str | None, typer.Option()] = None,
    end: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Export raw values in wide layout (a column per signal, local time)."""
    import pyarrow.parquet as pq

    from openkamp.export import wide_table

    with platform() as kamp:
        me, tz = kamp.principal(), kamp.settings.tz
        tbl = wide_table(kamp, me, signals, parse_time(start, tz), parse_time(end, tz))
    if out.suffix.lower() == ".parquet":
        pq.write_table(tbl, out)
    else:
        from openkamp.core.cells import neutralise_frame

        neutralise_frame(tbl.to_pandas()).to_csv(out, index=False, encoding="utf-8-sig")
    console.print(f"[green]✓[/] {t('exported', lang())}: {out} ({tbl.num_rows:,} rows)")


@app.command("delete-data")
def delete_data(
    signals: Annotated[list[str], typer.Argument(help="Signal paths or ids")],
    start: Annotated[str | None, typer.Option()] = None,
    end: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Delete stored values of signals in a time range."""
    with platform() as kamp:
        me, tz = kamp.principal(), kamp.settings.tz
        n = kamp.query.delete(me, signals, parse_time(start, tz), parse_time(end, tz))
    console.print(f"[green]✓[/] {t('deleted', lang())}: {n:,} {t('points', lang())}")


# --------------------------------------------------------------------------- simulator


@sim_app.command("write")
def sim_write(
    out: Path,
    days: Annotated[float, typer.Option()] = 7,
    start: Annotated[str, typer.Option(help="Start date (local time)")] = "2026-03-01",
    layout: Annotated[str, typer.Option(help="wide or long")] = "wide",
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or parquet")] = "csv",
    encoding: Annotated[str, typer.Option(help="utf-8, utf-8-sig or cp949")] = "utf-8",
    korean_headers: Annotated[
        bool, typer.Option("--korean-headers", help="Korean column names")
    ] = False,
    seed: Annotated[int, typer.Option()] = 42,
) -> None:
    """Write simulated factory data files, one per equipment."""
    from openkamp.sim import Factory

    tz = settings().tz
    s = datetime.fromisoformat(start).replace(tzinfo=tz)
    paths = Factory(seed=seed).write_files(
        out,
        s,
        s + timedelta(days=days),
        layout=cast(Any, layout),
        fmt=cast(Any, fmt),
        encoding=encoding,
        korean_headers=korean_headers,
    )
    for p in paths:
        console.print(f"[green]✓[/] {p} ({p.stat().st_size / 1e6:.1f} MB)")


@sim_app.command("stream")
def sim_stream(
    seconds: Annotated[float, typer.Option(help="Simulated seconds to print")] = 10,
    seed: Annotated[int, typer.Option()] = 42,
) -> None:
    """Print a live stream of simulated readings."""
    from openkamp.sim import Factory

    start = datetime.now(settings().tz).replace(microsecond=0)
    for batch in Factory(seed=seed).stream(start, start + timedelta(seconds=seconds)):
        for eq, sig, ts, value in batch:
            console.print(f"{ts:%H:%M:%S} {eq}/{sig} = {value:.4g}")


# --------------------------------------------------------------------------- entry point


def run(argv: list[str]) -> int:
    """Run one command in this process; its exit status (errors become short messages)."""
    from openkamp.cli import running

    return running.run(app, argv)


def main() -> None:
    from openkamp.cli import running

    running.main(app)


if __name__ == "__main__":
    main()
