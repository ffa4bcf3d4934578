"""``openkamp assets``: the site → line → equipment → signal tree, and its AAS export / import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.tree import Tree

from openkamp.cli.common import console, lang, platform
from openkamp.core.errors import OpenKampError
from openkamp.i18n import t

assets_app = typer.Typer(
    help="Asset model: site → line → equipment → signal / 설비 구성", no_args_is_help=True
)


def _node_label(n: Any) -> str:
    names = " / ".join(x for x in (n.name_ko, n.name_en) if x)
    return (
        f"[bold]{n.name}[/]"
        + (f"  [dim]{names}[/]" if names else "")
        + f"  [dim]#{n.id} {n.kind.value}[/]"
    )


@assets_app.command("tree")
def assets_tree(signals: Annotated[bool, typer.Option(help="Show signals too")] = True) -> None:
    """Print the asset model."""
    with platform() as kamp:
        me = kamp.principal()
        nodes = kamp.assets.list_nodes(me)
        sigs = kamp.assets.list_signals(me) if signals else []
        labs = kamp.assets.list_label_columns(me) if signals else []
        root = Tree(t("asset_tree", lang()))
        branches: dict[int | None, Any] = {None: root}
        for n in nodes:  # ordered by id: parents first
            branches[n.id] = branches.get(n.parent_id, root).add(_node_label(n))
        for s in sigs:
            rng = "" if s.min_value is None else f" [{s.min_value:g}..{s.max_value:g}]"
            branches[s.equipment_id].add(f"{s.name} [dim]{s.name_ko or s.name_en} {s.unit}{rng}[/]")
        for c in labs:
            branches[c.equipment_id].add(
                f"[magenta]{c.name}[/] [dim]{c.label_type.value} {', '.join(c.categories[:6])}[/]"
            )
        console.print(root)


@assets_app.command("add")
def assets_add(
    kind: Annotated[str, typer.Argument(help="site, line, equipment or signal")],
    path: Annotated[str, typer.Argument(help="Path of the new asset, e.g. plant1/line1/press01")],
    name_ko: Annotated[str, typer.Option("--ko", help="Korean display name")] = "",
    name_en: Annotated[str, typer.Option("--en", help="English display name")] = "",
    equipment_type: Annotated[str, typer.Option("--type", help="Equipment type")] = "",
    unit: Annotated[str, typer.Option(help="Signal unit")] = "",
    min_value: Annotated[float | None, typer.Option("--min")] = None,
    max_value: Annotated[float | None, typer.Option("--max")] = None,
    period: Annotated[float | None, typer.Option(help="Sampling period in seconds")] = None,
) -> None:
    """Add a site, line, equipment or signal."""
    from openkamp.core.assets import SignalSpec

    with platform() as kamp:
        me = kamp.principal()
        parent_path, _, name = path.strip("/").rpartition("/")
        parent = kamp.assets.resolve(me, parent_path).id if parent_path else None
        if kind == "signal":
            if parent is None:
                raise OpenKampError(
                    "A signal needs an equipment path, e.g. plant1/line1/press01/pressure."
                )
            spec = SignalSpec(
                name,
                name_ko,
                name_en,
                unit,
                min_value=min_value,
                max_value=max_value,
                sampling_period_s=period,
            )
            made: Any = kamp.assets.create_signal(me, parent, spec)
        else:
            extra = {"equipment_type": equipment_type} if equipment_type else {}
            made = kamp.assets.create_node(
                me, kind, name, parent, name_ko=name_ko, name_en=name_en, **extra
            )
        console.print(f"[green]✓[/] {kind} {path} (#{made.id})")


@assets_app.command("rename")
def assets_rename(
    path: str,
    new_name: Annotated[str | None, typer.Option("--name")] = None,
    name_ko: Annotated[str | None, typer.Option("--ko")] = None,
    name_en: Annotated[str | None, typer.Option("--en")] = None,
) -> None:
    """Rename an asset or change its display names."""
    from openkamp.core.assets import Node

    changes = {
        k: v
        for k, v in {"name": new_name, "name_ko": name_ko, "name_en": name_en}.items()
        if v is not None
    }
    with platform() as kamp:
        me = kamp.principal()
        found = kamp.assets.resolve(me, path)
        if isinstance(found, Node):
            kamp.assets.update_node(me, found.id, **changes)
        elif hasattr(found, "value_type"):
            kamp.assets.update_signal(me, found.id, **changes)
        else:
            kamp.assets.update_label_column(me, found.id, **changes)
        console.print(f"[green]✓[/] {path}")


@assets_app.command("move")
def assets_move(path: str, new_parent: str) -> None:
    """Move a line, equipment or signal under another parent."""
    from openkamp.core.assets import Node

    with platform() as kamp:
        me = kamp.principal()
        found = kamp.assets.resolve(me, path)
        target = kamp.assets.resolve(me, new_parent)
        if isinstance(found, Node):
            kamp.assets.move_node(me, found.id, target.id)
        else:
            kamp.assets.move_signal(me, found.id, target.id)
        console.print(f"[green]✓[/] {path} → {new_parent}")


@assets_app.command("delete")
def assets_delete(
    path: str,
    cascade: Annotated[
        bool, typer.Option("--cascade", help="Also delete what it holds, with its data")
    ] = False,
) -> None:
    """Delete an asset (refused while it still holds assets or data, unless --cascade)."""
    from openkamp.core.assets import Node, Signal

    with platform() as kamp:
        me = kamp.principal()
        found = kamp.assets.resolve(me, path)
        if isinstance(found, Node):
            n = kamp.assets.delete_node(me, found.id, cascade=cascade)
        elif isinstance(found, Signal):
            kamp.assets.delete_signal(me, found.id, delete_data=cascade)
            n = 1
        else:
            kamp.assets.delete_label_column(me, found.id, delete_data=cascade)
            n = 1
        console.print(f"[green]✓[/] {t('deleted', lang())}: {path} ({n})")


@assets_app.command("export")
def assets_export(out: Path) -> None:
    """Export the asset model as an Asset Administration Shell (.json or .aasx)."""
    from openkamp.assets import aas

    if out.suffix.lower() not in (".aasx", ".json"):
        raise OpenKampError(
            f"Cannot export to {out.suffix!r}.", hint="Use a .json or .aasx file name."
        )
    with platform() as kamp:
        me = kamp.principal()
        tree = kamp.assets.export_tree(me)
        context = aas.export_context(kamp, me)
    export = aas.export_aasx if out.suffix.lower() == ".aasx" else aas.export_json
    export(tree, out, **context)
    console.print(f"[green]✓[/] {t('exported', lang())}: {out}")


@assets_app.command("import")
def assets_import(source: Path) -> None:
    """Create or update the asset model from an AAS file (.json or .aasx)."""
    from openkamp.assets import aas

    tree = aas.import_file(source)
    with platform() as kamp:
        ch = kamp.assets.apply_tree(kamp.principal(), tree)
    console.print(
        f"[green]✓[/] created {ch.created}, updated {ch.updated}, unchanged {ch.unchanged}"
    )
