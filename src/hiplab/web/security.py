"""Session cookie, CSRF tokens and login rate limiting.

The session is a signed (itsdangerous, HMAC-SHA1 with the secret key and a salt),
timestamped cookie holding the user id (None before login), the login's session epoch
and a random CSRF token. It is HttpOnly (scripts cannot read it), SameSite=Lax (not
sent on cross-site form posts), Secure when ``cookie_secure`` is set, and expires after
``session_hours`` both in the browser and on the server (the signature's timestamp is
checked).

Revocation: the cookie lives in the browser only, so to end it before it expires the
login's ``session_epoch`` (in the store, read with the viewer on every request) is
bumped — by a password change and by "log out everywhere". A session whose epoch is
not the login's current one is logged out (:mod:`hiplab.web.authz`), so a stolen
cookie is worthless from then on. Cookies made before epochs existed count as epoch 0.

Every state-changing request (POST, PUT, PATCH, DELETE) must carry the session's CSRF
token: forms in the hidden field ``csrf_token``, scripts and API clients in the
header ``X-CSRF-Token``. A login starts a new session (new token), so a token seen
before login is worthless after it.

Passwords themselves are hashed in :mod:`hiplab.passwords` (the CLI needs them too).
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "hiplab_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_SALT = "hiplab-session-v1"


@dataclass(frozen=True)
class SessionData:
    """What the session cookie carries: the user, the CSRF token, the login's epoch.

    ``user_id`` is None before login; ``epoch`` is the login's ``session_epoch`` when
    the session began (0 when logged out).
    """

    user_id: int | None
    csrf: str
    epoch: int = 0


def new_session(user_id: int | None = None, *, epoch: int = 0) -> SessionData:
    """Return a session with a fresh random CSRF token (256 bits).

    Parameters
    ----------
    user_id : int or None
        The login (None: an anonymous session).
    epoch : int
        The login's current ``session_epoch`` (see :class:`hiplab.store.StoredUser`).

    """
    return SessionData(user_id=user_id, csrf=secrets.token_urlsafe(32), epoch=epoch)


class SessionCodec:
    """Sign and check session cookies.

    Parameters
    ----------
    secret_key : str
        The server's secret (see ``Settings.resolved_secret_key``).
    max_age_seconds : int
        How long a cookie stays valid after it was issued.

    """

    def __init__(self, secret_key: str, *, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)
        self.max_age_seconds = max_age_seconds

    def encode(self, data: SessionData) -> str:
        """Return the signed cookie value of a session."""
        return self._serializer.dumps({"uid": data.user_id, "csrf": data.csrf, "ep": data.epoch})

    def decode(self, value: str | None) -> SessionData | None:
        """Return the session in a cookie value, or None if missing, forged or expired."""
        if not value:
            return None
        try:
            raw = self._serializer.loads(value, max_age=self.max_age_seconds)
        except BadSignature:  # SignatureExpired is a BadSignature too
            return None
        if not isinstance(raw, dict):
            return None
        uid, csrf, epoch = raw.get("uid"), raw.get("csrf"), raw.get("ep", 0)
        if not isinstance(csrf, str) or not (uid is None or isinstance(uid, int)):
            return None
        if not isinstance(epoch, int) or isinstance(epoch, bool):
            return None
        return SessionData(user_id=uid, csrf=csrf, epoch=epoch)


def csrf_matches(expected: str, given: str | None) -> bool:
    """Compare a submitted CSRF token with the session's in constant time."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


class LoginLimiter:
    """Count failed logins per key (client address + e-mail) in a sliding window.

    Kept in memory: enough for one server process. Several processes behind a load
    balancer would each allow ``attempts``; put the counts in the store then.

    Parameters
    ----------
    attempts : int
        Failures allowed within the window; the next attempt is refused.
    window_seconds : float
        Length of the window.
    clock : callable
        Monotonic seconds (tests pass a fake clock).

    """

    def __init__(
        self,
        *,
        attempts: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int | None:
        """Return seconds until ``key`` may try again, or None if it may try now."""
        with self._lock:
            recent = self._recent(key)
            if len(recent) < self.attempts:
                return None
            return max(1, math.ceil(recent[0] + self.window_seconds - self._clock()))

    def failed(self, key: str) -> None:
        """Record a failed attempt."""
        with self._lock:
            self._recent(key).append(self._clock())

    def succeeded(self, key: str) -> None:
        """Forget the failures of ``key`` after a successful login."""
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        now = self._clock()
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window_seconds:
            times.popleft()
        return times


def limiter_key(client_host: str | None, email: str) -> str:
    """Return the rate-limit key of a login attempt (address and normalised e-mail)."""
    return f"{client_host or 'unknown'}|{email.strip().lower()}"
