"""Sends the edge queue to a remote OpenKAMP's HTTP ingest (``POST /api/v1/ingest/arrow``).

``concurrency`` worker threads (default 2: more requests at once make a backlog arrive out of
time order, which the store merges instead of appending: 4 in flight drained at less than half
the rate of 2 in bench/stream.py) each take the oldest batches not in flight, together up to
``coalesce_points`` (a backlog after an outage goes out in large requests, a live trickle in
small ones as it comes), map the local signal ids to the remote's (:class:`IdMap`), and post
them as one Arrow IPC stream with the API token. Only a 2xx answer deletes the batches from
the queue; anything else (no network, a 5xx, a 401 from a revoked token) puts them back, notes
the error, and the worker waits with a growing, jittered delay (a 413, a request over the
remote's ``ingest_max_bytes``, halves ``coalesce_points`` instead), so the queue holds everything
through an outage of hours and drains with every worker busy after it. The remote stores a
point once per (signal, time): a batch sent again after a crash changes nothing there.

The standard library's HTTP client is used (one persistent connection per worker): the edge
needs no HTTP package beyond what the platform has.
"""

from __future__ import annotations

import http.client
import json
import logging
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openkamp.connectors.base import Backoff
from openkamp.edge.queue import Claimed, DiskQueue, ipc_to_table, table_to_ipc

log = logging.getLogger(__name__)

#: How long a worker waits for the queue to have something before looking again.
IDLE_WAIT_S = 0.2


class RemoteError(Exception):
    """The remote did not store a request (no answer, or not 2xx)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def api_base(url: str) -> str:
    """``http://host:port`` or ``…/api/v1``: the remote's API root (``…/api/v1``)."""
    url = url.rstrip("/")
    return url if url.endswith("/api/v1") else url + "/api/v1"


class Remote:
    """One persistent HTTP connection to the remote (not thread-safe: one per worker)."""

    def __init__(self, url: str, token: str, *, timeout_s: float = 60.0) -> None:
        self.base = api_base(url)
        parts = urlsplit(self.base)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path
        self._token = token
        self._timeout = timeout_s
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._https:
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                self._conn = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout
                )
        return self._conn

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/octet-stream") -> Any:  # fmt: skip
        """The JSON answer of a 2xx; :class:`RemoteError` otherwise."""
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        try:
            conn = self._connection()
            conn.request(method, self._prefix + path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise RemoteError(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= answer.status < 300:
            text = data[:300].decode("utf-8", "replace")
            if answer.status >= 500:
                self.close()
            raise RemoteError(f"HTTP {answer.status}: {text}", answer.status)
        try:
            return json.loads(data) if data else {}
        except ValueError:
            return {}

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


# --------------------------------------------------------------------------- ids


def tree_paths(tree: list[dict[str, Any]]) -> dict[str, int]:
    """``site/line/equipment/signal`` → signal id, from ``GET /assets/tree``."""
    out: dict[str, int] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        path = f"{prefix}{node['name']}"
        for sig in node.get("signals") or []:
            out[f"{path}/{sig['name']}"] = int(sig["id"])
        for child in node.get("children") or []:
            walk(child, path + "/")

    for root in tree:
        walk(root, "")
    return out


class IdMap:
    """Local signal ids → the remote's, by the signals' key paths (thread-safe)."""

    def __init__(self, local: dict[str, int], remote: dict[str, int]) -> None:
        self._lock = threading.Lock()
        self.set(local, remote)

    def set(self, local: dict[str, int], remote: dict[str, int]) -> None:
        pairs = sorted((lid, remote[p]) for p, lid in local.items() if p in remote)
        with self._lock:
            self._local = pa.array([p[0] for p in pairs], pa.int64())
            self._remote = pa.array([p[1] for p in pairs], pa.int64())
            self.paths = {lid: p for p, lid in local.items()}

    def map(self, table: pa.Table) -> tuple[pa.Table, pa.Table]:
        """(points with remote ids, points whose signal the remote does not have)."""
        with self._lock:
            local, remote = self._local, self._remote
        idx = pc.index_in(table.column("signal_id"), value_set=local)
        known = pc.is_valid(idx)
        if pc.all(known).as_py():
            mapped = table.set_column(0, "signal_id", pc.take(remote, idx))
            return mapped, table.slice(0, 0)
        mapped = table.filter(known)
        mapped = mapped.set_column(0, "signal_id", pc.take(remote, idx.filter(known)))
        return mapped, table.filter(pc.invert(known))


# --------------------------------------------------------------------------- forwarding


@dataclass
class _Stats:
    sent_points: int = 0
    sent_requests: int = 0
    failed_requests: int = 0
    remote_rejected: dict[str, int] = field(default_factory=dict)
    last_error: str | None = None
    last_error_at: float | None = None
    last_sent_at: float | None = None
    window: deque[tuple[float, int]] = field(default_factory=deque)


class Forwarder:
    """Drains a :class:`DiskQueue` into the remote (see the module docstring)."""

    WINDOW_S = 10.0

    def __init__(
        self,
        queue: DiskQueue,
        url: str,
        token: str,
        ids: IdMap,
        *,
        concurrency: int = 2,
        coalesce_points: int = 500_000,
        compression: str | None = "lz4",
        connection: str = "",
        timeout_s: float = 60.0,
        retry_max_s: float = 30.0,
        on_unknown: Any = None,
    ) -> None:
        self.queue = queue
        self.url = url
        self.token = token
        self.ids = ids
        self.concurrency = max(1, int(concurrency))
        self.coalesce_points = max(1, int(coalesce_points))
        self.compression = compression
        self.connection = connection
        self.timeout_s = timeout_s
        self.retry_max_s = retry_max_s
        #: Called (from a worker) when points name signals the remote lacks, before they are
        #: sent by name: e.g. refresh the id map from the remote's asset tree.
        self.on_unknown = on_unknown
        self._stats = _Stats()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self._stop.clear()
        for i in range(self.concurrency):
            t = threading.Thread(target=self._work, name=f"edge-forward-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, drain_s: float = 0.0) -> None:
        """Stop the workers (after up to ``drain_s`` seconds of sending what is queued)."""
        if drain_s > 0:
            self.queue.wait_empty(drain_s)
        self._stop.set()
        for t in self._threads:
            t.join(self.timeout_s + 5)
        self._threads = []

    # -- work ---------------------------------------------------------------------------------

    def _work(self) -> None:
        remote = Remote(self.url, self.token, timeout_s=self.timeout_s)
        backoff = Backoff(initial=0.2, cap=self.retry_max_s)
        try:
            while not self._stop.is_set():
                claimed = self.queue.claim(self.coalesce_points, wait=IDLE_WAIT_S)
                if claimed is None:
                    continue
                try:
                    answers = self.send(remote, claimed)
                except RemoteError as exc:
                    self.queue.release(claimed)
                    self._failed(exc)
                    if exc.status == 413 and len(claimed.ids) > 1:  # over the remote's limit
                        self.coalesce_points = max(1, claimed.points // 2)
                        continue
                    self._stop.wait(backoff.next())
                    continue
                except Exception as exc:  # a bug or a corrupt batch: kept, reported
                    self.queue.release(claimed)
                    log.exception("edge: a batch could not be prepared")
                    self._failed(exc)
                    self._stop.wait(backoff.next())
                    continue
                self.queue.delete(claimed)
                backoff.reset()
                self._sent(claimed.points, answers)
        finally:
            remote.close()

    def send(self, remote: Remote, claimed: Claimed) -> list[dict[str, Any]]:
        """Post claimed batches (mapped to the remote's ids; signals it lacks by name)."""
        tables = [ipc_to_table(b) for b in claimed.bodies]
        # One record batch per request: the remote handles each batch of a stream separately.
        table = tables[0] if len(tables) == 1 else pa.concat_tables(tables).combine_chunks()
        mapped, unknown = self.ids.map(table)
        if unknown.num_rows and self.on_unknown is not None:
            self.on_unknown()
            mapped, unknown = self.ids.map(table)
        query = f"?connection={self.connection}" if self.connection else ""
        answers = []
        if mapped.num_rows:
            body = table_to_ipc(mapped, self.compression)
            answers.append(remote.request("POST", f"/ingest/arrow{query}", body))
        if unknown.num_rows:
            answers.append(remote.request("POST", f"/ingest/arrow{query}", self._by_name(unknown)))
        return answers

    def _by_name(self, table: pa.Table) -> bytes:
        """Points as ``equipment`` / ``signal`` names (the remote resolves them; an http
        connection with ``auto_create_signals`` creates what it lacks)."""
        ids = table.column("signal_id").to_numpy()
        paths = self.ids.paths
        uniq, inverse = np.unique(ids, return_inverse=True)
        eq_of, key_of = [], []
        for sid in uniq:
            path = paths.get(int(sid), f"?/?/?/{sid}")
            eq, _, key = path.rpartition("/")
            eq_of.append(eq)
            key_of.append(key)
        named = pa.table({
            "equipment": pa.array(np.asarray(eq_of, dtype=object)[inverse], pa.string()),
            "signal": pa.array(np.asarray(key_of, dtype=object)[inverse], pa.string()),
            "ts": table.column("ts"),
            "value": table.column("value"),
        })  # fmt: skip
        return table_to_ipc(named, self.compression)

    # -- counters -----------------------------------------------------------------------------

    def _sent(self, points: int, answers: list[dict[str, Any]]) -> None:
        now = time.monotonic()
        with self._lock:
            s = self._stats
            s.sent_points += points
            s.sent_requests += len(answers)
            s.last_sent_at = time.time()
            for a in answers:
                for reason, n in dict(a.get("reasons") or {}).items():
                    s.remote_rejected[reason] = s.remote_rejected.get(reason, 0) + int(n)
            s.window.append((now, points))
            while s.window and now - s.window[0][0] > self.WINDOW_S:
                s.window.popleft()

    def _failed(self, exc: BaseException) -> None:
        text = str(exc)[:500]
        with self._lock:
            first = self._stats.last_error != text
            self._stats.failed_requests += 1
            self._stats.last_error = text
            self._stats.last_error_at = time.time()
        if first:
            log.warning("edge: sending failed (kept in the queue, retrying): %s", text)

    def stats(self) -> dict[str, Any]:
        now = time.monotonic()
        with self._lock:
            s = self._stats
            while s.window and now - s.window[0][0] > self.WINDOW_S:
                s.window.popleft()
            rate = sum(n for _, n in s.window) / self.WINDOW_S
            return {
                "sent_points": s.sent_points,
                "sent_requests": s.sent_requests,
                "failed_requests": s.failed_requests,
                "points_per_s": rate,
                "remote_rejected": dict(s.remote_rejected),
                "last_error": s.last_error,
                "last_error_at": s.last_error_at,
                "last_sent_at": s.last_sent_at,
            }
