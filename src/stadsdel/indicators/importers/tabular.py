"""CSV and Excel files of observations, in long or wide form.

Long form has one figure per row::

    indicator,area,period,sex,value,numerator,denominator[,status]

`sex`, `numerator`, `denominator` and `status` are optional. Wide form has no `value` column:
its identifier columns are some of `indicator`, `area`, `sex`, `period`, and every other column
is either a year (when there is no `period` column) or an indicator code (when there is no
`indicator` column); each non-empty cell under such a column is one figure.

Both readers turn the file into the same grid of cells (`_Sheet`) and `_interpret` reads the
grid, so CSV and Excel accept exactly the same content and report faults the same way: a CSV
place is `rad N, kolumn 'x'` (the header is rad 1, as a spreadsheet numbers it), an Excel place
is `blad 'Blad1', cell C7`.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .base import ImportFileError, ParsedRow, Problem

__all__ = ["parse_csv", "parse_xlsx"]

YEAR_MIN = 1990
YEAR_MAX = 2100

# Parsing stops after this many problems: a file with thousands of faults is usually one
# systematic fault (wrong delimiter, wrong column), and the first ones show it.
MAX_PROBLEMS = 500

COLUMNS = ("indicator", "area", "period", "sex", "value", "numerator", "denominator", "status")
IDENTIFIER_COLUMNS = ("indicator", "area", "sex", "period")
LONG_REQUIRED = ("indicator", "area", "period", "value")

# Swedish headers are accepted too: the file is often typed by hand in a Swedish Excel.
_HEADER_ALIASES = {
    "indikator": "indicator",
    "område": "area",
    "omrade": "area",
    "år": "period",
    "ar": "period",
    "kön": "sex",
    "kon": "sex",
    "värde": "value",
    "varde": "value",
    "täljare": "numerator",
    "taljare": "numerator",
    "nämnare": "denominator",
    "namnare": "denominator",
}

# SCB's table symbols for a figure that is not given: ".." not available, "." cannot occur,
# "-" nothing to report. Excel and Word turn a typed "-" into an en dash, so that counts too.
MISSING_MARKERS = frozenset({"", "..", ".", "-", "–", "—"})

_STATUS_WORDS = {
    "ok": "ok",
    "suppressed": "suppressed",
    "sekretess": "suppressed",
    "skyddad": "suppressed",
    "skyddat": "suppressed",
    "provisional": "provisional",
    "preliminär": "provisional",
    "preliminar": "provisional",
    "prel": "provisional",
    "missing": "missing",
    "saknas": "missing",
}

# SCB codes sex as 1 = män, 2 = kvinnor, 1+2 = totalt.
_SEX_WORDS = {
    "t": "T",
    "totalt": "T",
    "total": "T",
    "1+2": "T",
    "k": "K",
    "kvinnor": "K",
    "kvinna": "K",
    "2": "K",
    "m": "M",
    "män": "M",
    "man": "M",
    "1": "M",
}

# White space that may separate thousands: space, no-break space, narrow no-break space
# (Excel's Swedish number format) and thin space.
_THOUSANDS_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
# [0-9] rather than \d: \d also matches digits of other scripts, which float() would accept.
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_YEAR_RE = re.compile(r"[0-9]{4}")
# Monthly, quarterly and half-year periods as PxWeb and Excel write them: 2012M01, 2012K1,
# 2012Q1, 2012H1, 2012-01.
_SUBANNUAL_RE = re.compile(r"[0-9]{4}\s*(?:[MKQH][0-9]{1,2}|-[0-9]{1,2})", re.IGNORECASE)
# Excel error values survive data_only=True as strings.
_EXCEL_ERRORS = frozenset(
    {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}
)

EXCEL_MAX_ROWS = 1_048_576

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and other OLE compound files)


class _TooManyProblems(Exception):
    pass


@dataclass
class _Problems:
    items: list[Problem] = field(default_factory=list)

    def add(self, location: str, message: str) -> None:
        self.items.append(Problem(location, message))
        if len(self.items) >= MAX_PROBLEMS:
            raise _TooManyProblems


@dataclass
class _Sheet:
    """A file read into cells. `rows` holds (row number, cells) for each data row, numbered as
    the user sees them; `cell_ref` and `row_ref` name a place in the user's terms."""

    header: list[object]
    header_row: int
    rows: list[tuple[int, list[object]]]
    cell_ref: Callable[[int, int], str]
    row_ref: Callable[[int], str]
    decimal_comma: bool


# --------------------------------------------------------------------------------------------
# Public entry points


def parse_csv(path: Path) -> list[ParsedRow]:
    """Read a CSV file (UTF-8, `,` `;` or tab separated) into rows; raise ImportFileError."""
    path = Path(path)
    problems = _Problems()
    try:
        sheet = _read_csv(path, problems)
        rows = _interpret(sheet, problems) if sheet is not None else []
    except _TooManyProblems:
        rows = []
    if problems.items:
        raise ImportFileError(file=path.name, problems=problems.items)
    return rows


def parse_xlsx(path: Path) -> list[ParsedRow]:
    """Read the first sheet of an Excel workbook (or the sheet named "data") into rows; raise
    ImportFileError."""
    path = Path(path)
    problems = _Problems()
    try:
        sheet = _read_xlsx(path, problems)
        rows = _interpret(sheet, problems) if sheet is not None else []
    except _TooManyProblems:
        rows = []
    if problems.items:
        raise ImportFileError(file=path.name, problems=problems.items)
    return rows


# --------------------------------------------------------------------------------------------
# Readers


def _read_csv(path: Path, problems: _Problems) -> _Sheet | None:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        problems.add("", "filen är tom")
        return None

    # Decode line by line so that every line that is not UTF-8 can be named: Excel's plain
    # "CSV (semikolonavgränsad)" writes Windows-1252, where å, ä, ö are single invalid bytes.
    lines: list[str] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            problems.add(
                f"rad {number}",
                f"raden är inte UTF-8 (byte 0x{line[exc.start]:02X}); spara filen som "
                "'CSV UTF-8 (kommaavgränsad)' i Excel",
            )
    if problems.items:
        return None
    text = "\n".join(lines)

    header_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header_line.count)
    if header_line.count(delimiter) == 0:
        delimiter = ","

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        # The csv module refuses a field longer than its limit (128 KiB), e.g. after an
        # unbalanced quote swallows the rest of the file.
        problems.add(f"rad {reader.line_num}", f"raden kan inte läsas som CSV ({exc})")
        return None
    header = [cell.strip() for cell in records[0]]
    width = len(header)
    rows: list[tuple[int, list[object]]] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank line, e.g. at the end of an Excel export
        if len(record) > width and not any(cell.strip() for cell in record[width:]):
            # Excel writes trailing separators for formatted but empty columns.
            record = record[:width]
        if len(record) != width:
            shown = "tab" if delimiter == "\t" else f"'{delimiter}'"
            problems.add(
                f"rad {number}",
                f"raden har {len(record)} fält men rubrikraden har {width} (avgränsare {shown})",
            )
            continue
        rows.append((number, list(record)))

    def cell_ref(row: int, col: int) -> str:
        name = header[col] if col < width and header[col] else str(col + 1)
        return f"rad {row}, kolumn '{name}'"

    return _Sheet(
        header=list(header),
        header_row=1,
        rows=rows,
        cell_ref=cell_ref,
        row_ref=lambda row: f"rad {row}",
        # A decimal comma is only unambiguous when the comma is not the delimiter.
        decimal_comma=delimiter != ",",
    )


def _read_xlsx(path: Path, problems: _Problems) -> _Sheet | None:
    # openpyxl is given the open file, not the name: with a name it refuses any suffix but
    # .xlsx/.xlsm, and an uploaded file may sit under a temporary name.
    with path.open("rb") as handle:
        head = handle.read(8)
        handle.seek(0)
        if not head:
            problems.add("", "filen är tom")
            return None
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except _DAMAGED:
            problems.add("", _not_a_workbook(path, head))
            return None
        try:
            return _sheet_from_workbook(workbook, problems)
        except _DAMAGED:
            # Read-only mode parses the sheet while iterating, so damage can surface here.
            problems.add("", "arbetsboken är skadad och kan inte läsas; spara om den i Excel")
            return None
        finally:
            workbook.close()


# openpyxl reports a damaged or foreign file with any of these (ParseError is a SyntaxError);
# the user needs one answer, not a traceback.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,  # a damaged deflate stream inside the zip
    NotImplementedError,  # zipfile: a compression method or zip version no workbook uses
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    OSError,
    EOFError,
    SyntaxError,
)


def _not_a_workbook(path: Path, head: bytes) -> str:
    if head.startswith(_OLE_MAGIC):
        return "filen är i det gamla .xls-formatet; spara den som Excel-arbetsbok (.xlsx)"
    if _looks_like_text(path):
        return (
            "filen är ingen Excel-arbetsbok utan en textfil; är det en CSV-fil med fel "
            "filändelse? Ladda upp den som .csv"
        )
    return "filen är ingen giltig Excel-arbetsbok (.xlsx)"


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\0" not in sample


def _sheet_from_workbook(workbook, problems: _Problems) -> _Sheet | None:
    worksheets = workbook.worksheets
    if not worksheets:
        problems.add("", "arbetsboken har inga blad")
        return None
    # A sheet named "data" wins, so a workbook may carry notes or a cover sheet first.
    worksheet = next((ws for ws in worksheets if ws.title.strip().lower() == "data"), worksheets[0])
    title = worksheet.title
    # Some generators write a wrong <dimension>; without it openpyxl reads every stored row.
    worksheet.reset_dimensions()

    grid: list[tuple[int, list[object]]] = []
    # Read-only mode fills a gap between stored rows with empty rows one by one, so a row number
    # beyond Excel's last row (a damaged or hostile file) would take hours; no workbook Excel
    # writes has rows there.
    for number, values in enumerate(
        worksheet.iter_rows(min_row=1, max_row=EXCEL_MAX_ROWS, min_col=1, values_only=True), start=1
    ):
        cells = [value.strip() if isinstance(value, str) else value for value in values]
        if any(not _is_blank(value) for value in cells):
            grid.append((number, cells))
    if not grid:
        problems.add(f"blad '{title}'", "bladet är tomt")
        return None

    header_row, header = grid[0]
    width = len(header)
    rows = [(number, cells + [None] * (width - len(cells))) for number, cells in grid[1:]]
    for number, cells in rows:
        for col in range(width, len(cells)):
            if not _is_blank(cells[col]):
                problems.add(
                    f"blad '{title}', cell {get_column_letter(col + 1)}{number}",
                    "värdet står i en kolumn utan rubrik",
                )

    return _Sheet(
        header=list(header),
        header_row=header_row,
        rows=[(number, cells[:width]) for number, cells in rows],
        cell_ref=lambda row, col: f"blad '{title}', cell {get_column_letter(col + 1)}{row}",
        row_ref=lambda row: f"blad '{title}', rad {row}",
        decimal_comma=True,  # a text cell "55,3" typed in a Swedish Excel
    )


# --------------------------------------------------------------------------------------------
# Interpretation


def _interpret(sheet: _Sheet, problems: _Problems) -> list[ParsedRow]:
    columns = _header_columns(sheet, problems)
    if columns is None:
        return []
    if "value" in columns:
        rows = list(_long_rows(sheet, columns, problems))
    else:
        rows = _wide_rows(sheet, columns, problems)
    if not sheet.rows and not problems.items:
        problems.add(sheet.row_ref(sheet.header_row), "filen har en rubrikrad men inga datarader")
    _check_duplicates(rows, problems)
    return rows


def _header_columns(sheet: _Sheet, problems: _Problems) -> dict[str, int] | None:
    """Map each named column to its position; for wide form, also the data columns under
    their header text (keys prefixed with a NUL so they cannot clash with names)."""
    columns: dict[str, int] = {}
    data_columns: dict[str, int] = {}
    for col, raw in enumerate(sheet.header):
        place = sheet.cell_ref(sheet.header_row, col)
        if _is_blank(raw):
            if any(not _is_blank(cells[col]) for _, cells in sheet.rows):
                problems.add(place, "kolumnen har värden men ingen rubrik")
            continue
        text = _header_text(raw)
        name = _HEADER_ALIASES.get(text.lower(), text.lower())
        if name in COLUMNS:
            if name in columns:
                problems.add(place, f"kolumnen '{name}' förekommer två gånger")
                continue
            columns[name] = col
        else:
            if text in data_columns:
                problems.add(place, f"kolumnen '{text}' förekommer två gånger")
                continue
            data_columns[text] = col

    if "value" in columns:
        missing = [name for name in LONG_REQUIRED if name not in columns]
        if missing:
            problems.add(
                sheet.row_ref(sheet.header_row),
                "kolumner saknas: " + ", ".join(f"'{name}'" for name in missing),
            )
        for text, col in data_columns.items():
            problems.add(
                sheet.cell_ref(sheet.header_row, col),
                f"okänd kolumn '{text}' (tillåtna: {', '.join(COLUMNS)})",
            )
        return None if missing or data_columns else columns

    # Wide form.
    for name in ("numerator", "denominator", "status"):
        if name in columns:
            problems.add(
                sheet.cell_ref(sheet.header_row, columns[name]),
                f"kolumnen '{name}' kan bara användas i lång form (med kolumnen 'value')",
            )
    if "area" not in columns:
        problems.add(sheet.row_ref(sheet.header_row), "kolumner saknas: 'area'")
    if "indicator" in columns and "period" in columns:
        problems.add(sheet.row_ref(sheet.header_row), "kolumner saknas: 'value'")
    elif "indicator" not in columns and "period" not in columns:
        problems.add(
            sheet.row_ref(sheet.header_row),
            "kolumner saknas: 'value' (lång form), eller 'indicator' (bred form med ett år per "
            "kolumn) eller 'period' (bred form med en indikator per kolumn)",
        )
    if not data_columns:
        problems.add(sheet.row_ref(sheet.header_row), "filen har inga kolumner med värden")
    if problems.items:
        return None
    columns.update({"\0" + text: col for text, col in data_columns.items()})
    return columns


def _long_rows(sheet: _Sheet, columns: dict[str, int], problems: _Problems) -> Iterator[ParsedRow]:
    for number, cells in sheet.rows:
        row = _long_row(sheet, columns, number, cells, problems)
        if row is not None:
            yield row


def _long_row(
    sheet: _Sheet, columns: dict[str, int], number: int, cells: list[object], problems: _Problems
) -> ParsedRow | None:
    def cell(name: str) -> object:
        return cells[columns[name]] if name in columns else None

    def place(name: str) -> str:
        return sheet.cell_ref(number, columns[name])

    before = len(problems.items)
    indicator = _code(cell("indicator"), place("indicator"), "indikatorkod", problems)
    area = _code(cell("area"), place("area"), "områdeskod", problems)
    period = _period(cell("period"), place("period"), problems)
    sex = _sex(cell("sex"), place("sex"), problems) if "sex" in columns else "T"
    value, _ = _number(cell("value"), place("value"), sheet, problems)
    numerator = denominator = None
    if "numerator" in columns:
        numerator, _ = _number(cell("numerator"), place("numerator"), sheet, problems)
    if "denominator" in columns:
        denominator, _ = _number(cell("denominator"), place("denominator"), sheet, problems)
    stated = _status(cell("status"), place("status"), problems) if "status" in columns else None
    if len(problems.items) > before:
        return None

    status = _reconcile_status(
        stated,
        value,
        value_blank=_is_blank(cell("value")),
        has_parts=numerator is not None or denominator is not None,
        place=place("value"),
        problems=problems,
    )
    if status is None:
        return None
    return ParsedRow(
        indicator=indicator,
        area=area,
        period=period,
        sex=sex,
        value=value,
        numerator=numerator,
        denominator=denominator,
        status=status,
        location=sheet.row_ref(number),
    )


def _wide_rows(sheet: _Sheet, columns: dict[str, int], problems: _Problems) -> list[ParsedRow]:
    data_columns = {key[1:]: col for key, col in columns.items() if key.startswith("\0")}
    by_year = "period" not in columns  # otherwise the data columns are indicator codes

    # The data columns' meaning comes from their header, so check every header once.
    meaning: dict[int, str | int] = {}
    for text, col in data_columns.items():
        place = sheet.cell_ref(sheet.header_row, col)
        if by_year:
            year = _period(sheet.header[col], place, problems)
            if year is not None:
                meaning[col] = year
        else:
            meaning[col] = text

    rows: list[ParsedRow] = []
    for number, cells in sheet.rows:
        before = len(problems.items)
        fixed: dict[str, object] = {}
        for name in IDENTIFIER_COLUMNS:
            if name not in columns:
                continue
            place = sheet.cell_ref(number, columns[name])
            raw = cells[columns[name]]
            if name == "indicator":
                fixed[name] = _code(raw, place, "indikatorkod", problems)
            elif name == "area":
                fixed[name] = _code(raw, place, "områdeskod", problems)
            elif name == "sex":
                fixed[name] = _sex(raw, place, problems)
            else:
                fixed[name] = _period(raw, place, problems)
        if len(problems.items) > before:
            continue
        for col, meant in meaning.items():
            raw = cells[col]
            if _is_blank(raw):
                continue  # an empty cell in a wide table is no figure at all
            place = sheet.cell_ref(number, col)
            value, marker = _number(raw, place, sheet, problems)
            if value is None and not marker:
                continue  # _number reported it
            rows.append(
                ParsedRow(
                    indicator=str(meant) if not by_year else fixed["indicator"],
                    area=fixed["area"],
                    period=meant if by_year else fixed["period"],
                    sex=fixed.get("sex", "T"),
                    value=value,
                    status="missing" if value is None else "ok",
                    location=place,
                )
            )
    return rows


def _reconcile_status(
    stated: str | None,
    value: float | None,
    *,
    value_blank: bool,
    has_parts: bool,
    place: str,
    problems: _Problems,
) -> str | None:
    """The row's status from the status cell and the value cell; None after a problem."""
    if stated is None:
        return "missing" if value is None else "ok"
    if stated in ("suppressed", "missing"):
        if value is not None or has_parts:
            # A suppressed figure must not travel in the file at all: storing it would defeat
            # the suppression.
            word = "skyddad (suppressed)" if stated == "suppressed" else "saknas (missing)"
            problems.add(place, f"raden har status {word} men har ändå ett värde; ta bort värdet")
            return None
        return stated
    if value is None:
        word = "ok" if stated == "ok" else "preliminär (provisional)"
        what = "är tomt" if value_blank else "är markerat som saknat"
        problems.add(place, f"raden har status {word} men värdet {what}")
        return None
    return stated


# --------------------------------------------------------------------------------------------
# Cells


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(raw: object) -> str:
    """A cell as the user saw it; Excel stores a date as a datetime at midnight."""
    if isinstance(raw, datetime) and raw.time() == time(0, 0):
        return raw.date().isoformat()
    return str(raw)


def _header_text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # an Excel year header typed as a number
    return str(raw).strip()


def _code(raw: object, place: str, what: str, problems: _Problems) -> str | None:
    if _is_blank(raw):
        problems.add(place, f"{what} saknas")
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        problems.add(place, f"'{raw}' är ingen giltig {what}")
        return None
    if isinstance(raw, float):
        if not raw.is_integer():
            problems.add(place, f"'{raw}' är ingen giltig {what}")
            return None
        raw = int(raw)
    # A numeric cell is passed through as its digits; a code that lost a leading zero in Excel
    # (0127 -> 127) is then reported by the service as an unknown area, naming the code.
    return str(raw).strip()


def _period(raw: object, place: str, problems: _Problems) -> int | None:
    if _is_blank(raw):
        problems.add(place, "period saknas")
        return None
    if isinstance(raw, datetime | date | time):
        problems.add(
            place, f"'{_shown(raw)}' är ett datum; ange året som ett fyrsiffrigt tal (t.ex. 2012)"
        )
        return None
    if isinstance(raw, bool):
        problems.add(place, f"'{raw}' är inget årtal")
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if not _YEAR_RE.fullmatch(text):
        if _SUBANNUAL_RE.fullmatch(text):
            problems.add(
                place,
                f"perioden '{text}' är inte ett år; bara årsvärden stöds (t.ex. 2012), "
                "inte månader, kvartal eller halvår",
            )
        else:
            problems.add(place, f"'{text}' är inget årtal (skriv fyra siffror, t.ex. 2012)")
        return None
    year = int(text)
    if not YEAR_MIN <= year <= YEAR_MAX:
        problems.add(place, f"året {year} ligger utanför {YEAR_MIN}–{YEAR_MAX}")
        return None
    return year


def _sex(raw: object, place: str, problems: _Problems) -> str | None:
    if _is_blank(raw):
        return "T"  # an empty cell in an optional column means the total, as a missing column
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    sex = _SEX_WORDS.get(text.lower())
    if sex is None:
        problems.add(
            place,
            f"okänt kön '{text}' (använd T, K eller M; totalt, kvinnor, män; eller SCB:s "
            "1+2, 2, 1)",
        )
    return sex


def _status(raw: object, place: str, problems: _Problems) -> str | None:
    if _is_blank(raw):
        return None  # decided by the value cell
    text = str(raw).strip()
    status = _STATUS_WORDS.get(text.lower())
    if status is None:
        problems.add(
            place,
            f"okänd status '{text}' (använd ok, suppressed/sekretess/skyddad, "
            "provisional/preliminär eller missing)",
        )
    return status


def _number(
    raw: object, place: str, sheet: _Sheet, problems: _Problems
) -> tuple[float | None, bool]:
    """A cell as a number. Returns (value, is_missing_marker); (None, False) after a problem."""
    if raw is None:
        return None, True
    if isinstance(raw, bool):
        problems.add(place, f"'{raw}' är inget tal")
        return None, False
    if isinstance(raw, int | float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            problems.add(place, f"'{raw}' är inget tal")
            return None, False
        return float(raw), False
    if isinstance(raw, datetime | date | time):
        problems.add(
            place, f"'{_shown(raw)}' är ett datum, inget tal (kolumnen är formaterad som datum)"
        )
        return None, False

    text = str(raw).strip()
    if text in MISSING_MARKERS:
        return None, True
    if text in _EXCEL_ERRORS:
        problems.add(place, f"cellen innehåller Excel-felet {text}")
        return None, False
    compact = _THOUSANDS_SPACES.sub("", text).replace("\u2212", "-")  # typographic minus
    if "," in compact:
        if not sheet.decimal_comma:
            problems.add(
                place,
                f"'{text}' är inget tal; decimalkomma går bara i filer med semikolon som "
                "avgränsare, skriv annars decimalpunkt (55.3)",
            )
            return None, False
        if "." in compact or compact.count(",") > 1:
            problems.add(place, f"'{text}' är inget tal (både punkt och komma, eller flera komman)")
            return None, False
        compact = compact.replace(",", ".")
    if not _NUMBER_RE.fullmatch(compact):
        problems.add(place, f"'{text}' är inget tal")
        return None, False
    number = float(compact)
    if not math.isfinite(number):  # "1e999" overflows to infinity
        problems.add(place, f"'{text}' är inget tal (för stort)")
        return None, False
    return number, False


def _check_duplicates(rows: list[ParsedRow], problems: _Problems) -> None:
    seen: dict[tuple[str, str, int, str], str] = {}
    for row in rows:
        key = (row.indicator, row.area, row.period, row.sex)
        if key in seen:
            problems.add(
                row.location,
                f"samma indikator, område, period och kön ({row.indicator}, {row.area}, "
                f"{row.period}, {row.sex}) som {seen[key]}",
            )
        else:
            seen[key] = row.location
