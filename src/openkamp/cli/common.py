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


state = _State()


def settings() -> Settings:
    kwargs: dict[str, Any] = {}
    if state.data_dir is not None:
        kwargs["data_dir"] = state.data_dir
    if state.lang is not None:
        kwargs["language"] = state.lang
    return Settings(**kwargs)


def lang() -> str:
    return state.lang or settings().language


def platform() -> Any:
    from openkamp.platform import Platform

    return Platform(settings())


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
