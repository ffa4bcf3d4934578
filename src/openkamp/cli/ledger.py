"""``openkamp ledger``: the usage ledger from the command line — ``verify`` recomputes the whole
log against every signed tree head (exit status 1 on any problem), ``export`` writes the
auditor's bundle (one organisation's, or the whole log) that ``verify_standalone.py`` checks
without OpenKAMP, and ``head`` prints the newest signed tree head to keep."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from openkamp.cli.common import cli_principal, console, err_console, lang, platform
from openkamp.core.errors import NotFound
from openkamp.i18n import t

ledger_app = typer.Typer(
    help="Usage ledger: verify, export for auditors, tree heads / 데이터 사용 기록 장부",
    no_args_is_help=True,
)

OrgOption = Annotated[
    str | None, typer.Option("--org", help="Organisation name (default: the default one)")
]


def _org_id(kamp: Any, name: str | None) -> int:
    if name is None:
        return int(kamp.default_org_id)
    org = kamp.meta.find_org(name)
    if org is None:
        raise NotFound(
            f"No organisation named {name!r}.", code="sharing.ledger.no_org", params={"name": name}
        )
    return int(org["id"])


@ledger_app.command("verify")
def verify(
    trusted: Annotated[
        Path | None,
        typer.Option(
            "--trusted", help="A tree head kept earlier (JSON, as 'ledger head --json' prints)"
        ),
    ] = None,
) -> None:
    """Recompute the ledger from its entries and check every signed tree head; exit 1 on a
    problem."""
    from openkamp.sharing import TreeHead

    language = lang()
    kept = []
    if trusted is not None:
        kept.append(TreeHead.from_json(json.loads(trusted.read_text("utf-8"))))
    with platform() as kamp:
        report = kamp.sharing.verify(cli_principal(kamp), kept)
    if report.ok:
        console.print(
            "[green]✓[/] " + t("cli.ledger.ok", language, entries=report.entries_checked,
                               heads=report.heads_checked, seconds=f"{report.seconds:.2f}"),
            highlight=False,
        )  # fmt: skip
        return
    err_console.print(
        "[bold red]✗[/] " + t("cli.ledger.problems", language,
                              count=len(report.problems) + report.more,
                              entries=report.entries_checked),
        highlight=False,
    )  # fmt: skip
    for p in report.problems:
        where = "" if p.index is None else f" #{p.index}"
        label = t(f"cli.ledger.problem.{p.code}", language)
        line = f"  - [{p.code}]{where} {label}: {p.message}"
        err_console.print(escape(line), highlight=False)
    if report.more:
        err_console.print("  " + t("cli.ledger.more", language, count=report.more))
    raise typer.Exit(1)


@ledger_app.command("export")
def export(
    folder: Annotated[Path, typer.Argument(help="An empty (or new) folder for the bundle")],
    org: OrgOption = None,
    whole: Annotated[
        bool, typer.Option("--all", help="The whole log (every organisation), for an auditor")
    ] = False,
) -> None:
    """Write the auditor's bundle: an organisation's entries with their proofs, or the whole
    log."""
    language = lang()
    with platform() as kamp:
        me = cli_principal(kamp, None if whole else _org_id(kamp, org))
        out = kamp.sharing.export(me, folder, whole=whole)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    console.print(
        "[green]✓[/] " + t("cli.ledger.exported", language, folder=out, size=manifest["tree_size"]),
        highlight=False,
    )


@ledger_app.command("head")
def head(
    org: OrgOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the head as JSON (to keep)")
    ] = False,
) -> None:
    """The newest signed tree head: the platform's, or an organisation's (--org)."""
    language = lang()
    with platform() as kamp:
        ledger = kamp.sharing.ledger
        got = ledger.tree_head(None if org is None else _org_id(kamp, org))
        valid = got is not None and ledger.head_signed(got)
    if got is None:
        console.print(t("cli.ledger.empty", language))
        return
    if as_json:
        print(json.dumps(got.to_json()))
        return
    console.print(
        t("cli.ledger.head", language, signer=got.signer, size=got.tree_size,
          root=got.root_hash.hex(), time=got.time.isoformat(),
          valid=t("cli.ledger.valid" if valid else "cli.ledger.invalid", language)),
        highlight=False,
    )  # fmt: skip
