"""Password rules and argon2 hashing, shared by ``hiplab user create`` and the web app.

Passwords are hashed with argon2id (argon2-cffi's :class:`~argon2.PasswordHasher`,
its default, RFC 9106 low-memory parameters); only the hash is stored. Verification
of an unknown e-mail still runs one argon2 check (:func:`verify_or_waste_time`), so
the time taken does not tell whether an address has a login.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from hiplab.errors import InputError

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 10
MAX_LENGTH = 1024
"""Longest password accepted (argon2 takes any length; this bounds the work per login)."""


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash("not a password of anyone: only spends the time of a check")


def check_password(password: str) -> str:
    """Return ``password`` if it meets the rules, else raise :class:`InputError`.

    Examples
    --------
    >>> check_password("long enough secret")
    'long enough secret'

    """
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InputError(
            f"the password has {len(password)} characters; allowed: {MIN_LENGTH} to {MAX_LENGTH}"
        )
    if not password.strip():
        raise InputError("the password is only spaces; allowed: any other characters")
    return password


def hash_password(password: str) -> str:
    """Check and hash a new password with argon2id.

    Parameters
    ----------
    password : str
        The new password.

    Returns
    -------
    str
        The encoded hash (``$argon2id$…``), parameters and salt included.

    Raises
    ------
    InputError
        If the password breaks the rules of :func:`check_password`.

    """
    return _hasher().hash(check_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash`` (never raises on a mismatch)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_or_waste_time(password_hash: str | None, password: str) -> bool:
    """Verify like :func:`verify_password`; with no hash, spend the same time and fail."""
    if password_hash is None:
        verify_password(_dummy_hash(), password)
        return False
    return verify_password(password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """Return whether a hash was made with weaker parameters than the current ones."""
    return _hasher().check_needs_rehash(password_hash)
