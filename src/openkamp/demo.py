"""The demo: the simulator's factory loaded through the real import path, then summarised.

This is what the README's first command runs until the web UI exists: it writes a month of
simulated files (one of them a CP949 CSV with Korean headers, as Korean factory software exports
them), imports each with the same service a user's upload goes through, and prints what was
stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TimeElapsedColumn
from rich.table import Table

from openkamp.core.errors import ImportRejected
from openkamp.i18n import error_text, t
from openkamp.ingest.importer import ImportOptions


def _hand_edited(source: Path, target: Path) -> Path | None:
    """A copy of the last 500 rows of ``source`` (CP949) with typical manual-editing damage
    (None when a short demo period gives the file too few rows to damage this way)."""
    lines = source.read_bytes().decode("cp949").splitlines()
    if len(lines) < 502:
        return None
    header, rows = lines[0], [line.split(",") for line in lines[-500:]]
    rows[10][1] = "센서오류"  # an error text in a number column
    rows[50][0] = ""  # the time was deleted
    rows[120] = rows[120][:2]  # a line cut short
    rows[200][2] = "#VALUE!"  # an Excel error code
    rows.append(list(rows[300]))  # a pasted duplicate
    text = "\r\n".join([header, *(",".join(r) for r in rows)]) + "\r\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode("cp949"))
    return target


def train_demo_models(
    kamp: Any, start: datetime, end: datetime, console: Console, lang: str = "ko"
) -> list[Any]:
    """Two standard models on the demo data, as an engineer would start: defects and press health.

    Each is trained on the first three quarters of the period, registered, and its analysis report
    written (Korean and English) to ``<data>/reports``; the defect model goes to production.
    """
    from openkamp.alerts import describe
    from openkamp.core.errors import InvalidInput
    from openkamp.ml.service import TrainSpec

    me = kamp.principal()
    cut = start + (end - start) * 3 / 4
    specs = [
        TrainSpec(task="classify", name="inj01_defect", equipment="plant1/line1/inj01",
                  target="pass_fail", groups="lot_id", start=start, end=cut, time_budget_s=15,
                  description="사출 불량 예측 / injection moulding defect prediction"),
        TrainSpec(task="anomaly", name="press01_health", equipment="plant1/line2/press01",
                  start=start, end=cut, time_budget_s=10,
                  description="프레스 이상 감지 / hydraulic press anomaly detection"),
    ]  # fmt: skip
    out = kamp.settings.data_dir / "reports"
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for spec in specs:
        try:
            with console.status(f"{t('ml.cli.training', lang)} {spec.name}"):
                result = kamp.ml.train(me, spec)
        except InvalidInput as exc:  # a short demo period can be too little to learn from
            console.print(f"[yellow]![/] {spec.name}: {exc.message}")
            continue
        mv = result.version
        for language in ("ko", "en"):
            html = kamp.ml.report(me, mv.name, mv.version, lang=language)
            (out / f"{mv.name}.{language}.html").write_text(html, encoding="utf-8")
        figures = ", ".join(
            f"{t(f'ml.metric.{k}', lang)} {v:.3f}"
            for k, v in result.card.headline().items()
            if k in ("roc_auc", "pr_auc", "f1", "far")
        )
        console.print(
            f"[green]✓[/] {t(f'ml.task.{mv.task}', lang)}: {mv.name} v{mv.version} — {figures}"
        )
        results.append(result)
    for result in results:
        if result.version.name == "inj01_defect":
            kamp.models.set_stage(me, "inj01_defect", result.version.version, "production")
    # Score the last day as the live path will, so the overview shows what the models found
    # (scoring turns alarms and predicted defects into alerts).
    for result in results:
        mv = result.version
        try:
            kamp.ml.score(me, mv.name, version=mv.version, start=end - timedelta(days=1), end=end)
        except InvalidInput as exc:
            console.print(f"[yellow]![/] {mv.name}: {exc.message}")
            continue
    for alert in kamp.alerts.list(me, status="open"):
        console.print(f"[yellow]![/] {describe(alert, lang, kamp.settings.tz)}")
    console.print(f"[dim]{t('ml.cli.report_written', lang)}: {out.resolve()}[/]")
    return results


def run_demo(
    kamp: Any,
    *,
    days: int = 30,
    seed: int = 42,
    console: Console | None = None,
    lang: str = "ko",
    models: bool = True,
) -> dict[str, Any]:
    from openkamp.sim import Factory

    console = console or Console()
    me = kamp.principal()
    tz = kamp.settings.tz
    factory = Factory(seed=seed)
    site = factory.asset_model()
    changes = kamp.assets.apply_tree(me, [site])
    console.rule(f"[bold]{t('demo_title', lang)}[/] — {site.name_ko} / {site.name_en}")
    console.print(f"{t('asset_tree', lang)}: +{changes.created} / ={changes.unchanged}")

    # A Monday: the injection machine works Monday to Saturday, so even `--days 1` has shots
    # (the demo started on a Sunday once, and a one-day demo had no shot to learn from).
    start = datetime(2026, 3, 2, tzinfo=tz)
    end = start + timedelta(days=days)
    out = kamp.settings.data_dir / "demo-files"
    out.mkdir(parents=True, exist_ok=True)
    files = factory.write_files(out / "csv", start, end, layout="wide", fmt="csv", encoding="utf-8")
    # One machine exported the Korean way: CP949 with Korean headers.
    korean = factory.write_files(
        out / "cp949", start, end, layout="wide", fmt="csv", encoding="cp949", korean_headers=True
    )
    # The injection machine's export comes the Korean way; the others as UTF-8.
    paths = [p for p in files if p.stem != "inj01"] + [p for p in korean if p.stem == "inj01"]
    # And one file edited by hand, as happens: a re-export of the tank's last day with typos,
    # a sensor error code, a lost timestamp, a cut line and a pasted duplicate. Its good rows are
    # already stored (nothing new is added); the bad ones are quarantined with reasons.
    tank_kr = next((p for p in korean if p.stem == "tank01"), None)
    edited = (
        None if tank_kr is None else _hand_edited(tank_kr, out / "manual" / "용해탱크_수정본.csv")
    )
    if edited is not None:
        paths.append(edited)

    equipment_paths = {
        eq.name: f"{site.name}/{line.name}/{eq.name}"
        for line in site.lines
        for eq in line.equipment
    }
    reports = []
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        for path in paths:
            eq_name = next((n for n in equipment_paths if n in path.stem), None)
            task = bar.add_task(f"{t('importing', lang)} {path.name}", total=path.stat().st_size)
            try:
                report = kamp.imports.import_file(
                    me,
                    path,
                    ImportOptions(equipment=equipment_paths.get(eq_name) if eq_name else None),
                    progress=lambda done, total, task=task: bar.update(
                        task, completed=done, total=total
                    ),
                )
            except ImportRejected as exc:
                # A short period can leave a machine without a single row (a melting tank
                # runs a few batches a day, none on some days): say so and go on.
                message, _hint = error_text(exc, lang)
                console.print(f"[yellow]![/] {path.name}: {message}")
                continue
            reports.append(report)

    tbl = Table(title=t("import_report", lang))
    for col in (
        "file",
        "equipment",
        "encoding",
        "rows_read",
        "rows_stored",
        "rows_quarantined",
        "points_inserted",
        "points_unchanged",
    ):
        tbl.add_column(
            t(col, lang) if col not in ("file",) else "file",
            justify="right" if col.startswith(("rows", "points")) else "left",
        )
    for r in reports:
        tbl.add_row(
            r.file_name,
            r.equipment,
            str(r.details.get("encoding", "")),
            f"{r.rows_read:,}",
            f"{r.rows_stored:,}",
            f"{r.rows_quarantined:,}",
            f"{r.points_inserted:,}",
            f"{r.points_unchanged:,}",
        )
    console.print(tbl)
    for r in reports:
        for ex in r.examples[:6]:
            console.print(f"  [red]✗[/] {r.file_name} row {ex['row'] or '?'}: {ex['reason']}")

    ext = kamp.query.extent(me)
    total_points = sum(ext.column("count").to_pylist())
    summary = Table(title=t("signals", lang))
    for col in ("equipment", "signals", "points", "first", "last"):
        summary.add_column(t(col, lang))
    counts = dict(
        zip(ext.column("signal_id").to_pylist(), ext.column("count").to_pylist(), strict=True)
    )
    for eq_path in equipment_paths.values():
        node = kamp.assets.resolve(me, eq_path)
        sigs = kamp.assets.list_signals(me, node.id)
        n = sum(counts.get(s.id, 0) for s in sigs)
        sub = kamp.query.extent(me, [s.id for s in sigs]) if sigs else None
        first = (
            min(sub.column("first_ts").to_pylist()).astimezone(tz).strftime("%m-%d %H:%M")
            if sub is not None and sub.num_rows
            else "-"
        )
        last = (
            max(sub.column("last_ts").to_pylist()).astimezone(tz).strftime("%m-%d %H:%M")
            if sub is not None and sub.num_rows
            else "-"
        )
        summary.add_row(eq_path, str(len(sigs)), f"{n:,}", first, last)
    console.print(summary)

    trained = train_demo_models(kamp, start, end, console, lang) if models else []
    quarantined = sum(r.rows_quarantined for r in reports)
    console.print(
        f"[green]✓[/] {t('demo_done', lang, files=len(reports), points=total_points, quarantined=quarantined)}"
    )
    console.print(
        f"[dim]data: {kamp.settings.data_dir.resolve()}  ·  try: openkamp assets tree · openkamp imports list · openkamp models list[/]"
    )
    return {"reports": reports, "points": total_points, "models": trained}
