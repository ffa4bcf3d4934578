"""``openkamp users``: list users, add one, reset a forgotten password (each prints a new
password once)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

import typer
from rich.table import Table

from openkamp.cli.common import cli_principal, console, lang, platform
from openkamp.core.errors import NotFound
from openkamp.i18n import t

users_app = typer.Typer(help="Users and passwords / 사용자와 비밀번호", no_args_is_help=True)


def _find(kamp: Any, login: str) -> dict[str, Any]:
    rec: dict[str, Any] | None = kamp.meta.lookup("user", login=login.strip().lower())
    if rec is None:
        raise NotFound(f"No user {login!r}.", code="accounts.no_user", params={"login": login})
    return rec


@users_app.command("list")
def users_list() -> None:
    """Users of every organisation (login, name, role, active)."""
    with platform() as kamp:
        rows = []
        for org in kamp.meta.list_orgs():
            for u in kamp.accounts.list_users(cli_principal(kamp, org["id"])):
                rows.append((org["name"], u))
    tbl = Table("org", "login", "name", "role", "active")
    for org, u in rows:
        tbl.add_row(org, u["login"], u["display_name"], t(f"web.role.{u['role']}", lang()),
                    "✓" if u["active"] else "–")  # fmt: skip
    console.print(tbl)


@users_app.command("add")
def users_add(
    login: Annotated[str, typer.Argument(help="Login name")],
    role: Annotated[str, typer.Option(help="viewer, engineer or admin")] = "viewer",
    display_name: Annotated[str, typer.Option("--name", help="Display name")] = "",
) -> None:
    """Add a user to the default organisation with a new random password (printed once)."""
    from openkamp.accounts.users import new_password

    password = new_password()
    with platform() as kamp:
        kamp.accounts.create_user(
            cli_principal(kamp), login, password, role=role, display_name=display_name
        )
    console.print(f"[green]✓[/] {t('accounts.cli.created', lang(), login=login, role=role)}:")
    console.print(f"  [bold]{login.strip().lower()}[/] / [bold]{password}[/]", highlight=False)


@users_app.command("reset-password")
def users_reset_password(
    login: Annotated[str, typer.Argument(help="Login whose password to reset")],
) -> None:
    """Give a user a new random password (printed once); their sessions end."""
    with platform() as kamp:
        user = _find(kamp, login)
        password = kamp.accounts.reset_password(cli_principal(kamp, user["org_id"]), user["id"])
    console.print(f"[green]✓[/] {t('accounts.cli.new_password', lang(), login=user['login'])}:")
    console.print(f"  [bold]{user['login']}[/] / [bold]{password}[/]", highlight=False)


def first_login(kamp: Any) -> tuple[str, str] | None:
    """On a platform without users: an operator ``admin`` with a new random password, to be
    printed once by the caller; None when a user exists already."""
    if not kamp.accounts.needs_setup():
        return None
    password = secrets.token_urlsafe(12)
    kamp.accounts.create_first_admin(kamp.default_org_id, "admin", password)
    return "admin", password
