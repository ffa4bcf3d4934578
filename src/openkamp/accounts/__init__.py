"""Accounts: users, first-run set-up, API tokens, browser sessions and sign-in rate limiting.

``Platform.accounts`` is an :class:`AccountService`; the web edge calls it to turn a session
cookie or an API token into the :class:`~openkamp.core.tenancy.Principal` every other service
takes.
"""

from openkamp.accounts.limiter import LimitRule, LoginLimiter, MemoryLoginLimiter
from openkamp.accounts.passwords import Passwords, check_password
from openkamp.accounts.service import AccountService

__all__ = [
    "AccountService",
    "LimitRule",
    "LoginLimiter",
    "MemoryLoginLimiter",
    "Passwords",
    "check_password",
]
