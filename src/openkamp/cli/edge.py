"""``openkamp edge``: forward a factory PC's machine data to a regional OpenKAMP over a WAN that
fails (store-and-forward, :mod:`openkamp.edge`).

    export OPENKAMP_EDGE_TOKEN=…              # an API token of the remote with the write scope
    openkamp -d ./edge-data edge run --remote https://kamp.example.kr --connections plc.json
    openkamp -d ./edge-data edge status

``run`` runs until Ctrl+C or SIGTERM; what is not yet at the remote stays in the queue for the
next start.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from openkamp.cli.common import console, lang, settings
from openkamp.core.errors import InvalidInput
from openkamp.i18n import t

edge_app = typer.Typer(
    help="Edge forwarding to a remote platform / 엣지 전송 (원격 플랫폼으로)", no_args_is_help=True
)


def _connections(path: Path | None) -> list[dict[str, Any]]:
    if path is None:
        return []
    try:
        specs = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(
            f"The connections file {path} cannot be read: {exc}",
            code="edge.bad_connections",
            params={"path": str(path), "problem": str(exc)[:200]},
        ) from exc
    if not isinstance(specs, list) or not all(
        isinstance(s, dict) and "name" in s and "kind" in s for s in specs
    ):
        raise InvalidInput(
            f"The connections file {path} must hold a list of {{name, kind, config}}.",
            code="edge.bad_connections",
            params={"path": str(path), "problem": "[{name, kind, config}]"},
        )
    return specs


@edge_app.command("run")
def edge_run(
    remote: Annotated[
        str, typer.Option(help="The remote platform's address (http(s)://host:port)")
    ],
    token: Annotated[
        str,
        typer.Option(envvar="OPENKAMP_EDGE_TOKEN", help="API token of the remote (write scope)"),
    ],
    connections: Annotated[
        Path | None, typer.Option(help="JSON file of connections to run: [{name, kind, config}]")
    ] = None,
    queue_max_mb: Annotated[
        float, typer.Option(help="Queue size on disk; when full, the connectors wait")
    ] = 1024.0,
    concurrency: Annotated[int, typer.Option(help="Requests in flight at once")] = 2,
    coalesce_points: Annotated[
        int, typer.Option(help="Most points sent in one request (a backlog goes out coalesced)")
    ] = 500_000,
    remote_connection: Annotated[
        str, typer.Option(help="An http connection of the remote to count the data on")
    ] = "",
    duration: Annotated[float | None, typer.Option(help="Stop after this many seconds")] = None,
) -> None:
    """Collect from the local connections into a disk queue and forward it to the remote."""
    from openkamp.edge.runner import Edge

    if not logging.getLogger().handlers:  # the edge's status line every 30 s, and warnings
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
        logging.getLogger("openkamp.edge").setLevel(logging.INFO)
    edge = Edge(
        settings().data_dir, remote, token,
        max_bytes=int(queue_max_mb * 1024 * 1024), concurrency=concurrency,
        coalesce_points=coalesce_points, connections=_connections(connections),
        remote_connection=remote_connection,
    )  # fmt: skip
    done = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: done.set())
    edge.start()
    console.print(f"[green]✓[/] {t('edge.running', lang(), remote=remote)}")
    try:
        done.wait(duration)
    except KeyboardInterrupt:
        pass
    finally:
        q = edge.stop(drain_s=5.0)
        signal.signal(signal.SIGTERM, previous)
    console.print(t("edge.stopped", lang(), points=q["points"]))


@edge_app.command("status")
def edge_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON")] = False,
) -> None:
    """The queue's depth (points, bytes, oldest age), the send rate and the last error."""
    from openkamp.edge.runner import read_status

    st = read_status(settings().data_dir)
    if as_json:
        console.print_json(json.dumps(st, default=str))
        return
    lg = lang()
    q = st.get("queue") or {"points": 0, "bytes": 0, "oldest_age_s": 0.0, "batches": 0}
    f = st.get("forward") or {}
    state = t("edge.state.running" if st["running"] else "edge.state.stopped", lg)
    console.print(f"{t('edge.state', lg)}: {state}  {st.get('remote') or ''}")
    console.print(
        t("edge.queue_line", lg, points=q["points"], mb=q["bytes"] / 1e6, age=q["oldest_age_s"])
    )
    console.print(
        t("edge.send_line", lg, rate=f.get("points_per_s", 0.0), sent=f.get("sent_points", 0))
    )
    console.print(f"{t('edge.last_error', lg)}: {f.get('last_error') or '-'}")
