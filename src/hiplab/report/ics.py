"""A programme as an RFC 5545 iCalendar file, written by hand (standard library only).

Conventions
-----------
* Week ``n`` covers the seven days from ``start + 7 (n - 1)``. Each session
  falls on the first day of that window whose weekday (0 = Monday) is one of
  ``weekdays``, so nothing is ever scheduled before ``start`` and every week
  gets exactly ``sessions_per_week`` sessions. Sessions of a week are numbered
  1, 2, ... in date order.
* By default the weekdays are spread evenly from Monday:
  ``floor(i * 7 / n)`` for ``i < n`` (3 a week: Monday, Wednesday, Friday).
  A weekday may appear twice (more than 7 sessions a week, or on request);
  the second session that day starts :data:`SAME_DAY_GAP` after the first.
* A session lasts its ``duration_s`` rounded up to whole minutes (at least 1).
* Times are floating local times (no ``Z``, no ``TZID``) unless ``tz`` names
  an IANA zone; then every time carries ``TZID`` and the calendar holds a
  ``VTIMEZONE`` with the offsets that zone uses over the programme's span.
* The re-test (``retest_week``) is one :data:`RETEST_MINUTES` event: on the
  first day of the re-test week when that week has no sessions, else on its
  last day, after any session of that day.
* ``DTSTAMP`` is midnight UTC of ``start`` and ``UID`` a hash of person,
  block, week and session, so the same input gives byte-identical output.
* A referral programme has no sessions and no re-test; it holds one ``VTODO``
  ("see a clinician"), because RFC 5545 wants at least one component.
* Lines end in CRLF; TEXT values escape backslash, semicolon, comma and
  newline; lines longer than 75 octets are folded (never inside a UTF-8
  character).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from hiplab.errors import InputError
from hiplab.records.programme import Programme, Session
from hiplab.report._plan_format import fmt_duration, item_line

PRODID = "-//hiplab//programme calendar 1.0//EN"
SAME_DAY_GAP = dt.timedelta(hours=8)
RETEST_MINUTES = 30
MAX_OCTETS = 75
RETEST_TEXT = (
    "Re-test the measurements of your assessment, the same way as before, "
    "then re-plan the next block with hiplab."
)
DEFAULT_TIME = dt.time(7, 30)


@dataclass(frozen=True)
class _Event:
    uid: str
    summary: str
    description: str
    start: dt.datetime
    end: dt.datetime


def escape_text(value: str) -> str:
    r"""Escape a TEXT value (RFC 5545 §3.3.11).

    Examples
    --------
    >>> print(escape_text("a, b; c\\d\ne"))
    a\, b\; c\\d\ne

    """
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    r"""Fold a content line into CRLF-joined parts of at most 75 octets (RFC 5545 §3.1).

    Continuation parts start with one space; a UTF-8 character is never split.

    Examples
    --------
    >>> [len(part) for part in fold("X" * 160).split("\r\n")]
    [75, 75, 12]

    """
    parts: list[str] = []
    current, size, limit = "", 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = " ", 1, MAX_OCTETS
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def default_weekdays(sessions_per_week: int) -> tuple[int, ...]:
    """Spread ``sessions_per_week`` sessions evenly over the week, from Monday (0).

    Examples
    --------
    >>> default_weekdays(3), default_weekdays(2), default_weekdays(4)
    ((0, 2, 4), (0, 3), (0, 1, 3, 5))

    """
    return tuple(i * 7 // sessions_per_week for i in range(sessions_per_week))


def _check_weekdays(weekdays: Sequence[int], sessions_per_week: int) -> tuple[int, ...]:
    if len(weekdays) != sessions_per_week:
        raise InputError(
            f"weekdays must name one day per session ({sessions_per_week}), "
            f"got {len(weekdays)}: {list(weekdays)}"
        )
    bad = [day for day in weekdays if not 0 <= day <= 6]
    if bad:
        raise InputError(f"weekdays must be 0 (Monday) to 6 (Sunday), got {bad}")
    return tuple(sorted(weekdays))


def _zone(tz: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            f"tz must be an IANA time zone such as 'Europe/Berlin', got {tz!r}"
        ) from exc


def _uid(programme: Programme, week: int, index: str) -> str:
    key = "\x1f".join((programme.person, str(programme.block), str(week), index))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@hiplab"


def _description(session: Session, minutes: int) -> str:
    lines = [f"{n}. {item_line(item)}" for n, item in enumerate(session.items, start=1)]
    lines.append(f"Total {fmt_duration(session.duration_s)} (budget {minutes} min).")
    lines.append("Stop any exercise that hurts.")
    return "\n".join(lines)


def _session_starts(
    window: dt.date, weekdays: tuple[int, ...], time_of_day: dt.time
) -> list[dt.datetime]:
    starts: list[dt.datetime] = []
    for day in weekdays:
        date = window + dt.timedelta(days=(day - window.weekday()) % 7)
        start = dt.datetime.combine(date, time_of_day)
        while start in starts:
            start += SAME_DAY_GAP
        starts.append(start)
    return sorted(starts)


def _minutes(seconds: int) -> dt.timedelta:
    return dt.timedelta(minutes=max(1, math.ceil(seconds / 60)))


def _session_events(
    programme: Programme, start: dt.date, weekdays: tuple[int, ...], time_of_day: dt.time
) -> list[_Event]:
    events = []
    for week in programme.weeks:
        window = start + dt.timedelta(days=7 * (week.week - 1))
        for k, begin in enumerate(_session_starts(window, weekdays, time_of_day), start=1):
            events.append(
                _Event(
                    uid=_uid(programme, week.week, str(k)),
                    summary=f"hiplab week {week.week} session {k}",
                    description=_description(week.session, programme.minutes),
                    start=begin,
                    end=begin + _minutes(week.session.duration_s),
                )
            )
    return events


def _retest_event(
    programme: Programme, start: dt.date, time_of_day: dt.time, sessions: list[_Event]
) -> _Event | None:
    week = programme.retest_week
    if week is None:
        return None
    window = start + dt.timedelta(days=7 * (week - 1))
    in_week = [e for e in sessions if window <= e.start.date() < window + dt.timedelta(days=7)]
    day = window + dt.timedelta(days=6) if in_week else window
    begin = max(
        [dt.datetime.combine(day, time_of_day)] + [e.end for e in in_week if e.start.date() == day]
    )
    return _Event(
        uid=_uid(programme, week, "retest"),
        summary="hiplab re-test",
        description=RETEST_TEXT,
        start=begin,
        end=begin + dt.timedelta(minutes=RETEST_MINUTES),
    )


def _stamp(value: dt.datetime, tzid: str | None) -> str:
    text = value.strftime("%Y%m%dT%H%M%S")
    return f";TZID={tzid}:{text}" if tzid else f":{text}"


def _event_lines(event: _Event, dtstamp: str, tzid: str | None) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{dtstamp}",
        f"DTSTART{_stamp(event.start, tzid)}",
        f"DTEND{_stamp(event.end, tzid)}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"DESCRIPTION:{escape_text(event.description)}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def _referral_lines(programme: Programme, dtstamp: str) -> list[str]:
    return [
        "BEGIN:VTODO",
        f"UID:{_uid(programme, 0, 'refer')}",
        f"DTSTAMP:{dtstamp}",
        "SUMMARY:hiplab: see a clinician before starting exercises",
        f"DESCRIPTION:{escape_text(programme.reason)}",
        "END:VTODO",
    ]


def _offset(delta: dt.timedelta | None) -> str:
    seconds = int((delta or dt.timedelta()).total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}{rest // 60:02d}"


def _transitions(zone: dt.tzinfo, first: dt.date, last: dt.date) -> Iterator[dt.datetime]:
    """Yield the first minute (UTC) of every offset change from ``first`` to ``last``."""
    moment = dt.datetime.combine(first, dt.time(), dt.UTC)
    end = dt.datetime.combine(last, dt.time(), dt.UTC) + dt.timedelta(days=1)
    while moment < end:
        before = moment.astimezone(zone).utcoffset()
        if (moment + dt.timedelta(days=1)).astimezone(zone).utcoffset() != before:
            low, high = 0, 24 * 60  # whole minutes into the day: same offset at low, not at high
            while high - low > 1:
                mid = (low + high) // 2
                same = (moment + dt.timedelta(minutes=mid)).astimezone(zone).utcoffset() == before
                low, high = (mid, high) if same else (low, mid)
            yield moment + dt.timedelta(minutes=high)
        moment += dt.timedelta(days=1)


def _zone_part(zone: dt.tzinfo, at: dt.datetime, before: dt.datetime) -> list[str]:
    """Return an observance starting at ``at`` (UTC); DTSTART is local time in the old offset."""
    local, previous = at.astimezone(zone), before.astimezone(zone)
    old = previous.utcoffset() or dt.timedelta()
    kind = "DAYLIGHT" if local.dst() else "STANDARD"
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{(at + old).strftime('%Y%m%dT%H%M%S')}",
        f"TZOFFSETFROM:{_offset(old)}",
        f"TZOFFSETTO:{_offset(local.utcoffset())}",
        *([f"TZNAME:{escape_text(name)}"] if (name := local.tzname()) else []),
        f"END:{kind}",
    ]


def _vtimezone(tzid: str, zone: dt.tzinfo, first: dt.date, last: dt.date) -> list[str]:
    """Return a VTIMEZONE: the offset in force on ``first`` and each change up to ``last``."""
    begin = dt.datetime.combine(first - dt.timedelta(days=1), dt.time(), dt.UTC)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}", *_zone_part(zone, begin, begin)]
    for change in _transitions(zone, first, last):
        lines += _zone_part(zone, change, change - dt.timedelta(minutes=1))
    return [*lines, "END:VTIMEZONE"]


def programme_to_ics(
    programme: Programme,
    *,
    start: dt.date,
    weekdays: Sequence[int] | None = None,
    time_of_day: dt.time = DEFAULT_TIME,
    tz: str | None = None,
) -> str:
    """Write a programme's sessions and re-test as an iCalendar (RFC 5545) file.

    Parameters
    ----------
    programme
        The programme; a referral gives a calendar with no sessions.
    start
        First day of week 1.
    weekdays
        Session weekdays, 0 = Monday, one per session of a week; by default
        spread evenly (see the module conventions).
    time_of_day
        Local start time of a session.
    tz
        IANA time-zone name; ``None`` writes floating local times.

    Returns
    -------
    str
        The calendar text, CRLF line endings, byte-identical for equal input.

    Raises
    ------
    InputError
        If ``weekdays`` does not name one day 0–6 per session, or ``tz`` is unknown.

    """
    days = (
        default_weekdays(programme.sessions_per_week)
        if weekdays is None
        else _check_weekdays(weekdays, programme.sessions_per_week)
    )
    zone = _zone(tz) if tz is not None else None
    dtstamp = start.strftime("%Y%m%dT000000Z")
    events: list[_Event] = []
    if not programme.refer:
        events = _session_events(programme, start, days, time_of_day)
        retest = _retest_event(programme, start, time_of_day, events)
        events += [retest] if retest else []
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines += ["METHOD:PUBLISH", f"X-WR-CALNAME:{escape_text('hiplab — ' + programme.person)}"]
    if zone is not None and tz is not None and events:
        lines += _vtimezone(tz, zone, start, max(e.end for e in events).date())
    for event in events:
        lines += _event_lines(event, dtstamp, tz if zone is not None else None)
    if programme.refer:
        lines += _referral_lines(programme, dtstamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
