"""Passwords: the policy (8-128 characters, not a common one, no composition rules) and argon2id.

The policy follows NIST 800-63B and OWASP ASVS 5.0 V6.2: length over composition, a block list
of the most common passwords, any character allowed (Unicode is normalised to NFKC first, so
the same password typed on two keyboards is the same password).
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pmfit.web.errors import ApiError
from pmfit.web.settings import PasswordHashing

MIN_LENGTH = 8
MAX_LENGTH = 128


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    """The 3,000 most common passwords, lower-cased (see ``pmfit/data/passwords/README.md``)."""
    text = resources.files("pmfit").joinpath("data/passwords/common-3000.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_password_policy(password: str) -> str:
    """The normalised password, or :class:`ApiError` 422 (``password_length`` / ``password_common``)."""
    password = normalise(password)
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ApiError(422, "password_length",
                       f"a password needs {MIN_LENGTH} to {MAX_LENGTH} characters (this one has {len(password)})")
    if password.lower() in common_passwords():
        raise ApiError(422, "password_common",
                       "this password is among the 3,000 most common ones; choose another (a phrase is fine)")
    return password


class Hasher:
    """argon2id with the configured cost; verifies old hashes and says when one needs rehashing."""

    def __init__(self, cost: PasswordHashing) -> None:
        self._hasher = PasswordHasher(time_cost=cost.time_cost, memory_cost=cost.memory_cost_kib,
                                      parallelism=cost.parallelism, type=Type.ID)
        # verified when the account does not exist, so that a missing account costs the same time
        self._dummy = self._hasher.hash("pmfit: no such account")

    def hash(self, password: str) -> str:
        return self._hasher.hash(normalise(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; a missing hash (no account, link-only account) costs the same."""
        if len(password) > 4 * MAX_LENGTH:  # do not hash megabytes sent to slow the server down
            return False
        try:
            return self._hasher.verify(stored_hash or self._dummy, normalise(password)) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
