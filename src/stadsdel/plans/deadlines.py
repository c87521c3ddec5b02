"""Deadlines of the programme (pure functions): when a district plan and a follow-up report are
due, whether each is done, due or overdue, and the deadlines as an iCalendar feed.

Seed 003 (§4, §6): the strategic district plan is reported to the ministry by 31 December and
the follow-up by 1 December. The agreement runs for a calendar year, so the plan for year Y is
due on 31 December of Y and the follow-up of Y on 1 December of Y; the dates come from the
programme (`plan_deadline`, `report_deadline`, "MM-DD"), not from code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

DONE, DONE_LATE, DUE, OVERDUE = "done", "done_late", "due", "overdue"


def deadline_on(month_day: str, year: int) -> dt.date:
    """"12-31" in 2011 → 2011-12-31 (a 29 February in a common year falls on the 28th)."""
    month, day = (int(part) for part in month_day.split("-"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, 28)


def deadline_status(*, due: dt.date, done_on: dt.date | None, today: dt.date) -> str:
    if done_on is not None:
        return DONE if done_on <= due else DONE_LATE
    return DUE if today <= due else OVERDUE


@dataclass(frozen=True)
class Deadline:
    kind: str  # "plan" or "report"
    year: int
    due: dt.date
    municipality: str
    subject: str  # e.g. the district
    done_on: dt.date | None
    status: str
    url: str = ""
    # What is due, by codes that do not change with a name: "plan:<district id>",
    # "report:<municipality code>", "agency_report:<organisation key>" (the reminders' record).
    ref: str = ""
    district: str = ""  # the district's name, for a plan

    @property
    def days_left(self) -> int:
        return (self.due - dt.date.today()).days


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    # RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF + one space.
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return out


def ical(deadlines: Iterable[Deadline], *, name: str, stamp: dt.datetime, host: str = "stadsdel") -> str:
    """An iCalendar (RFC 5545) calendar with one all-day event per deadline."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Stadsdel//deadlines//SV", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(name)}"]
    stamp_text = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for d in deadlines:
        uid = f"{d.kind}-{d.year}-{d.municipality}-{d.subject}".replace(" ", "_")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_escape(uid)}@{host}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{d.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{d.due + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(d.subject)}",
            f"DESCRIPTION:{_escape(d.municipality)}",
            *([f"URL:{d.url}"] if d.url else []),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
