"""Session cookie, CSRF tokens and rate limits (logins, password checks, writes).

The session is a signed (itsdangerous, HMAC-SHA1 with the secret key and a salt),
timestamped cookie holding the user id (None before login), the login's session epoch,
the session's random id (logged in only) and a random CSRF token. It is HttpOnly
(scripts cannot read it), SameSite=Lax (not sent on cross-site form posts), Secure
when ``cookie_secure`` is set, and expires after ``session_hours`` both in the browser
and on the server (the signature's timestamp, and the stored session's start).

Revocation: every login starts a session row in the store (``login_session``, keyed by
the SHA-256 of the cookie's random id, see :func:`session_digest`), read with the
viewer on every request (:mod:`hiplab.web.authz`). Logout ends that row, so a copy of
the cookie taken before is worthless from then on, while the login's other browsers
stay signed in. "Log out everywhere" and a password change end all rows of the login
and bump its ``session_epoch``, which the cookie carries too. A logged-in cookie
without a session id (made before the table existed) is logged out.

Every state-changing request (POST, PUT, PATCH, DELETE) must carry the session's CSRF
token: forms in the hidden field ``csrf_token``, scripts and API clients in the
header ``X-CSRF-Token``. A login starts a new session (new id and token), so a token
seen before login is worthless after it.

Rate limits (:class:`Limits`) are kept in memory, per server process: failed logins per
address and e-mail (a sliding window) and per account (exponential back-off, see
:class:`Backoff`), wrong current passwords per login, and writes per login.

Passwords themselves are hashed in :mod:`hiplab.services.passwords` (the CLI needs them too).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from itsdangerous import BadSignature, URLSafeTimedSerializer

if TYPE_CHECKING:
    from hiplab.settings import Settings

SESSION_COOKIE = "hiplab_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_SALT = "hiplab-session-v1"
FIRST_WAIT_SECONDS = 30.0
"""The first wait of a back-off; each further failure doubles it."""
MAX_KEYS = 20_000
"""Keys a limiter remembers; beyond, the least recently used are forgotten. Memory stays
bounded, and pushing one key out takes this many fresh failures, each limited itself."""


@dataclass(frozen=True)
class SessionData:
    """What the session cookie carries: the user, the CSRF token, the epoch, the session id.

    ``user_id`` is None before login; ``epoch`` is the login's ``session_epoch`` when
    the session began (0 when logged out); ``sid`` is the session's random id, whose
    digest names its row in the store (None when logged out).
    """

    user_id: int | None
    csrf: str
    epoch: int = 0
    sid: str | None = None


def new_session(user_id: int | None = None, *, epoch: int = 0) -> SessionData:
    """Return a session with a fresh random CSRF token and, logged in, a session id.

    Parameters
    ----------
    user_id : int or None
        The login (None: an anonymous session, without a session id).
    epoch : int
        The login's current ``session_epoch`` (see :class:`hiplab.store.StoredUser`).

    """
    sid = None if user_id is None else secrets.token_urlsafe(32)
    return SessionData(user_id=user_id, csrf=secrets.token_urlsafe(32), epoch=epoch, sid=sid)


def session_digest(sid: str) -> str:
    """Return the SHA-256 (hexadecimal) of a session id: its key in the store.

    Only the digest is stored, so the table's rows cannot be replayed as cookies.
    """
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


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
        raw = {"uid": data.user_id, "csrf": data.csrf, "ep": data.epoch, "sid": data.sid}
        return self._serializer.dumps(raw)

    def decode(self, value: str | None) -> SessionData | None:
        """Return the session in a cookie value, or None if missing, forged or expired."""
        if not value:
            return None
        try:
            raw = self._serializer.loads(value, max_age=self.max_age_seconds)
        except BadSignature:  # SignatureExpired is a BadSignature too
            return None
        return _session_of(raw)


def _session_of(raw: object) -> SessionData | None:
    """Return the session of a decoded cookie payload, or None if a field has a wrong type."""
    if not isinstance(raw, dict):
        return None
    uid, csrf, epoch, sid = raw.get("uid"), raw.get("csrf"), raw.get("ep", 0), raw.get("sid")
    if not (
        isinstance(csrf, str)
        and (uid is None or isinstance(uid, int))
        and type(epoch) is int  # not a bool
        and (sid is None or isinstance(sid, str))
    ):
        return None
    return SessionData(user_id=uid, csrf=csrf, epoch=epoch, sid=sid)


def csrf_matches(expected: str, given: str | None) -> bool:
    """Compare a submitted CSRF token with the session's in constant time."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


class SlidingWindow:
    """Count events per key in a sliding window; refuse once ``limit`` are in it.

    Kept in memory, per process: several server processes each count on their own.
    At most :data:`MAX_KEYS` keys are kept (the least recently used go first).

    Parameters
    ----------
    limit : int
        Events allowed within the window; the next one is refused.
    window_seconds : float
        Length of the window.
    clock : callable
        Monotonic seconds (tests pass a fake clock).

    """

    def __init__(
        self, *, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int | None:
        """Return whole seconds until ``key`` may act again, or None if it may act now."""
        with self._lock:
            return self._wait(key)

    def add(self, key: str) -> None:
        """Record an event of ``key``."""
        with self._lock:
            self._recent(key).append(self._clock())

    def take(self, key: str) -> int | None:
        """Record an event if the limit allows it (None); else return the wait in seconds."""
        with self._lock:
            wait = self._wait(key)
            if wait is None:
                self._recent(key).append(self._clock())
            return wait

    def clear(self, key: str) -> None:
        """Forget the events of ``key``."""
        with self._lock:
            self._events.pop(key, None)

    def _wait(self, key: str) -> int | None:
        recent = self._recent(key)
        if len(recent) < self.limit:
            return None
        return max(1, math.ceil(recent[0] + self.window_seconds - self._clock()))

    def _recent(self, key: str) -> deque[float]:
        now = self._clock()
        times = self._events.setdefault(key, deque())
        self._events.move_to_end(key)
        while times and times[0] <= now - self.window_seconds:
            times.popleft()
        while len(self._events) > MAX_KEYS:
            self._events.popitem(last=False)
        return times


@dataclass
class _Failures:
    count: int
    last: float
    free_at: float


class Backoff:
    """Exponential back-off per key: after ``free`` failures, each one doubles the wait.

    Failure number ``free + k`` (k = 0, 1, …) makes the key wait ``first_wait × 2**k``
    seconds, at most ``max_wait``, before its next attempt. An attempt during the wait
    is refused without counting, so nobody can push the wait beyond ``max_wait``: the
    rightful owner can always try again after it. The failures are forgotten after a
    success, or once ``forget_seconds`` pass without one (counted from the end of the
    wait). Kept in memory, per process, like :class:`SlidingWindow`.

    Parameters
    ----------
    free : int
        Failures allowed before the first wait.
    first_wait : float
        Seconds of the first wait.
    max_wait : float
        The longest wait, in seconds.
    forget_seconds : float
        Quiet time after which the failures no longer count.
    clock : callable
        Monotonic seconds (tests pass a fake clock).

    """

    def __init__(
        self,
        *,
        free: int,
        first_wait: float,
        max_wait: float,
        forget_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = free
        self.first_wait = first_wait
        self.max_wait = max_wait
        self.forget_seconds = forget_seconds
        self._clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int | None:
        """Return whole seconds until ``key`` may try again, or None if it may try now."""
        with self._lock:
            now = self._clock()
            found = self._current(key, now)
            if found is None or found.free_at <= now:
                return None
            return max(1, math.ceil(found.free_at - now))

    def failed(self, key: str) -> None:
        """Record a failed attempt (ignored while ``key`` must wait)."""
        with self._lock:
            now = self._clock()
            found = self._current(key, now) or _Failures(count=0, last=now, free_at=now)
            if found.free_at > now:
                return  # refused attempts do not count: the wait never exceeds max_wait
            found.count += 1
            found.last = now
            extra = found.count - self.free
            if extra >= 0:  # the exponent is capped: 2**60 × any wait is far past max_wait
                found.free_at = now + min(self.max_wait, self.first_wait * 2.0 ** min(extra, 60))
            self._failures[key] = found
            self._failures.move_to_end(key)
            while len(self._failures) > MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        """Forget the failures of ``key``."""
        with self._lock:
            self._failures.pop(key, None)

    def _current(self, key: str, now: float) -> _Failures | None:
        found = self._failures.get(key)
        if found is not None and now - max(found.last, found.free_at) >= self.forget_seconds:
            del self._failures[key]
            return None
        return found


class LoginLimiter:
    """Failed logins: a window per address and e-mail, and a back-off per account.

    Per address and e-mail, ``attempts`` failures within ``window_seconds`` refuse
    further tries until the window has passed. Per account (the e-mail, from any
    address, whether or not such a login exists, so the answer reveals nothing) each
    failure beyond ``account_attempts`` doubles the wait, from
    :data:`FIRST_WAIT_SECONDS` up to ``max_wait_seconds`` (:class:`Backoff`).

    Parameters
    ----------
    attempts : int
        Failures allowed per address and e-mail within the window.
    window_seconds : float
        Length of the window (also the quiet time after which an account's failures
        are forgotten).
    account_attempts : int
        Failures allowed per account, from all addresses, before the back-off starts.
    max_wait_seconds : float
        The longest wait the back-off imposes.
    clock : callable
        Monotonic seconds (tests pass a fake clock).

    """

    def __init__(
        self,
        *,
        attempts: int,
        window_seconds: float,
        account_attempts: int,
        max_wait_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_address = SlidingWindow(limit=attempts, window_seconds=window_seconds, clock=clock)
        self.per_account = Backoff(
            free=account_attempts,
            first_wait=FIRST_WAIT_SECONDS,
            max_wait=max_wait_seconds,
            forget_seconds=window_seconds,
            clock=clock,
        )

    def retry_after(self, *, address: str | None, email: str) -> int | None:
        """Return seconds until this address may try this e-mail again, or None."""
        waits = [
            self.per_address.retry_after(_address_key(address, email)),
            self.per_account.retry_after(_account_key(email)),
        ]
        found = [wait for wait in waits if wait is not None]
        return max(found) if found else None

    def failed(self, *, address: str | None, email: str) -> None:
        """Record a failed login."""
        self.per_address.add(_address_key(address, email))
        self.per_account.failed(_account_key(email))

    def succeeded(self, *, address: str | None, email: str) -> None:
        """Forget the failures of this address and account after a successful login."""
        self.per_address.clear(_address_key(address, email))
        self.per_account.succeeded(_account_key(email))


@dataclass(frozen=True)
class Limits:
    """The app's rate limits, one set per app, in memory (each process counts alone).

    ``login`` counts failed logins, ``password`` the wrong current passwords of password
    changes (per login, with the back-off of an account's logins) and ``writes`` the
    state-changing requests of each login (``writes_per_minute`` of them a minute).
    """

    login: LoginLimiter
    password: Backoff
    writes: SlidingWindow
    writes_per_minute: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """Build the limits that ``settings`` describe."""
        window = settings.login_window_minutes * 60.0
        max_wait = settings.login_backoff_max_minutes * 60.0
        return cls(
            login=LoginLimiter(
                attempts=settings.login_attempts,
                window_seconds=window,
                account_attempts=settings.login_account_attempts,
                max_wait_seconds=max_wait,
            ),
            password=Backoff(
                free=settings.login_attempts,
                first_wait=FIRST_WAIT_SECONDS,
                max_wait=max_wait,
                forget_seconds=window,
            ),
            writes=SlidingWindow(limit=settings.writes_per_minute, window_seconds=60.0),
            writes_per_minute=settings.writes_per_minute,
        )


def _address_key(address: str | None, email: str) -> str:
    return f"{address or 'unknown'}|{email.strip().lower()}"


def _account_key(email: str) -> str:
    return email.strip().lower()


def wait_in_words(seconds: int) -> str:
    """Return a wait as a person says it: "45 seconds", "2 minutes".

    Examples
    --------
    >>> wait_in_words(1), wait_in_words(90), wait_in_words(900)
    ('1 second', '2 minutes', '15 minutes')

    """
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
