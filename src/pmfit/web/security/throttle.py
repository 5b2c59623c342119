"""Login rate limiting, counted in the database so that every worker of a server counts as one.

Three keys per attempt (see :class:`pmfit.web.settings.LoginLimits`): the account from this address,
this address, and the account from anywhere. A key whose failures reach its limit within the window
answers 429 until its block ends; a blocked attempt is refused before any password is hashed, so a
guesser can neither test passwords nor make the server burn CPU. Blocks always end, and a
successful login clears the account-from-this-address count, so the real user is never locked
out for good.
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from pmfit.store.accounts import LoginThrottle
from pmfit.web.settings import LoginLimits


def throttle_keys(account: str, address: str | None, limits: LoginLimits) -> list[tuple[str, int]]:
    account = account.casefold()[:64]
    address = (address or "unknown")[:64]
    return [
        (f"pair:{address}:{account}", limits.per_account_address),
        (f"addr:{address}", limits.per_address),
        (f"acct:{account}", limits.per_account),
    ]


class LoginThrottler:
    """Checks and counts failed logins; each call runs in its own short transaction."""

    def __init__(self, sessions: sessionmaker[Session], limits: LoginLimits) -> None:
        self._sessions = sessions
        self._limits = limits

    def retry_after(self, account: str, address: str | None, now: dt.datetime) -> int | None:
        """Seconds until this attempt may be tried, or ``None`` if it may be tried now."""
        keys = [key for key, _ in throttle_keys(account, address, self._limits)]
        with self._sessions() as db:
            rows = db.execute(select(LoginThrottle.blocked_until).where(LoginThrottle.key.in_(keys))).all()
        waits = [(blocked - now).total_seconds() for (blocked,) in rows if blocked is not None and blocked > now]
        return math.ceil(max(waits)) if waits else None

    def failed(self, account: str, address: str | None, now: dt.datetime) -> None:
        """Count one failure on every key; block the keys that reach their limit."""
        window_start = now - self._limits.window
        with self._sessions() as db:
            for key, limit in throttle_keys(account, address, self._limits):
                # a window that has passed starts again; increments are done by the database so that two
                # workers counting at once both count
                db.execute(update(LoginThrottle)
                           .where(LoginThrottle.key == key, LoginThrottle.window_start <= window_start)
                           .values(failures=0, window_start=now, blocked_until=None))
                counted = db.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                                     .values(failures=LoginThrottle.failures + 1)).rowcount  # type: ignore[attr-defined]
                if not counted:
                    try:
                        with db.begin_nested():
                            db.add(LoginThrottle(key=key, failures=1, window_start=now))
                    except IntegrityError:  # another worker inserted it first
                        db.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                                   .values(failures=LoginThrottle.failures + 1))
                db.execute(update(LoginThrottle)
                           .where(LoginThrottle.key == key, LoginThrottle.failures >= limit)
                           .values(blocked_until=now + self._limits.block))
            db.commit()

    def succeeded(self, account: str, address: str | None) -> None:
        """A right password from this address clears its own count (not the address's nor the account's)."""
        pair_key = throttle_keys(account, address, self._limits)[0][0]
        with self._sessions() as db:
            db.execute(update(LoginThrottle).where(LoginThrottle.key == pair_key)
                       .values(failures=0, blocked_until=None))
            db.commit()
