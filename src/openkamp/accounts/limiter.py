"""Sign-in rate limiting: counters of failed attempts per key (a login, a client address).

:class:`LoginLimiter` is the small interface the account service talks to, so a scale-out
deployment can keep the counters in a shared store (all web workers must see the same counts);
:class:`MemoryLoginLimiter` keeps them in this process, which is right for one server.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]

#: Longest an attempt waits for running password checks of its key before it is told to retry.
PENDING_WAIT_S = 10.0
#: A password check still "running" after this long is taken to have died with its request.
PENDING_MAX = timedelta(seconds=60)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LimitRule:
    """``max_failures`` failures within ``window`` lock the key for ``lockout``."""

    max_failures: int
    window: timedelta
    lockout: timedelta


class LoginLimiter(ABC):
    """Counts failed sign-ins per key and says how long a key must wait.

    Keys are opaque strings with a kind prefix (``login:ana``, ``client:10.0.0.7``); the rule for a
    key is chosen by its prefix.
    """

    @abstractmethod
    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may try now)."""

    @abstractmethod
    def failed(self, key: str) -> None:
        """Record one failed attempt for ``key``."""

    @abstractmethod
    def succeeded(self, key: str) -> None:
        """Forget the failures of ``key`` after a successful sign-in."""

    def attempt(self, keys: list[str]) -> float:
        """Reserve one attempt on every key before the password is checked.

        Returns the seconds to wait when any key is locked (nothing is reserved then), else 0
        after counting the attempt as a failure on every key. Counting *before* the (slow)
        password check is what bounds the checks: concurrent attempts cannot all pass a check
        of the count made before any of them was counted. A success gives its reservation back
        with :meth:`release` (or :meth:`succeeded`). This default is not atomic; a limiter
        shared by threads or workers overrides it with one atomic step.
        """
        wait = max((self.retry_after(k) for k in keys), default=0.0)
        if wait > 0:
            return wait
        for key in keys:
            self.failed(key)
        return 0.0

    def release(self, key: str) -> None:  # noqa: B027 - optional for a limiter
        """Give back the attempt reserved on ``key`` by :meth:`attempt` (the sign-in worked)."""

    def confirm(self, key: str) -> None:  # noqa: B027 - optional for a limiter
        """The attempt reserved on ``key`` failed (the default :meth:`attempt` counted it
        already)."""


class MemoryLoginLimiter(LoginLimiter):
    """Failure counters in this process's memory, safe to share between threads.

    ``rules`` maps a key prefix (the text before the first ``:``) to its rule; keys without a rule
    use ``default``. Memory stays bounded: stale keys are swept regularly, and beyond
    ``max_keys`` the keys whose last failure is oldest are dropped first.
    """

    def __init__(
        self,
        rules: dict[str, LimitRule] | None = None,
        *,
        default: LimitRule | None = None,
        clock: Clock = utc_now,
        max_keys: int = 100_000,
    ) -> None:
        self.rules = dict(rules or {})
        self.default = default or LimitRule(5, timedelta(minutes=15), timedelta(minutes=15))
        self.clock = clock
        self.max_keys = max_keys
        self._failures: dict[str, deque[datetime]] = {}
        self._locked_until: dict[str, datetime] = {}
        # Attempts whose password check is running (their start times): they count against
        # the limit until they end as a failure (confirm) or not (release / succeeded).
        self._pending: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()
        self._ended = threading.Condition(self._lock)
        self._since_sweep = 0

    def _rule(self, key: str) -> LimitRule:
        return self.rules.get(key.split(":", 1)[0], self.default)

    def retry_after(self, key: str) -> float:
        now = self.clock()
        with self._lock:
            return self._wait(key, now)

    def attempt(self, keys: list[str]) -> float:
        """Reserve a password check on every key, atomically. Failures plus checks still
        running never exceed a key's limit: an attempt beyond it waits until a running check
        ends (a burst of correct sign-ins is served, a burst of wrong ones runs at most the
        limit of checks). Returns the seconds to wait when a key is locked (or the wait for a
        running check took too long), else 0 after reserving."""
        deadline = time.monotonic() + PENDING_WAIT_S
        with self._ended:
            while True:
                now = self.clock()
                wait = max((self._wait(k, now) for k in keys), default=0.0)
                if wait > 0:
                    return wait
                full = [k for k in keys if self._used(k, now) >= self._rule(k).max_failures]
                if not full:
                    for key in keys:
                        self._pending.setdefault(key, deque()).append(now)
                    return 0.0
                left = deadline - time.monotonic()
                if left <= 0:
                    return 1.0  # checks of this key are still running: try again shortly
                self._ended.wait(left)

    def _used(self, key: str, now: datetime) -> int:
        """Failures in the window plus checks still running (a check running longer than
        :data:`PENDING_MAX` is taken to have died with its request)."""
        rule = self._rule(key)
        times = self._failures.get(key)
        while times and now - times[0] >= rule.window:
            times.popleft()
        pending = self._pending.get(key)
        while pending and now - pending[0] >= PENDING_MAX:
            pending.popleft()
        return len(times or ()) + len(pending or ())

    def _end(self, key: str) -> None:
        pending = self._pending.get(key)
        if pending:
            pending.popleft()
            if not pending:
                del self._pending[key]
        self._ended.notify_all()

    def release(self, key: str) -> None:
        with self._ended:
            self._end(key)

    def confirm(self, key: str) -> None:
        now = self.clock()
        with self._ended:
            self._end(key)
            self._failed(key, now)

    def _wait(self, key: str, now: datetime) -> float:
        until = self._locked_until.get(key)
        if until is None:
            return 0.0
        if until <= now:
            del self._locked_until[key]
            return 0.0
        return (until - now).total_seconds()

    def failed(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            self._failed(key, now)

    def _failed(self, key: str, now: datetime) -> None:
        rule = self._rule(key)
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] >= rule.window:
            times.popleft()
        times.append(now)
        if len(times) >= rule.max_failures:
            # Locked: the count starts afresh when the lockout ends.
            self._locked_until[key] = now + rule.lockout
            times.clear()
        self._since_sweep += 1
        if self._since_sweep >= 1024 or len(self._failures) > self.max_keys:
            self._sweep(now)

    def succeeded(self, key: str) -> None:
        with self._ended:
            self._end(key)
            self._failures.pop(key, None)
            self._locked_until.pop(key, None)

    def _sweep(self, now: datetime) -> None:
        self._since_sweep = 0
        stale = [
            k for k, t in self._failures.items() if not t or now - t[-1] >= self._rule(k).window
        ]
        for key in stale:
            del self._failures[key]
        for key in [k for k, until in self._locked_until.items() if until <= now]:
            del self._locked_until[key]
        # Over the cap (an attack spraying logins): drop to 90 % so this does not run every time.
        excess = len(self._failures) - self.max_keys * 9 // 10
        if len(self._failures) > self.max_keys:
            for key in sorted(self._failures, key=lambda k: self._failures[k][-1])[:excess]:
                del self._failures[key]
