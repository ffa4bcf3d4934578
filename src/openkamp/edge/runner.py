"""The edge process: local connectors → disk queue → remote OpenKAMP (``openkamp edge run``).

The edge is a small platform of its own (a data folder on the factory PC) running the very
connector runtime of the server, with one change: the live buffer's store is the
:class:`~openkamp.edge.queue.DiskQueue`. A connector's ``await ctx.write(points)`` therefore
returns once the points are fsync'd in the queue, which is when the edge may acknowledge them
to its source, and a full queue makes the connector wait (backpressure).

At start the edge mirrors the remote's asset model (``GET /api/v1/assets/tree``) into its own
(so connectors resolve the same equipment and signal names) and maps local signal ids to the
remote's by key path; with the remote unreachable it starts on the copy from last time (and
reads the remote's model again every 30 s until it answers). The
connections it runs are its own connection records, created or updated from a JSON file
(``[{"name": …, "kind": "modbus", "config": {…}}, …]``). Every ``status_interval_s`` it writes
``<data>/edge/status.json`` (read by ``openkamp edge status``) and logs one line.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any, cast

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.edge.forwarder import Forwarder, IdMap, Remote, RemoteError, tree_paths
from openkamp.edge.queue import DiskQueue, read_stats

log = logging.getLogger(__name__)

QUEUE_FILE = "queue.sqlite3"
STATUS_FILE = "status.json"
#: Seconds between attempts to read the remote's asset model while it was out of reach.
SYNC_RETRY_S = 30.0


def edge_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "edge"


def specs_from_tree(tree: list[dict[str, Any]]) -> list[SiteSpec]:
    """The asset specs of a ``GET /assets/tree`` answer (sites → lines → equipment → signals)."""

    def text(n: dict[str, Any], key: str) -> str:
        return str(n.get(key) or "")

    def signal(s: dict[str, Any]) -> SignalSpec:
        return SignalSpec(
            s["name"], text(s, "name_ko"), text(s, "name_en"), unit=text(s, "unit"),
            min_value=s.get("min_value"), max_value=s.get("max_value"),
            sampling_period_s=s.get("sampling_period_s"), description=text(s, "description"),
        )  # fmt: skip

    def equipment(eq: dict[str, Any]) -> EquipmentSpec:
        return EquipmentSpec(
            eq["name"], text(eq, "name_ko"), text(eq, "name_en"),
            equipment_type=text(eq, "equipment_type"), description=text(eq, "description"),
            signals=[signal(s) for s in eq.get("signals") or []],
        )  # fmt: skip

    sites = []
    for site in tree:
        lines = [
            LineSpec(line["name"], text(line, "name_ko"), text(line, "name_en"),
                     description=text(line, "description"),
                     equipment=[equipment(eq) for eq in line.get("children") or []])
            for line in site.get("children") or []
        ]  # fmt: skip
        sites.append(SiteSpec(site["name"], text(site, "name_ko"), text(site, "name_en"),
                              description=text(site, "description"), lines=lines))  # fmt: skip
    return sites


class Edge:
    """An edge forwarder over a local data folder (see the module docstring)."""

    def __init__(
        self,
        data_dir: str | Path,
        remote: str,
        token: str,
        *,
        max_bytes: int = 1 << 30,
        concurrency: int = 2,
        coalesce_points: int = 500_000,
        compression: str | None = "lz4",
        connections: list[dict[str, Any]] | None = None,
        remote_connection: str = "",
        status_interval_s: float = 1.0,
        platform_settings: dict[str, Any] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.remote_url = remote
        self.token = token
        self.max_bytes = max_bytes
        self.concurrency = concurrency
        self.coalesce_points = coalesce_points
        self.compression = compression
        self.connections = connections or []
        self.remote_connection = remote_connection
        self.status_interval_s = status_interval_s
        self.platform_settings = platform_settings or {}
        self.kamp: Any = None
        self.queue: DiskQueue | None = None
        self.forwarder: Forwarder | None = None
        self.ids = IdMap({}, {})
        self._stop = threading.Event()
        self._reporter: threading.Thread | None = None
        self._last_sync = 0.0
        #: Whether the remote's asset model was read since start (else it is tried again).
        self.synced = False

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        from openkamp.connectors.sink import Sink
        from openkamp.platform import Platform
        from openkamp.storage.timeseries.base import TimeSeriesStore

        folder = edge_dir(self.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        self.kamp = kamp = Platform.at(self.data_dir, **self.platform_settings)
        self.queue = DiskQueue(
            folder / QUEUE_FILE, max_bytes=self.max_bytes, compression=self.compression
        )
        # The live buffer's store is the queue: a durable write is an fsync'd append. (Sink
        # calls only ``write`` of its store; its own thread never started, nothing is lost.)
        live = kamp.live
        live.sink = Sink(
            cast(TimeSeriesStore, self.queue),
            capacity=kamp.settings.connectors_buffer_points,
            batch_points=kamp.settings.connectors_batch_points,
        )
        self.sync_assets()
        self._apply_connections()
        self.forwarder = Forwarder(
            self.queue, self.remote_url, self.token, self.ids,
            concurrency=self.concurrency, coalesce_points=self.coalesce_points,
            compression=self.compression, connection=self.remote_connection,
            on_unknown=self._refresh_ids,
        )  # fmt: skip
        self.forwarder.start()
        live.start()
        self._stop.clear()
        self._reporter = threading.Thread(target=self._report, name="edge-status", daemon=True)
        self._reporter.start()
        log.info("edge: forwarding %s to %s", self.data_dir, self.remote_url)

    def stop(self, drain_s: float = 0.0) -> dict[str, Any]:
        """Stop the connectors (what they handed over goes into the queue), send for up to
        ``drain_s`` seconds, stop sending; the queue keeps the rest for the next start.
        Returns the queue's last stats."""
        self._stop.set()
        if self.kamp is not None:
            self.kamp.live.stop()
        if self.forwarder is not None:
            self.forwarder.stop(drain_s)
        self.write_status()
        if self._reporter is not None:
            self._reporter.join(5)
        if self.kamp is not None:
            self.kamp.close()
        last: dict[str, Any] = {"points": 0, "bytes": 0, "batches": 0}
        if self.queue is not None:
            last = self.queue.stats()
            self.queue.close()
        return last

    # -- assets -------------------------------------------------------------------------------

    def sync_assets(self) -> bool:
        """Mirror the remote's asset model and map the ids; False when the remote did not
        answer (the local copy and the last map are used)."""
        self._last_sync = time.monotonic()
        remote = Remote(self.remote_url, self.token, timeout_s=10.0)
        try:
            tree = remote.request("GET", "/assets/tree")
        except RemoteError as exc:
            log.warning(
                "edge: the remote's asset model is out of reach (%s); using the local copy", exc
            )
            self._map_ids(None)
            return False
        finally:
            remote.close()
        self.kamp.assets.apply_tree(self.kamp.principal(), specs_from_tree(tree))
        self._map_ids(tree_paths(tree))
        self.synced = True
        return True

    def _local_paths(self) -> dict[str, int]:
        me = self.kamp.principal()
        nodes = {n.id: n for n in self.kamp.assets.list_nodes(me)}

        def path(node_id: int | None) -> str:
            parts = []
            while node_id is not None:
                n = nodes[node_id]
                parts.append(n.name)
                node_id = n.parent_id
            return "/".join(reversed(parts))

        return {f"{path(s.equipment_id)}/{s.name}": int(s.id)
                for s in self.kamp.assets.list_signals(me)}  # fmt: skip

    def _map_ids(self, remote: dict[str, int] | None) -> None:
        cache = edge_dir(self.data_dir) / "remote_ids.json"
        if remote is None:
            try:
                remote = {str(k): int(v) for k, v in json.loads(cache.read_text("utf-8")).items()}
            except (OSError, ValueError):
                remote = {}
        else:
            tmp = cache.with_suffix(".tmp")
            tmp.write_text(json.dumps(remote), "utf-8")
            os.replace(tmp, cache)
        self.ids.set(self._local_paths(), remote)

    def _refresh_ids(self) -> None:
        """Points name a signal the map lacks: look at the remote's model again (at most
        every ten seconds)."""
        if time.monotonic() - self._last_sync > 10.0:
            self.sync_assets()

    def _apply_connections(self) -> None:
        me = self.kamp.principal()
        for spec in self.connections:
            found = self.kamp.connections.find(me, spec["name"])
            enabled = bool(spec.get("enabled", True))
            if found is None:
                self.kamp.connections.create(
                    me, spec["name"], spec["kind"], spec.get("config") or {}, enabled=enabled
                )
            else:
                self.kamp.connections.update(me, found["id"], config=spec.get("config") or {})

    # -- status -------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        assert self.queue is not None and self.forwarder is not None
        connections = []
        me = self.kamp.principal()
        for rec in self.kamp.connections.list(me):
            st = self.kamp.connections.status(me, rec["id"])
            connections.append({"name": rec["name"], "kind": rec["kind"], "state": st["state"],
                                "points": st["points"], "rejected": st["rejected"],
                                "last_error": st["last_error"]})  # fmt: skip
        return {
            "remote": self.remote_url,
            "pid": os.getpid(),
            "updated_at": time.time(),
            "queue": self.queue.stats(),
            "forward": self.forwarder.stats(),
            "connections": connections,
        }

    def write_status(self) -> None:
        if self.queue is None or self.forwarder is None:
            return
        try:
            status = self.status()
        except Exception:  # closing meanwhile
            return
        path = edge_dir(self.data_dir) / STATUS_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(status, ensure_ascii=False, default=str), "utf-8")
        os.replace(tmp, path)

    def _report(self) -> None:
        last_log = 0.0
        while not self._stop.wait(self.status_interval_s):
            self.write_status()
            if not self.synced and time.monotonic() - self._last_sync >= SYNC_RETRY_S:
                try:  # started while the remote was out of reach: its model, once it is back
                    self.sync_assets()
                except Exception:
                    log.exception("edge: mirroring the remote's asset model failed")
            if time.monotonic() - last_log >= 30.0:
                last_log = time.monotonic()
                assert self.queue is not None and self.forwarder is not None
                q, f = self.queue.stats(), self.forwarder.stats()
                log.info(
                    "edge: queue %d points (%d bytes, oldest %.0f s), sending %.0f points/s, "
                    "last error: %s", q["points"], q["bytes"], q["oldest_age_s"],
                    f["points_per_s"], f["last_error"] or "-",
                )  # fmt: skip


def read_status(data_dir: str | Path) -> dict[str, Any]:
    """What ``openkamp edge status`` shows: the queue's depth read from its file, and the
    running edge's last status (rate, last error; ``running`` when it is fresh)."""
    folder = edge_dir(data_dir)
    out: dict[str, Any] = {"queue": read_stats(folder / QUEUE_FILE), "running": False}
    try:
        saved = json.loads((folder / STATUS_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return out
    fresh = time.time() - float(saved.get("updated_at", 0)) < 10.0
    pid_alive = False
    try:
        os.kill(int(saved.get("pid", 0)), 0)
        pid_alive = True
    except (OSError, ValueError):
        pass
    out.update({k: saved.get(k) for k in ("remote", "forward", "connections")})
    out["running"] = fresh and pid_alive
    out["saved_queue"] = saved.get("queue")
    return out
