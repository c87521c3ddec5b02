"""Fuzzing every importer and parser with garbage: the answer is the parser's own error, naming
the file (and the row or field), or a normal result that keeps the parser's promises — never any
other exception, never a hang, and, for the importers that write, never a partial write.

Hypothesis runs derandomized (the same examples on every run, so CI is reproducible) with no
example database; the inputs that once crashed a parser are pinned as `@example`s so they are
tried on every run whatever the generator draws.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import tempfile
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from stadsdel.areas.models import AreaBoundary, StatisticalArea
from stadsdel.areas.services import boundaries_load
from stadsdel.indicators.importers.base import SEXES, STATUSES, ImportFileError, ParsedRow
from stadsdel.indicators.importers.kolada import parse_kolada
from stadsdel.indicators.importers.pxweb import parse_pxweb
from stadsdel.indicators.importers.tabular import COLUMNS, parse_csv, parse_xlsx
from stadsdel.indicators.models import ImportBatch, Observation
from stadsdel.indicators.services.imports import observations_import
from stadsdel.indices.files import data_file_read, model_file_read
from stadsdel.lib.geojson import BoundaryFeature, GeoJSONError, boundaries_read
from stadsdel.lib.index import IndexInputError, ModelSpec, Panel, model_parse, panel_from_frame
from stadsdel.lib.sams import SamsNotationError, expand_sams
from stadsdel.plans.compute import (
    GoalInput,
    HistoryRow,
    SmartInputError,
    goal_from_json,
    history_from_csv,
)

FILES = Path(__file__).resolve().parents[1] / "indicators" / "files"


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.function_scoped_fixture, HealthCheck.large_base_example],
    )


@pytest.fixture(scope="module")
def workdir():
    # Module-scoped, not tmp_path: hypothesis runs many examples in one call of the test.
    with tempfile.TemporaryDirectory(prefix="stadsdel-fuzz-") as name:
        yield Path(name)


def refused_or_returned(call, error: type[Exception], *, file: str | None = None):
    """Run a parser. Its own error must say something and, when it reads a file, name it; every
    other exception propagates and fails the test (hypothesis then shrinks the input)."""
    try:
        result = call()
    except error as exc:
        event(f"refused: {type(exc).__name__}")
        text = str(exc)
        assert text.strip(), f"{error.__name__} with an empty message"
        if file is not None:
            assert file in text, f"the message does not name {file}: {text[:300]}"
        return exc
    event("returned normally")  # --hypothesis-show-statistics shows how much garbage got through
    return result


# -- shared strategies -------------------------------------------------------------------------

JUNK_TEXT = st.text(max_size=12)
HUGE_INTEGERS = st.integers(min_value=10**308, max_value=10**400) | st.integers(max_value=-(10**308), min_value=-(10**400))
JSON_LEAVES = (
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | HUGE_INTEGERS
    | st.floats()  # NaN and ±Infinity too: Python's json writes and reads them
    | JUNK_TEXT | st.sampled_from(["", "..", "x", "2012", "2012M01", "0180", "T", "K", "1+2", "Tid", "Region", "sekretess"])
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


def _replace_at(doc, path, new):
    if not path:
        return new
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return doc


def _delete_at(doc, path):
    if not path:
        return None
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    return doc


@st.composite
def mutated(draw, original):
    """A valid document with one to four faults: a key or item removed, a value replaced by any
    JSON, wrapped in a list, emptied, turned into a string, a number bumped, a list item doubled."""
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(list(_paths(doc))))
        node = doc
        for step in path:
            node = node[step]
        operation = draw(st.sampled_from(["delete", "replace", "wrap", "empty", "string", "bump", "double"]))
        if operation == "delete":
            doc = _delete_at(doc, path)
        elif operation == "replace":
            doc = _replace_at(doc, path, draw(JSON_VALUES))
        elif operation == "wrap":
            doc = _replace_at(doc, path, [node])
        elif operation == "empty":
            doc = _replace_at(doc, path, type(node)() if isinstance(node, dict | list | str) else None)
        elif operation == "string":
            doc = _replace_at(doc, path, json.dumps(node) if not isinstance(node, str) else node + draw(JUNK_TEXT))
        elif operation == "bump" and isinstance(node, int | float) and not isinstance(node, bool):
            doc = _replace_at(doc, path, draw(st.sampled_from([node + 1, -node, node * 1000, 0, 2**63])))
        elif operation == "double" and isinstance(node, list) and node:
            node.append(copy.deepcopy(node[draw(st.integers(0, len(node) - 1))]))
    return doc


@st.composite
def json_bytes(draw, original):
    """A mutated document as a file's bytes, sometimes also damaged below the JSON: cut short,
    with a byte-order mark, in Latin-1, with stray bytes, or nothing like JSON at all."""
    text = json.dumps(draw(mutated(original)), ensure_ascii=draw(st.booleans()))
    damage = draw(st.sampled_from(["none"] * 6 + ["cut", "bom", "latin1", "bytes", "random"]))
    raw = text.encode()
    if damage == "cut":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif damage == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif damage == "latin1":
        raw = text.encode("latin-1", errors="replace") + "ö".encode("latin-1")
    elif damage == "bytes":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif damage == "random":
        raw = draw(st.binary(max_size=64))
    return raw


# Inputs every JSON reader must refuse clearly: an integer beyond Python's 4300-digit limit for
# int() (json raises ValueError, not JSONDecodeError) and nesting deeper than the recursion limit.
HOSTILE_JSON = [b'{"value": ' + b"7" * 5000 + b"}", b"[" * 100_000 + b"]" * 100_000]


def _write(workdir: Path, name: str, raw: bytes) -> Path:
    path = workdir / name
    path.write_bytes(raw)
    return path


def assert_rows_keep_promises(rows: list[ParsedRow]) -> None:
    """What the import service relies on in a parser's rows."""
    for row in rows:
        assert isinstance(row, ParsedRow)
        assert isinstance(row.indicator, str) and isinstance(row.area, str)
        assert isinstance(row.period, int) and 1990 <= row.period <= 2100
        assert row.sex in SEXES and row.status in STATUSES and row.location
        for number in (row.value, row.numerator, row.denominator):
            assert number is None or (isinstance(number, float) and math.isfinite(number)), row


# -- SAMS notation -----------------------------------------------------------------------------

# Garbage in the notation's own alphabet and beyond. A range end has at most 4 digits and the text
# alphabet string at most 12 characters, so no example can ask for tens of millions of codes.
SAMS_FRAGMENT = st.text(alphabet="0123456789", max_size=10) | st.text(alphabet="0123456789 \t–—-²٣x.", max_size=6)
SAMS_ITEM = st.tuples(SAMS_FRAGMENT, st.none() | st.text(alphabet="0123456789 ", max_size=4)).map(
    lambda pair: pair[0] if pair[1] is None else f"{pair[0]}-{pair[1]}"
)
REAL_NOTATIONS = ["12800109-10,234-35,44,46-55,58-60", "01270001-2,4-5", "01260032-3", "01800148, 151 ,154"]


@st.composite
def near_real_notation(draw):
    """A real notation with a few characters inserted, deleted or replaced."""
    text = draw(st.sampled_from(REAL_NOTATIONS))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        char = draw(st.sampled_from("0123456789,- –x"))
        text = draw(st.sampled_from([text[:at] + char + text[at:], text[:at] + text[at + 1:],
                                     text[:at] + char + text[at + 1:]]))
    return text


SAMS_GARBAGE = (
    near_real_notation()
    | st.lists(SAMS_ITEM, min_size=1, max_size=6).map(",".join)
    | st.text(alphabet="0123456789,- ", max_size=12)
    | st.text(max_size=20)
)


@fuzz(400)
@given(SAMS_GARBAGE)
@example("01270001-2,,4")
@example("01270001-2-3")
@example("0127000\u0661")  # an Arabic-Indic digit, which int() would read as 1
@example("01270001–2")  # an en dash copied from a PDF
def test_sams_garbage_is_refused_naming_the_fragment_or_expands_ascending(notation):
    result = refused_or_returned(lambda: expand_sams(notation), SamsNotationError)
    if isinstance(result, SamsNotationError):
        assert result.notation == notation and f"'{result.fragment}'" in str(result)
        assert result.fragment in notation
    else:
        assert result and all(len(code) == 8 and code.isascii() and code.isdigit() for code in result)
        assert result == sorted(set(result))


# -- CSV ---------------------------------------------------------------------------------------

HEADERS = st.sampled_from([*COLUMNS, "område", "år", "värde", "kön", "Indicator ", "2011", "2012", "2012M01",
                           "employment_rate_20_64", "", "x", "värde;x", '"'])
CELLS = st.one_of(
    st.sampled_from(["", " ", "..", ".", "-", "–", "01270001", "0127", "SE", "employment_rate_20_64", "2011",
                     "2012", "1990", "2101", "T", "K", "M", "kvinnor", "1+2", "ok", "sekretess", "preliminär",
                     "55,3", "55.3", "1 120", "1\u00a0120", "−3", "1e999", "-1e999", "nan", "inf", "0x10",
                     "1,2,3", "1.2,3", "#N/A", '"', '""', "a;b", "a,b", "a\tb", "rad\nbrytning", "\x00", "\ufeff"]),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=10),
    st.text(alphabet="0123456789", min_size=300, max_size=400),  # far more digits than any float holds
)


# What a column of a well-formed file holds; `_cell` slips in any junk now and then.
GOOD_CELLS = {
    "indicator": st.sampled_from(["employment_rate_20_64", "social_assistance_share"]),
    "area": st.sampled_from(["01270001", "01270002", "0127", "0180", "SE", "01", "0127C1010"]),
    "period": st.integers(1990, 2100).map(str),
    "sex": st.sampled_from(["T", "K", "M", "", "totalt", "kvinnor", "män", "1+2", "2", "1"]),
    "value": st.sampled_from(["", "..", "-"]) | st.floats(0, 1e6, allow_nan=False).map(lambda x: f"{x:.2f}"),
    "numerator": st.sampled_from(["", "1 120"]) | st.integers(0, 10**6).map(str),
    "denominator": st.sampled_from(["", "5 000"]) | st.integers(1, 10**6).map(str),
    "status": st.sampled_from(["", "ok", "provisional", "preliminär", "suppressed", "sekretess", "missing", "saknas"]),
    "year": st.floats(0, 1e6, allow_nan=False).map(lambda x: f"{x:.1f}") | st.sampled_from(["", ".."]),
}


@st.composite
def _cell(draw, column: str):
    if draw(st.integers(0, 29)) == 0:
        return draw(CELLS)
    text = draw(GOOD_CELLS.get(column, GOOD_CELLS["year"]))
    return text.replace(".", ",") if column in ("value", "year") and draw(st.integers(0, 5)) == 0 else text


@st.composite
def _table(draw):
    """A header and rows: mostly a well-formed long or wide table with a little junk, sometimes
    junk throughout."""
    form = draw(st.sampled_from(["long", "long", "wide years", "wide indicators", "chaos"]))
    if form == "chaos":
        header = draw(st.lists(HEADERS, min_size=1, max_size=9))
        rows = draw(st.lists(st.lists(CELLS, min_size=max(0, len(header) - 1), max_size=len(header) + 1), max_size=8))
        return header, rows
    if form == "long":
        header = ["indicator", "area", "period", "value"]
        header += draw(st.lists(st.sampled_from(["sex", "numerator", "denominator", "status"]), unique=True))
    elif form == "wide years":
        header = ["indicator", "area", *draw(st.lists(st.sampled_from(["sex"]), max_size=1)),
                  *draw(st.lists(st.integers(1988, 2102).map(str), min_size=1, max_size=4, unique=True))]
    else:
        header = ["area", "period", *draw(st.lists(GOOD_CELLS["indicator"], min_size=1, max_size=2, unique=True))]
    header = draw(st.permutations(header))
    if draw(st.integers(0, 4)) == 0:  # a junk or repeated column, or a Swedish header
        at = draw(st.integers(0, len(header)))
        header = [*header[:at], draw(HEADERS), *header[at:]]
    columns = [c if c in GOOD_CELLS else "year" for c in header]
    rows = draw(st.lists(st.tuples(*[_cell(c) for c in columns]).map(list), max_size=8))
    if rows and draw(st.integers(0, 5)) == 0:  # a row one cell short or long
        rows[-1] = rows[-1][:-1] if draw(st.booleans()) else [*rows[-1], draw(CELLS)]
    return header, rows


@st.composite
def csv_bytes(draw):
    header, rows = draw(_table())
    delimiter = draw(st.sampled_from([",", ";", ";", "\t"]))
    if draw(st.booleans()):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
        writer.writerows([header, *rows])
        text = out.getvalue()
    else:  # joined raw, so quotes and delimiters inside cells are left unbalanced
        text = "\n".join(delimiter.join(line) for line in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8"] * 8 + ["utf-8-sig", "cp1252", "utf-16"]))
    raw = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:
        raw += draw(st.binary(max_size=16))
    return raw


LONG_CELL_CSV = ("indicator,area,period,value\nemployment_rate_20_64,01270001,2012," + "1" * 200_000 + "\n").encode()


@fuzz(250)
@given(csv_bytes() | st.binary(max_size=200))
@example(LONG_CELL_CSV)  # longer than the csv module's field limit
@example(b"indicator,area,period,value\nemployment_rate_20_64,01270001,2012,1e999\n")  # overflows to inf
@example(b"indicator;area;period;value\nemployment_rate_20_64;01270001;2012;1e400\n")
@example(b"\xef\xbb\xbf")
@example(b'indicator,area,period,value\nx,y,2012,"1\n')
def test_csv_garbage_is_refused_naming_the_file_or_parses_to_sound_rows(workdir, raw):
    path = _write(workdir, "fuzz.csv", raw)
    result = refused_or_returned(lambda: parse_csv(path), ImportFileError, file="fuzz.csv")
    if isinstance(result, ImportFileError):
        assert result.file == "fuzz.csv" and result.problems
        assert all(problem.message for problem in result.problems)
    else:
        assert_rows_keep_promises(result)


# -- Excel -------------------------------------------------------------------------------------

EXCEL_CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**15), 10**15), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([2011, 2012.0, 2012.5, 1e308, "2012", "01270001", "0127", "..", "55,3", "#DIV/0!", "K", "sekretess",
                     "employment_rate_20_64", "-", "x"]),
    st.text(max_size=10).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.times().map(lambda t: t.replace(microsecond=0)),
)


@st.composite
def workbook_bytes(draw):
    """A small real workbook: one to three sheets, a header row from the real column names and
    junk, data rows of every cell type Excel stores, some cells far outside the header."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number in range(draw(st.integers(1, 3))):
        title = draw(st.sampled_from(["Blad1", "data", "Data ", "Läs mig", f"s{number}"]))
        if title in workbook.sheetnames:
            title = f"s{number}"
        sheet = workbook.create_sheet(title)
        start = draw(st.integers(1, 3))  # a header that is not on row 1
        header = draw(st.lists(HEADERS | EXCEL_CELLS, min_size=1, max_size=7))
        for col, value in enumerate(header, start=1):
            sheet.cell(row=start, column=col, value=value)
        for r, cells in enumerate(draw(st.lists(st.lists(EXCEL_CELLS, max_size=len(header) + 1), max_size=6)), start=start + 1):
            for col, value in enumerate(cells, start=1):
                sheet.cell(row=r, column=col, value=value)
        if draw(st.integers(0, 5)) == 0:
            sheet.cell(row=draw(st.integers(1, 60)), column=draw(st.integers(1, 40)), value=draw(EXCEL_CELLS))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@st.composite
def damaged_workbook_bytes(draw):
    """A real workbook with bytes overwritten (the zip's deflate streams break), cut short, or
    one of its parts replaced by junk."""
    raw = bytearray((FILES / "long.xlsx").read_bytes())
    kind = draw(st.sampled_from(["flip", "cut", "part"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 6))):
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
        return bytes(raw)
    if kind == "cut":
        return bytes(raw[: draw(st.integers(0, len(raw)))])
    member = draw(st.sampled_from(["xl/worksheets/sheet2.xml", "xl/workbook.xml", "xl/styles.xml",
                                   "xl/sharedStrings.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"]))
    junk = draw(st.sampled_from([b"", b"<x", b"\xff\xfe\x00", b"<?xml version='1.0'?><a/>"]) | st.binary(max_size=40))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, junk if info.filename == member else source.read(info.filename))
    return out.getvalue()


def _sheet_xml(rows: str) -> bytes:
    return ("<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
            f"{rows}</sheetData></worksheet>").encode()


def _with_data_sheet(xml: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(FILES / "long.xlsx") as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, xml if info.filename == "xl/worksheets/sheet2.xml" else source.read(info.filename))
    return out.getvalue()


# A few-kilobyte workbook whose only data row claims to be row 100 000 000: a reader that fills
# the rows in between one by one takes over half a minute (and 12 minutes at row 2 000 000 000).
FAR_ROW_XLSX = _with_data_sheet(_sheet_xml(
    "<row r='1'><c r='A1' t='inlineStr'><is><t>indicator</t></is></c></row>"
    "<row r='100000000'><c r='A100000000' t='inlineStr'><is><t>x</t></is></c></row>"
))


@fuzz(60)
@given(workbook_bytes() | damaged_workbook_bytes() | st.binary(max_size=300))
@example(b"PK\x03\x04" + b"\x00" * 60)
@example(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60)  # the old binary .xls
@example(LONG_CELL_CSV)  # a CSV saved as .xlsx
@example(FAR_ROW_XLSX)
def test_excel_garbage_is_refused_naming_the_file_or_parses_to_sound_rows(workdir, raw):
    path = _write(workdir, "fuzz.xlsx", raw)
    started = time.monotonic()
    result = refused_or_returned(lambda: parse_xlsx(path), ImportFileError, file="fuzz.xlsx")
    assert time.monotonic() - started < 10, "a small workbook took more than 10 s"
    if isinstance(result, ImportFileError):
        assert result.file == "fuzz.xlsx" and result.problems
    else:
        assert_rows_keep_promises(result)


# -- json-stat2 (PxWeb) and Kolada ---------------------------------------------------------------

PXWEB_V2 = json.loads((FILES / "pxweb_v2_sparse.json").read_text(encoding="utf-8"))
PXWEB_V1 = json.loads((FILES / "pxweb_v1_deso.json").read_text(encoding="utf-8"))


@fuzz(300)
@given(json_bytes(PXWEB_V2) | json_bytes(PXWEB_V1), st.sampled_from([None, "000007AN", "nej"]))
@example(HOSTILE_JSON[0], None)
@example(HOSTILE_JSON[1], None)
@example(json.dumps({**PXWEB_V1, "value": [10**400] * 27}).encode(), None)  # beyond a float
@example(json.dumps({**PXWEB_V2, "value": {"7" * 5000: 1}}).encode(), "000007AN")  # a cell number beyond int()
@example(json.dumps({**PXWEB_V2, "value": {"0" * 5000 + "1": 1}}).encode(), "000007AN")
@example(json.dumps({**PXWEB_V2, "role": {"time": [["Tid"]], "geo": [{"x": 1}]}}).encode(), "000007AN")
@example(json.dumps(_replace_at(copy.deepcopy(PXWEB_V1), ("dimension", "Tid", "category", "index"),
                                {"2010": 0, "2011": None, "2012": "2"})).encode(), None)
def test_pxweb_garbage_is_refused_naming_the_file_or_parses_to_sound_rows(workdir, raw, content):
    path = _write(workdir, "fuzz-pxweb.json", raw)
    result = refused_or_returned(
        lambda: parse_pxweb(path, indicator="employment_rate_20_64", content=content), ImportFileError,
        file="fuzz-pxweb.json",
    )
    if isinstance(result, ImportFileError):
        assert result.problems and all(problem.message for problem in result.problems)
    else:
        assert_rows_keep_promises(result)


KOLADA = [json.loads((FILES / name).read_text(encoding="utf-8")) for name in ("kolada_v2.json", "kolada_v3.json")]


@fuzz(250)
@given(json_bytes(KOLADA[0]) | json_bytes(KOLADA[1]) | json_bytes(KOLADA[1]["values"][0]))
@example(HOSTILE_JSON[0])
@example(HOSTILE_JSON[1])
@example(json.dumps({"values": [{"kpi": "N1", "municipality": "0180", "period": 2012,
                                 "values": [{"gender": "T", "value": 10**400}]}]}).encode())
def test_kolada_garbage_is_refused_naming_the_file_or_parses_to_sound_rows(workdir, raw):
    path = _write(workdir, "fuzz-kolada.json", raw)
    result = refused_or_returned(lambda: parse_kolada(path), ImportFileError, file="fuzz-kolada.json")
    if isinstance(result, ImportFileError):
        assert result.problems and all(problem.message for problem in result.problems)
    else:
        assert_rows_keep_promises(result)
        assert all(row.indicator_is_kolada and row.indicator for row in result)


# -- GeoJSON boundaries ----------------------------------------------------------------------------

def _square(lon: float, lat: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01],
                                                [lon, lat + 0.01], [lon, lat]]]}


BOUNDARIES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"deso": "0180C1090", "name": "Rinkeby"}, "geometry": _square(17.9, 59.3)},
    {"type": "Feature", "properties": {"deso": "0180C1100"},
     "geometry": {"type": "MultiPolygon", "coordinates": [_square(17.95, 59.3)["coordinates"],
                                                          _square(17.97, 59.3)["coordinates"]]}},
]}


@fuzz(300)
@given(json_bytes(BOUNDARIES))
@example(HOSTILE_JSON[0])
@example(HOSTILE_JSON[1])
@example(json.dumps(_replace_at(copy.deepcopy(BOUNDARIES), ("features", 0, "geometry", "coordinates", 0, 1, 0),
                                10**400)).encode())
def test_geojson_garbage_is_refused_naming_the_file_and_feature_or_parses(workdir, raw):
    path = _write(workdir, "fuzz.geojson", raw)
    result = refused_or_returned(lambda: boundaries_read(path, code_field="deso"), GeoJSONError, file="fuzz.geojson")
    if isinstance(result, GeoJSONError):
        # Every fault is a whole message starting with the file name.
        assert result.faults and all(fault.startswith("fuzz.geojson: ") for fault in result.faults)
    else:
        assert result and all(isinstance(f, BoundaryFeature) and f.code.strip() == f.code and f.code for f in result)
        for feature in result:
            polygons = [feature.geometry["coordinates"]] if feature.geometry["type"] == "Polygon" \
                else feature.geometry["coordinates"]
            positions = [p for polygon in polygons for ring in polygon for p in ring]
            assert positions and all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in positions)


# -- the index: MODEL.json and DATA.csv --------------------------------------------------------------

MODEL = {"name": "Testmodell", "base_year": 2006, "domains": [
    {"name": "Arbete", "weight": 2, "indicators": [{"code": "x", "weight": 1, "orientation": "risk"},
                                                   {"code": "y", "weight": 1.5, "orientation": "protective"}]},
    {"name": "Trygghet", "weight": 1, "indicators": [{"code": "z", "weight": 1}]},
]}


def _model_is_sound(spec: ModelSpec) -> None:
    assert isinstance(spec, ModelSpec) and spec.name and spec.domains
    weights = [d.weight for d in spec.domains] + [i.weight for d in spec.domains for i in d.indicators]
    assert all(isinstance(w, float) and math.isfinite(w) and w > 0 for w in weights)


@fuzz(300)
@given(mutated(MODEL))
@example({**MODEL, "domains": [{**MODEL["domains"][0], "weight": 10**400}]})
def test_index_model_garbage_is_refused_naming_the_field(doc):
    result = refused_or_returned(lambda: model_parse(doc, source="MODEL.json"), IndexInputError, file="MODEL.json")
    if isinstance(result, IndexInputError):
        assert str(result).startswith("MODEL.json")
    else:
        _model_is_sound(result)


@fuzz(100)
@given(json_bytes(MODEL))
@example(HOSTILE_JSON[0])
@example(HOSTILE_JSON[1])
def test_index_model_file_garbage_is_refused_naming_the_file(workdir, raw):
    path = _write(workdir, "fuzz-model.json", raw)
    result = refused_or_returned(lambda: model_file_read(path), IndexInputError, file="fuzz-model.json")
    if not isinstance(result, IndexInputError):
        _model_is_sound(result)


DATA_CELLS = st.none() | st.sampled_from(
    ["", " ", "A", "B", "x", "y", "2006", "2012", " 2012 ", "2012.0", "2012.5", "-5", "inf", "-inf", "nan", "1e30",
     "1e400", "9" * 40, "\u0662\u0660\u0661\u0662", "0", "-1", "10", "100", "1,5", "0x10", "1_000", "True"]
) | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=6)


GOOD_DATA = {
    "area": st.sampled_from(["A", "B", "C", "0127"]),
    "year": st.sampled_from(["2006", "2012", " 2012 ", "2012.0"]),
    "indicator": st.sampled_from(["x", "y", "z"]),
    "numerator": st.integers(0, 100).map(str),
    "denominator": st.integers(100, 200).map(str),
}


@st.composite
def data_frames(draw):
    """A long table as the CSV reader gives it (text, NaN for a blank), mostly well-formed with
    a little junk; sometimes a column is missing, extra or numeric as from the database."""
    columns = [c for c in GOOD_DATA if draw(st.integers(0, 19))]
    columns += draw(st.lists(st.sampled_from(["junk", "group", "Area"]), max_size=1, unique=True))
    n = draw(st.integers(0, 6))
    data = {}
    for column in columns:
        if draw(st.integers(0, 5)) == 0:  # a numeric column, as a frame from the database has
            data[column] = draw(st.lists(st.integers(0, 3000) | st.floats(), min_size=n, max_size=n))
            continue
        good = GOOD_DATA.get(column, GOOD_DATA["area"])
        cells = draw(st.lists(st.integers(0, 19).flatmap(lambda k, good=good: DATA_CELLS if k == 0 else good),
                              min_size=n, max_size=n))
        data[column] = pd.Series(cells, dtype=object)
    return pd.DataFrame(data, index=draw(st.sampled_from([None, list(range(10, 10 + n))])) if n else None)


@st.composite
def data_csv_bytes(draw):
    frame = draw(data_frames())
    sep = draw(st.sampled_from([",", ";"]))
    return frame.to_csv(index=False, sep=sep).encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252"])),
                                                     errors="replace")


def _year_frame(year: str) -> pd.DataFrame:
    return pd.DataFrame({"area": ["A"], "year": [year], "indicator": ["x"], "numerator": ["1"], "denominator": ["2"]})


def _panel_is_sound(panel: Panel) -> None:
    assert isinstance(panel, Panel) and panel.years and panel.areas and panel.codes
    assert all(isinstance(y, int) and abs(y) <= 9999 for y in panel.years)
    assert panel.numerator.shape == panel.denominator.shape == (len(panel.years), len(panel.areas), len(panel.codes))
    given_ = ~pd.isna(panel.denominator)
    assert (panel.denominator[given_] > 0).all() and (panel.numerator[given_] >= 0).all()


@fuzz(300)
@given(data_frames())
@example(_year_frame("inf"))  # a year that is not finite
@example(_year_frame("1e30"))  # a year beyond any integer type
@example(_year_frame("0" * 5000 + "2012"))
def test_index_data_garbage_is_refused_naming_the_row(frame):
    result = refused_or_returned(
        lambda: panel_from_frame(frame, source="DATA.csv", protective={"y"}), IndexInputError, file="DATA.csv",
    )
    if isinstance(result, IndexInputError):
        assert str(result).startswith("DATA.csv: ")
    else:
        _panel_is_sound(result)


@fuzz(100)
@given(data_csv_bytes() | csv_bytes() | st.binary(max_size=100))
@example(b"area,Area ,year,indicator,numerator,denominator\nA,B,2012,x,1,2\n")  # two names for one column
def test_index_data_file_garbage_is_refused_naming_the_file(workdir, raw):
    path = _write(workdir, "fuzz-data.csv", raw)
    spec = model_parse(MODEL)
    result = refused_or_returned(lambda: data_file_read(path, model=spec), IndexInputError, file="fuzz-data.csv")
    if not isinstance(result, IndexInputError):
        _panel_is_sound(result)


# -- GOAL.json and its DATA.csv ------------------------------------------------------------------------

GOAL = {
    "text": "Fler i Jordbro ska ha ett arbete.", "goal_area": "Arbete och sysselsättning", "scope": ["Jordbro"],
    "indicator": "sys", "baseline": {"value": 53, "year": 2012}, "target": {"value": 62.6, "year": 2016},
    "responsible": ["Haninge kommun"], "accepted": {"by": "Lokala styrgruppen", "date": "2012-03-01"},
    "plan_period_end": 2018, "unit": "percent", "higher_is_better": True,
}


@fuzz(300)
@given(mutated(GOAL))
@example({**GOAL, "baseline": {"value": 10**400, "year": 2012}})
@example({**GOAL, "accepted": {"by": None, "date": "2012-02-30"}})
def test_goal_garbage_is_refused_naming_the_field(doc):
    result = refused_or_returned(lambda: goal_from_json(doc, source="GOAL.json"), SmartInputError, file="GOAL.json")
    if isinstance(result, SmartInputError):
        assert str(result).startswith("GOAL.json")
    else:
        assert isinstance(result, GoalInput)
        for number in (result.baseline_value, result.target_value):
            assert number is None or math.isfinite(number)


HISTORY_CELLS = CELLS | st.sampled_from(["Jordbro", "sys", "2010", "50", "53,5", "+3", "\u0661\u0662", "7" * 5000])


GOOD_HISTORY = {
    "district": st.sampled_from(["Jordbro", "Rinkeby", "Tensta"]),
    "year": st.integers(2005, 2020).map(str),
    "indicator": st.sampled_from(["sys", "edu"]),
    "value": st.floats(0, 100, allow_nan=False).map(lambda x: f"{x:.1f}"),
}


@st.composite
def history_text(draw):
    """DATA.csv text: mostly the four columns in some order with a little junk in the cells."""
    if draw(st.integers(0, 3)) == 0:
        header = draw(st.lists(st.sampled_from(["district", "year", "indicator", "value", "Year ", "x", ""]),
                               min_size=1, max_size=6))
    else:
        header = draw(st.permutations(list(GOOD_HISTORY)))
    sep = draw(st.sampled_from([",", ";"]))
    pools = [GOOD_HISTORY.get(name.strip().lower(), HISTORY_CELLS) for name in header]
    rows = draw(st.lists(st.tuples(*[st.integers(0, 19).flatmap(lambda k, pool=pool: HISTORY_CELLS if k == 0 else pool)
                                     for pool in pools]).map(list), max_size=6))
    if sep == ";":
        rows = [[cell.replace(".", ",") for cell in row] for row in rows]
    return "\n".join(sep.join(line) for line in [header, *rows])


@fuzz(300)
@given(history_text() | st.text(max_size=60))
@example("district,year,indicator,value\nJordbro," + "7" * 5000 + ",sys,50\n")  # a year beyond int()
@example("district,year,indicator,value\nJordbro,-" + "0" * 5000 + "2012,sys,50\n")
@example("district,year,indicator,value\nJordbro,2012,sys," + "1" * 200_000 + "\n")  # beyond the csv field limit
@example("district,year,indicator,value\nJordbro,2012,sys,1e999\n")
def test_goal_history_garbage_is_refused_naming_the_row(text):
    result = refused_or_returned(lambda: history_from_csv(text, source="DATA.csv"), SmartInputError, file="DATA.csv")
    if isinstance(result, SmartInputError):
        assert str(result).startswith("DATA.csv: ")
    else:
        assert all(isinstance(row, HistoryRow) and math.isfinite(row.value) and abs(row.year) <= 9999
                   for row in result)


# -- importers that write: a refused file leaves the database as it was --------------------------------

def _db_counts() -> tuple[int, ...]:
    return (Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count(),
            StatisticalArea.objects.count(), StatisticalArea.history.count(), AreaBoundary.objects.count())


def _good_rows(n: int, new_areas: int) -> list[str]:
    """`n` rows the import accepts: SAMS areas of the registry, Botkyrka's municipality, and
    `new_areas` SAMS codes of Stockholm the registry lacks (the import registers those)."""
    known = ["01270001", "01270002", "01270004", "01270005", "0127", "SE"]
    lines = []
    for i in range(n):
        area = f"0180{9000 + i:04d}" if i < new_areas else known[i % len(known)]
        lines.append(f"employment_rate_20_64,{area},{1990 + i // len(known)},T,{i % 100}.5,{i % 100},{100 + i}")
    return lines


FAULTS = {
    "unknown area": "employment_rate_20_64,99990001,2012,T,1.5,,",  # found inside the transaction
    "unknown indicator": "no_such_indicator,01270001,2012,T,1.5,,",  # found inside the transaction
    "bad number": "employment_rate_20_64,01270001,2012,T,12;5,,",  # found by the parser
    "duplicate": None,  # the first good row again
}


@pytest.mark.django_db
@fuzz(12)
@given(n_good=st.integers(1, 250), new_areas=st.integers(0, 40), fault=st.sampled_from(sorted(FAULTS)),
       at=st.floats(0.5, 1.0))
@example(n_good=200, new_areas=20, fault="unknown area", at=1.0)
@example(n_good=200, new_areas=20, fault="unknown indicator", at=1.0)
def test_a_refused_import_writes_nothing_however_many_good_rows_come_first(workdir, n_good, new_areas, fault, at):
    new_areas = min(new_areas, n_good)
    lines = _good_rows(n_good, new_areas)
    bad = FAULTS[fault] or lines[0]
    position = max(1, round(at * n_good))  # after at least half the good rows
    lines.insert(position, bad)
    path = _write(workdir, "fuzz-import.csv",
                  ("indicator,area,period,sex,value,numerator,denominator\n" + "\n".join(lines) + "\n").encode())
    before = _db_counts()
    with pytest.raises(ImportFileError) as refused:
        observations_import(path=path, fmt="csv")
    assert _db_counts() == before
    # The one fault is named, by its row (the header is row 1), so the good rows really were good.
    assert [p.location.split(",")[0] for p in refused.value.problems] == [f"rad {position + 2}"]
    assert str(refused.value).startswith("fuzz-import.csv: 1 fel")


def _boundary_features(codes: list[str]) -> list[dict]:
    return [{"type": "Feature", "properties": {"code": code}, "geometry": _square(17.9 + 0.001 * i, 59.3)}
            for i, code in enumerate(codes)]


@pytest.mark.django_db
@fuzz(10)
@given(n_good=st.integers(1, 120), new_areas=st.integers(0, 30), fault=st.sampled_from(["unknown code", "open ring"]))
@example(n_good=100, new_areas=30, fault="unknown code")
def test_a_refused_boundary_file_writes_nothing_however_many_good_features_come_first(workdir, n_good, new_areas,
                                                                                      fault):
    known = list(StatisticalArea.objects.filter(code_system__code="SAMS").order_by("code")
                 .values_list("code", flat=True)[:60])
    new_areas = min(new_areas, n_good)
    codes = [f"0180{9000 + i:04d}" for i in range(new_areas)] + [known[i % len(known)] for i in range(n_good - new_areas)]
    codes = list(dict.fromkeys(codes))
    features = _boundary_features(codes)
    if fault == "unknown code":
        features.append(_boundary_features(["99990001"])[0])
    else:
        broken = _boundary_features(["01270001" if "01270001" not in codes else "01809999"])[0]
        broken["geometry"]["coordinates"][0][-1] = [18.5, 59.5]
        features.append(broken)
    path = _write(workdir, "fuzz-boundaries.geojson",
                  json.dumps({"type": "FeatureCollection", "features": features}).encode())
    before = _db_counts()
    with pytest.raises(GeoJSONError) as refused:
        boundaries_load(path=path, code_system="SAMS", code_field="code")
    assert _db_counts() == before
    text = str(refused.value)
    assert text.startswith("fuzz-boundaries.geojson: ")
    assert ("99990001" in text) if fault == "unknown code" else (f"features[{len(features) - 1}]" in text)
    assert not any(f"0180{9000 + i:04d}" in text for i in range(new_areas))

