"""What every command group of the CLI shares: consoles, options, the platform, times."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from openkamp.core.errors import OpenKampError
from openkamp.settings import Settings

console = Console()
err_console = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", "-d", help="Data folder (default: $OPENKAMP_DATA_DIR or ./data)."),
]


class _State:
    data_dir: Path | None = None
    lang: str | None = None
    #: The running server's platform while it runs a command sent by another process
    #: (``cli/remote.py``): commands use it instead of opening the data folder.
    borrowed: Any = None
    #: Settings given as options of the command itself (``serve --role --port``).
    overrides: dict[str, Any] = {}  # noqa: RUF012 - one state per process


state = _State()


def settings() -> Settings:
    kwargs: dict[str, Any] = dict(state.overrides)
    if state.data_dir is not None:
        kwargs["data_dir"] = state.data_dir
    if state.lang is not None:
        kwargs["language"] = state.lang
    return Settings(**kwargs)


def lang() -> str:
    return state.lang or settings().language


class _Borrowed:
    """A platform lent for one command: ``with`` does not close it (its owner does)."""

    def __init__(self, kamp: Any) -> None:
        self._kamp = kamp

    def __getattr__(self, name: str) -> Any:
        return getattr(self._kamp, name)

    def __enter__(self) -> Any:
        return self._kamp

    def __exit__(self, *exc: object) -> None:
        return None


def platform() -> Any:
    if state.borrowed is not None:
        return _Borrowed(state.borrowed)
    from openkamp.platform import Platform

    return Platform(settings())


def cli_principal(kamp: Any, org_id: int | None = None) -> Any:
    """The local administrator with the platform operator's rights: the command line is used
    by whoever can read the data folder, so it may manage every account (e.g. reset the
    operator's forgotten password)."""
    from openkamp.core.tenancy import Principal, Role

    return Principal(
        org_id=kamp.default_org_id if org_id is None else org_id,
        name="local-admin",
        roles=frozenset({Role.OPERATOR}),
    )


def parse_time(text: str | None, tz: Any) -> datetime | None:
    if text is None:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as exc:
        raise OpenKampError(
            f"Cannot read the time {text!r}.",
            hint="Use ISO format, e.g. 2026-03-01T08:00",
            code="bad_time",
            params={"text": text},
        ) from exc
    return dt if dt.tzinfo else dt.replace(tzinfo=tz)
