"""The programme calendar: RFC 5545 text checked by parsing it with ``icalendar``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from hiplab.errors import InputError
from hiplab.records.programme import Week
from hiplab.report.ics import default_weekdays, escape_text, fold, programme_to_ics
from tests.report.test_handout import item, make_programme, session

MONDAY = dt.date(2026, 1, 5)


def events(text: str) -> list[Any]:
    return list(Calendar.from_ical(text).walk("VEVENT"))


def starts(text: str) -> list[dt.datetime]:
    return [e.decoded("DTSTART") for e in events(text)]


def by_summary(text: str, summary: str) -> Any:
    return next(e for e in events(text) if str(e.get("SUMMARY")) == summary)


def test_calendar_header_and_event_count() -> None:
    programme = make_programme()
    text = programme_to_ics(programme, start=MONDAY)
    cal = Calendar.from_ical(text)
    assert cal.get("VERSION") == "2.0"
    assert str(cal.get("PRODID")).startswith("-//hiplab//")
    assert cal.get("CALSCALE") == "GREGORIAN"
    found = events(text)
    assert len(found) == len(programme.weeks) * programme.sessions_per_week + 1
    summaries = [str(e.get("SUMMARY")) for e in found]
    assert summaries[:4] == [
        "hiplab week 1 session 1",
        "hiplab week 1 session 2",
        "hiplab week 1 session 3",
        "hiplab week 2 session 1",
    ]
    assert summaries[-1] == "hiplab re-test"


def test_crlf_line_endings_and_folding() -> None:
    text = programme_to_ics(make_programme(), start=MONDAY)
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)  # descriptions are folded


def test_description_lists_items_with_doses_escaped() -> None:
    text = programme_to_ics(make_programme(), start=MONDAY)
    assert "\\, rest 10 s" in text and "\\n2. Glute bridge" in text.replace("\r\n ", "")
    description = str(by_summary(text, "hiplab week 1 session 1").get("DESCRIPTION"))
    lines = description.split("\n")
    assert lines[0] == "1. Leg swings front to back (each side): 1 × 10 reps, no rest (1 min 25 s)"
    assert (
        "4. Half-kneeling hip flexor stretch (left): 3 × 30 s hold, rest 10 s (2 min 5 s)" in lines
    )
    assert lines[-2] == "Total 12 min 53 s (budget 20 min)."


def test_hostile_text_is_escaped_and_round_trips() -> None:
    evil = 'Sam; DROP\\, "x"\nEND:VCALENDAR'
    odd = item("glute_bridge", "Bridge, slow; \\ careful", phase="activation", side=None,
               sets=2, reps=10)  # fmt: skip
    programme = make_programme(person=evil).model_copy(
        update={"weeks": (Week(week=1, session=session(odd)),), "retest_week": 2}
    )
    text = programme_to_ics(programme, start=MONDAY)
    assert text.split("\r\n").count("END:VCALENDAR") == 1
    assert 'X-WR-CALNAME:hiplab — Sam\\; DROP\\\\\\, "x"\\nEND:VCALENDAR\r\n' in text
    assert len(events(text)) == 3 + 1  # one week of three sessions, and the re-test
    description = str(events(text)[0].get("DESCRIPTION"))
    assert description.startswith("1. Bridge, slow; \\ careful: 2 × 10 reps")


def test_same_input_gives_identical_bytes_and_stable_uids() -> None:
    one = programme_to_ics(make_programme(), start=MONDAY, tz="Europe/Berlin")
    two = programme_to_ics(make_programme(), start=MONDAY, tz="Europe/Berlin")
    assert one.encode("utf-8") == two.encode("utf-8")
    uids = [str(e.get("UID")) for e in events(one)]
    assert len(set(uids)) == len(uids) and all(u.endswith("@hiplab") for u in uids)
    assert "DTSTAMP:20260105T000000Z" in one
    other = programme_to_ics(make_programme(person="Alex"), start=MONDAY)
    assert not set(uids) & {str(e.get("UID")) for e in events(other)}


def test_default_days_times_and_durations() -> None:
    programme = make_programme()
    text = programme_to_ics(programme, start=MONDAY)
    days = starts(text)
    assert days[:3] == [dt.datetime(2026, 1, d, 7, 30) for d in (5, 7, 9)]  # Mon, Wed, Fri
    assert all(d.tzinfo is None for d in days)  # floating local time
    assert not re.search(r"DTSTART[:;].*Z\r\n", text)
    first = events(text)[0]
    length = first.decoded("DTEND") - first.decoded("DTSTART")
    assert length == dt.timedelta(minutes=13)  # 12 min 53 s rounded up
    assert days[-1] == dt.datetime(2026, 2, 2, 7, 30)  # re-test: first day of week 5


def test_weeks_start_on_the_start_day_whatever_its_weekday() -> None:
    wednesday = dt.date(2026, 1, 7)
    text = programme_to_ics(make_programme(), start=wednesday, weekdays=[4, 0, 2],
                            time_of_day=dt.time(18, 0))  # fmt: skip
    days = starts(text)
    assert min(days).date() == wednesday
    assert days[:3] == [dt.datetime(2026, 1, d, 18, 0) for d in (7, 9, 12)]
    for week in range(4):
        window = wednesday + dt.timedelta(days=7 * week)
        assert days[3 * week].date() >= window
        assert days[3 * week + 2].date() < window + dt.timedelta(days=7)


def test_retest_inside_the_programme_comes_after_that_weeks_sessions() -> None:
    programme = make_programme().model_copy(update={"retest_week": 4})
    text = programme_to_ics(programme, start=MONDAY)
    retest = by_summary(text, "hiplab re-test").decoded("DTSTART")
    assert retest == dt.datetime(2026, 2, 1, 7, 30)  # Sunday ending week 4
    assert retest > max(starts(text)[:-1])


def test_more_than_seven_sessions_share_days() -> None:
    programme = make_programme().model_copy(update={"sessions_per_week": 10})
    days = starts(programme_to_ics(programme, start=MONDAY))
    assert len(days) == 4 * 10 + 1
    assert days[:2] == [dt.datetime(2026, 1, 5, 7, 30), dt.datetime(2026, 1, 5, 15, 30)]


def test_time_zone_adds_tzid_and_vtimezone_across_dst() -> None:
    start = dt.date(2026, 3, 16)  # Berlin moves to summer time on 29 March
    text = programme_to_ics(make_programme(), start=start, tz="Europe/Berlin")
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Berlin" in text
    assert "BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100" in text
    assert "DTSTART;TZID=Europe/Berlin:20260316T073000" in text
    days = starts(text)
    assert all(d.hour == 7 and d.minute == 30 for d in days)
    offsets = {d.utcoffset() for d in days}
    assert offsets == {dt.timedelta(hours=1), dt.timedelta(hours=2)}


def test_referral_is_a_valid_calendar_without_sessions() -> None:
    text = programme_to_ics(make_programme(refer=True), start=MONDAY)
    cal = Calendar.from_ical(text)
    assert events(text) == []
    todos = list(cal.walk("VTODO"))
    assert len(todos) == 1 and "clinician" in str(todos[0].get("SUMMARY"))
    assert text.endswith("END:VCALENDAR\r\n")


@pytest.mark.parametrize(
    ("weekdays", "message"),
    [([0, 2], "one day per session"), ([0, 2, 7], "0 (Monday) to 6"), ([-1, 2, 4], "got [-1]")],
)
def test_bad_weekdays_are_refused(weekdays: list[int], message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        programme_to_ics(make_programme(), start=MONDAY, weekdays=weekdays)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InputError, match="IANA time zone"):
        programme_to_ics(make_programme(), start=MONDAY, tz="Mars/Olympus")


def test_default_weekdays_spread_evenly() -> None:
    assert default_weekdays(1) == (0,)
    assert default_weekdays(3) == (0, 2, 4)
    assert default_weekdays(7) == tuple(range(7))
    assert default_weekdays(14) == tuple(d for d in range(7) for _ in (0, 1))


@given(st.text(max_size=400))
def test_fold_keeps_text_and_octet_limit(text: str) -> None:
    folded = fold("DESCRIPTION:" + text.replace("\r", "").replace("\n", ""))
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + text.replace("\r", "").replace("\n", "")


@given(st.text(max_size=200))
def test_escaped_text_round_trips_through_icalendar(text: str) -> None:
    body = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "BEGIN:VEVENT",
            fold(f"DESCRIPTION:{escape_text(text)}"),
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event.get("DESCRIPTION", "")) == expected
