"""``openkamp alerts``: the open alerts (what needs attention, on which machine) and acknowledging
one; ``openkamp alerts machines``: each machine's state as the overview shows it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from openkamp.cli.common import console, lang, platform

alerts_app = typer.Typer(help="Alerts and machine states / 알림과 설비 상태", no_args_is_help=True)


@alerts_app.command("list")
def alerts_list(
    all_: Annotated[bool, typer.Option("--all", help="Also acknowledged alerts")] = False,
    limit: Annotated[int, typer.Option(help="At most this many")] = 50,
) -> None:
    """Open alerts (with --all, acknowledged ones too), the most recent first."""
    from openkamp.alerts import describe
    from openkamp.i18n import t

    language = lang()
    with platform() as kamp:
        me = kamp.principal()
        recs = kamp.alerts.list(me, status=None if all_ else "open", limit=limit)
        names = {n.id: n.name for n in kamp.assets.list_nodes(me, "equipment")}
        tz = kamp.settings.tz
    tbl = Table("#", t("equipment", language), t("alerts.what", language), "", "")
    for a in recs:
        tbl.add_row(
            str(a["id"]),
            names.get(a["equipment_id"], "–"),
            describe(a, language, tz),
            t(f"alerts.severity.{a['severity']}", language),
            t(f"alerts.source.{a['source']}", language) + ("" if a["status"] == "open" else " ✓"),
        )
    console.print(tbl if recs else t("alerts.none", language))


@alerts_app.command("ack")
def alerts_ack(alert_id: Annotated[int, typer.Argument(help="Alert number")]) -> None:
    """Acknowledge an alert (a closed one stays closed)."""
    from openkamp.i18n import t

    with platform() as kamp:
        rec = kamp.alerts.acknowledge(kamp.principal(), alert_id)
    if rec["status"] == "closed":
        console.print(t("alerts.already_closed", lang(), id=alert_id))
    else:
        console.print(f"[green]✓[/] #{alert_id} {t('alerts.acknowledged', lang())}")


@alerts_app.command("machines")
def alerts_machines() -> None:
    """Each machine's state, the ones needing attention first."""
    from openkamp.alerts import machine_states
    from openkamp.i18n import t

    language = lang()
    with platform() as kamp:
        states = machine_states(kamp, kamp.principal(), lang=language)
    tbl = Table(t("equipment", language), "", t("alerts.defect_rate", language), "")
    for m in states:
        p = m.production
        rate = "–" if p is None or p.rate is None else f"{100 * p.rate:.1f}%"
        if p is not None and p.usual_rate is not None:
            rate += f" ({t('alerts.usual', language)} {100 * p.usual_rate:.1f}%)"
        tbl.add_row(
            m.path,
            t(f"alerts.level.{m.level}", language),
            rate,
            " · ".join(t(r, language) for r in m.reasons),
        )
    console.print(tbl)
