"""Kolada's data API: saved responses, and fetching them.

A data response (v2 `https://api.kolada.se/v2/data/kpi/N00914/year/2012`, v3
`https://api.kolada.se/v3/data/kpi/N00914/year/2012`) is one page::

    {"count": 2, "values": [{"kpi": "N00914", "municipality": "0180", "period": 2012,
                             "values": [{"gender": "T", "count": 1, "status": "", "value": 77.3},
                                        ...]}],
     "next_page": null}

v2 names the link to the following page `next_page`, v3 `next_url`; v3 value entries may also
carry `isdeleted`. A file may hold one page or a JSON array of the pages in order, as
`fetch_kolada` returns them. Area ids are passed through: "0000" is the country, "0001"–"0025"
the regions, four digits a municipality; the import service maps them.
"""

from __future__ import annotations

import json
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .base import (
    SEXES,
    ImportFileError,
    ImportLimitError,
    Limits,
    ParsedRow,
    Problem,
    too_many_figures,
)
from .pxweb import load_json_file

__all__ = ["fetch_kolada", "parse_kolada"]

YEAR_MIN = 1990
YEAR_MAX = 2100

KOLADA_HOST = "api.kolada.se"
FETCH_TIMEOUT = 60  # seconds per page
MAX_PAGES = 200  # a page holds up to 5000 values; more pages than this is a runaway link chain

_YEAR_RE = re.compile(r"[0-9]{4}")
_PROVISIONAL = frozenset({"prel", "preliminary", "preliminär", "provisional"})


def parse_kolada(path: Path, *, limits: Limits | None = None) -> list[ParsedRow]:
    """Read a saved Kolada data response (one page or an array of pages) into rows, each with
    the KPI id as `indicator` and `indicator_is_kolada=True`; raise ImportFileError
    (ImportLimitError past the limits)."""
    path = Path(path)
    limits = limits or Limits.from_settings()
    data = load_json_file(path, limits=limits)
    problems: list[Problem] = []
    rows = _read(data, problems, max_rows=limits.max_rows)
    if rows is None:
        raise ImportLimitError(file=path.name, problems=problems[-1:])
    if problems:
        raise ImportFileError(file=path.name, problems=problems)
    return rows


def _read(data: object, problems: list[Problem], *, max_rows: int) -> list[ParsedRow] | None:
    """The rows of every page; None (its problem last) when they are more than `max_rows`."""
    several = isinstance(data, list)
    pages = data if several else [data]
    if several and not pages:
        problems.append(Problem("", "filen innehåller inga sidor"))
        return []

    rows: list[ParsedRow] = []
    for number, page in enumerate(pages, start=1):
        prefix = f"sida {number}, " if several else ""
        if not isinstance(page, dict) or not isinstance(page.get("values"), list):
            problems.append(
                Problem(
                    f"sida {number}" if several else "",
                    "ingen Kolada-datasida (väntade ett objekt med listan 'values')",
                )
            )
            continue
        for i, item in enumerate(page["values"]):
            rows.extend(_item(item, f"{prefix}values[{i}]", problems))
            if len(rows) > max_rows:
                problems.append(too_many_figures(f"{prefix}values[{i}]", max_rows))
                return None

    last = pages[-1]
    if isinstance(last, dict) and (last.get("next_page") or last.get("next_url")):
        problems.append(
            Problem(
                f"sida {len(pages)}",
                f"svaret är ofullständigt: sida {len(pages)} pekar på en nästa sida som inte "
                "finns i filen",
            )
        )

    seen: dict[tuple[str, str, int, str], str] = {}
    for row in rows:
        key = (row.indicator, row.area, row.period, row.sex)
        if key in seen:
            problems.append(
                Problem(
                    row.location,
                    f"samma nyckeltal, område, år och kön ({row.indicator}, {row.area}, "
                    f"{row.period}, {row.sex}) som {seen[key]}",
                )
            )
        else:
            seen[key] = row.location
    return rows


def _item(item: object, place: str, problems: list[Problem]) -> list[ParsedRow]:
    if not isinstance(item, dict):
        problems.append(Problem(place, "posten ska vara ett objekt"))
        return []
    if "ou" in item:
        problems.append(
            Problem(place, "data för organisationsenheter (skolor, boenden) stöds inte")
        )
        return []
    before = len(problems)

    kpi = item.get("kpi")
    if not isinstance(kpi, str) or not kpi.strip():
        problems.append(Problem(f"{place}.kpi", "nyckeltalets id saknas"))
    # v2 and v3 both write `municipality`; accept `municipality_id` (the v3 query parameter's
    # name, used by some client libraries when they save data) as well.
    area = item.get("municipality", item.get("municipality_id"))
    if not isinstance(area, str) or not area.strip():
        problems.append(Problem(f"{place}.municipality", "kommun- eller regionkoden saknas"))
    period = _year(item.get("period"), f"{place}.period", problems)
    values = item.get("values")
    if not isinstance(values, list):
        problems.append(Problem(f"{place}.values", "listan 'values' saknas"))
    if len(problems) > before:
        return []

    rows: list[ParsedRow] = []
    for j, entry in enumerate(values):
        where = f"{place}.values[{j}]"
        if not isinstance(entry, dict):
            problems.append(Problem(where, "posten ska vara ett objekt"))
            continue
        if entry.get("isdeleted") is True:
            continue  # v3 keeps a figure Kolada has withdrawn, marked deleted; it is no figure
        gender = entry.get("gender")
        if gender not in SEXES:
            problems.append(Problem(f"{where}.gender", f"okänt kön '{gender}' (väntade T, K, M)"))
            continue
        parsed = _value(entry.get("value"), entry.get("status"), where, problems)
        if parsed is None:
            continue
        value, status = parsed
        rows.append(
            ParsedRow(
                indicator=kpi.strip(),
                area=area.strip(),
                period=period,
                sex=gender,
                value=value,
                status=status,
                location=where,
                indicator_is_kolada=True,
            )
        )
    return rows


def _year(raw: object, place: str, problems: list[Problem]) -> int | None:
    text = str(raw).strip() if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    if not _YEAR_RE.fullmatch(text):
        problems.append(Problem(place, f"'{raw}' är inget år; bara årsvärden stöds"))
        return None
    if not YEAR_MIN <= int(text) <= YEAR_MAX:
        problems.append(Problem(place, f"året {text} ligger utanför {YEAR_MIN}–{YEAR_MAX}"))
        return None
    return int(text)


def _finite(value: int | float) -> bool:
    # math.isfinite turns an int into a float first, and a JSON integer of 309 digits or more
    # does not fit one.
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _value(
    raw: object, status: object, place: str, problems: list[Problem]
) -> tuple[float | None, str] | None:
    flag = status.strip().lower() if isinstance(status, str) else ""
    if raw is None:
        return None, "missing"  # Kolada writes status "Missing" (or nothing) for a gap
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not _finite(raw):
        problems.append(Problem(f"{place}.value", f"'{raw}' är inget tal"))
        return None
    if flag == "missing":
        problems.append(
            Problem(f"{place}.value", "värdet har status Missing men har ändå ett värde")
        )
        return None
    # Other status words are Kolada's notes on an existing figure; the figure stands.
    return float(raw), "provisional" if flag in _PROVISIONAL else "ok"


# --------------------------------------------------------------------------------------------
# Fetching


def fetch_kolada(url: str) -> list[dict]:
    """Fetch a Kolada data URL and every page it links to; return the pages in order.

    Only https://api.kolada.se is fetched (a user-supplied URL must not reach other hosts).
    Raises ImportFileError (file = the URL) when a page cannot be fetched or read.
    """
    pages: list[dict] = []
    seen: set[str] = set()
    next_url: object = url
    while next_url:
        number = len(pages) + 1
        target = _checked_url(next_url, url, number)
        if target in seen:
            raise _fetch_error(url, number, "sidorna pekar på varandra i en slinga")
        if number > MAX_PAGES:
            raise _fetch_error(url, number, f"fler än {MAX_PAGES} sidor; begränsa frågan")
        seen.add(target)
        request = urllib.request.Request(
            target, headers={"Accept": "application/json", "User-Agent": "stadsdel-import"}
        )
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            raise _fetch_error(url, number, f"Kolada svarade {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _fetch_error(url, number, f"kunde inte nå Kolada ({reason})") from None
        try:
            page = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _fetch_error(url, number, "svaret är inte giltig JSON") from None
        if not isinstance(page, dict):
            raise _fetch_error(url, number, "svaret är ingen Kolada-datasida")
        pages.append(page)
        next_url = page.get("next_page") or page.get("next_url")
    return pages


def _checked_url(candidate: object, original: str, number: int) -> str:
    if not isinstance(candidate, str):
        raise _fetch_error(original, number, "länken till sidan är ingen adress")
    parts = urllib.parse.urlsplit(candidate)
    if parts.scheme not in ("http", "https") or parts.hostname != KOLADA_HOST:
        raise _fetch_error(original, number, f"adressen '{candidate}' går inte till {KOLADA_HOST}")
    # Kolada v2 wrote its page links with http; fetch them over https all the same.
    return urllib.parse.urlunsplit(parts._replace(scheme="https"))


def _fetch_error(url: str, number: int, message: str) -> ImportFileError:
    return ImportFileError(file=url, problems=[Problem(f"sida {number}", message)])
