"""CSV and Excel files of observations, in long or wide form.

Long form has one figure per row::

    indicator,area,period,sex,value,numerator,denominator[,status]

`sex`, `numerator`, `denominator` and `status` are optional. Wide form has no `value` column:
its identifier columns are some of `indicator`, `area`, `sex`, `period`, and every other column
is either a year (when there is no `period` column) or an indicator code (when there is no
`indicator` column); each non-empty cell under such a column is one figure.

Both readers turn the file into the same stream of cells (`_Sheet`) and `_interpret` reads it,
so CSV and Excel accept exactly the same content and report faults the same way: a CSV place is
`rad N, kolumn 'x'` (the header is rad 1, as a spreadsheet numbers it), an Excel place is
`blad 'Blad1', cell C7`.

Files are streamed: the header row is checked before any data row is read, rows are read one at
a time, and reading stops at the first row past the limits (`Limits`). A workbook's unzipped size
is checked from its zip directory before anything is parsed.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import chain, compress, islice, repeat
from operator import eq, gt
from pathlib import Path

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from .base import (
    ImportFileError,
    ImportLimitError,
    Limits,
    ParsedColumns,
    ParsedRow,
    Problem,
    count_text,
    too_many_figures,
    too_many_rows,
)

__all__ = ["parse_csv", "parse_xlsx", "read_csv_columns", "read_xlsx_columns"]

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


_BOM = b"\xef\xbb\xbf"

# A CSV is decoded this many bytes at a time, and its records checked this many at a time:
# large enough that the work per block and per run is small beside the work per row, small
# enough that a file is never held whole (the row limit's test bounds the memory at 2 MB).
CSV_BLOCK = 1 << 17
CSV_CHUNK = 4096

LIMIT_COLUMNS = "STADSDEL_IMPORT_MAX_COLUMNS"
LIMIT_UNZIPPED = "STADSDEL_IMPORT_MAX_UNZIPPED_BYTES"


class _TooManyProblems(Exception):
    pass


class _Refused(Exception):
    """Reading stops, and these problems alone are the answer (a file that is not UTF-8, a
    damaged workbook, a line the csv module cannot read)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


class _OverLimit(Exception):
    """The file is larger than a limit; reading stops at once."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass
class _Problems:
    items: list[Problem] = field(default_factory=list)

    def add(self, location: str, message: str) -> None:
        self.items.append(Problem(location, message))
        if len(self.items) >= MAX_PROBLEMS:
            raise _TooManyProblems


@dataclass
class _Sheet:
    """A file opened for reading. `header` is its header row; `rows` yields (row number, cells)
    for each data row, numbered as the user sees them, read from the file as they are taken;
    `cell_ref` and `row_ref` name a place in the user's terms.

    A CSV also offers its rows in runs (`runs`, `_Run`), for the long-form reader to check a
    column at a time; `checked(run.start, run.records)` turns a run into the (number, cells)
    that `rows` yields for it, with the same checks. Either `rows` or `runs` is read, never
    both."""

    header: list[object]
    header_row: int
    rows: Iterator[tuple[int, list[object]]]
    cell_ref: Callable[[int, int], str]
    row_ref: Callable[[int], str]
    decimal_comma: bool
    runs: Iterator[_Run] | None = None
    checked: Callable[[int, list[list[str]]], Iterator[tuple[int, list[object]]]] | None = None


def _bytes(number: int) -> str:
    if number >= 1_000_000:
        return f"{number / 1_000_000:.0f} MB"
    if number >= 1_000:
        return f"{number / 1_000:.0f} kB"
    return f"{number} byte"


def _too_many_rows(place: str, limit: int, what: str = "filen") -> _OverLimit:
    return _OverLimit(too_many_rows(place, limit, what))


def _too_many_columns(place: str, width: int, limit: int) -> _OverLimit:
    return _OverLimit(Problem(place, f"rubrikraden har {width} kolumner, fler än {count_text(limit)} (gränsen {LIMIT_COLUMNS})"))


# --------------------------------------------------------------------------------------------
# Public entry points


def parse_csv(path: Path, *, limits: Limits | None = None) -> list[ParsedRow]:
    """Read a CSV file (UTF-8, `,` `;` or tab separated) into rows; raise ImportFileError
    (ImportLimitError when the file is larger than `limits`, by default the settings')."""
    return _as_rows(_parse(Path(path), _read_csv, limits))


def parse_xlsx(path: Path, *, limits: Limits | None = None) -> list[ParsedRow]:
    """Read the first sheet of an Excel workbook (or the sheet named "data") into rows; raise
    ImportFileError (ImportLimitError when the workbook is larger than `limits`)."""
    return _as_rows(_parse(Path(path), _read_xlsx, limits))


def read_csv_columns(path: Path, *, limits: Limits | None = None) -> ParsedColumns:
    """`parse_csv`, its figures as columns (what the import reads)."""
    return _as_columns(_parse(Path(path), _read_csv, limits))


def read_xlsx_columns(path: Path, *, limits: Limits | None = None) -> ParsedColumns:
    """`parse_xlsx`, its figures as columns."""
    return _as_columns(_parse(Path(path), _read_xlsx, limits))


def _as_rows(parsed: list[ParsedRow] | ParsedColumns) -> list[ParsedRow]:
    return parsed.rows() if isinstance(parsed, ParsedColumns) else parsed


def _as_columns(parsed: list[ParsedRow] | ParsedColumns) -> ParsedColumns:
    return parsed if isinstance(parsed, ParsedColumns) else ParsedColumns.from_rows(parsed)


def _parse(path: Path, reader, limits: Limits | None) -> list[ParsedRow] | ParsedColumns:
    limits = limits or Limits.from_settings()
    problems = _Problems()
    try:
        with reader(path, limits, problems) as sheet:
            rows = _interpret(sheet, limits, problems) if sheet is not None else []
    except _TooManyProblems:
        rows = []
    except _Refused as refused:
        raise ImportFileError(file=path.name, problems=refused.problems) from None
    except _OverLimit as over:
        raise ImportLimitError(file=path.name, problems=[over.problem]) from None
    if problems.items:
        raise ImportFileError(file=path.name, problems=problems.items)
    return rows


# --------------------------------------------------------------------------------------------
# Readers


@contextmanager
def _read_csv(path: Path, limits: Limits, problems: _Problems) -> Iterator[_Sheet | None]:
    if _blank_file(path):
        problems.add("", "filen är tom")
        yield None
        return
    with path.open("rb") as handle:
        texts = _utf8_texts(handle)
        opening = next(texts)
        first = io.StringIO(opening, newline="").readline()
        opening = opening[len(first):]
        delimiter = max((";", ",", "\t"), key=first.count)
        if first.count(delimiter) == 0:
            delimiter = ","
        # A quoted header may go on over several lines: then the csv module reads the whole file.
        quoted = '"' in first
        reader = csv.reader(chain([first], _text_lines(chain([opening], texts))) if quoted else [first],
                            delimiter=delimiter)
        try:
            header = [cell.strip() for cell in next(reader)]
        except csv.Error as exc:
            raise _csv_refusal(reader, exc) from None
        named = max((col + 1 for col, name in enumerate(header) if name), default=0)
        if named > limits.max_columns:
            raise _too_many_columns("rad 1", named, limits.max_columns)
        width = len(header)
        shown = "tab" if delimiter == "\t" else f"'{delimiter}'"
        field_limit = csv.field_size_limit()

        def runs() -> Iterator[_Run]:
            # Each decoded block is split into its lines and fields by `str.split` when the csv
            # module would read it the same way: no quote character, no lone carriage return,
            # every line as wide as the header, no field past the csv module's size limit, all
            # rows within the row limit. Any other block is read by the csv module, and from
            # the first quote character on, the rest of the file (a quoted field may go on over
            # several lines). Either way no more rows are read than the first one past the limit.
            consumed = 0  # data rows read
            lines = 1  # lines the csv module would have read (for its errors' row numbers)
            if quoted:
                yield from _csv_runs(reader, 0, consumed, width, limits)
                return
            for text in chain([opening], texts):
                if not text:
                    continue
                if '"' in text:
                    rest = csv.reader(_text_lines(chain([text], texts)), delimiter=delimiter)
                    yield from _csv_runs(rest, lines, consumed, width, limits)
                    return
                plain = text.replace("\r\n", "\n") if "\r" in text else text
                rows = None if "\r" in plain else plain.split("\n")
                if rows is not None:
                    if not rows[-1]:
                        rows.pop()  # the block ends at a line's end
                    # (A blank line is a row of no cells to the csv module, of one to str.split:
                    # with one column the widths cannot tell it.)
                    if (width > 1 and consumed + len(rows) <= limits.max_rows
                            and list(map(str.count, rows, repeat(delimiter))).count(width - 1) == len(rows)
                            and (len(plain) <= field_limit or max(map(len, rows)) <= field_limit)):
                        fields = delimiter.join(rows).split(delimiter)
                        yield _Run(consumed + 2, None, [fields[col::width] for col in range(width)], True)
                        consumed += len(rows)
                        lines += len(rows)
                        continue
                block = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
                read = yield from _csv_runs(block, lines, consumed, width, limits)
                consumed += read
                lines += block.line_num
                if consumed > limits.max_rows:
                    return

        def checked(start: int, records: list[list[str]]) -> Iterator[tuple[int, list[object]]]:
            for number, record in enumerate(records, start):
                if number - 1 > limits.max_rows:
                    raise _too_many_rows(f"rad {number}", limits.max_rows)
                if not "".join(record).strip():
                    continue  # blank line, e.g. at the end of an Excel export
                if len(record) > width and not any(cell.strip() for cell in record[width:]):
                    # Excel writes trailing separators for formatted but empty columns.
                    record = record[:width]
                if len(record) != width:
                    problems.add(
                        f"rad {number}",
                        f"raden har {len(record)} fält men rubrikraden har {width} (avgränsare {shown})",
                    )
                    continue
                yield number, record  # a new list per row

        def cell_ref(row: int, col: int) -> str:
            name = header[col] if col < width and header[col] else str(col + 1)
            return f"rad {row}, kolumn '{name}'"

        stream = runs()
        yield _Sheet(
            header=list(header),
            header_row=1,
            rows=(row for run in stream for row in checked(run.start, run.records)),
            cell_ref=cell_ref,
            row_ref=lambda row: f"rad {row}",
            # A decimal comma is only unambiguous when the comma is not the delimiter.
            decimal_comma=delimiter != ",",
            runs=stream,
            checked=checked,
        )


class _Run:
    """Consecutive data rows of a CSV, the first numbered `start`: as `records` (a list of cells
    per row, as the csv module reads them) or as `columns` (a list of cells per column), the
    other built when asked for. `regular`: every row is exactly as wide as the header and
    within the row limit, so each record is a data row numbered in turn."""

    __slots__ = ("_columns", "_records", "regular", "start")

    def __init__(self, start: int, records: list[list[str]] | None, columns: list[list[str]] | None,
                 regular: bool) -> None:
        self.start, self._records, self._columns, self.regular = start, records, columns, regular

    @property
    def records(self) -> list[list[str]]:
        if self._records is None:
            self._records = list(map(list, zip(*self._columns, strict=True)))
        return self._records

    @property
    def columns(self) -> list:
        if self._columns is None:
            self._columns = list(zip(*self._records, strict=True))
        return self._columns

    def __len__(self) -> int:
        return len(self._records) if self._records is not None else len(self._columns[0])


def _csv_runs(reader, before: int, consumed: int, width: int, limits: Limits) -> Iterator[_Run]:
    """The records `reader` reads, CSV_CHUNK at a time and never past the first one over the
    row limit, as runs of regular rows and single irregular ones; returns how many it read.
    `before` lines and `consumed` data rows come before the reader's first.

    A fault while reading (a line that is not UTF-8 or not CSV) ends the records read so far,
    which are still handed on first: the rows before the fault are checked as when they were
    read one at a time, and a fault among them may come first (too many problems)."""
    read = 0
    while True:
        size = min(CSV_CHUNK, limits.max_rows + 1 - consumed - read)
        if size <= 0:
            return read
        records: list[list[str]] = []
        error: Exception | None = None
        try:
            records.extend(islice(reader, size))  # kept up to the fault
        except csv.Error as exc:
            error = _csv_refusal(reader, exc, before)
        except _Refused as refused:
            error = refused
        start = consumed + read + 2  # the header is rad 1
        read += len(records)
        if records:
            widths = list(map(len, records))
            if consumed + read > limits.max_rows:
                yield _Run(start, records, None, False)  # `checked` stops at the row past the limit
            elif widths.count(width) == len(records):
                yield _Run(start, records, None, True)
            else:
                begin = 0
                for i, cells in enumerate(widths):
                    if cells != width:
                        if begin < i:
                            yield _Run(start + begin, records[begin:i], None, True)
                        yield _Run(start + i, records[i:i + 1], None, False)
                        begin = i + 1
                if begin < len(records):
                    yield _Run(start + begin, records[begin:], None, True)
        if error is not None:
            raise error
        if len(records) < size:
            return read


def _text_lines(texts: Iterator[str]) -> Iterator[str]:
    """The lines of decoded text as the csv module reads a file opened with newline="": ended by
    \\n, \\r\\n or a lone \\r (old Mac files)."""
    for text in texts:
        yield from io.StringIO(text, newline="")


def _csv_refusal(reader, exc: csv.Error, before: int = 0) -> _Refused:
    # The csv module refuses a field longer than its limit (128 KiB), e.g. after an unbalanced
    # quote swallows the rest of the file.
    return _Refused([Problem(f"rad {before + reader.line_num}", f"raden kan inte läsas som CSV ({exc})")])


def _blank_file(path: Path) -> bool:
    """Whether the file holds nothing but white space (and a byte-order mark); reads only as far
    as the first other character."""
    with path.open("rb") as handle:
        block = handle.read(1 << 16)
        if block.startswith(_BOM):
            block = block[len(_BOM):]
        while block:
            if block.strip():
                return False
            block = handle.read(1 << 16)
    return True


def _utf8_texts(handle) -> Iterator[str]:
    """The file's text, decoded CSV_BLOCK bytes at a time, each piece cut at a line's end (so no
    character is split, and the csv module's lines never span two pieces). A block that is not
    UTF-8 is read again line by line from its start (`_utf8_lines`), so that every line that is
    not UTF-8 is named: its good lines before the first bad one are pieces of their own."""
    lines = 0  # lines before the block
    offset = 0  # bytes before the block
    rest = b""
    while True:
        data = handle.read(CSV_BLOCK)
        if data:
            data = rest + data
            cut = data.rfind(b"\n") + 1
            if not cut:
                rest = data  # a line longer than a block: read on to its end
                continue
            block, rest = data[:cut], data[cut:]
        else:
            block, rest = rest, b""
            if not block:
                return
        try:
            text = (block[len(_BOM):] if not offset and block.startswith(_BOM) else block).decode("utf-8")
        except UnicodeDecodeError:
            handle.seek(offset)
            yield from _utf8_lines(handle, lines)
            return
        yield text
        lines += block.count(b"\n")
        offset += len(block)


def _utf8_lines(handle, before: int = 0) -> Iterator[str]:
    """The file's lines from the handle's position on (`before` lines precede it), decoded one
    by one so that every line that is not UTF-8 can be named: Excel's plain "CSV
    (semikolonavgränsad)" writes Windows-1252, where å, ä, ö are single invalid bytes. After the
    first such line nothing more is yielded; the rest of the file is scanned for the others and
    all of them are the answer."""
    bad: list[Problem] = []
    for number, line in enumerate(handle, start=before + 1):
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM):]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad.append(Problem(
                f"rad {number}",
                f"raden är inte UTF-8 (byte 0x{line[exc.start]:02X}); spara filen som "
                "'CSV UTF-8 (kommaavgränsad)' i Excel",
            ))
            if len(bad) >= MAX_PROBLEMS:
                break
            continue
        if bad:
            continue
        yield text
    if bad:
        raise _Refused(bad)


class _UnsizedWorksheet(ReadOnlyWorksheet):
    """openpyxl's read-only sheet, without reading its size on opening. Without a <dimension>
    element (a hostile file leaves it out) openpyxl parses the whole sheet for it before the
    first row can be read, and the importer ignores the dimensions anyway: generators write
    wrong ones."""

    def _get_size(self) -> None:
        pass


class _StreamingReader(ExcelReader):
    """openpyxl's workbook reader in read-only mode with `_UnsizedWorksheet` sheets."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _UnsizedWorksheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


@contextmanager
def _read_xlsx(path: Path, limits: Limits, problems: _Problems) -> Iterator[_Sheet | None]:
    # openpyxl is given the open file, not the name: with a name it refuses any suffix but
    # .xlsx/.xlsm, and an uploaded file may sit under a temporary name.
    with path.open("rb") as handle:
        head = handle.read(8)
        handle.seek(0)
        if not head:
            problems.add("", "filen är tom")
            yield None
            return
        # The zip directory states every part's unzipped size, and zipfile never returns more
        # than that, so the sum bounds what parsing can read: check it before parsing anything.
        try:
            with zipfile.ZipFile(handle) as archive:
                unzipped = sum(info.file_size for info in archive.infolist())
        except _DAMAGED:
            unzipped = None
        if unzipped is not None and unzipped > limits.max_unzipped_bytes:
            raise _OverLimit(Problem("", (
                f"arbetsboken packas upp till {_bytes(unzipped)}, mer än {_bytes(limits.max_unzipped_bytes)} "
                f"(gränsen {LIMIT_UNZIPPED})"
            )))
        handle.seek(0)
        workbook = None
        if unzipped is not None:
            try:
                reader = _StreamingReader(handle, read_only=True, data_only=True)
                reader.read()
                workbook = reader.wb
            except _DAMAGED:
                pass
        if workbook is None:
            problems.add("", _not_a_workbook(path, head))
            yield None
            return
        try:
            yield _sheet_from_workbook(workbook, limits, problems)
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


def _sheet_rows(worksheet) -> Iterator[tuple[int, list[object]]]:
    """Every row of the sheet in order, blank ones included, with text cells stripped."""
    # Read-only mode fills a gap between stored rows with empty rows one by one; no workbook
    # Excel writes has rows past its last one.
    values = worksheet.iter_rows(min_row=1, max_row=EXCEL_MAX_ROWS, min_col=1, values_only=True)
    for number in range(1, EXCEL_MAX_ROWS + 1):
        try:
            cells = next(values)
        except StopIteration:
            return
        except _DAMAGED:
            # Read-only mode parses the sheet while iterating, so damage surfaces here.
            raise _Refused([Problem("", "arbetsboken är skadad och kan inte läsas; spara om den i Excel")]) from None
        yield number, [value.strip() if isinstance(value, str) else value for value in cells]


def _sheet_from_workbook(workbook, limits: Limits, problems: _Problems) -> _Sheet | None:
    worksheets = workbook.worksheets
    if not worksheets:
        problems.add("", "arbetsboken har inga blad")
        return None
    # A sheet named "data" wins, so a workbook may carry notes or a cover sheet first.
    worksheet = next((ws for ws in worksheets if ws.title.strip().lower() == "data"), worksheets[0])
    title = worksheet.title

    def row_ref(row: int) -> str:
        return f"blad '{title}', rad {row}"

    def cell_ref(row: int, col: int) -> str:
        return f"blad '{title}', cell {get_column_letter(col + 1)}{row}"

    stream = _sheet_rows(worksheet)
    # The header is the first row that is not blank.
    for header_row, cells in stream:
        if header_row > limits.max_rows + 1:
            raise _too_many_rows(row_ref(header_row), limits.max_rows, "bladet")
        filled = [col for col, value in enumerate(cells) if not _is_blank(value)]
        if filled:
            header = cells[: filled[-1] + 1]
            break
    else:
        problems.add(f"blad '{title}'", "bladet är tomt")
        return None
    width = len(header)
    if width > limits.max_columns:
        raise _too_many_columns(row_ref(header_row), width, limits.max_columns)

    def rows() -> Iterator[tuple[int, list[object]]]:
        for number, cells in stream:
            if number - header_row > limits.max_rows:
                raise _too_many_rows(row_ref(number), limits.max_rows, "bladet")
            if all(_is_blank(value) for value in cells):
                continue
            for col in range(width, len(cells)):
                if not _is_blank(cells[col]):
                    problems.add(cell_ref(number, col), "värdet står i en kolumn utan rubrik")
            yield number, cells[:width] + [None] * (width - len(cells))

    return _Sheet(
        header=list(header),
        header_row=header_row,
        rows=rows(),
        cell_ref=cell_ref,
        row_ref=row_ref,
        decimal_comma=True,  # a text cell "55,3" typed in a Swedish Excel
    )


# --------------------------------------------------------------------------------------------
# Interpretation


class _DataRows:
    """The sheet's data rows as `_interpret` reads them: counted (`seen`), and a value under a
    column without a header reported once per column."""

    def __init__(self, sheet: _Sheet, problems: _Problems) -> None:
        self.problems = problems
        self.sheet = sheet
        self.seen = 0
        self.unnamed = [col for col, raw in enumerate(sheet.header) if _is_blank(raw)]

    def __call__(self, rows: Iterator[tuple[int, list[object]]]) -> Iterator[tuple[int, list[object]]]:
        sheet, unnamed = self.sheet, self.unnamed
        for number, cells in rows:
            self.seen += 1
            for col in unnamed:
                if not _is_blank(cells[col]):
                    self.problems.add(sheet.cell_ref(sheet.header_row, col), "kolumnen har värden men ingen rubrik")
                    unnamed.remove(col)  # once per column
                    break
            yield number, cells


def _interpret(sheet: _Sheet, limits: Limits, problems: _Problems) -> list[ParsedRow] | ParsedColumns:
    columns = _header_columns(sheet, problems)
    if columns is None:
        return []  # the rows are never read
    data = _DataRows(sheet, problems)
    if "value" in columns:
        long = _long_columns(sheet, columns, data, problems)
        if not data.seen and not problems.items:
            problems.add(sheet.row_ref(sheet.header_row), "filen har en rubrikrad men inga datarader")
        # A figure's key is its indicator, area, year and sex; of a file of one indicator and one
        # sex (a national file) the area and year alone tell the keys apart: smaller tuples to
        # hash, or none at all when the file is in area order.
        others = [column for column in (long.indicator, long.sex) if column and column.count(column[0]) < len(column)]
        in_area_order = not others and _rising_per_area(long.area, long.period)
        if not in_area_order and len(set(zip(long.area, long.period, *others, strict=True))) < len(long):
            _check_duplicates(long.rows(), problems)
        long.keys_unique = True
        return long
    rows = _wide_rows(sheet, columns, data(sheet.rows), limits, problems)
    if not data.seen and not problems.items:
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
            continue  # values under it are reported as the rows are read
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


def _long_columns(sheet: _Sheet, columns: dict[str, int], data: _DataRows, problems: _Problems) -> ParsedColumns:
    """The long-form rows as columns.

    A CSV's regular runs of rows (`_Sheet.runs`) are checked a column at a time
    (`_LongRun.take`): each distinct code, year, sex and status once, the numbers of a column
    by one `float` each. A run is taken that way only when every one of its cells is of the
    usual shape (a code, a four-digit year in range, a known sex, a plain decimal number or a
    missing marker, no status or one that agrees with the value), which the row-by-row checks
    accept and read the same way; any other run is read row by row, as every Excel sheet is.

    Row by row, a row whose every cell is plain text of the usual shape is taken by the quick
    checks below, which accept exactly what `_long_row` accepts for such cells and read them the
    same way; any other row, and every row with a fault, goes through `_long_row`, which names
    the place of each fault."""
    indicators: list[str] = []
    areas: list[str] = []
    periods: list[int] = []
    sexes: list[str] = []
    values: list[float | None] = []
    numerators: list[float | None] = []
    denominators: list[float | None] = []
    statuses: list[str] = []
    numbers: list[int] = []
    col_indicator, col_area, col_period, col_value = (columns[name] for name in LONG_REQUIRED)
    col_sex, col_num, col_den, col_status = (columns.get(name) for name in ("sex", "numerator", "denominator", "status"))
    plain_number = _NUMBER_RE.fullmatch
    missing, sex_words, status_words = MISSING_MARKERS, _SEX_WORDS, _STATUS_WORDS
    year_min, year_max, isfinite = YEAR_MIN, YEAR_MAX, math.isfinite

    def number(raw: object) -> tuple[float | None, bool] | None:
        # (value, blank) for a plain cell; None sends the row to `_long_row`.
        if type(raw) is not str:
            return None
        text = raw.strip()
        if text in missing:
            return None, not text
        if not plain_number(text):
            return None
        result = float(text)
        return (result, False) if isfinite(result) else None

    def take_row(row_number: int, cells: list[object]) -> None:
        quick = None
        indicator, area, period = cells[col_indicator], cells[col_area], cells[col_period]
        if type(indicator) is str and type(area) is str and type(period) is str:
            indicator, area, period = indicator.strip(), area.strip(), period.strip()
            if indicator and area and len(period) == 4 and period.isascii() and period.isdigit():
                year = int(period)
                value = number(cells[col_value])
                sex = "T"
                if col_sex is not None:
                    raw = cells[col_sex]
                    text = raw.strip() if type(raw) is str else None
                    sex = None if text is None else sex_words.get(text.lower()) if text else "T"
                num = den = None
                parts_ok = True
                if col_num is not None:
                    parsed = number(cells[col_num])
                    parts_ok = parsed is not None
                    num = parsed[0] if parsed else None
                if col_den is not None and parts_ok:
                    parsed = number(cells[col_den])
                    parts_ok = parsed is not None
                    den = parsed[0] if parsed else None
                stated = None
                if col_status is not None:
                    raw = cells[col_status]
                    text = raw.strip() if type(raw) is str else None
                    stated = "?" if text is None else status_words.get(text.lower(), "?") if text else None
                if (year_min <= year <= year_max and value is not None and sex is not None and parts_ok
                        and stated != "?"):
                    figure = value[0]
                    if stated is None:
                        quick = "missing" if figure is None else "ok"
                    elif stated in ("ok", "provisional"):
                        quick = stated if figure is not None else None
                    elif figure is None and num is None and den is None:
                        quick = stated
                    if quick is not None:
                        indicators.append(indicator)
                        areas.append(area)
                        periods.append(year)
                        sexes.append(sex)
                        values.append(figure)
                        numerators.append(num)
                        denominators.append(den)
                        statuses.append(quick)
                        numbers.append(row_number)
                        return
        row = _long_row(sheet, columns, row_number, cells, problems)
        if row is not None:
            indicators.append(row.indicator)
            areas.append(row.area)
            periods.append(row.period)
            sexes.append(row.sex)
            values.append(row.value)
            numerators.append(row.numerator)
            denominators.append(row.denominator)
            statuses.append(row.status)
            numbers.append(row_number)

    if sheet.runs is None:
        for row_number, cells in data(sheet.rows):
            take_row(row_number, cells)
    else:
        long_run = _LongRun(columns, data.unnamed)
        for run in sheet.runs:
            taken = long_run.take(run.columns) if run.regular else None
            if taken is None:
                for row_number, cells in data(sheet.checked(run.start, run.records)):
                    take_row(row_number, cells)
                continue
            first, n = run.start, len(run)
            data.seen += n
            indicators += taken[0]
            areas += taken[1]
            periods += taken[2]
            sexes += taken[3]
            values += taken[4]
            if col_num is not None:
                numerators += taken[5]
            if col_den is not None:
                denominators += taken[6]
            statuses += taken[7]
            numbers += range(first, first + n)
    return ParsedColumns(
        indicator=indicators, area=areas, period=periods, sex=sexes, value=values,
        numerator=numerators if col_num is not None else None,
        denominator=denominators if col_den is not None else None,
        # None says every figure is "ok" (the import then need not look at each).
        status=None if statuses.count("ok") == len(statuses) else statuses,
        places=numbers, place=sheet.row_ref,
    )


class _LongRun:
    """The column-at-a-time checks of a long CSV's regular run of rows (`_long_columns`)."""

    def __init__(self, columns: dict[str, int], unnamed: list[int]) -> None:
        self.indicator, self.area, self.period, self.value = (columns[name] for name in LONG_REQUIRED)
        self.sex, self.numerator, self.denominator, self.status = (
            columns.get(name) for name in ("sex", "numerator", "denominator", "status"))
        self.unnamed = unnamed  # shared with _DataRows: a column reported once is no longer checked

    def take(self, cells: list) -> tuple | None:
        """The figures of a run given as its columns of cells: (indicator, area, period, sex,
        value, numerator, denominator, status), numerator or denominator None without its
        column; None when any cell is not of the usual shape (the run is then read row by row)."""
        rows = len(cells[0])
        for col in self.unnamed:
            if "".join(cells[col]).strip():
                return None
        indicators = _plain_codes(cells[self.indicator])
        areas = _plain_codes(cells[self.area]) if indicators is not None else None
        periods = _plain_years(cells[self.period]) if areas is not None else None
        if periods is None:
            return None
        if self.sex is None:
            sexes = ["T"] * rows
        else:
            sexes = _plain_words(cells[self.sex], _SEX_WORDS, blank="T")
            if sexes is None:
                return None
        values = _plain_numbers(cells[self.value])
        numerators = denominators = None
        if values is not None and self.numerator is not None:
            numerators = _plain_numbers(cells[self.numerator])
            if numerators is None:
                return None
        if values is not None and self.denominator is not None:
            denominators = _plain_numbers(cells[self.denominator])
            if denominators is None:
                return None
        if values is None:
            return None
        if self.status is None:
            statuses = ["missing" if v is None else "ok" for v in values] if None in values else ["ok"] * len(values)
        else:
            stated = _plain_words(cells[self.status], _STATUS_WORDS, blank=None)
            if stated is None:
                return None
            statuses = _agreed_statuses(stated, values, numerators, denominators)
            if statuses is None:
                return None
        return indicators, areas, periods, sexes, values, numerators, denominators, statuses


def _distinct_stripped(column: tuple[str, ...]) -> dict[str, str] | None:
    """Each distinct cell that white space surrounds, stripped; None when any is blank."""
    stripped = {}
    for text in set(column):
        bare = text.strip()
        if not bare:
            return None
        if bare is not text:
            stripped[text] = bare
    return stripped


def _plain_codes(column: tuple[str, ...]) -> list[str] | tuple[str, ...] | None:
    """A column of codes, stripped (as `_code` reads them); None when a cell is blank."""
    stripped = _distinct_stripped(column)
    if stripped is None:
        return None
    return [stripped.get(text, text) for text in column] if stripped else column


def _plain_years(column: tuple[str, ...]) -> list[int] | None:
    """A column of four-digit years within YEAR_MIN–YEAR_MAX; None when any cell is another."""
    years = {}
    for text in set(column):
        bare = text.strip()
        if not (len(bare) == 4 and bare.isascii() and bare.isdigit() and YEAR_MIN <= int(bare) <= YEAR_MAX):
            return None
        years[text] = int(bare)
    return list(map(years.__getitem__, column))


def _plain_words(column: tuple[str, ...], words: dict[str, str], *, blank: str | None) -> list | None:
    """A column of sex or status words read as `_sex` and `_status` read them (a blank cell is
    `blank`); None when any cell is not a known word."""
    meaning = {}
    for text in set(column):
        bare = text.strip()
        meant = words.get(bare.lower()) if bare else blank
        if meant is None and bare:
            return None
        meaning[text] = meant
    return list(map(meaning.__getitem__, column))


def _plain_numbers(column: tuple[str, ...]) -> list[float | None] | None:
    """A column of plain decimal numbers and missing markers, as `_number` reads them; None when
    any cell is of another shape (a decimal comma, a thousands space, a number too large).

    One `float` per cell: on ASCII text without underscores, every finite number `float` reads
    is one `_NUMBER_RE` accepts (after stripping the same white space), read the same way; a
    column float refuses (a missing marker) or that is not all finite is read cell by cell. A
    column whose numbers repeat (a denominator per area, given for every year) reads each
    distinct one once."""
    text = "".join(column)
    try:
        if len(set(column[:256])) * 2 < min(len(column), 256):
            read = {cell: float(cell) for cell in set(column)}
            numbers = list(map(read.__getitem__, column))
        elif text.isascii() and text.isdigit():
            # Whole numbers (counts): `int` reads digits in half the time `float` does, and
            # the float of the int is the float of the text (both rounded correctly). A blank
            # cell is no int (ValueError), nor is a number of thousands of digits.
            numbers = list(map(float, map(int, column)))
        else:
            numbers = list(map(float, column))
    except (ValueError, OverflowError):
        numbers = None
    if numbers is not None and text.isascii() and "_" not in text and math.isfinite(sum(numbers)):
        return numbers
    numbers = []
    for raw in column:
        text = raw.strip()
        if text in MISSING_MARKERS:
            numbers.append(None)
            continue
        if not _NUMBER_RE.fullmatch(text):
            return None
        number = float(text)
        if not math.isfinite(number):
            return None
        numbers.append(number)
    return numbers


def _agreed_statuses(stated: list[str | None], values: list, numerators: list | None,
                     denominators: list | None) -> list[str] | None:
    """Each row's status from its status cell and value, as `_reconcile_status` decides it; None
    when any row's status and value disagree (the run is then read row by row, which names it)."""
    nothing = repeat(None)
    statuses = []
    for said, value, num, den in zip(stated, values, numerators if numerators is not None else nothing,
                                     denominators if denominators is not None else nothing, strict=False):
        if said is None:
            statuses.append("missing" if value is None else "ok")
        elif said in ("ok", "provisional"):
            if value is None:
                return None
            statuses.append(said)
        elif value is None and num is None and den is None:
            statuses.append(said)
        else:
            return None
    return statuses


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


def _wide_rows(
    sheet: _Sheet,
    columns: dict[str, int],
    data: Iterator[tuple[int, list[object]]],
    limits: Limits,
    problems: _Problems,
) -> list[ParsedRow]:
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
    for number, cells in data:
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
            if len(rows) > limits.max_rows:
                # A wide row gives a figure per filled cell, so the rows alone do not bound them.
                raise _OverLimit(too_many_figures(place, limits.max_rows))
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


def _rising_per_area(areas: list[str], periods: list[int]) -> bool:
    """Whether every area's rows come together and its years rise from row to row (a file in
    area order, as SCB and the municipalities write them): then no area and year repeat. A
    comparison of neighbours, in C, instead of a tuple per row in a set (half the time)."""
    if len(areas) < 2:
        return True
    same = list(map(eq, areas[1:], areas))  # row i + 1 is of the same area as row i
    return (len(areas) - same.count(True) == len(set(areas))
            and all(compress(map(gt, periods[1:], periods), same)))


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
