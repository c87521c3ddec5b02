"""Deadline dates, their status and the iCalendar feed (plans/deadlines.py)."""

import datetime as dt

from stadsdel.plans.deadlines import (
    DONE,
    DONE_LATE,
    DUE,
    OVERDUE,
    Deadline,
    deadline_on,
    deadline_status,
    ical,
)


def test_deadline_dates():
    assert deadline_on("12-31", 2011) == dt.date(2011, 12, 31)
    assert deadline_on("12-01", 2012) == dt.date(2012, 12, 1)
    assert deadline_on("02-29", 2011) == dt.date(2011, 2, 28)


def test_status():
    due = dt.date(2011, 12, 31)
    assert deadline_status(due=due, done_on=dt.date(2011, 12, 31), today=dt.date(2012, 3, 1)) == DONE
    assert deadline_status(due=due, done_on=dt.date(2012, 1, 2), today=dt.date(2012, 3, 1)) == DONE_LATE
    assert deadline_status(due=due, done_on=None, today=dt.date(2011, 12, 31)) == DUE
    assert deadline_status(due=due, done_on=None, today=dt.date(2012, 1, 1)) == OVERDUE


def test_ical_is_rfc5545():
    d = Deadline("plan", 2011, dt.date(2011, 12, 31), "Haninge", "Strategisk stadsdelsplan, Jordbro, 2011; en lång "
                 "rad som måste vikas eftersom den är längre än sjuttiofem oktetter", None, DUE)
    text = ical([d], name="Stadsdel: Haninge", stamp=dt.datetime(2011, 6, 1, 12, tzinfo=dt.UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20111231\r\nDTEND;VALUE=DATE:20120101\r\n" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "Jordbro\\, 2011\\; en lång" in text.replace("\r\n ", "")  # escaped; folded lines unfold
    assert "DTSTAMP:20110601T120000Z" in text
