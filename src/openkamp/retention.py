"""Retention: how long raw points and their per-minute and per-hour roll-ups are kept.

A policy says, per tier, how many days of data to keep (``None``: forever). An organisation has a
default policy (stored, else the installation's settings), and a signal may have its own, which
replaces the default for that signal as a whole. Policies go coarser-longer: raw points are kept
no longer than minute aggregates, and those no longer than hour aggregates, so a range always
charts from some tier once its raw points are gone.

:meth:`RetentionService.apply` drops, for every signal of an organisation, each tier's data older
than its policy (through :meth:`TimeSeriesStore.expire`, a bounded chunk per transaction, so ingest
writes run between chunks); :meth:`RetentionService.start` runs it for every organisation in the
platform process at a fixed interval (the server starts it, the CLI does not).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from openkamp.assets.service import AssetService
from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal, Role, require
from openkamp.storage.metadata.base import MetadataStore, Record
from openkamp.storage.timeseries.base import TIERS, Tier, TimeSeriesStore

log = logging.getLogger(__name__)

ORG_SCOPE = 0  # scope_key of an organisation's default policy
MAX_DAYS = 36_500  # a hundred years: anything longer is "forever"


@dataclass(frozen=True)
class Policy:
    """Days each tier is kept (``None``: forever), and where the policy comes from.

    ``source``: ``settings`` (the installation's default, nothing stored), ``organisation``
    (the organisation's stored default) or ``signal`` (the signal's own).
    """

    raw_days: int | None = None
    minute_days: int | None = None
    hour_days: int | None = None
    source: Literal["settings", "organisation", "signal"] = "settings"
    signal_id: int | None = None
    updated_at: datetime | None = None

    def days(self, tier: Tier) -> int | None:
        return {"raw": self.raw_days, "minute": self.minute_days, "hour": self.hour_days}[tier]


@dataclass
class RetentionRun:
    """What one pass of :meth:`RetentionService.apply` dropped in one organisation."""

    org_id: int
    dropped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TIERS, 0))
    signals: int = 0
    seconds: float = 0.0


def check_days(raw_days: int | None, minute_days: int | None, hour_days: int | None) -> None:
    """Refuse days outside 1..MAX_DAYS and tiers kept shorter than a finer one."""
    for tier, days in (("raw", raw_days), ("minute", minute_days), ("hour", hour_days)):
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise InvalidInput(
                f"Days of {tier} data must be between 1 and {MAX_DAYS} (or empty: forever).",
                code="retention.days",
                params={"tier": tier, "most": MAX_DAYS},
            )
    forever = MAX_DAYS + 1

    def span(d: int | None) -> int:
        return forever if d is None else d

    if not span(raw_days) <= span(minute_days) <= span(hour_days):
        raise InvalidInput(
            "Coarser data must be kept at least as long as finer data: "
            "raw days <= minute days <= hour days.",
            code="retention.order",
        )


class RetentionService:
    """Retention policies of an organisation and the job that applies them."""

    def __init__(
        self,
        meta: MetadataStore,
        ts: TimeSeriesStore,
        assets: AssetService,
        *,
        defaults: Policy | None = None,
        chunk_rows: int = 50_000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.meta = meta
        self.ts = ts
        self.assets = assets
        self.defaults = defaults or Policy()
        check_days(self.defaults.raw_days, self.defaults.minute_days, self.defaults.hour_days)
        self.chunk_rows = chunk_rows
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_runs: list[RetentionRun] = []

    # -- policies -----------------------------------------------------------------------------

    def _stored(self, org_id: int, scope_key: int) -> Record | None:
        found = self.meta.find(org_id, "retention_policy", scope_key=scope_key)
        return found[0] if found else None

    @staticmethod
    def _policy(rec: Record, source: Literal["organisation", "signal"]) -> Policy:
        return Policy(
            raw_days=rec["raw_days"],
            minute_days=rec["minute_days"],
            hour_days=rec["hour_days"],
            source=source,
            signal_id=rec["scope_key"] or None,
            updated_at=rec["updated_at"],
        )

    def _org_policy(self, org_id: int) -> Policy:
        rec = self._stored(org_id, ORG_SCOPE)
        return self.defaults if rec is None else self._policy(rec, "organisation")

    def organisation(self, principal: Principal) -> Policy:
        """The organisation's default policy (the installation's when none is stored)."""
        return self._org_policy(principal.org_id)

    def set_organisation(
        self,
        principal: Principal,
        raw_days: int | None,
        minute_days: int | None,
        hour_days: int | None,
    ) -> Policy:
        require(principal, Role.ADMIN)
        return self._put(principal.org_id, ORG_SCOPE, raw_days, minute_days, hour_days)

    def signal(self, principal: Principal, ref: int | str) -> Policy:
        """The policy that applies to a signal: its own, else the organisation's default."""
        sig = self.assets.signals_by_ref(principal, [ref])[0]
        rec = self._stored(principal.org_id, sig.id)
        if rec is not None:
            return self._policy(rec, "signal")
        own = self._org_policy(principal.org_id)
        return Policy(own.raw_days, own.minute_days, own.hour_days, own.source, sig.id,
                      own.updated_at)  # fmt: skip

    def set_signal(
        self,
        principal: Principal,
        ref: int | str,
        raw_days: int | None,
        minute_days: int | None,
        hour_days: int | None,
    ) -> Policy:
        require(principal, Role.ADMIN)
        sig = self.assets.signals_by_ref(principal, [ref])[0]
        return self._put(principal.org_id, sig.id, raw_days, minute_days, hour_days)

    def clear_signal(self, principal: Principal, ref: int | str) -> Policy:
        """Remove a signal's own policy; returns the organisation's default it now follows."""
        require(principal, Role.ADMIN)
        sig = self.assets.signals_by_ref(principal, [ref])[0]
        rec = self._stored(principal.org_id, sig.id)
        if rec is not None:
            self.meta.delete(principal.org_id, "retention_policy", rec["id"])
        return self.signal(principal, sig.id)

    def signal_policies(self, principal: Principal) -> list[Policy]:
        """The signals' own policies (signals without one follow the default)."""
        recs = self.meta.find(principal.org_id, "retention_policy")
        return [self._policy(r, "signal") for r in recs if r["scope_key"] != ORG_SCOPE]

    def _put(
        self,
        org_id: int,
        scope_key: int,
        raw_days: int | None,
        minute_days: int | None,
        hour_days: int | None,
    ) -> Policy:
        check_days(raw_days, minute_days, hour_days)
        values = {
            "raw_days": raw_days,
            "minute_days": minute_days,
            "hour_days": hour_days,
            "updated_at": self.clock(),
        }
        with self.meta.transaction():
            rec = self._stored(org_id, scope_key)
            if rec is None:
                rec = self.meta.insert(
                    org_id, "retention_policy", {"scope_key": scope_key, **values}
                )
            else:
                rec = self.meta.update(org_id, "retention_policy", rec["id"], values)
        return self._policy(rec, "signal" if scope_key else "organisation")

    # -- applying -----------------------------------------------------------------------------

    def apply(self, principal: Principal, now: datetime | None = None) -> RetentionRun:
        """Drop the organisation's data past its policies now (administrators)."""
        require(principal, Role.ADMIN)
        return self._apply(principal.org_id, now)

    def _apply(
        self, org_id: int, now: datetime | None = None, stop: threading.Event | None = None
    ) -> RetentionRun:
        started = time.perf_counter()
        now = now or self.clock()
        default = self._org_policy(org_id)
        own = {
            int(r["scope_key"]): self._policy(r, "signal")
            for r in self.meta.find(org_id, "retention_policy")
            if r["scope_key"] != ORG_SCOPE
        }
        ids = [int(r["id"]) for r in self.meta.find(org_id, "signal")]
        run = RetentionRun(org_id, signals=len(ids))
        for tier in TIERS:
            by_cut: dict[datetime, list[int]] = {}
            for sid in ids:
                days = own.get(sid, default).days(tier)
                if days is not None:
                    by_cut.setdefault(now - timedelta(days=days), []).append(sid)
            for cut, group in sorted(by_cut.items()):
                if stop is not None and stop.is_set():  # the server stops: the next pass goes on
                    break
                run.dropped[tier] += self.ts.expire(org_id, tier, group, cut, chunk=self.chunk_rows)
        run.seconds = time.perf_counter() - started
        return run

    def run_all(
        self, now: datetime | None = None, stop: threading.Event | None = None
    ) -> list[RetentionRun]:
        """One pass over every organisation (what the periodic job does)."""
        runs = [self._apply(int(org["id"]), now, stop) for org in self.meta.list_orgs()]
        self.last_runs = runs
        return runs

    def start(self, interval_s: float) -> bool:
        """Apply retention now and then every ``interval_s`` seconds on a background thread,
        until :meth:`stop`. False when it already runs."""
        if self._thread is not None and self._thread.is_alive():
            return False
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    for run in self.run_all(stop=self._stop):
                        if any(run.dropped.values()):
                            log.info(
                                "retention dropped %s in organisation %d in %.1f s",
                                run.dropped,
                                run.org_id,
                                run.seconds,
                            )
                except Exception:  # a failed pass is retried at the next one
                    log.exception("retention pass failed")
                self._stop.wait(interval_s)

        self._thread = threading.Thread(target=loop, name="retention", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


__all__ = ["Policy", "RetentionRun", "RetentionService", "check_days"]
