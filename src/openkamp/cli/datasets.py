"""``openkamp datasets``: list, show and export datasets (named, versioned tables of records)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from openkamp.cli.common import console, lang, platform
from openkamp.core.errors import InvalidInput
from openkamp.i18n import t

datasets_app = typer.Typer(
    help="Datasets: named, versioned tables of records / 데이터셋", no_args_is_help=True
)

NameArg = Annotated[str, typer.Argument(help="Dataset name, or name@version")]


@datasets_app.command("list")
def datasets_list() -> None:
    """The latest version of every dataset."""
    lg = lang()
    with platform() as kamp:
        versions = kamp.datasets.list(kamp.principal())
    if not versions:
        console.print(t("datasets.none", lg))
        return
    table = Table(title=t("datasets.title", lg))
    for key in ("name", "version", "rows", "columns", "origin", "created"):
        table.add_column(t(f"datasets.{key}", lg))
    for v in versions:
        table.add_row(
            v.name,
            str(v.version),
            f"{v.rows:,}",
            str(len(v.columns)),
            t(f"datasets.origin.{v.origin}", lg),
            v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else "",
        )
    console.print(table)


@datasets_app.command("show")
def datasets_show(
    name: NameArg,
    rows: Annotated[int, typer.Option("--rows", "-n", help="First rows to show")] = 5,
) -> None:
    """Columns (kind, role, unit), hashes, versions and the first rows of a dataset."""
    lg = lang()
    with platform() as kamp:
        me = kamp.principal()
        v = kamp.datasets.get(me, name)
        versions = kamp.datasets.versions(me, v.name)
        head = kamp.datasets.read(me, v.id, limit=max(0, rows))
    console.print(f"[bold]{v.ref}[/]  {v.display_name}  [dim]{v.description}[/]")
    console.print(
        f"{t('datasets.rows', lg)}: {v.rows:,}   "
        f"{t('datasets.schema_hash', lg)}: {v.schema_hash[:12]}   "
        f"{t('datasets.content_sha256', lg)}: {v.content_sha256[:12]}"
    )
    cols = Table(title=t("datasets.columns", lg))
    for key in ("name", "kind", "role", "unit"):
        cols.add_column(t(f"datasets.{key}", lg))
    for c in v.columns:
        cols.add_row(
            c.label(lg), t(f"datasets.kind.{c.kind}", lg), t(f"datasets.role.{c.role}", lg), c.unit
        )
    console.print(cols)
    console.print(
        f"{t('datasets.version', lg)}: " + ", ".join(f"{o.version} ({o.rows:,})" for o in versions)
    )
    if len(head):
        preview = Table()
        for col in head.columns:
            preview.add_column(str(col))
        for row in head.astype(str).itertuples(index=False):
            preview.add_row(*row)
        console.print(preview)


@datasets_app.command("export")
def datasets_export(
    name: NameArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write (.csv or .xlsx)")],
) -> None:
    """Write a dataset to a CSV (UTF-8 with BOM) or Excel file, in local time."""
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise InvalidInput(
            f"Export format {fmt!r} is not supported; use csv or xlsx.",
            code="datasets.export_format",
            params={"format": fmt},
        )
    with platform() as kamp:
        tmp = out.with_name(out.name + ".part")
        try:
            with tmp.open("wb") as fh:
                n = kamp.datasets.export(kamp.principal(), name, fh, fmt, kamp.settings.timezone)
            tmp.replace(out)  # a failed export leaves no half-written file under the name
        finally:
            tmp.unlink(missing_ok=True)
    console.print(f"[green]✓[/] {t('datasets.exported', lang(), rows=n, path=out)}")
