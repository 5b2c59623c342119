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

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from pmfit.store.accounts import AuthEvent, LoginThrottle
from pmfit.web.settings import LoginLimits

_THROTTLE = LoginThrottle.__table__
# statements built once (their compiled form is cached): the blocked path is the hot one in a flood
_BLOCKED = select(_THROTTLE.c.blocked_until).where(_THROTTLE.c.key.in_(bindparam("keys", expanding=True)))
_LOG = insert(AuthEvent)


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

    def refuse(self, account: str, address: str | None, now: dt.datetime, event: dict[str, object]) -> int | None:
        """Seconds to wait if this attempt is blocked (and the refusal logged), else ``None``.

        One short Core transaction: a flood of blocked guesses costs the server one query and one
        log row each, no password hash and no ORM work.
        """
        keys = [key for key, _ in throttle_keys(account, address, self._limits)]
        with self._sessions.begin() as db:
            rows = db.execute(_BLOCKED, {"keys": keys}).all()
            waits = [(blocked - now).total_seconds() for (blocked,) in rows if blocked is not None and blocked > now]
            if not waits:
                return None
            db.execute(_LOG, {**event, "at": now, "kind": "login_throttled"})
        return max(1, math.ceil(max(waits)))  # type: ignore[no-any-return]

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
