"""Failed logins counted in the cache (Redis) per account and per address, for every way in: the login page, the
admin's login page and the API's token endpoint.

Past a limit, every attempt is refused until the window ends, the right password too (else the limit would only slow
the guessing down). An unknown user name is counted like a real one, so the answer never tells whether an account
exists. Windows are fixed (like the generation and assistant rate limits): a few more tries can slip in where two
windows meet, never more than twice the limit.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass
class LoginThrottled(Exception):
    """Too many failed logins for this account (`per` "account") or from this address (`per` "address")."""

    per: str
    retry_after: int  # seconds

    def __str__(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        wait = ngettext("try again in %(n)d minute.", "try again in %(n)d minutes.", minutes) % {"n": minutes}
        if self.per == "account":
            return _("Too many failed logins for this account: %(wait)s") % {"wait": wait}
        return _("Too many failed logins from your address: %(wait)s") % {"wait": wait}


def _counters(request, username: str) -> list[tuple[str, str, int]]:
    """(per, cache key, limit) of the account and of the address, in the current window."""
    window = settings.LOGIN_FAILURE_WINDOW
    bucket = int(time.time() // window)
    account = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return [
        ("account", f"login-failures:account:{account}:{bucket}", settings.LOGIN_FAILURES_PER_ACCOUNT),
        ("address", f"login-failures:address:{address}:{bucket}", settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


def login_check(*, request, username: str) -> None:
    """Raise LoginThrottled when this account or this address has had too many failures in the window."""
    window = settings.LOGIN_FAILURE_WINDOW
    counters = _counters(request, username)
    counts = cache.get_many([key for _per, key, _limit in counters])
    for per, key, limit in counters:
        if limit > 0 and counts.get(key, 0) >= limit:
            raise LoginThrottled(per=per, retry_after=math.ceil(window - time.time() % window))


def login_failed(*, request, username: str) -> None:
    timeout = settings.LOGIN_FAILURE_WINDOW + 5
    for _per, key, _limit in _counters(request, username):
        cache.add(key, 0, timeout=timeout)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=timeout)


def login_succeeded(*, request, username: str) -> None:
    """The account's owner is back: their earlier typos no longer count (the address's failures still do)."""
    per, key, _limit = _counters(request, username)[0]
    cache.delete(key)
