"""Running a command: the answers to every kind of mistake, and the way through a running server.

``run(app, argv)`` runs one command in this process and turns every error into a short message
in the user's language — a domain error by its code, a usage mistake with where the help is, a
path that is not a usable folder, and anything unexpected as one line plus the log file that
holds its traceback (``<data>/logs/cli.log``). ``main(app)`` first looks for a server running on
the same data folder (``cli/remote.py``) and sends the command there.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from openkamp.cli.common import err_console, settings, state
from openkamp.core.errors import OpenKampError, StorageError
from openkamp.i18n import error_text, t


def run(app: Any, argv: list[str]) -> int:
    """Run one command in this process; returns its exit status. Never raises for a user's
    mistake: every error becomes a short message in the user's language."""
    language = _argv_lang(argv)
    try:
        # (outside standalone mode click returns a command's typer.Exit status instead of
        # raising it)
        status = app(args=argv, prog_name="openkamp", standalone_mode=False)
    except OpenKampError as exc:
        message, hint = error_text(exc, language)
        err_console.print(f"[bold red]{t('error', language)}:[/] {message}", highlight=False)
        if hint:
            err_console.print(f"[yellow]{t('hint', language)}:[/] {hint}", highlight=False)
        return 1 if isinstance(exc, StorageError) else 2
    except (typer.Exit, typer.Abort) as exc:
        return int(getattr(exc, "exit_code", 1) or 0)
    except KeyboardInterrupt:
        err_console.print(f"[yellow]{t('cli.interrupted', language)}[/]")
        return 130
    except OSError as exc:  # a path that is not a folder, not writable, missing …
        if getattr(exc, "filename", None) is None:
            _unexpected(exc, language)
            return 1
        err_console.print(
            f"[bold red]{t('error', language)}:[/] "
            + t(
                "cli.os_error",
                language,
                path=exc.filename,
                reason=exc.strerror or type(exc).__name__,
            ),
            highlight=False,
        )
        err_console.print(f"[yellow]{t('hint', language)}:[/] {t('cli.os_error.hint', language)}")
        return 2
    except Exception as exc:
        # typer carries its own copy of click: its usage errors are recognised by shape
        if hasattr(exc, "format_message") and isinstance(getattr(exc, "exit_code", None), int):
            _usage_error(exc, argv, language)
            return int(exc.exit_code)  # type: ignore[attr-defined]
        if type(exc).__name__ in ("Exit", "Abort"):
            return int(getattr(exc, "exit_code", 1) or 0)
        _unexpected(exc, language)
        return 1
    return status if isinstance(status, int) and not isinstance(status, bool) else 0


def _argv_lang(argv: list[str]) -> str:
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv) and argv[i + 1] in ("ko", "en"):
            return argv[i + 1]
        if a in ("--lang=ko", "--lang=en"):
            return a[-2:]
    try:
        return settings().language
    except Exception:
        return "ko"


def _usage_error(exc: Any, argv: list[str], language: str) -> None:
    """A usage mistake: what was wrong (click's own words, which name the option) and where
    the help is."""
    message = exc.format_message()
    if not message:  # a group called without a command: its help was printed already
        return
    words, skip = [], False
    for a in argv:
        if skip or a.startswith("-"):
            skip = a in ("-d", "--data-dir", "--lang")
            continue
        words.append(a)
    words = words[:2]
    err_console.print(f"[bold red]{t('cli.usage_error', language)}:[/] {message}", highlight=False)
    err_console.print(
        f"[yellow]{t('hint', language)}:[/] "
        + t("cli.see_help", language, command=" ".join(["openkamp", *words, "--help"])),
        highlight=False,
    )


def _unexpected(exc: BaseException, language: str) -> None:
    """Something that should not happen: one line for the user, the traceback in a log file."""
    import tempfile
    import traceback
    from datetime import UTC

    text = "".join(traceback.format_exception(exc))
    log = _log_file()
    where = ""
    for path in (log, Path(tempfile.gettempdir()) / "openkamp-cli.log"):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as f:
                f.write(f"--- {datetime.now(UTC).isoformat()} {' '.join(sys.argv)}\n{text}\n")
        except OSError:
            continue
        where = str(path)
        break
    locked = "could not set lock" in text.lower() or "database is locked" in text.lower()
    key = "cli.busy" if locked else "cli.unexpected"
    err_console.print(
        f"[bold red]{t('error', language)}:[/] {t(key, language, kind=type(exc).__name__)}",
        highlight=False,
    )
    if where:
        err_console.print(f"[dim]{t('cli.logged', language, path=where)}[/]", highlight=False)


def _log_file() -> Path:
    try:
        return settings().data_dir / "logs" / "cli.log"
    except Exception:
        import tempfile

        return Path(tempfile.gettempdir()) / "openkamp-cli.log"


def _through_server(app: Any, argv: list[str]) -> int | None:
    """Run ``argv`` on a live server of the same data folder; None when there is none (or
    the command must run here)."""
    from openkamp.cli import remote

    words = [a for a in argv if not a.startswith("-")]
    if not words or any(a in ("--help", "-h") for a in argv):
        return None
    try:
        ctx = typer.main.get_command(app).make_context(
            "openkamp", list(argv), resilient_parsing=True
        )
        rest = list(getattr(ctx, "_protected_args", [])) + list(ctx.args)
        data_dir = ctx.params.get("data_dir")
        state.lang = ctx.params.get("lang")
    except Exception:  # a usage mistake: let the local run explain it
        return None
    if not rest or rest[0] in remote.LOCAL_COMMANDS:
        return None
    state.data_dir = data_dir
    try:
        found = remote.find_server(settings().data_dir)
    except Exception:
        return None
    if found is None:
        return None
    import shutil

    width = shutil.get_terminal_size((120, 24)).columns
    code, out, err = remote.forward(*found, remote.absolute_paths(app, argv, Path.cwd()), width)
    sys.stdout.write(out)
    sys.stderr.write(err)
    return code


def main(app: Any) -> None:
    argv = sys.argv[1:]
    try:
        code = _through_server(app, argv)
    except Exception as exc:  # the server went away mid-command, or answered nonsense
        _unexpected(exc, _argv_lang(argv))
        code = 1
    if code is None:
        code = run(app, argv)
    sys.exit(code)
