"""Live overview: server-sent events of each machine's latest values and live state (issue 10,
point 7).

``GET /api/v1/live/events?equipment=<id>&equipment=<id>`` answers ``text/event-stream``: first a
snapshot (the latest value of every signal, each machine's state), then an event ``live``
whenever live points of the organisation are stored (at most one every ``min_interval_s``), an
event ``alerts`` whenever one of its alerts opens or changes (raised again, its episode ended,
acknowledged, closed: each alert as the overview lists it, with the number of open alerts), and
a comment line as heartbeat while nothing comes. A client that does not accept ``text/event-stream``
gets the snapshot only. Authenticated (session or API token) and scoped to the acting
organisation: another organisation's points never reach the stream.

The sink calls :meth:`LiveHub.on_points` on its writer thread after each durable write; it only
reduces the batch to the last value per signal and hands it to each subscriber of that
organisation through a bounded queue (the oldest update is dropped when a slow client falls
behind), so the writer never waits on a client. The alert service calls
:meth:`LiveHub.on_alert` after each change of an alert; a subscriber only notes the alert's id
and reads the alert when it sends the event (several changes meanwhile: one event).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

import numpy as np
import pyarrow as pa
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from openkamp.api.deps import Kamp, Me
from openkamp.i18n import t

router = APIRouter(tags=["live"])

#: Updates a subscriber may have waiting before the oldest is dropped.
QUEUE_SIZE = 32
#: A machine without a state record counts as running while its newest point is this fresh.
FRESH_S = 120.0
#: Changed alerts a subscriber notes before the next event (beyond: the event says ``more``
#: and the page loads its list again).
ALERTS_KEPT = 50


class Subscriber:
    def __init__(self, org_id: int, signals: dict[int, int], loop: asyncio.AbstractEventLoop):
        self.org_id = org_id
        self.signals = signals  # signal id -> equipment id (what this client watches)
        self.loop = loop
        self.queue: asyncio.Queue[dict[int, tuple[int, float]]] = asyncio.Queue(QUEUE_SIZE)
        #: Alerts that opened or changed since the last event (``overflow``: more than that).
        self.alerts: set[int] = set()
        self.overflow = False
        self.wake = asyncio.Event()

    def offer(self, values: dict[int, tuple[int, float]]) -> None:
        """On the subscriber's loop: queue an update, dropping the oldest when full."""
        if self.queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
        self.queue.put_nowait(values)
        self.wake.set()

    def offer_alert(self, alert_id: int) -> None:
        """On the subscriber's loop: an alert to send again."""
        if len(self.alerts) < ALERTS_KEPT:
            self.alerts.add(alert_id)
        else:
            self.overflow = True
        self.wake.set()


class LiveHub:
    """The subscribers of one platform; :meth:`on_points` is the sink listener."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[Subscriber] = []

    def subscribe(self, sub: Subscriber) -> None:
        with self._lock:
            self._subs.append(sub)

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def __len__(self) -> int:
        return len(self._subs)

    def on_points(self, org_id: int, points: pa.Table) -> None:
        with self._lock:
            subs = [s for s in self._subs if s.org_id == org_id]
        if not subs or points.num_rows == 0:
            return
        sid = points.column("signal_id").to_numpy()
        ts = points.column("ts").cast(pa.int64()).to_numpy()
        val = points.column("value").to_numpy(zero_copy_only=False)
        order = np.lexsort((ts, sid))
        s_sorted = sid[order]
        last = order[np.r_[s_sorted[1:] != s_sorted[:-1], True]]
        latest = {
            int(s): (int(x), float(v))
            for s, x, v in zip(sid[last], ts[last], val[last], strict=True)
        }
        for sub in subs:
            mine = {s: latest[s] for s in latest.keys() & sub.signals.keys()}
            if mine:
                with contextlib.suppress(RuntimeError):  # the client's loop has closed
                    sub.loop.call_soon_threadsafe(sub.offer, mine)

    def on_alert(self, org_id: int, rec: dict[str, Any]) -> None:
        """An alert of ``org_id`` opened or changed (the alert service's listener)."""
        with self._lock:
            subs = [s for s in self._subs if s.org_id == org_id]
        for sub in subs:
            with contextlib.suppress(RuntimeError):
                sub.loop.call_soon_threadsafe(sub.offer_alert, int(rec["id"]))


_hub_lock = threading.Lock()


def hub_of(request: Request, kamp: Any) -> LiveHub:
    """The app's hub, registered on the platform's live sink on first use."""
    with _hub_lock:
        hub = getattr(request.app.state, "live_hub", None)
        if hub is None:
            hub = LiveHub()
            kamp.live.add_listener(hub.on_points)
            kamp.alerts.add_listener(hub.on_alert)
            request.app.state.live_hub = hub
        return hub


def _iso(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).isoformat()


def _states(
    kamp: Any, org_id: int, equipment: set[int], newest: dict[int, int], lang: str
) -> dict[str, dict[str, Any]]:
    """Each watched machine's live state: its state record (a connector's report), else
    running while its newest point is fresh, else offline."""
    records = {
        int(r["equipment_id"]): r
        for r in kamp.meta.find(org_id, "equipment_state")
        if int(r["equipment_id"]) in equipment
    }
    now_us = time.time() * 1e6
    out = {}
    for eq in equipment:
        rec = records.get(eq)
        if rec is not None:
            state = str(rec["state"])
        elif eq in newest and now_us - newest[eq] <= FRESH_S * 1e6:
            state = "running"
        else:
            state = "offline"
        out[str(eq)] = {"state": state, "label": t(f"live_ui.state.{state}", lang)}
    return out


def _event(
    kamp: Any,
    sub: Subscriber,
    values: dict[int, tuple[int, float]],
    newest: dict[int, int],
    lang: str,
) -> str:
    for s, (us, _v) in values.items():
        eq = sub.signals[s]
        newest[eq] = max(newest.get(eq, 0), us)
    body = {
        "values": [
            {"signal_id": s, "equipment_id": sub.signals[s], "ts": _iso(us), "value": v}
            for s, (us, v) in sorted(values.items())
        ],
        "states": _states(kamp, sub.org_id, set(sub.signals.values()), newest, lang),
    }
    return f"event: live\ndata: {json.dumps(body, ensure_ascii=False, allow_nan=False)}\n\n"


def _alerts_event(kamp: Any, me: Any, ids: list[int], lang: str, more: bool = False) -> str:
    """The changed alerts as the overview lists them (deleted ones left out), and how many of
    the organisation's alerts are open."""
    from openkamp.core.errors import NotFound
    from openkamp.core.tenancy import Role
    from openkamp.web.overview import alert_html, alert_view, display, signal_labels

    tz = kamp.settings.tz
    names = {n.id: display(n, lang) for n in kamp.assets.list_nodes(me, "equipment")}
    labels = signal_labels(kamp, me, lang)
    out = []
    for alert_id in ids:
        try:
            rec = kamp.alerts.get(me, alert_id)
        except NotFound:
            continue
        view = alert_view(rec, lang, tz, names, labels)
        level = "critical" if rec["severity"] == "critical" else "warning"
        out.append(
            {
                "id": rec["id"],
                "equipment_id": rec["equipment_id"],
                # what an open alert makes its machine's card at least (live.js raises it)
                "level": level,
                "level_label": t(f"alerts.level.{level}", lang),
                "status": rec["status"],
                "severity": rec["severity"],
                "source": rec["source"],
                "active": bool((rec["detail"] or {}).get("active")),
                "text": view["text"],
                "machine": view["machine"],
                "signals": view["signals"],
                "first_at": rec["first_at"].isoformat(),
                "last_at": rec["last_at"].isoformat(),
                "html": alert_html(view, lang, tz, me.has(Role.ENGINEER)),
            }
        )
    n_open = len(kamp.alerts.list(me, status="open", limit=500))
    body = {
        "alerts": out,
        "open_count": n_open,
        "open_label": t("alerts.open_count", lang, n=n_open),
        "more": more,
    }
    return f"event: alerts\ndata: {json.dumps(body, ensure_ascii=False)}\n\n"


# Not in the OpenAPI document: a stream that never ends on its own (schema fuzzers would wait
# on it forever); documented in docs/architecture.md.
@router.get("/live/events", response_class=StreamingResponse, include_in_schema=False)
async def live_events(
    request: Request,
    kamp: Kamp,
    me: Me,
    equipment: Annotated[list[int] | None, Query()] = None,
    heartbeat_s: Annotated[float, Query(ge=1, le=300)] = 15.0,
    min_interval_s: Annotated[float, Query(ge=0, le=60)] = 0.5,
) -> StreamingResponse:
    """Latest values and live state of the organisation's machines, as server-sent events."""
    from openkamp.web.page import lang_of

    lang = request.query_params.get("lang") or lang_of(request)
    lang = lang if lang in ("ko", "en") else "ko"
    wanted = set(equipment or ())
    signals = {
        int(s.id): int(s.equipment_id)
        for s in kamp.assets.list_signals(me)
        if not wanted or int(s.equipment_id) in wanted
    }
    # EventSource asks for text/event-stream; any other client (a script, a crawler) gets the
    # snapshot and the end of the answer instead of a stream that never ends.
    follow = "text/event-stream" in request.headers.get("accept", "")
    hub = hub_of(request, kamp)
    sub = Subscriber(me.org_id, signals, asyncio.get_running_loop())
    hub.subscribe(sub)  # before the snapshot: nothing written meanwhile is missed

    async def stream() -> AsyncIterator[str]:
        newest: dict[int, int] = {}
        try:
            snapshot: dict[int, tuple[int, float]] = {}
            if signals:
                table = await asyncio.to_thread(kamp.ts.latest, me.org_id, list(signals))
                ids = table.column("signal_id").to_pylist()
                tss = table.column("ts").cast(pa.int64()).to_pylist()
                vals = table.column("value").to_pylist()
                snapshot = {
                    int(s): (int(x), float(v))
                    for s, x, v in zip(ids, tss, vals, strict=True)
                    if x is not None and v is not None and np.isfinite(v)
                }
            yield "retry: 3000\n\n" + _event(kamp, sub, snapshot, newest, lang)
            if not follow:  # not an event-stream client: the snapshot, once
                return
            while not await request.is_disconnected():
                try:
                    await asyncio.wait_for(sub.wake.wait(), heartbeat_s)
                except TimeoutError:
                    yield ": heartbeat\n\n"
                    continue
                if min_interval_s:
                    await asyncio.sleep(min_interval_s)  # gather what comes meanwhile
                sub.wake.clear()  # before taking: what comes from now on wakes the next round
                values: dict[int, tuple[int, float]] = {}
                while not sub.queue.empty():
                    values.update(sub.queue.get_nowait())
                values = {s: x for s, x in values.items() if np.isfinite(x[1])}
                if values:
                    yield _event(kamp, sub, values, newest, lang)
                if sub.alerts:
                    ids, more = sorted(sub.alerts), sub.overflow
                    sub.alerts.clear()
                    sub.overflow = False
                    yield await asyncio.to_thread(_alerts_event, kamp, me, ids, lang, more)
        finally:
            hub.unsubscribe(sub)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
