"""The command line next to a running server: act through it instead of opening the data folder.

The embedded engines allow one writing process, so while ``openkamp serve`` runs, a second
process opening the same data folder would fail ("database is locked", "Could not set lock").
Instead, the server writes ``<data>/server.json`` (mode 0600: readable by the account that runs
it, which can read the data folder anyway) with its address, its process id and a random local
credential made at start-up. A command finds a live server there (the process exists and
answers ``/api/v1/health``) and sends its arguments to ``POST /api/v1/local/cli``; the server
runs the same command on its own open platform, one at a time, and answers with the output
and the exit status. Paths in the arguments are made absolute first, as the server's working
folder is not the user's. Without a live server, the command opens the data folder itself.

The route accepts only that credential (compared in constant time) from a loopback address;
it is not part of the public API (an API token, even an administrator's, cannot use it).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SERVER_FILE = "server.json"
HEADER = "X-OpenKAMP-Local"
ROUTE = "/api/v1/local/cli"
LOOPBACK = ("127.0.0.1", "::1", "localhost")
#: Commands that never go through a server: they start one, touch no data, or must run with
#: the server stopped (migrate refuses a running one).
LOCAL_COMMANDS = frozenset({"serve", "sim", "edge", "migrate"})


# --------------------------------------------------------------------------- server side


def write_server_file(data_dir: Path, url: str) -> str:
    """Write ``server.json`` (0600) for this process; returns the local credential."""
    secret = secrets.token_urlsafe(32)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SERVER_FILE
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": url, "pid": os.getpid(), "secret": secret}, f)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return secret


def remove_server_file(data_dir: Path) -> None:
    """Remove ``server.json`` if it is this process's."""
    path = data_dir / SERVER_FILE
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


_run_lock = threading.Lock()


def install(app: Any, secret: str) -> None:
    """Add the local command route to a server application."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse

    async def local_cli(request: Any) -> JSONResponse:  # a plain Starlette route
        given = request.headers.get(HEADER, "")
        host = request.client.host if request.client else ""
        if host not in LOOPBACK or not secrets.compare_digest(given, secret):
            return JSONResponse({"error": {"message": "Forbidden."}}, status_code=403)
        body = await request.json()
        argv = [str(a) for a in body.get("argv", [])]
        width = int(body.get("width") or 120)
        code, out, err = await run_in_threadpool(run_here, app.state.platform, argv, width)
        return JSONResponse({"exit_code": code, "stdout": out, "stderr": err})

    app.add_route(ROUTE, local_cli, methods=["POST"], include_in_schema=False)


def run_here(kamp: Any, argv: list[str], width: int) -> tuple[int, str, str]:
    """Run a command on this process's platform, capturing what it prints."""
    from openkamp.cli import common
    from openkamp.cli.main import run

    out, err = io.StringIO(), io.StringIO()
    with _run_lock, _captured(common, out, err, width), contextlib.redirect_stdout(out):
        common.state.borrowed = kamp
        try:
            code = run(argv)
        finally:
            common.state.borrowed = None
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def _captured(common: Any, out: io.StringIO, err: io.StringIO, width: int) -> Iterator[None]:
    saved = [(c, c.file, c.width) for c in (common.console, common.err_console)]
    common.console.file, common.err_console.file = out, err
    for c in (common.console, common.err_console):
        c.width = max(40, min(width, 400))
    try:
        yield
    finally:
        for c, file, w in saved:
            c.file, c.width = file, w


# --------------------------------------------------------------------------- client side

#: No proxy: the server is on this machine (an HTTP_PROXY setting must not reroute loopback).
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def find_server(data_dir: Path) -> tuple[str, str] | None:
    """(url, credential) of a live server on ``data_dir``, else None (a stale file is removed)."""
    path = data_dir / SERVER_FILE
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        url, secret, pid = str(info["url"]), str(info["secret"]), int(info["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    except PermissionError:
        pass  # it exists, as another user
    try:  # the standard library's client: the command line needs no HTTP package
        with _OPENER.open(f"{url}/api/v1/health", timeout=2.0) as answer:
            ok = answer.status == 200
    except (OSError, ValueError):
        ok = False
    return (url, secret) if ok else None


def absolute_paths(app: Any, argv: list[str], cwd: Path) -> list[str]:
    """``argv`` with every relative path argument made absolute (found by parsing ``argv``
    with the command's own parameters: only values that are paths are touched)."""
    import typer

    command: Any = typer.main.get_command(app)
    paths: set[Path] = set()
    try:
        ctx = command.make_context("openkamp", list(argv), resilient_parsing=True)
        while True:
            _collect(ctx.params, paths)
            rest = list(getattr(ctx, "_protected_args", [])) + list(ctx.args)
            if not hasattr(command, "resolve_command") or not rest:
                break
            name, sub, rest = command.resolve_command(ctx, rest)
            if sub is None:
                break
            ctx = sub.make_context(name or "", rest, parent=ctx, resilient_parsing=True)
            command = sub
    except Exception:  # a usage mistake: the server's run explains it
        return list(argv)
    relative = {p for p in paths if not p.is_absolute()}
    out = []
    for token in argv:
        head, eq, value = (
            token.partition("=") if token.startswith("--") and "=" in token else ("", "", token)
        )
        if value and Path(value) in relative:
            value = str(cwd / value)
        out.append(f"{head}{eq}{value}" if eq else value)
    return out


def _collect(params: dict[str, Any], into: set[Path]) -> None:
    for value in params.values():
        items = value if isinstance(value, list | tuple) else [value]
        into.update(v for v in items if isinstance(v, Path))


def forward(url: str, secret: str, argv: list[str], width: int) -> tuple[int, str, str]:
    """Run ``argv`` on the server; (exit status, stdout, stderr)."""
    request = urllib.request.Request(
        url + ROUTE,
        data=json.dumps({"argv": argv, "width": width}).encode("utf-8"),
        headers={HEADER: secret, "Content-Type": "application/json"},
        method="POST",
    )
    # no read timeout: a command may run long (an import, a training)
    with _OPENER.open(request) as answer:
        body = json.loads(answer.read().decode("utf-8"))
    return int(body["exit_code"]), str(body["stdout"]), str(body["stderr"])
