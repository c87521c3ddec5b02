"""A CSV is decoded in blocks and checked a column at a time (issue 21), and still reads exactly
what the csv module reads and reports every fault exactly as the row-by-row checks do.

The first tests are pure: blocks and runs made tiny so that every boundary falls somewhere in a
small generated file, the reading compared with the csv module's, the column-at-a-time checks
compared with the row-by-row ones. The last ones import 50 000-row files on the database (SQLite,
or PostgreSQL with DATABASE_URL set)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stadsdel.areas.models import StatisticalArea
from stadsdel.indicators.importers import tabular
from stadsdel.indicators.importers.base import ImportFileError, Limits
from stadsdel.indicators.importers.tabular import parse_csv
from stadsdel.indicators.models import ImportBatch, Level, Observation
from stadsdel.indicators.services.imports import observations_import

EMP = "employment_rate_20_64"
LIMITS = Limits(max_rows=10_000, max_columns=100, max_unzipped_bytes=10**9)
CHECKS = {"max_examples": 150, "deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def read_runs(path: Path) -> tuple[list[list[str]], list[list[str]]] | str:
    """(header, data records) as `_read_csv` reads them, every run's rows numbered in turn; or the
    problems' text when reading is refused."""
    problems = tabular._Problems()
    try:
        with tabular._read_csv(path, LIMITS, problems) as sheet:
            if sheet is None:
                return "blank"
            records, number = [], 2
            for run in sheet.runs:
                assert run.start == number
                assert len(run.records) == len(run)
                if run.regular:
                    assert all(len(record) == len(sheet.header) for record in run.records)
                    assert list(map(list, zip(*run.columns, strict=True))) == run.records
                records += run.records
                number += len(run)
            return sheet.header, records
    except tabular._Refused as refused:
        return "; ".join(map(str, refused.problems))


def read_reference(content: bytes) -> tuple[list[list[str]], list[list[str]]] | str:
    """What the csv module reads from the decoded file, line ends as a file opened with
    newline=""; a line that is not UTF-8 or not CSV named as the importer names it."""
    lines = content.split(b"\n")
    bad = []
    for number, line in enumerate(lines[:-1] if not lines[-1] else lines, start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad.append(f"rad {number}: raden är inte UTF-8 (byte 0x{line[exc.start]:02X}); spara filen som "
                       "'CSV UTF-8 (kommaavgränsad)' i Excel")
    if bad:
        return "; ".join(bad)
    text = content.decode("utf-8").removeprefix("\ufeff")
    if not text.strip():
        return "blank"
    first = io.StringIO(text, newline="").readline()
    delimiter = max((";", ",", "\t"), key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [cell.strip() for cell in next(reader)]
        return header, list(reader)
    except csv.Error as exc:
        return f"rad {reader.line_num}: raden kan inte läsas som CSV ({exc})"


@pytest.fixture
def tiny_blocks(monkeypatch):
    def use(block: int, chunk: int) -> None:
        monkeypatch.setattr(tabular, "CSV_BLOCK", block)
        monkeypatch.setattr(tabular, "CSV_CHUNK", chunk)

    return use


# Cells of a few characters that cover what matters to the reader: delimiters, quotes, every
# kind of line end, blank lines, white space, non-ASCII text.
_TEXT = st.lists(st.sampled_from(["a", "1", ",", ";", "\t", "\n", "\r\n", "\r", '"', " ", "é", "x,y", "\n\n"]),
                 max_size=60).map("".join)


@settings(**CHECKS)
@given(header=st.sampled_from(["a,b,c\n", "a;b\r\n", "a\n", "\ufeffa,b,c\n", '"a",b,"c\nd"\n', "a\tb\n", "a,b,"]),
       body=_TEXT, block=st.integers(1, 40), chunk=st.integers(1, 4))
def test_blocks_and_runs_read_what_the_csv_module_reads(tmp_path, tiny_blocks, header, body, block, chunk):
    tiny_blocks(block, chunk)
    content = (header + body).encode("utf-8")
    path = write(tmp_path / "f.csv", content)
    assert read_runs(path) == read_reference(content)


@settings(**CHECKS)
@given(lines=st.lists(st.sampled_from(["x,0136,2014,1", "Malmö,1280,2014,2", "y,0136,2015,3"]), max_size=12),
       bad=st.lists(st.integers(0, 11), max_size=3), block=st.integers(1, 60), crlf=st.booleans())
def test_a_line_that_is_not_utf8_is_named_wherever_the_blocks_fall(tmp_path, tiny_blocks, lines, bad, block, crlf):
    tiny_blocks(block, 2)
    encoded = [line.encode("utf-8") for line in ["indicator,area,period,value", *lines]]
    for i in bad:
        if i < len(lines):
            encoded[i + 1] = lines[i].encode("cp1252")
    content = (b"\r\n" if crlf else b"\n").join(encoded) + b"\n"
    path = write(tmp_path / "f.csv", content)
    assert read_runs(path) == read_reference(content)


# -- the column-at-a-time checks against the row-by-row ones --------------------------------------

_CELLS = {
    "indicator": ["emp", " emp ", "", "edu"],
    "area": ["0136", "01270001", " 0127 ", "", "  "],
    "period": ["2014", "2015", " 2016", "1989", "2101", "14", "2014M01", "", "२०१४"],
    "sex": ["T", "k", "Män", "1+2", "", "x", " M "],
    "value": ["12.5", "1e2", " 7 ", ".5", "..", "", "-", "–", "1 000", "1,5", "abc", "1e999", "nan", "1_0",
              "-3", "٣"],
    "numerator": ["30", "", "..", "3.5", "-1", "x", "007", "12345678901234567890123", "9" * 5000],
    "denominator": ["100", "", "0", "1e999"],
    "status": ["", "ok", "Prel", "sekretess", "saknas", "okänd", " ok "],
}


def _long_file(columns: list[str], rows: list[dict], delimiter: str) -> str:
    lines = [delimiter.join(columns)]
    lines += [delimiter.join(row[name] for name in columns) for row in rows]
    return "\n".join(lines) + "\n"


@settings(**CHECKS)
@given(data=st.data(), block=st.integers(20, 400), chunk=st.integers(1, 6), delimiter=st.sampled_from([",", ";"]))
def test_columns_at_a_time_give_what_rows_one_by_one_give(tmp_path, tiny_blocks, monkeypatch, data, block, chunk,
                                                          delimiter):
    """The same file read with and without the column-at-a-time checks gives the same figures,
    or the same faults in the same order, named the same way."""
    optional = data.draw(st.lists(st.sampled_from(["sex", "numerator", "denominator", "status"]), unique=True))
    columns = ["indicator", "area", "period", *optional, "value"]
    plain = data.draw(st.booleans())  # mostly good rows, or any mix of cells
    rows = data.draw(st.lists(st.fixed_dictionaries({
        name: st.sampled_from(_CELLS[name][:2] if plain and name != "status" else _CELLS[name]) for name in columns
    }), max_size=25))
    if plain:
        # Distinct keys, so that a good file is read whole.
        for i, row in enumerate(rows):
            row["area"] = f"0{1000 + i}"
    path = write(tmp_path / "f.csv", _long_file(columns, rows, delimiter).encode("utf-8"))
    tiny_blocks(block, chunk)

    def parsed():
        try:
            return parse_csv(path, limits=LIMITS)
        except ImportFileError as exc:
            return [str(problem) for problem in exc.problems]

    quick = parsed()
    monkeypatch.setattr(tabular._LongRun, "take", lambda self, cells: None)
    assert quick == parsed()


@settings(**CHECKS)
@given(keys=st.lists(st.tuples(st.sampled_from(["0114A0010", "0114A0020", " 0114A0010", "2584C0300"]),
                               st.integers(2014, 2017)), max_size=30))
def test_a_file_in_area_order_has_no_repeated_key_and_any_other_is_checked_in_full(keys):
    """The duplicate check's short cut (`_rising_per_area`: each area's rows together, its years
    rising) holds only of keys that are all distinct; of any others the full check decides."""
    areas, periods = [area for area, _ in keys], [period for _, period in keys]
    if tabular._rising_per_area(areas, periods):
        assert len(set(keys)) == len(keys)
    in_order = sorted(set(keys))
    assert tabular._rising_per_area([a for a, _ in in_order], [p for _, p in in_order])


def test_a_repeated_area_and_year_is_named_in_a_file_in_area_order_and_out_of_it(tmp_path):
    head = "indicator,area,period,value\n"
    for body, repeat_row in (("emp,0114A0010,2014,1\nemp,0114A0010,2015,2\nemp,0114A0010,2015,3\n", 4),
                             ("emp,0114A0010,2014,1\nemp,0114A0020,2014,2\nemp,0114A0010,2014,3\n", 4),
                             ("emp,0114A0010,2015,1\nemp,0114A0010,2014,2\nemp,0114A0010,2015,3\n", 4)):
        path = write(tmp_path / "f.csv", (head + body).encode())
        with pytest.raises(ImportFileError) as refused:
            parse_csv(path, limits=LIMITS)
        assert [problem.location for problem in refused.value.problems] == [f"rad {repeat_row}"]
        assert "samma indikator, område, period och kön" in str(refused.value)


# -- whole files -----------------------------------------------------------------------------------

def test_a_quoted_field_half_way_switches_to_the_csv_module_and_rows_keep_their_numbers(tmp_path, tiny_blocks):
    tiny_blocks(64, 3)
    lines = ["indicator,area,period,value"] + [f"{EMP},{1000 + i:04d},2014,{i}" for i in range(40)]
    lines[20] = f'"{EMP}",1019,2014,"19\n"'  # a quoted value over two lines, in the middle
    lines[35] = f"{EMP},1034,2014,tre"
    path = write(tmp_path / "q.csv", ("\n".join(lines) + "\n").encode())
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(path, limits=LIMITS)
    # Rows are records, not lines: the two-line record is rad 21, and the bad one rad 36.
    assert [str(p) for p in excinfo.value.problems] == ["rad 36, kolumn 'value': 'tre' är inget tal"]
    lines[35] = f"{EMP},1034,2014,34"
    path = write(tmp_path / "q.csv", ("\n".join(lines) + "\n").encode())
    rows = parse_csv(path, limits=LIMITS)
    assert [row.value for row in rows] == list(map(float, range(40)))
    assert [row.location for row in rows] == [f"rad {n}" for n in range(2, 42)]


def test_a_line_too_long_for_the_csv_module_is_named_by_its_line(tmp_path, tiny_blocks):
    tiny_blocks(1 << 10, 5)
    lines = ["indicator,area,period,value"] + [f"{EMP},{1000 + i:04d},2014,{i}" for i in range(100)]
    lines[70] = f"{EMP},1069,2014," + "1" * (csv.field_size_limit() + 1)
    path = write(tmp_path / "long.csv", ("\n".join(lines) + "\n").encode())
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(path, limits=LIMITS)
    [problem] = excinfo.value.problems
    assert problem.location == "rad 71" and "kan inte läsas som CSV" in problem.message


def test_a_file_with_windows_line_ends_a_bom_and_semicolons_reads_as_the_plain_one(tmp_path):
    """The blocks of a file as Excel's "CSV UTF-8" writes it in a Swedish locale (BOM, CRLF,
    semicolons, and decimal commas in some rows) read as the same file written plainly."""
    rows = [(f"0{1000 + i % 2000}", 2000 + i // 2000, 10 + (i % 900) / 10) for i in range(20_000)]
    plain = "indicator,area,period,value\n" + "".join(f"{EMP},{a},{p},{v!r}\n" for a, p, v in rows)
    swedish = "\ufeffindikator;område;år;värde\r\n" + "".join(
        f"{EMP};{a};{p};{repr(v).replace('.', ',') if k % 7 == 0 else repr(v)}\r\n" for k, (a, p, v) in enumerate(rows))
    limits = Limits(max_rows=30_000, max_columns=100, max_unzipped_bytes=10**9)
    a = parse_csv(write(tmp_path / "plain.csv", plain.encode()), limits=limits)
    b = parse_csv(write(tmp_path / "excel.csv", swedish.encode()), limits=limits)
    assert len(a) == 20_000 and a == b


# -- on the database ------------------------------------------------------------------------------

# 5 000 DeSO-shaped areas of 0127 Botkyrka × 10 years, as test_import_columns.
AREAS = [f"0127{'ABC'[i % 3]}{i:04d}" for i in range(5000)]
YEARS = range(2010, 2020)
CELLS = len(AREAS) * len(YEARS)


def counts():
    return (Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count(),
            StatisticalArea.objects.count())


def large_csv(*, newline: str = "\n", bom: bool = False, delimiter: str = ",") -> list[str]:
    lines = [delimiter.join(["indicator", "area", "period", "sex", "value", "numerator", "denominator"])]
    for i, area in enumerate(AREAS):
        for year in YEARS:
            num = 300 + i % 500
            lines.append(delimiter.join([EMP, area, str(year), "T", repr(num / 10), str(num), "1000"]))
    if bom:
        lines[0] = "\ufeff" + lines[0]
    return [line + newline for line in lines]


@pytest.mark.django_db
def test_a_byte_that_is_not_utf8_in_the_last_line_of_a_large_csv_is_named_and_writes_nothing(tmp_path):
    lines = large_csv()
    lines[-1] = lines[-1].replace(AREAS[-1], AREAS[-1] + "ö")
    path = tmp_path / "deso.csv"
    path.write_bytes("".join(lines[:-1]).encode() + lines[-1].encode("cp1252"))
    before = counts()
    with pytest.raises(ImportFileError) as excinfo:
        observations_import(path=path, fmt="csv")
    [problem] = excinfo.value.problems
    assert (excinfo.value.file, problem.location) == ("deso.csv", f"rad {CELLS + 1}")
    assert "inte UTF-8 (byte 0xF6)" in problem.message
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("last", ["{EMP}{d}{area}{d}2019{d}T{d}30.0{d}300{d}200", "{EMP}{d}{area}{d}2019{d}X{d}30.0{d}300{d}1000",
                                  '{EMP}{d}{area}{d}2019{d}T{d}"3o,0"{d}300{d}1000'])
def test_a_fault_in_the_last_row_of_a_large_excel_csv_writes_nothing(tmp_path, last):
    """BOM, CRLF and semicolons; a share over its denominator, an unknown sex, a quoted bad number."""
    lines = large_csv(newline="\r\n", bom=True, delimiter=";")
    lines[-1] = last.format(EMP=EMP, area=AREAS[-1], d=";") + "\r\n"
    path = tmp_path / "deso.csv"
    path.write_bytes("".join(lines).encode())
    before = counts()
    with pytest.raises(ImportFileError) as excinfo:
        observations_import(path=path, fmt="csv")
    [problem] = excinfo.value.problems
    assert problem.location.startswith(f"rad {CELLS + 1}")
    assert counts() == before


@pytest.mark.django_db
def test_a_large_excel_csv_goes_in_whole_and_again_writes_nothing(tmp_path):
    path = tmp_path / "deso.csv"
    path.write_bytes("".join(large_csv(newline="\r\n", bom=True, delimiter=";")).encode())
    first = observations_import(path=path, fmt="csv")
    assert (first.created, first.updated, first.unchanged) == (CELLS, 0, 0)
    figure = Observation.objects.get(indicator__code=EMP, level=Level.AREA, unit_key=f"area:DeSO:{AREAS[7]}",
                                     period=2013)
    assert (figure.value, figure.numerator, figure.denominator, figure.status) == (30.7, 307.0, 1000.0, "ok")
    before = counts()
    again = observations_import(path=path, fmt="csv")
    assert (again.created, again.updated, again.unchanged, again.batch) == (0, 0, CELLS, None)
    assert counts() == before
