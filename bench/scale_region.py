"""bench/scale.py's worker sections (issue 12): 1 versus 2 ingest workers, and a region in small.

Both run real ``openkamp serve --role …`` processes (tests/workers/support.py's machinery) with
the default settings (leases 15 s / 5 s) but a cheap password hash, on a fresh PostgreSQL
database, with a private Mosquitto (persistence on), from the bench process.

**Ingest workers** (:func:`ingest_workers`): the product's ingest path at scale is MQTT: a
factory's gateway publishes batched JSON to a broker and each connection runs in exactly one
ingest worker (the holder of its lease). Four connections, each subscribed to its own topics
(5 machines x 10 signals; a message carries 10 readings of each of a machine's 10 signals,
100 points). For each phase the connections are stopped (their persistent sessions stay at the
broker), four publisher processes, one per connection's topics, leave the same number of QoS 1
messages waiting for each session, then the connections are started again and the points they
store are followed through the connections' saved counters (every 0.5 s); the rate is taken
between 10 % and 90 % of the backlog stored (the connections' start and their last batches
left out), and every point is checked stored at the end (a count in the database). Phases
alternate 1, 2, 2, 1 workers (``rounds`` pairs) on one database (each phase's points after the
last); medians reported; ``ingest_2_vs_1_workers`` = the 2-worker rate over the 1-worker rate.

**Region** (:func:`region`): ``factories`` organisations, each with its plant (2 machines x 10
signals), its MQTT connection and its users (viewers); 2 API and 2 ingest workers. A publisher
process sends every second, for each machine of each factory, one JSON message with one reading
of its 10 signals stamped with the second (20 points/s a factory: 2,000 points/s for 100),
over 4 MQTT connections. ``users`` async clients (httpx) sign in (session cookie) at an API
worker each (half at each, as a sticky load balancer would) and, with a think time of 2-8 s
(uniform), ask for one of: the overview page, the latest values of their factory's 20 signals,
a chart of a machine's 4 signals over the last 10 minutes (800 px), the alerts, the asset tree.
Figures: the requests' p50 / p99 and errors (non-2xx answers and exceptions); ingest lag:
every 5 s, for every signal, how far its newest stored point trails the newest second
published (p99 and max over all samples, seconds); the points lost (acknowledged by the broker,
not stored after the drain); the CPU each part used (workers, PostgreSQL, Mosquitto; psutil),
from which the arithmetic to 1,000 factories is made (linear in points/s and users).
"""

from __future__ import annotations

import asyncio
import json
import math
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests"))  # workers.support: the role tests' machinery

from stream_mqtt import _publish_packet, _RawPublisher  # noqa: E402

PASSWORD = "Region-bench-2026!"
T0_MS = 1_780_000_000_000  # the ingest phases' first reading (2026-05-28)


# --------------------------------------------------------------------------- shared machinery


@contextmanager
def installation(url: str, folder: Path, **more: Any) -> Iterator[Any]:
    """A cluster (tests/workers/support.py) on database ``url``: the bench's own platform is an
    API process's; workers are started by the sections and stopped on leaving. The settings
    are the defaults (leases 15 s / 5 s, counters saved every 5 s) but for a cheap password
    hash (users sign in at the start of the region's run, in its CPU figures) and ``more``."""
    from openkamp.platform import Platform
    from openkamp.settings import Settings
    from workers.support import Cluster

    data = folder / "data"
    s = Settings(
        data_dir=data, metadata_url=url, timeseries_url=url, password_hash_memory_kib=1024,
        password_hash_time_cost=1, **more)  # fmt: skip
    kamp = Platform(s)
    kamp.jobs.dispatch = "queue"
    c = Cluster(data, url, kamp)
    try:
        yield c
    finally:
        c.stop()
        kamp.close()


@contextmanager
def broker(folder: Path) -> Iterator[Any]:
    from openkamp.sim.live.mosquitto import broker_or_skip, run_broker

    broker_or_skip()
    with run_broker(folder=folder / "broker") as b:
        yield b


def owners(c: Any) -> dict[int, str]:
    """Connection id -> holder of its live lease."""
    from openkamp.storage.metadata.leases import LeaseStore

    _, live = LeaseStore(c.kamp.meta).live("connection:")
    return {int(x.resource.split(":")[1]): x.holder for x in live}


def live_holders(c: Any, role: str) -> set[str]:
    from openkamp.storage.metadata.leases import LeaseStore

    _, live = LeaseStore(c.kamp.meta).live(f"process:{role}:")
    return {x.holder for x in live}


def wait_for(cond: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(every)


def cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far."""
    import psutil

    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


class PostgresCpu:
    """CPU seconds of the PostgreSQL backends serving database ``url`` (other databases on the
    server, and its shared background processes, left out), backends that start meanwhile
    counted whole; ``used()`` since the instance was made."""

    def __init__(self, url: str, leave_out: frozenset[int] = frozenset()) -> None:
        from sqlalchemy.engine import make_url

        self.db = str(make_url(url).database)
        self.leave_out = leave_out
        self.start = self._now()

    def _now(self) -> dict[int, float]:
        import psutil

        out = {}
        for p in psutil.process_iter(["name", "cmdline"]):
            cmd = " ".join(p.info["cmdline"] or [])
            if p.pid in self.leave_out:
                continue
            if p.info["name"] == "postgres" and f" {self.db} " in f"{cmd} ":
                with suppress(psutil.Error):
                    t = p.cpu_times()
                    out[p.pid] = t.user + t.system
        return out

    def used(self) -> float:
        return sum(v - self.start.get(pid, 0.0) for pid, v in self._now().items())


def stored_count(url: str) -> int:
    from scale import connect

    with connect(url) as conn:
        return int(conn.execute("SELECT count(*) FROM ts_points").fetchone()[0])


# --------------------------------------------------------------------------- 1 versus 2 workers

ING_CONNS, ING_MACHINES, ING_SIGNALS, PER = 4, 5, 10, 10  # PER: readings a signal a message


def _ingest_tree() -> Any:
    """plant1/line<k>/m<j>/s<i>: a line of machines for each connection."""
    from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec

    sigs = [f"s{i:02d}" for i in range(ING_SIGNALS)]

    def eq() -> list[Any]:
        return [EquipmentSpec(f"m{j}", signals=[SignalSpec(s, s, s, "") for s in sigs])
                for j in range(ING_MACHINES)]  # fmt: skip

    return SiteSpec(
        "plant1", lines=[LineSpec(f"line{k}", equipment=eq()) for k in range(ING_CONNS)]
    )


def _backlog(port: int, k: int, messages: int, t0_ms: int, done: Any) -> None:
    """Its own process: ``messages`` batched JSON messages on connection ``k``'s topics, the
    machines in turn, each message the next PER ms of a machine's 10 signals."""
    pub = _RawPublisher(port, f"bench-backlog-{k}-{time.time_ns()}")
    packets: list[bytes] = []
    for i in range(messages):
        m, step = i % ING_MACHINES, i // ING_MACHINES
        vals = ",".join(repr(float(step * PER + j)) for j in range(PER))
        series = ",".join(f'"s{s:02d}":[{vals}]' for s in range(ING_SIGNALS))
        body = b'{"t0":%d,"dt":1,"s":{%s}}' % (t0_ms + step * PER, series.encode())
        packets.append(_publish_packet(f"i{k}/m{m}".encode(), body, i % 65_535 + 1))
        if len(packets) == 1000:
            pub.send(packets)
            packets = []
    if packets:
        pub.send(packets)
    done.put(pub.close(300))


def _publish_backlogs(port: int, per_conn: int, t0_ms: int) -> int:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_backlog, args=(port, k, per_conn, t0_ms, q), daemon=True)
             for k in range(ING_CONNS)]  # fmt: skip
    for p in procs:
        p.start()
    acked = sum(int(q.get(timeout=600)) for _ in procs)
    for p in procs:
        p.join(30)
    return acked


def _points_saved(c: Any, conns: list[dict[str, Any]]) -> int:
    me = c.kamp.principal()
    return sum(int(c.kamp.connections.status(me, x["id"]).get("points") or 0) for x in conns)


def _set_enabled(c: Any, conns: list[dict[str, Any]], on: bool) -> None:
    me = c.kamp.principal()
    for x in conns:
        (c.kamp.connections.start if on else c.kamp.connections.stop)(me, x["id"])


def _states(c: Any, conns: list[dict[str, Any]]) -> list[str]:
    org = c.kamp.default_org_id
    return [str(c.kamp.meta.get(org, "connection", x["id"])["state"]) for x in conns]


def _phase(c: Any, conns: list[dict[str, Any]], port: int, workers: int, messages: int,
           t0_ms: int, url: str) -> dict[str, float]:  # fmt: skip
    """One phase: the backlog left at the broker, then taken by ``workers`` ingest workers."""
    _set_enabled(c, conns, False)
    wait_for(lambda: not owners(c) and set(_states(c, conns)) == {"stopped"}, 60, "stopped")
    base = _points_saved(c, conns)
    before = stored_count(url)
    per_conn = messages // ING_CONNS
    acked = _publish_backlogs(port, per_conn, t0_ms)
    total = per_conn * ING_CONNS * PER * ING_SIGNALS
    assert acked == per_conn * ING_CONNS, f"the broker acknowledged {acked} messages"
    holders = {h for h in live_holders(c, "ingest")}
    assert len(holders) == workers, holders
    pids = [w.pid for w in c.workers if w.holder in holders]
    pg = PostgresCpu(url)
    cpu0 = cpu_s(pids)
    t_start = time.monotonic()
    _set_enabled(c, conns, True)
    seen: list[tuple[float, int]] = []
    deadline = t_start + 600
    while True:
        got = _points_saved(c, conns) - base
        seen.append((time.monotonic(), got))
        if got >= total or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    cpu, pg_cpu = cpu_s(pids) - cpu0, pg.used()
    used = {owners(c).get(x["id"]) for x in conns}

    def when(share: float) -> float:
        return next(t for t, n in seen if n >= share * total)

    t10, t90 = when(0.1), when(0.9)
    stored = wait_for(lambda: stored_count(url) - before >= total and stored_count(url), 60,
                      "every point in the database") - before  # fmt: skip
    assert stored == total, f"stored {stored} of {total}"
    return {
        "workers": workers,
        "points": total,
        # the counters are saved every 0.5 s: a backlog taken faster than that is not measured
        "pts_s": 0.8 * total / max(t90 - t10, 0.5),
        "whole_s": seen[-1][0] - t_start,
        "cpu_per_point_us": cpu / total * 1e6,
        "pg_cpu_per_point_us": pg_cpu / total * 1e6,
        "workers_used": len(used - {None}),
    }


def ingest_workers(url: str, points: int = 1_000_000, rounds: int = 1) -> dict[str, Any]:
    """1 versus 2 ingest workers on one database and broker; ``points`` a phase."""
    from openkamp.sim.live.mosquitto import free_port

    messages = max(ING_CONNS, points // (PER * ING_SIGNALS))
    # the connections' counters saved every 0.5 s: what the phases' rates are read from
    with tempfile.TemporaryDirectory(prefix="okbench-ingest-") as tmp, broker(Path(tmp)) as b, \
            installation(url, Path(tmp), connectors_stats_interval_s=0.5) as c:  # fmt: skip
        me = c.kamp.principal()
        c.kamp.assets.apply_tree(me, [_ingest_tree()])
        conns = []
        for k in range(ING_CONNS):
            cfg = {"host": b.host, "port": b.port, "subscriptions": [
                {"topic": f"i{k}/{{machine}}", "equipment": f"plant1/line{k}/{{machine}}"}]}  # fmt: skip
            conns.append(c.kamp.connections.create(me, f"mqtt-{k}", "mqtt", cfg))
        first = c.start("ingest", port=free_port())
        c.wait_ready(first, timeout=120)
        # every session subscribed once at the broker: then backlogs wait for it
        wait_for(lambda: _states(c, conns) == ["running"] * ING_CONNS, 60, "connections running")
        pool = [first]
        phases: list[dict[str, float]] = []
        order = [n for r in range(rounds) for n in ((1, 2) if r % 2 == 0 else (2, 1))]
        for i, n in enumerate(order):
            _set_enabled(c, conns, False)
            while len(pool) < n:
                w = c.start("ingest", port=free_port())
                c.wait_ready(w, timeout=120)
                pool.append(w)
            while len(pool) > n:
                w = pool.pop()
                w.proc.terminate()
                w.proc.wait(30)

            def counted(n: int = n) -> bool:
                return len(live_holders(c, "ingest")) == n

            wait_for(counted, 30, f"{n} ingest workers")
            phases.append(_phase(c, conns, b.port, n, messages, T0_MS + i * 86_400_000, url))
        for w in c.workers:
            out = w.output()
            assert "Traceback" not in out, out[-3000:]
    one = statistics.median(p["pts_s"] for p in phases if p["workers"] == 1)
    two = statistics.median(p["pts_s"] for p in phases if p["workers"] == 2)
    return {
        "ingest_2_vs_1_workers": round(two / one, 3),
        "ingest_1_worker_pts_s": round(one),
        "ingest_2_workers_pts_s": round(two),
        "ingest_points_per_phase": phases[0]["points"],
        "ingest_phases": [{k: round(v, 2) for k, v in p.items()} for p in phases],
    }


# --------------------------------------------------------------------------- the region

MACHINES, SIGNALS = 2, 10  # a factory: 2 machines x 10 signals at 1 Hz
PUB_SOCKETS = 4


def _factory_tree() -> Any:
    from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec

    sigs = [f"s{i:02d}" for i in range(SIGNALS)]
    eq = [EquipmentSpec(f"m{j}", signals=[SignalSpec(s, s, s, "") for s in sigs])
          for j in range(MACHINES)]  # fmt: skip
    return SiteSpec("plant", lines=[LineSpec("line1", equipment=eq)])


def _stream(port: int, factories: int, seconds: float, tick: Any, done: Any) -> None:
    """Its own process: every whole second, one message per machine of every factory (one
    reading of each of its signals, stamped with that second), over PUB_SOCKETS connections."""
    pubs = [_RawPublisher(port, f"bench-region-{k}-{time.time_ns()}") for k in range(PUB_SOCKETS)]
    rng = np.random.default_rng(11)
    mid = 0
    end = time.time() + seconds
    sec = math.ceil(time.time())
    while sec < end:
        time.sleep(max(0.0, sec - time.time()))
        groups: list[list[bytes]] = [[] for _ in pubs]
        vals = rng.normal(50, 5, size=(factories, MACHINES, SIGNALS)).round(2)
        for f in range(factories):
            for m in range(MACHINES):
                series = ",".join(f'"s{s:02d}":[{float(vals[f, m, s])!r}]' for s in range(SIGNALS))
                body = b'{"t0":%d,"dt":1000,"s":{%s}}' % (sec * 1000, series.encode())
                mid = mid % 65_535 + 1
                groups[f % len(pubs)].append(_publish_packet(f"f{f:03d}/m{m}".encode(), body, mid))
        for pub, packets in zip(pubs, groups, strict=True):
            pub.send(packets)
        tick.value = sec * 1000
        sec += 1
    done.put((sum(p.sent for p in pubs), sum(p.close(120) for p in pubs)))


class Users:
    """``n`` users reading through the API workers, each signed in at one."""

    KINDS = ("overview", "latest", "chart", "alerts", "tree")
    WEIGHTS = (0.2, 0.3, 0.3, 0.1, 0.1)

    def __init__(self, logins: list[tuple[str, str, int]], apis: list[str]) -> None:
        self.logins, self.apis = logins, apis  # (login, factory name, factory index)
        self.samples: list[tuple[str, float, int]] = []  # kind, ms, status (0: exception)
        self.login_failures = 0
        self.stop = threading.Event()

    def _request(self, kind: str) -> tuple[str, dict[str, Any]]:
        sig = [f"plant/line1/m{m}/s{s:02d}" for m in range(MACHINES) for s in range(SIGNALS)]
        if kind == "overview":
            return "/", {}
        if kind == "latest":
            return "/api/v1/data/latest", {"signal": sig}
        if kind == "chart":
            now = time.time()
            start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 600))
            end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
            m = random.randrange(MACHINES)
            return "/api/v1/data/chart", {
                "signal": sig[m * SIGNALS : m * SIGNALS + 4], "start": start, "end": end,
                "width": 800}  # fmt: skip
        if kind == "alerts":
            return "/api/v1/alerts", {}
        return "/api/v1/assets/tree", {}

    async def _user(self, i: int, login: str) -> None:
        import httpx

        rnd = random.Random(i)
        async with httpx.AsyncClient(base_url=self.apis[i % len(self.apis)], timeout=30) as http:
            await asyncio.sleep(rnd.uniform(0, 3))
            r = await http.post("/api/v1/auth/login", json={"login": login, "password": PASSWORD})
            if r.status_code != 200:
                self.login_failures += 1
                return
            while not self.stop.is_set():
                await asyncio.sleep(rnd.uniform(2, 8))
                if self.stop.is_set():
                    break
                (kind,) = rnd.choices(self.KINDS, self.WEIGHTS)
                path, params = self._request(kind)
                t0 = time.perf_counter()
                try:
                    r = await http.get(path, params=params)
                    status = r.status_code
                except Exception:  # counted as an error, the user goes on
                    status = 0
                self.samples.append((kind, (time.perf_counter() - t0) * 1000, status))

    async def _all(self) -> None:
        await asyncio.gather(*(self._user(i, x[0]) for i, x in enumerate(self.logins)))

    def run(self) -> threading.Thread:
        t = threading.Thread(target=lambda: asyncio.run(self._all()), daemon=True)
        t.start()
        return t


def _lag_sample(conn: Any, since_ms: int, published_ms: int, expect: set[int]) -> list[float]:
    """Seconds by which every signal's newest stored point trails the newest second published."""
    rows = conn.execute(
        "SELECT signal_id, (extract(epoch FROM max(ts)) * 1000)::int8 FROM ts_points "
        "WHERE ts >= to_timestamp(%s / 1000.0) GROUP BY signal_id",
        [since_ms],
    ).fetchall()
    newest = {int(s): int(t) for s, t in rows}
    return [max(0, published_ms - newest.get(s, since_ms)) / 1000 for s in expect]


def region(
    url: str, factories: int = 100, users: int = 50, minutes: float = 10.0
) -> dict[str, Any]:
    """The region in small; returns its figures (see the module's docstring)."""
    from openkamp.core.tenancy import Role
    from openkamp.sim.live.mosquitto import free_port
    from scale import connect

    seconds = minutes * 60
    with tempfile.TemporaryDirectory(prefix="okbench-region-") as tmp, broker(Path(tmp)) as b, \
            installation(url, Path(tmp)) as c:  # fmt: skip
        kamp = c.kamp
        t_setup = time.monotonic()
        conns: list[tuple[int, int]] = []  # (org, connection id)
        logins: list[tuple[str, str, int]] = []
        for f in range(factories):
            name = f"f{f:03d}"
            p = kamp.principal(name)
            kamp.assets.apply_tree(p, [_factory_tree()])
            cfg = {"host": b.host, "port": b.port, "subscriptions": [
                {"topic": f"{name}/{{machine}}", "equipment": "plant/line1/{machine}"}]}  # fmt: skip
            conns.append((p.org_id, int(kamp.connections.create(p, "gateway", "mqtt", cfg)["id"])))
        for u in range(users):
            f = u % factories
            p = kamp.principal(f"f{f:03d}")
            rec = kamp.accounts.create_user(p, f"user{u:03d}", PASSWORD, role=Role.VIEWER)
            logins.append((str(rec["login"]), f"f{f:03d}", f))
        signal_ids = {int(s) for s in _signal_ids(url)}
        setup_s = time.monotonic() - t_setup
        apis = [c.start("api", port=free_port()) for _ in range(2)]
        ingests = [c.start("ingest", port=free_port()) for _ in range(2)]
        c.wait_ready(*apis, *ingests, timeout=180)

        def running() -> bool:
            got = owners(c)
            if len(got) < factories:
                return False
            return all(kamp.meta.get(o, "connection", i)["state"] == "running" for o, i in conns)

        wait_for(running, 180, "every factory's connection running", every=1.0)
        share = list(owners(c).values())
        per_worker = sorted(share.count(w.holder) for w in ingests)
        # -- the run -----------------------------------------------------------------------
        ctx = mp.get_context("spawn")
        tick, done = ctx.Value("q", 0), ctx.Queue()
        pub = ctx.Process(
            target=_stream, args=(b.port, factories, seconds, tick, done), daemon=True
        )
        groups = {
            "api": [w.pid for w in apis], "ingest": [w.pid for w in ingests],
            "mosquitto": [b.pid]}  # fmt: skip
        cpu0 = {k: cpu_s(v) for k, v in groups.items()}
        sampler = connect(url)  # the lag samples' backend: its CPU is not the region's
        pg = PostgresCpu(url, frozenset({sampler.info.backend_pid}))
        since_ms = int(time.time() * 1000)
        pub.start()
        readers = Users(logins, [w.url for w in apis])
        thread = readers.run()
        t_run = time.monotonic()
        lags: list[float] = []
        phase = random.Random(5)
        while time.monotonic() - t_run < seconds:
            time.sleep(4.5 + phase.random())  # at random phases of the publisher's second
            published = int(tick.value)
            if published and time.monotonic() - t_run > 10:  # after the first 10 s
                lags += _lag_sample(sampler, since_ms, published, signal_ids)
        readers.stop.set()
        sampler.close()
        sent, acked = done.get(timeout=180)
        run_s = time.monotonic() - t_run
        cpu = {k: cpu_s(v) - cpu0[k] for k, v in groups.items()} | {"postgres": pg.used()}
        thread.join(30)
        pub.join(30)
        want = acked * SIGNALS
        t_drain = time.monotonic()
        with suppress(TimeoutError):  # what is missing then is reported as lost
            wait_for(lambda: stored_count(url) >= want, 60, "the stream drained", every=0.5)
        drain_s = time.monotonic() - t_drain
        stored = stored_count(url)
        counters = [_status(kamp, o, i) for o, i in conns]
        for w in c.workers:
            out = w.output()
            if "Traceback" in out:
                print(f"{w.role} worker {w.pid}: traceback\n{out[-2000:]}", file=sys.stderr)
    ok = [ms for _, ms, st in readers.samples if 200 <= st < 300]
    errors = [(k, st) for k, _, st in readers.samples if not 200 <= st < 300]
    all_ms = [ms for _, ms, _ in readers.samples]
    kinds = {}
    for kind in Users.KINDS:
        ms = [m for k, m, _ in readers.samples if k == kind]
        if ms:
            kinds[kind] = {"n": len(ms), "p50_ms": round(_pct(ms, 50), 1),
                           "p99_ms": round(_pct(ms, 99), 1)}  # fmt: skip
    return {
        "region_factories": factories,
        "region_users": users,
        "region_minutes": round(run_s / 60, 2),
        "region_pts_s": factories * MACHINES * SIGNALS,
        "region_setup_s": round(setup_s, 1),
        "region_connections_per_worker": per_worker,
        "region_requests": len(readers.samples),
        "region_req_s": round(len(readers.samples) / run_s, 2),
        "region_api_p50_ms": round(_pct(all_ms, 50), 1) if all_ms else None,
        "region_api_p99_ms": round(_pct(all_ms, 99), 1) if all_ms else None,
        "region_api_ok_p99_ms": round(_pct(ok, 99), 1) if ok else None,
        "region_api_by_kind": kinds,
        "region_errors": len(errors) + readers.login_failures,
        "region_error_kinds": sorted({f"{k}:{st}" for k, st in errors}),
        "region_ingest_lag_s": round(_pct(lags, 99), 2) if lags else None,
        "region_ingest_lag_p50_s": round(_pct(lags, 50), 2) if lags else None,
        "region_ingest_lag_max_s": round(max(lags), 2) if lags else None,
        # sampled at random phases of the second, the mean trail is the mean time from publish
        # to stored (a reading not yet stored trails by a whole second at the sample's moment)
        "region_ingest_latency_mean_s": round(float(np.mean(lags)), 3) if lags else None,
        "region_lag_samples": len(lags),
        "region_published_points": sent * SIGNALS,
        "region_acked_points": want,
        "region_stored_points": stored,
        "region_points_lost": max(0, want - stored),
        "region_drain_s": round(drain_s, 1),
        "region_connection_counters": _sum_counters(counters),
        "region_cpu_cores": {k: round(v / run_s, 3) for k, v in cpu.items()},
    }


def _status(kamp: Any, org: int, conn: int) -> dict[str, Any]:
    from openkamp.core.tenancy import system_principal

    return dict(kamp.connections.status(system_principal(org), conn))


def _sum_counters(counters: list[dict[str, Any]]) -> dict[str, Any]:
    """The connections' saved counters added up (numbers; dicts of numbers by key)."""
    out: dict[str, Any] = {}
    for st in counters:
        for k, v in st.items():
            if isinstance(v, bool) or k in ("id", "buffer_fill", "buffer_points"):
                continue
            if isinstance(v, int | float):
                out[k] = round(out.get(k, 0) + v, 3)
            elif isinstance(v, dict):
                d = out.setdefault(k, {})
                for kk, vv in v.items():
                    if isinstance(vv, int | float):
                        d[kk] = d.get(kk, 0) + vv
    return out


def _signal_ids(url: str) -> list[int]:
    from scale import connect

    with connect(url) as conn:
        rows = conn.execute("SELECT id FROM signals").fetchall()
    return [int(r[0]) for r in rows]


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q))


def to_thousand(fig: dict[str, Any], per_worker_pts_s: float | None) -> list[tuple[str, ...]]:
    """The arithmetic from the measured region to 1,000 factories (linear in points/s and
    users; a core's work per point and per request as measured)."""
    k = 1000 / fig["region_factories"]
    rows: list[tuple[str, ...]] = [
        ("points/s", f"{fig['region_pts_s']:,}", f"{fig['region_pts_s'] * k:,.0f}"),
        ("users", f"{fig['region_users']}", f"{fig['region_users'] * k:,.0f}"),
        ("API requests/s", f"{fig['region_req_s']}", f"{fig['region_req_s'] * k:,.1f}"),
    ]
    for part, cores in fig["region_cpu_cores"].items():
        rows.append((f"{part} cores busy", f"{cores:.2f}", f"{cores * k:.1f}"))
    for part in ("api", "ingest"):
        cores = fig["region_cpu_cores"][part] * k
        rows.append((f"{part} worker processes at <= 50 % of a core each", "",
                     f"{math.ceil(cores / 0.5)}"))  # fmt: skip
    if per_worker_pts_s:
        need = fig["region_pts_s"] * k
        # only if sources sent big batches: live streams from many small sources cost far more
        # a point (the cores above are what this run's streams took)
        rows.append(("ingest workers at 50 % of the backlog rate (big batches only)",
                     f"{per_worker_pts_s:,.0f} pts/s each",
                     f"{math.ceil(need / (0.5 * per_worker_pts_s))}"))  # fmt: skip
    return rows


if __name__ == "__main__":  # a quick look: python bench/scale_region.py URL [factories users min]
    a = sys.argv[1:]
    print(json.dumps(region(a[0], *(int(x) for x in a[1:3]), *(float(x) for x in a[3:4]))))
