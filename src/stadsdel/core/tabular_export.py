"""The one writer of every CSV and Excel file the product hands out (pages, API, portal,
reports, command line).

Why: a spreadsheet treats a cell whose text starts with `=`, `+`, `-` or `@` (and, in some
programs, a tab or carriage return before one of those) as a formula, so a goal text or a name
typed by a user could run a formula, fetch a URL or start a program on the reader's machine
(CSV or formula injection). OWASP's advice is followed:

- CSV has no types, so such text gets a leading `'`, which spreadsheets read as "this is text".
- XLSX has types: every text cell is written as a string (data type `s`), never a formula; text
  that starts with one of those characters also gets Excel's quote prefix, so it stays text when
  someone edits the cell. The stored text is the user's own, without an added `'`.

Numbers stay numbers (a negative number is a figure, not text) and so do dates and empty cells.
Lazy translations become plain text here too: openpyxl cannot store them."""

from __future__ import annotations

import csv
import datetime as dt
import numbers
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

# The characters a spreadsheet may read as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_plain_value(value: Any) -> bool:
    """A number, a date or nothing: written as it is, never as text."""
    return value is None or isinstance(value, (numbers.Number, dt.date, dt.time))


def is_dangerous(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutralise(value: Any) -> Any:
    """One cell as it may go into a CSV file: numbers, dates and None unchanged; anything else
    as text (lazy translations included), with a leading `'` when it would start a formula."""
    if _is_plain_value(value):
        return value
    text = str(value)
    return "'" + text if is_dangerous(text) else text


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        # float() first: numpy's floats are floats too, but their repr() names the type. repr()
        # keeps every digit, so a file read back gives the very same figure.
        return repr(float(value))
    return neutralise(value)


class CsvWriter:
    """`csv.writer` whose rows go through `neutralise`: None is an empty cell, floats keep every
    digit (repr), text that would start a formula gets a leading `'`."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)
        # Python's csv quotes a line break only when it is part of the line terminator: with "\n"
        # a bare "\r" in a text is written unquoted, so a reader starts a new row there, and text
        # after it ("x\r=1+1") would begin a cell unneutralised. Such a row is quoted in full.
        terminator = kwargs.get("lineterminator", "\r\n")
        self._quote_all = (None if "\r" in terminator and "\n" in terminator
                           else csv.writer(out, **{**kwargs, "quoting": csv.QUOTE_ALL}))

    def writerow(self, row: Iterable[Any]):
        cells = [_csv_cell(v) for v in row]
        if self._quote_all is not None and any(isinstance(c, str) and ("\r" in c or "\n" in c) for c in cells):
            return self._quote_all.writerow(cells)
        return self._writer.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out, **kwargs) -> CsvWriter:
    return CsvWriter(out, **kwargs)


def xlsx_cell(ws: Worksheet, value: Any) -> Any:
    """A value for `ws.append`: numbers, dates and None as they are; anything else a string
    cell (never a formula), with Excel's quote prefix when the text would start a formula."""
    if _is_plain_value(value):
        return value
    text = str(value)
    cell = Cell(ws, value=text)
    # openpyxl makes any text starting with "=" a formula; a string it must stay.
    cell.data_type = "s"
    if is_dangerous(text):
        cell.quotePrefix = True
    return cell


def xlsx_append(ws: Worksheet, row: Iterable[Any]) -> None:
    """Append one row to the sheet, every text cell a string."""
    ws.append([xlsx_cell(ws, v) for v in row])
