"""The account service: users, first-run set-up, API tokens, browser sessions, sign-in limits.

Everything an account interface (API, web UI, CLI) needs, with access checked here: each call
that manages accounts takes the acting :class:`Principal` and only sees its organisation's
records. Authentication (:meth:`AccountService.login`, :meth:`~AccountService.authenticate_token`,
:meth:`~AccountService.authenticate_session`) is the one place that searches across
organisations, by a login name or the hash of a secret, and it returns the principal that every
other call then takes.

Records are plain dicts, without their secrets: a user record never carries its password hash,
a token or session record never its secret hash.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from openkamp.accounts.limiter import Clock, LimitRule, LoginLimiter, MemoryLoginLimiter, utc_now
from openkamp.accounts.passwords import Passwords
from openkamp.accounts.sessions import Sessions
from openkamp.accounts.tokens import ApiTokens
from openkamp.accounts.users import UserAccounts
from openkamp.storage.metadata.base import MetadataStore

if TYPE_CHECKING:
    from openkamp.settings import Settings


class AccountService(UserAccounts, ApiTokens, Sessions):
    """Users, API tokens and sessions of every organisation of one platform."""

    def __init__(
        self,
        meta: MetadataStore,
        *,
        passwords: Passwords | None = None,
        limiter: LoginLimiter | None = None,
        session_idle: timedelta = timedelta(minutes=120),
        session_max: timedelta = timedelta(hours=12),
        password_min_length: int = 10,
        clock: Clock = utc_now,
    ) -> None:
        self.meta = meta
        self.passwords = passwords or Passwords()
        self.limiter = limiter or MemoryLoginLimiter(clock=clock)
        self.session_idle = session_idle
        self.session_max = session_max
        self.password_min_length = password_min_length
        self.clock = clock

    @classmethod
    def from_settings(
        cls,
        meta: MetadataStore,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        limiter: LoginLimiter | None = None,
    ) -> AccountService:
        """The service as the settings describe it. Unless another limiter is given, sign-in
        failures are counted in the metadata store when other processes share it (API workers
        on PostgreSQL: they must count against one limit), else in this process's memory."""
        window = timedelta(minutes=settings.login_window_minutes)
        lockout = timedelta(minutes=settings.login_lockout_minutes)
        if limiter is None:
            rules = {
                "login": LimitRule(settings.login_max_failures, window, lockout),
                "client": LimitRule(settings.login_client_max_failures, window, lockout),
            }
            if meta.shared:
                from openkamp.accounts.stored_limiter import StoredLoginLimiter
                from openkamp.storage.metadata.login_limits import login_limit_store

                limiter = StoredLoginLimiter(login_limit_store(meta), rules, clock=clock)
            else:
                limiter = MemoryLoginLimiter(rules, clock=clock)
        return cls(
            meta,
            passwords=Passwords(
                memory_kib=settings.password_hash_memory_kib,
                time_cost=settings.password_hash_time_cost,
            ),
            limiter=limiter,
            session_idle=timedelta(minutes=settings.session_idle_minutes),
            session_max=timedelta(hours=settings.session_max_hours),
            password_min_length=settings.password_min_length,
            clock=clock,
        )
