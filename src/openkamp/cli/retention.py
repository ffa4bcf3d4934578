"""``openkamp retention``: how long raw points and their per-minute and per-hour roll-ups are
kept (the organisation's default and signals' own policies), and dropping what is past them now.
The same service calls as ``/api/v1/retention`` and the settings page (``RetentionService``):
dropping raw points keeps their roll-ups, so old periods still chart from the aggregates."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from openkamp.cli.common import console, lang, platform
from openkamp.core.errors import InvalidInput
from openkamp.i18n import t

retention_app = typer.Typer(
    help="Data retention: raw points and per-minute / per-hour roll-ups / 데이터 보관 기간",
    no_args_is_help=False,
    invoke_without_command=True,
)

DaysOption = Annotated[
    str | None, typer.Option(help="Days, or 'forever' / '영구' (left out: unchanged)")
]
FOREVER = ("forever", "영구", "none", "-")


def parse_days(text: str | None, current: int | None) -> int | None:
    """Days from the command line: a whole number, 'forever' (None), or left out (``current``)."""
    if text is None:
        return current
    word = text.strip().replace(",", "").lower()
    if word in FOREVER or word == "":
        return None
    if not word.isdecimal():
        raise InvalidInput(f"{text!r} is not a number of days.", code="retention.not_days")
    return int(word)


def _days(days: int | None, language: str) -> str:
    return (
        t("retention.forever", language)
        if days is None
        else t("retention.days", language, days=days)
    )


def _source(policy: Any, language: str) -> str:
    if policy.source == "signal":
        return t("retention.signal", language)
    return t(f"retention.source.{policy.source}", language)


def _show(kamp: Any, me: Any, language: str) -> None:
    default = kamp.retention.organisation(me)
    own = kamp.retention.signal_policies(me)
    table = Table(
        "",
        t("retention.raw_days", language),
        t("retention.minute_days", language),
        t("retention.hour_days", language),
        "",
    )
    table.add_row(
        t("retention.default", language),
        _days(default.raw_days, language),
        _days(default.minute_days, language),
        _days(default.hour_days, language),
        _source(default, language),
    )
    if own:
        paths = {s.id: s for s in kamp.assets.list_signals(me)}
        for p in own:
            sig = paths.get(p.signal_id)
            name = kamp.assets.path_of(me, sig.equipment_id) + "/" + sig.name if sig else "?"
            table.add_row(
                name,
                _days(p.raw_days, language),
                _days(p.minute_days, language),
                _days(p.hour_days, language),
                _source(p, language),
            )
    console.print(table)
    if not own:
        console.print(t("retention.none_own", language))


def _report(run: Any, language: str, org: str | None = None) -> None:
    line = t(
        "cli.retention.dropped",
        language,
        raw=run.dropped["raw"],
        minute=run.dropped["minute"],
        hour=run.dropped["hour"],
        signals=run.signals,
        seconds=f"{run.seconds:.1f}",
    )
    console.print(f"[green]✓[/] {org + ': ' if org else ''}{line}", highlight=False)


@retention_app.callback()
def retention(
    ctx: typer.Context,
    keep_days: Annotated[
        int | None,
        typer.Option(
            help="Shortcut: keep raw points this many days (the organisation's default; "
            "roll-ups as set) and drop what is older now"
        ),
    ] = None,
) -> None:
    """The organisation's retention; with --keep-days, set the raw days and apply at once."""
    if ctx.invoked_subcommand is not None:
        return
    if keep_days is None:
        console.print(ctx.get_help())
        raise typer.Exit(0)
    language = lang()
    with platform() as kamp:
        me = kamp.principal()
        cur = kamp.retention.organisation(me)
        kamp.retention.set_organisation(me, keep_days, cur.minute_days, cur.hour_days)
        console.print(t("cli.retention.keep_days", language, days=keep_days), highlight=False)
        run = kamp.retention.apply(me)
    _report(run, language)


@retention_app.command("show")
def retention_show() -> None:
    """The organisation's default policy and the signals' own."""
    language = lang()
    with platform() as kamp:
        _show(kamp, kamp.principal(), language)


@retention_app.command("set")
def retention_set(
    signal: Annotated[
        str | None, typer.Option(help="A signal's path or id (left out: the organisation)")
    ] = None,
    raw_days: DaysOption = None,
    minute_days: DaysOption = None,
    hour_days: DaysOption = None,
) -> None:
    """Set the organisation's default (or a signal's own) days per tier; applied by the next
    retention pass (the server's periodic one, or ``openkamp retention run``)."""
    language = lang()
    with platform() as kamp:
        me = kamp.principal()
        ref: int | str | None = None
        if signal is not None:
            ref = int(signal) if signal.isdecimal() else signal
        cur = kamp.retention.organisation(me) if ref is None else kamp.retention.signal(me, ref)
        days = (
            parse_days(raw_days, cur.raw_days),
            parse_days(minute_days, cur.minute_days),
            parse_days(hour_days, cur.hour_days),
        )
        if ref is None:
            kamp.retention.set_organisation(me, *days)
        else:
            kamp.retention.set_signal(me, ref, *days)
        console.print(f"[green]✓[/] {t('retention.saved', language)}", highlight=False)
        _show(kamp, me, language)


@retention_app.command("clear")
def retention_clear(
    signal: Annotated[str, typer.Argument(help="The signal's path or id")],
) -> None:
    """Remove a signal's own policy: it follows the organisation's default again."""
    language = lang()
    with platform() as kamp:
        me = kamp.principal()
        kamp.retention.clear_signal(me, int(signal) if signal.isdecimal() else signal)
        console.print(f"[green]✓[/] {t('retention.saved', language)}", highlight=False)
        _show(kamp, me, language)


@retention_app.command("run")
def retention_run(
    all_orgs: Annotated[
        bool, typer.Option("--all", help="Every organisation of the installation")
    ] = False,
) -> None:
    """Drop the data past its retention now (raw points, then roll-ups, each tier by its own
    days); ingest keeps writing between the chunks."""
    language = lang()
    with platform() as kamp:
        if all_orgs:
            names = {int(o["id"]): str(o["name"]) for o in kamp.meta.list_orgs()}
            for run in kamp.retention.run_all():
                _report(run, language, names.get(run.org_id, str(run.org_id)))
        else:
            _report(kamp.retention.apply(kamp.principal()), language)
