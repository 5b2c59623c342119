"""Server settings: the store URL, the secret key, timeouts, limits and the clock.

Everything a test wants to change (the clock, the password hash cost, the limits) is a field,
so a test builds ``WebSettings(...)`` instead of patching modules.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmfit.store.prune import Retention

DEFAULT_DB_URL = "sqlite:///pmfit.db"
SECRET_ENV = "PMFIT_SECRET_KEY"
SECRET_FILE_ENV = "PMFIT_SECRET_FILE"
DB_ENV = "PMFIT_DB"
LOG_RETENTION_ENV = "PMFIT_AUTH_LOG_DAYS"
MIN_SECRET_LENGTH = 32
_KNOWN_WEAK = ("changeme", "secret", "password", "pmfit", "default", "development", "insecure", "example")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SecretKeyError(ValueError):
    """A secret key that is missing, too weak, or readable by others."""


@dataclass(frozen=True)
class PasswordHashing:
    """argon2id cost. The defaults are OWASP's recommendation (19 MiB, 2 passes, 1 lane)."""

    time_cost: int = 2
    memory_cost_kib: int = 19 * 1024
    parallelism: int = 1


#: Cheap hashing for tests only (the same algorithm, far less memory and time).
TEST_HASHING = PasswordHashing(time_cost=1, memory_cost_kib=8, parallelism=1)


@dataclass(frozen=True)
class LoginLimits:
    """Failed logins allowed per window before that key answers 429 for ``block``.

    Three keys are counted: the account from one address (tight: the real user's own mistakes
    and a targeted guesser), one address over all accounts (spraying), and the account from
    every address (a distributed guesser). Every block ends, so nobody is locked out for good.
    """

    window: dt.timedelta = dt.timedelta(minutes=15)
    block: dt.timedelta = dt.timedelta(minutes=15)
    per_account_address: int = 5
    per_address: int = 30
    per_account: int = 100


@dataclass(frozen=True)
class WebSettings:
    """What one server process needs; every worker of one server gets the same values."""

    db_url: str = DEFAULT_DB_URL
    secret_key: str = ""
    clock: Callable[[], dt.datetime] = utc_now
    hashing: PasswordHashing = field(default_factory=PasswordHashing)
    login_limits: LoginLimits = field(default_factory=LoginLimits)
    #: A session ends after this long without a request (NIST 800-63B AAL2: 30 minutes) ...
    session_idle: dt.timedelta = dt.timedelta(minutes=30)
    #: ... and after this long in any case (NIST AAL2: 12 hours).
    session_absolute: dt.timedelta = dt.timedelta(hours=12)
    token_max_days: int = 366
    login_link_lifetime: dt.timedelta = dt.timedelta(hours=1)
    #: Largest request body accepted (plan uploads included); larger ones get 413.
    max_body_bytes: int = 20 * 1024 * 1024
    #: Extra origins allowed to send state-changing requests (the server's own is always allowed).
    trusted_origins: tuple[str, ...] = ()
    page_size_max: int = 200
    #: security-log rows older than this are deleted (``pmfit db prune --log-days`` by hand)
    auth_log_retention: dt.timedelta = dt.timedelta(days=90)
    #: ended sessions and used login links are deleted this long after they ended
    ended_retention: dt.timedelta = dt.timedelta(days=1)
    #: each worker deletes finished rows at most this often (during requests, and at start)
    prune_every: dt.timedelta = dt.timedelta(minutes=1)

    def __post_init__(self) -> None:
        check_secret_key(self.secret_key)

    def retention(self) -> Retention:
        """What the clean-up keeps, from this server's own limits."""
        from pmfit.store.prune import Retention

        return Retention(auth_log=self.auth_log_retention, grace=self.ended_retention,
                         session_lifetime=self.session_absolute, throttle_window=self.login_limits.window)


def check_secret_key(key: str) -> None:
    """Refuse a key a guesser could find: short, repetitive or a well-known placeholder."""
    if not key:
        raise SecretKeyError(f"no secret key: set {SECRET_ENV}, or let pmfit serve create one in a file")
    if len(key) < MIN_SECRET_LENGTH:
        raise SecretKeyError(f"the secret key is {len(key)} characters; at least {MIN_SECRET_LENGTH} are needed")
    if len(set(key)) < 12 or any(word in key.lower() for word in _KNOWN_WEAK):
        raise SecretKeyError("the secret key is weak (repetitive, or a placeholder word); "
                             "use a random one, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'")


def load_or_create_secret(path: Path) -> str:
    """The key in ``path``, or a new random key written there with mode 0600.

    An existing file that group or others may read is refused: its key may have leaked.
    """
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise SecretKeyError(f"{path}: the secret key file is readable by others (mode {mode:o}); "
                                 f"run chmod 600 {path} and, if it may have leaked, delete it for a new key")
        key = path.read_text(encoding="utf-8").strip()
        check_secret_key(key)
        return key
    key = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key


def default_secret_path(db_url: str) -> Path:
    """Beside a SQLite store file (``pmfit.db`` -> ``pmfit.db.secret``); else in the current folder."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and db_url[len(prefix):] not in ("", ":memory:"):
        return Path(db_url[len(prefix):] + ".secret")
    return Path("pmfit.secret")


def resolve_secret(db_url: str, env: dict[str, str] | None = None) -> str:
    """``PMFIT_SECRET_KEY``, else the key file (``PMFIT_SECRET_FILE`` or beside the store)."""
    env = dict(os.environ) if env is None else env
    if env.get(SECRET_ENV):
        key = env[SECRET_ENV]
        check_secret_key(key)
        return key
    path = Path(env[SECRET_FILE_ENV]) if env.get(SECRET_FILE_ENV) else default_secret_path(db_url)
    return load_or_create_secret(path)


def resolve_db_url(option: str | None, env: dict[str, str] | None = None) -> str:
    """``--db``, else ``PMFIT_DB``, else ``pmfit.db`` here: the store's own rule
    (:func:`pmfit.store.connect.resolve_url`), so ``pmfit serve`` and ``pmfit db`` open the same store."""
    from pmfit.store.connect import resolve_url

    return resolve_url(option, env)
