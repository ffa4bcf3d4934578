"""OPC UA client (asyncua): subscribed variables stored as points, gaps backfilled from history.

An ``opcua`` connection names one server (``endpoint``, ``opc.tcp://host:port/path``), how to
sign in (anonymous, or ``username`` / ``password``) and secure the channel (``security_policy``
``None`` or ``Basic256Sha256`` with ``security_mode`` ``Sign`` or ``SignAndEncrypt``, where the
server offers them; the client's certificate and key given as PEM text, ``client_certificate``
and ``client_private_key``, or else a self-signed one made in ``certificate_dir`` once and kept,
so a server's administrator can trust it; optionally the server's own certificate,
``server_certificate``, to accept no other: :mod:`openkamp.connectors.opcua_security`), and a
mapping of node ids to equipment and signals (``nodes``).
:mod:`openkamp.connectors.opcua_browse` proposes that mapping, and the asset tree, from the
server's own address space.

**Subscription.** One subscription (``publishing_interval_ms``) with a monitored item per mapped
node (``sampling_interval_ms``, ``queue_size``, oldest discarded). Every data change is stored
at its ``SourceTimestamp``; a server that sends none is stored at its ``ServerTimestamp`` and
counted (``opcua.server_timestamp``). Values of bad quality are counted (``opcua.bad_quality``),
values that are not numbers too (``opcua.not_numeric``); booleans are stored as 0 / 1. The
notifications of a publish response are taken as a whole (not one callback per item) and
written in batches of up to ``batch_points`` or every ``flush_ms``.

**A dead server** is found by asyncua's session watchdog (the server state read every
``watchdog_s``) or the transport closing; the connection turns ``connecting``, the outage is
counted once (``opcua.outage``), and the connector reconnects with a growing, jittered delay
(:class:`~openkamp.connectors.base.Backoff`). A refused login, security settings the server does
not offer and a certificate it refuses are reported on the connection in Korean and English
(``last_error``, :func:`in_words`), never with the password or the key.

**Backfill.** For each node the connector keeps the newest time below which everything is
stored (a *watermark*; at start, the store's newest point of the signal). After a reconnect it
subscribes first (so nothing new is missed), then reads the server's raw history from each
watermark to now with HistoryRead (``backfill_nodes_per_request`` nodes and
``backfill_values_per_node`` values per request, following continuation points), writes it
(idempotent on signal and time: what the subscription already stored is not stored twice) and
only then moves the watermark, so a second outage during a backfill loses nothing either. At
most ``backfill_max_s`` seconds before now are read. Points read back are counted
(``opcua.backfilled``); a server (or node) without history is said once per reconnect
(``opcua.history_unavailable`` and the last error), and not asked again until the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from openkamp.connectors.base import (
    Backoff,
    Connector,
    ConnectorConfig,
    ConnectorContext,
    Secret,
    now_us,
    points_table,
)
from openkamp.connectors.opcua_security import (
    SecurityProblem,
    check_client_pair,
    pem,
    read_certificate,
    secure,
)
from openkamp.core.errors import NotFound

SecurityPolicy = Literal["None", "Basic256Sha256"]
SecurityMode = Literal["None", "Sign", "SignAndEncrypt"]
_PEM_MAX = 20_000  # characters of a PEM certificate or key (a 4096-bit RSA key is ~3,300)

#: Status codes a HistoryRead answers for a node (or the whole service) that keeps no history.
NO_HISTORY = {
    "BadHistoryOperationUnsupported", "BadHistoryOperationInvalid", "BadNotReadable",
    "BadServiceUnsupported", "BadNotSupported", "BadUserAccessDenied", "BadNodeIdUnknown",
}  # fmt: skip
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class OpcUaNode(BaseModel):
    """One mapped variable: the node and the signal its values are stored as."""

    model_config = ConfigDict(extra="forbid")

    node_id: str = Field(min_length=1, description="NodeId, e.g. ns=2;s=plant1/line1/m1/temp")
    equipment: str = Field(min_length=1, description="Equipment key path site/line/equipment")
    signal: str = Field(min_length=1, description="Signal key (or display name)")
    unit: str = Field("", description="Unit (used when a signal is created)")


class OpcUaConfig(ConnectorConfig):
    """An OPC UA server and the variables to store."""

    endpoint: str = Field(
        pattern=r"^opc\.tcp://\S+$", description="Server endpoint URL (opc.tcp://host:port/path)"
    )
    security_policy: SecurityPolicy = Field("None", description="None or Basic256Sha256")
    security_mode: SecurityMode = Field("None", description="None, Sign or SignAndEncrypt")
    username: str = Field("", description="Login; empty: anonymous")
    password: Secret = Field("", description="Password of the login")
    client_certificate: str = Field(
        "",
        max_length=_PEM_MAX,
        description="Client certificate (PEM) for secure channels; empty: a self-signed one "
        "made in certificate_dir",
    )
    client_private_key: Secret = Field(
        "", max_length=_PEM_MAX, description="Private key of the client certificate (PEM)"
    )
    client_key_password: Secret = Field("", description="Password of an encrypted private key")
    server_certificate: str = Field(
        "",
        max_length=_PEM_MAX,
        description="The server's certificate (PEM): accept no other; empty: the one it presents",
    )
    certificate_dir: str = Field(
        "", description="Folder of the self-signed client certificate; empty: a temp folder"
    )
    nodes: list[OpcUaNode] = Field(default_factory=list, description="Mapped variables")
    publishing_interval_ms: float = Field(1000.0, gt=0, le=3_600_000)
    sampling_interval_ms: float = Field(
        0.0, ge=0, le=3_600_000, description="0: as fast as the server samples (its changes)"
    )
    queue_size: int = Field(10, ge=1, le=100_000, description="Values the server queues per item")
    backfill: bool = Field(True, description="Read the gap after a disconnect from history")
    backfill_max_s: float = Field(7 * 86_400.0, gt=0, description="Longest gap read back")
    backfill_nodes_per_request: int = Field(200, ge=1, le=10_000)
    backfill_values_per_node: int = Field(5_000, ge=1, le=1_000_000)
    timeout_s: float = Field(10.0, gt=0, le=300, description="Seconds to wait for an answer")
    watchdog_s: float = Field(
        5.0, gt=0, le=600, description="Seconds between liveness checks (and their timeout)"
    )
    reconnect_max_s: float = Field(30.0, gt=0, le=3600)
    batch_points: int = Field(50_000, ge=1, le=1_000_000)
    flush_ms: float = Field(200.0, gt=0, le=60_000)

    @field_validator("client_certificate", "client_private_key", "server_certificate")
    @classmethod
    def _pem(cls, text: str) -> str:
        """PEM text, its line breaks put back (a one-line form field drops them)."""
        return pem(text)

    @model_validator(mode="after")
    def _security(self) -> OpcUaConfig:
        if (self.security_policy == "None") != (self.security_mode == "None"):
            raise ValueError("a security policy needs a mode Sign or SignAndEncrypt, and back")
        check_client_pair(
            self.client_certificate, self.client_private_key, self.client_key_password
        )
        if self.server_certificate:
            read_certificate(self.server_certificate)
        return self


# --------------------------------------------------------------------------- client


def _ua() -> Any:
    """asyncua's ``ua`` module, untyped here (its constructors are annotated with wire aliases
    that plain values satisfy at run time)."""
    from asyncua import ua

    return ua


async def make_client(
    endpoint: str,
    *,
    username: str = "",
    password: str = "",
    security_policy: str = "None",
    security_mode: str = "None",
    certificate_dir: str = "",
    client_certificate: str = "",
    client_private_key: str = "",
    client_key_password: str = "",
    server_certificate: str = "",
    timeout_s: float = 10.0,
    watchdog_s: float = 2.0,
) -> Any:
    """An asyncua ``Client`` set up (not yet connected) for a server, a login and the channel's
    security. The server's endpoints are read first: security settings it does not offer and
    certificates that cannot work raise :class:`SecurityProblem` here."""
    from asyncua import Client

    client = Client(endpoint, timeout=timeout_s, watchdog_intervall=watchdog_s)
    client.name = client.description = "OpenKAMP"
    client.application_uri = "urn:openkamp:client"
    if username:
        client.set_user(username)
        client.set_password(password)
    await secure(
        client, policy=security_policy, mode=security_mode, certificate=client_certificate,
        private_key=client_private_key, key_password=client_key_password,
        server_certificate=server_certificate, certificate_dir=certificate_dir,
    )  # fmt: skip
    return client


def client_settings(cfg: OpcUaConfig) -> dict[str, Any]:
    """The keyword arguments of :func:`make_client` a connection's config gives."""
    return {
        "username": cfg.username, "password": cfg.password,
        "security_policy": cfg.security_policy, "security_mode": cfg.security_mode,
        "certificate_dir": cfg.certificate_dir, "client_certificate": cfg.client_certificate,
        "client_private_key": cfg.client_private_key,
        "client_key_password": cfg.client_key_password,
        "server_certificate": cfg.server_certificate, "timeout_s": cfg.timeout_s,
    }  # fmt: skip


#: Status codes of a server that refused the client's certificate (Part 4, CreateSession).
_CERTIFICATE_REFUSED = ("BadCertificate", "BadSecurityChecksFailed", "BadNoValidCertificates")


def problem(exc: BaseException) -> tuple[str, str]:
    """What went wrong with a server: a short kind (``login_refused``, ``no_server``,
    ``timeout``, ``security_unsupported``, ``certificate_invalid``, ``certificate_refused``,
    ``server_certificate_mismatch``, ``security_refused``, ``failed``) and the detail: English
    words, or for the security kinds what their texts (``err.opcua.<kind>``) show as
    ``{reason}`` (what the server offers, the status code, the thumbprints)."""
    name = type(exc).__name__
    if isinstance(exc, SecurityProblem):
        return exc.kind, exc.detail
    if "IdentityToken" in name or "UserAccessDenied" in name:
        return "login_refused", f"the server refused the login ({name})"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timeout", "the server did not answer in time"
    if isinstance(exc, OSError):
        return "no_server", f"no OPC UA server answers at this address ({exc})"
    if name.startswith(_CERTIFICATE_REFUSED):
        return "certificate_refused", name
    if "No matching endpoints" in str(exc):  # asyncua's own check (ours comes first)
        return "security_unsupported", "?"
    if "SecurityPolicy" in name or "Certificate" in name or "Security" in name:
        return "security_refused", f"the server refused the security settings ({name})"
    text = str(exc) or name
    return "failed", (f"{name}: {text}" if text != name else name)


def describe(exc: BaseException) -> str:
    """A problem with a server in English words (a refused login, no server at the address …)."""
    return problem(exc)[1]


def in_words(exc: BaseException, endpoint: str) -> str:
    """A problem with a server as a connection shows it (``last_error``): what happened and
    what to do in Korean, then in English, then the detail (``err.opcua.<kind>``)."""
    from openkamp.i18n import MESSAGES, t

    kind, reason = problem(exc)
    key = f"err.opcua.{kind}" if kind != "failed" else "err.opcua.session_failed"
    said = []
    for lang in ("ko", "en"):
        text = t(key, lang, endpoint=endpoint, reason=reason)
        if f"err.opcua.{kind}.hint" in MESSAGES:
            text += " " + t(f"err.opcua.{kind}.hint", lang)
        said.append(text)
    shown = "{reason}" in MESSAGES[key]["en"]
    return f"{said[0]} / {said[1]}" + ("" if shown else f" ({reason})")


def to_us(ts: datetime | None) -> int | None:
    """µs since the epoch of an asyncua time (naive times are UTC, as asyncua gives them)."""
    if ts is None:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    us = (ts - _EPOCH) // timedelta(microseconds=1)
    return int(us) if us > 0 else None


def as_number(value: Any) -> float | None:
    """A stored value for an OPC UA value: numbers as float, booleans 0 / 1, others None."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    return None


# --------------------------------------------------------------------------- the connector


@dataclass
class _Item:
    node_id: str
    signal_id: int
    equipment_id: int


class _Lost(Exception):
    """The session is gone."""


class OpcUaConnector(Connector):
    """Subscribes to an OPC UA server's variables and backfills gaps (module docstring)."""

    kind: ClassVar[str] = "opcua"
    Config: ClassVar[type[ConnectorConfig]] = OpcUaConfig
    title: ClassVar[dict[str, str]] = {"ko": "OPC UA", "en": "OPC UA"}

    def __init__(self, config: ConnectorConfig) -> None:
        super().__init__(config)
        self.cfg: OpcUaConfig = config  # type: ignore[assignment]
        #: Per signal: everything up to this time (µs) is stored.
        self.watermark: dict[int, int] = {}
        #: Per signal: the newest time stored.
        self.newest: dict[int, int] = {}
        #: Signals whose gap is being backfilled (the watermark waits for it).
        self._gap: set[int] = set()
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_n = 0
        self._wake = asyncio.Event()
        self._write_lock = asyncio.Lock()
        #: Counters for tests and the benchmark.
        self.received = 0
        self.backfilled = 0
        self.sessions = 0

    # -- mapping ------------------------------------------------------------------------------

    async def _resolve(self, ctx: ConnectorContext) -> list[_Item]:
        out = []
        for n in self.cfg.nodes:
            try:
                eq = await ctx.equipment(n.equipment)
            except NotFound:
                ctx.reject("equipment.unknown", 1, n.equipment)
                continue
            sid = await ctx.signal(eq, n.signal, unit=n.unit)
            if sid is None:
                ctx.reject("signal.unknown", 1, f"{n.equipment}/{n.signal}")
                continue
            out.append(_Item(n.node_id, sid, eq))
        return out

    # -- the loop -----------------------------------------------------------------------------

    async def run(self, ctx: ConnectorContext) -> None:
        cfg = self.cfg
        items = await self._resolve(ctx)
        if not items:
            ctx.error("no mapped node names a known signal")
            await ctx.stopping.wait()
            return
        stored = await ctx.latest([i.signal_id for i in items])
        for sid, us in stored.items():
            self.watermark.setdefault(sid, us)
            self.newest[sid] = max(self.newest.get(sid, us), us)
        writer = asyncio.create_task(self._writer(ctx))
        backoff = Backoff(initial=0.2, cap=cfg.reconnect_max_s)
        down = False
        try:
            while not ctx.stopping.is_set():
                ctx.set_state("connecting")
                try:
                    await self._session(ctx, items, backoff)
                except _Lost as exc:
                    if not down:
                        ctx.note("opcua.outage")
                    down = True
                    ctx.error(str(exc))
                else:
                    down = False
                if ctx.stopping.is_set():
                    break
                ctx.set_state("connecting")
                await ctx.sleep(backoff.next())
        finally:
            await self._flush(ctx)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer

    async def _session(self, ctx: ConnectorContext, items: list[_Item], backoff: Backoff) -> None:
        """One session: connect, subscribe, backfill, then wait until it is lost (raises
        :class:`_Lost`) or the connection stops (returns)."""
        cfg = self.cfg
        try:
            client = await make_client(
                cfg.endpoint, **client_settings(cfg), watchdog_s=cfg.watchdog_s
            )
        except Exception as exc:
            raise _Lost(in_words(exc, cfg.endpoint)) from exc
        lost = asyncio.Event()
        why: list[str] = []

        async def on_lost(exc: Exception) -> None:
            why.append(describe(exc))
            lost.set()

        client.connection_lost_callback = on_lost
        try:
            try:
                await client.connect()
            except Exception as exc:
                raise _Lost(in_words(exc, cfg.endpoint)) from exc
            self.sessions += 1
            ctx.set_state("running")
            backoff.reset()
            since = {i.signal_id: self.watermark[i.signal_id]
                     for i in items if i.signal_id in self.watermark}  # fmt: skip
            if cfg.backfill:
                self._gap = set(since)
            try:
                await self._subscribe(ctx, client, items)
            except Exception as exc:
                raise _Lost(in_words(exc, cfg.endpoint)) from exc
            backfill = (
                asyncio.create_task(self._backfill(ctx, client, items, since))
                if cfg.backfill and since
                else None
            )
            stop = asyncio.create_task(ctx.stopping.wait())
            gone = asyncio.create_task(lost.wait())
            try:
                await asyncio.wait({stop, gone}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (stop, gone, backfill):
                    if task is not None:
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError, Exception):
                            await task
            if lost.is_set() and not ctx.stopping.is_set():
                raise _Lost(why[0] if why else "the server connection was lost")
        finally:
            self._gap = set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.disconnect(), 2.0)
            with contextlib.suppress(Exception):
                client.disconnect_socket()
            await self._flush(ctx)

    async def _subscribe(self, ctx: ConnectorContext, client: Any, items: list[_Item]) -> None:
        from asyncua.common.subscription import Subscription

        ua = _ua()
        cfg = self.cfg
        by_handle: dict[int, int] = {}
        connector = self

        class _Batch(Subscription):
            """Takes a publish response's notifications as a whole (no task per item)."""

            async def publish_callback(self, publish_result: Any) -> None:
                self.last_publish_at = time.monotonic()
                data = publish_result.NotificationMessage.NotificationData
                if data is None:
                    return
                self.last_sequence_number = int(publish_result.NotificationMessage.SequenceNumber)
                for notif in data:
                    if isinstance(notif, ua.DataChangeNotification):
                        connector._take(ctx, notif.MonitoredItems, by_handle)

        params = ua.CreateSubscriptionParameters()
        params.RequestedPublishingInterval = cfg.publishing_interval_ms
        params.RequestedLifetimeCount = 10_000
        params.RequestedMaxKeepAliveCount = client.get_keepalive_count(cfg.publishing_interval_ms)
        params.MaxNotificationsPerPublish = 0  # no limit: a publish carries every change
        params.PublishingEnabled = True
        params.Priority = 0
        no_handler: Any = object()  # not None: no iterator queue (we take the responses whole)
        sub = _Batch(client.uaclient.session, params, handler=no_handler)
        await sub.init()
        client._subscriptions.append(sub)  # the client's stale-subscription watchdog sees it
        requests = []
        for k, item in enumerate(items):
            rv = ua.ReadValueId()
            rv.NodeId = ua.NodeId.from_string(item.node_id)
            rv.AttributeId = ua.AttributeIds.Value
            mp = ua.MonitoringParameters()
            mp.ClientHandle = k + 1
            mp.SamplingInterval = cfg.sampling_interval_ms
            mp.QueueSize = cfg.queue_size
            mp.DiscardOldest = True
            # A new reading equal to the last one is still a reading: report it when only its
            # source time changed (the default trigger, StatusValue, would drop it).
            mp.Filter = ua.DataChangeFilter(Trigger=ua.DataChangeTrigger.StatusValueTimestamp)
            req = ua.MonitoredItemCreateRequest()
            req.ItemToMonitor = rv
            req.MonitoringMode = ua.MonitoringMode.Reporting
            req.RequestedParameters = mp
            requests.append(req)
            by_handle[k + 1] = item.signal_id
        refused = 0
        for lo in range(0, len(requests), 1000):
            chunk = requests[lo : lo + 1000]
            results = await sub.create_monitored_items(chunk)
            for req, res in zip(chunk, results, strict=True):
                if isinstance(res, ua.StatusCode):
                    refused += 1
                    by_handle.pop(req.RequestedParameters.ClientHandle, None)
                    ctx.reject("opcua.node_refused", 1,
                               f"{req.ItemToMonitor.NodeId.to_string()}: {res.name}")  # fmt: skip
        if refused == len(requests):
            raise _Lost("the server refused every mapped node")

    def _take(
        self, ctx: ConnectorContext, monitored: Iterable[Any], by_handle: dict[int, int]
    ) -> None:
        """Turn one publish response's data changes into pending points (no await)."""
        sids: list[int] = []
        ts: list[int] = []
        values: list[float] = []
        server_ts = bad = not_numeric = 0
        received = now_us()
        for item in monitored:
            sid = by_handle.get(item.ClientHandle)
            dv = item.Value
            if sid is None or dv is None:
                continue
            if dv.StatusCode is not None and dv.StatusCode.is_bad():
                bad += 1
                continue
            v = as_number(dv.Value.Value if dv.Value is not None else None)
            if v is None:
                not_numeric += 1
                continue
            at = to_us(dv.SourceTimestamp)
            if at is None:
                server_ts += 1
                at = to_us(dv.ServerTimestamp) or received
            sids.append(sid)
            ts.append(at)
            values.append(v)
        if bad:
            ctx.reject("opcua.bad_quality", bad)
        if not_numeric:
            ctx.reject("opcua.not_numeric", not_numeric)
        if server_ts:
            ctx.note("opcua.server_timestamp", server_ts)
        if sids:
            self.received += len(sids)
            self._pending.append(
                (np.asarray(sids, np.int64), np.asarray(ts, np.int64), np.asarray(values))
            )
            self._pending_n += len(sids)
            if self._pending_n >= self.cfg.batch_points:
                self._wake.set()

    async def _writer(self, ctx: ConnectorContext) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.cfg.flush_ms / 1000)
            self._wake.clear()
            await self._flush(ctx)

    async def _flush(self, ctx: ConnectorContext) -> None:
        """Write what the subscription delivered (durable on return)."""
        async with self._write_lock:
            while self._pending:
                batch, self._pending, self._pending_n = self._pending, [], 0
                sids = np.concatenate([b[0] for b in batch])
                ts = np.concatenate([b[1] for b in batch])
                values = np.concatenate([b[2] for b in batch])
                for lo in range(0, sids.size, self.cfg.batch_points):
                    hi = lo + self.cfg.batch_points
                    await self._store(ctx, sids[lo:hi], ts[lo:hi], values[lo:hi])

    async def _store(
        self, ctx: ConnectorContext, sids: np.ndarray, ts: np.ndarray, values: np.ndarray
    ) -> int:
        n = await ctx.write(points_table(sids, ts, values))
        order = np.lexsort((ts, sids))
        s, t = sids[order], ts[order]
        last = np.r_[s[1:] != s[:-1], True]  # the newest time of each signal
        for sid, us in zip(s[last].tolist(), t[last].tolist(), strict=True):
            if us > self.newest.get(sid, -1):
                self.newest[sid] = us
            if sid not in self._gap:
                self.watermark[sid] = self.newest[sid]
        return n

    # -- backfill -----------------------------------------------------------------------------

    async def _backfill(
        self, ctx: ConnectorContext, client: Any, items: list[_Item], since: dict[int, int]
    ) -> None:
        """Read each node's history after its watermark and store it (module docstring)."""
        cfg = self.cfg
        until = datetime.now(UTC)
        floor_us = now_us() - int(cfg.backfill_max_s * 1e6)
        todo = [i for i in items if i.signal_id in since]
        missing: list[str] = []
        got = 0
        for lo in range(0, len(todo), cfg.backfill_nodes_per_request):
            chunk = todo[lo : lo + cfg.backfill_nodes_per_request]
            # One request per start time: nodes that stopped at the same instant (the usual
            # case: one outage) share a request.
            by_start: dict[int, list[_Item]] = {}
            for i in chunk:
                by_start.setdefault(max(since[i.signal_id] + 1, floor_us), []).append(i)
            for start_us, group in by_start.items():
                start = _EPOCH + timedelta(microseconds=start_us)
                n, none = await self._history(ctx, client, group, start, until)
                got += n
                missing += none
                for i in group:
                    if i.node_id not in none:
                        self._gap.discard(i.signal_id)
                        if i.signal_id in self.newest:
                            self.watermark[i.signal_id] = self.newest[i.signal_id]
        await self._flush(ctx)
        self.backfilled += got
        if got:
            ctx.note("opcua.backfilled", got)
        if missing:
            ctx.note("opcua.history_unavailable", len(missing))
            ctx.error(
                f"the server keeps no history for {len(missing)} node(s) (e.g. {missing[0]}): "
                "the gap of the outage could not be backfilled"
            )
            for i in todo:  # nothing more will come: let the live values move the watermark
                self._gap.discard(i.signal_id)

    async def _history(
        self,
        ctx: ConnectorContext,
        client: Any,
        group: Sequence[_Item],
        start: datetime,
        end: datetime,
    ) -> tuple[int, list[str]]:
        """HistoryRead raw values of ``group`` in ``[start, end]``, paged; (points stored,
        node ids without history)."""
        ua = _ua()
        cfg = self.cfg
        details = ua.ReadRawModifiedDetails()
        details.IsReadModified = False
        details.StartTime = start
        details.EndTime = end
        details.NumValuesPerNode = cfg.backfill_values_per_node
        details.ReturnBounds = False
        points: dict[str, tuple[bytes | None, _Item]] = {i.node_id: (None, i) for i in group}
        none: list[str] = []
        stored = 0
        while points:
            params = ua.HistoryReadParameters()
            params.HistoryReadDetails = details
            params.TimestampsToReturn = ua.TimestampsToReturn.Source
            params.ReleaseContinuationPoints = False
            params.NodesToRead = []
            order = list(points)
            for node_id in order:
                rv = ua.HistoryReadValueId()
                rv.NodeId = ua.NodeId.from_string(node_id)
                rv.ContinuationPoint = points[node_id][0]
                params.NodesToRead.append(rv)
            try:
                results = await client.uaclient.history_read(params)
            except Exception as exc:
                if type(exc).__name__ in NO_HISTORY:
                    return stored, order
                raise
            sids: list[int] = []
            ts: list[int] = []
            values: list[float] = []
            nxt: dict[str, tuple[bytes | None, _Item]] = {}
            for node_id, res in zip(order, results, strict=True):
                item = points[node_id][1]
                if not res.StatusCode.is_good() and res.StatusCode.name in NO_HISTORY:
                    none.append(node_id)
                    continue
                data = res.HistoryData
                for dv in getattr(data, "DataValues", None) or []:
                    if dv.StatusCode is not None and dv.StatusCode.is_bad():
                        continue
                    v = as_number(dv.Value.Value if dv.Value is not None else None)
                    at = to_us(dv.SourceTimestamp) or to_us(dv.ServerTimestamp)
                    if v is None or at is None or not math.isfinite(v):
                        continue
                    sids.append(item.signal_id)
                    ts.append(at)
                    values.append(v)
                if res.ContinuationPoint:
                    nxt[node_id] = (res.ContinuationPoint, item)
            if sids:
                stored += await self._store(
                    ctx, np.asarray(sids, np.int64), np.asarray(ts, np.int64), np.asarray(values)
                )
            points = nxt
        return stored, none
