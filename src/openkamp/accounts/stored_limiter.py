"""Sign-in limits kept in the metadata store, shared by every process that uses it.

With several API workers (a regional centre: N processes behind a reverse proxy, on
PostgreSQL), counters in one process's memory would let an attacker spread guesses over the
workers and get N times the limit. :class:`StoredLoginLimiter` keeps the same rules as
:class:`~openkamp.accounts.limiter.MemoryLoginLimiter` (failures within a window lock a key for a
while; an attempt reserves a password check before it runs, so concurrent attempts never run more
checks than the limit) on rows of the metadata store, each step one transaction holding the rows
of its keys (:mod:`openkamp.storage.metadata.login_limits`). An attempt that finds its key's
checks all running waits for one to end by polling the store (processes share no condition).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from openkamp.accounts.limiter import (
    PENDING_MAX,
    PENDING_WAIT_S,
    Clock,
    LimitRule,
    LoginLimiter,
    utc_now,
)
from openkamp.storage.metadata.login_limits import LimitState, LoginLimitStore

__all__ = ["StoredLoginLimiter"]

#: How often a waiting attempt looks again whether a running check of its key ended.
POLL_S = 0.05
#: Stale keys are swept after this many writes of this process.
SWEEP_EVERY = 1024


def _ms(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)


class StoredLoginLimiter(LoginLimiter):
    """Failure counters in the metadata store (see the module docstring).

    ``rules`` maps a key prefix (the text before the first ``:``) to its rule; keys without a rule
    use ``default``. Rows of keys whose failures, checks and lockout are all over are deleted as
    they end, and stale ones swept regularly.
    """

    def __init__(
        self,
        store: LoginLimitStore,
        rules: dict[str, LimitRule] | None = None,
        *,
        default: LimitRule | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.rules = dict(rules or {})
        self.default = default or LimitRule(5, timedelta(minutes=15), timedelta(minutes=15))
        self.clock = clock
        self._writes = 0

    def _rule(self, key: str) -> LimitRule:
        return self.rules.get(key.split(":", 1)[0], self.default)

    def _now_ms(self) -> tuple[int, datetime]:
        now = self.clock()
        return int(now.timestamp() * 1000), now

    # -- the state of one key -----------------------------------------------------------------

    def _prune(self, key: str, state: LimitState, now_ms: int) -> None:
        window = _ms(self._rule(key).window)
        state.failures = [t for t in state.failures if now_ms - t < window]
        state.pending = [t for t in state.pending if now_ms - t < _ms(PENDING_MAX)]

    def _wait(self, state: LimitState) -> float:
        until = state.locked_until
        if until is None:
            return 0.0
        left = (until - self.clock()).total_seconds()
        if left <= 0:
            state.locked_until = None
            return 0.0
        return left

    def _fail(self, key: str, state: LimitState, now_ms: int) -> None:
        rule = self._rule(key)
        self._prune(key, state, now_ms)
        state.failures.append(now_ms)
        if len(state.failures) >= rule.max_failures:
            # Locked: the count starts afresh when the lockout ends.
            state.locked_until = self.clock() + rule.lockout
            state.failures = []

    @staticmethod
    def _end(state: LimitState) -> None:
        if state.pending:
            state.pending.pop(0)

    # -- the interface --------------------------------------------------------------------------

    def retry_after(self, key: str) -> float:
        return self._wait(self.store.read([key])[key])

    def attempt(self, keys: list[str]) -> float:
        """Reserve a password check on every key, atomically across processes (see
        :meth:`MemoryLoginLimiter.attempt <openkamp.accounts.limiter.MemoryLoginLimiter.attempt>`
        for the rules)."""
        deadline = time.monotonic() + PENDING_WAIT_S
        while True:
            now_ms, now = self._now_ms()
            with self.store.locked(keys, now) as states:
                for key, state in states.items():
                    self._prune(key, state, now_ms)
                wait = max((self._wait(s) for s in states.values()), default=0.0)
                if wait > 0:
                    return wait
                full = [
                    k
                    for k, s in states.items()
                    if len(s.failures) + len(s.pending) >= self._rule(k).max_failures
                ]
                if not full:
                    for state in states.values():
                        state.pending.append(now_ms)
                    self._wrote()
                    return 0.0
            left = deadline - time.monotonic()
            if left <= 0:
                return 1.0  # checks of this key are still running: try again shortly
            time.sleep(min(POLL_S, left))

    def release(self, key: str) -> None:
        with self.store.locked([key], self.clock()) as states:
            self._end(states[key])

    def confirm(self, key: str) -> None:
        now_ms, now = self._now_ms()
        with self.store.locked([key], now) as states:
            self._end(states[key])
            self._fail(key, states[key], now_ms)
        self._wrote()

    def failed(self, key: str) -> None:
        now_ms, now = self._now_ms()
        with self.store.locked([key], now) as states:
            self._fail(key, states[key], now_ms)
        self._wrote()

    def succeeded(self, key: str) -> None:
        with self.store.locked([key], self.clock()) as states:
            state = states[key]
            self._end(state)
            state.failures = []
            state.locked_until = None

    def sweep(self) -> int:
        """Delete the stored state of keys untouched for longer than any rule looks back."""
        rules = [*self.rules.values(), self.default]
        horizon = max([PENDING_MAX, *(r.window for r in rules), *(r.lockout for r in rules)])
        now = self.clock()
        return self.store.sweep(now - horizon, now)

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes >= SWEEP_EVERY:
            self._writes = 0
            self.sweep()
