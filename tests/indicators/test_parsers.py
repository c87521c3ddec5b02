"""The import parsers read real-shaped files into exact rows, and name every fault's place.

Pure tests: no database. The fixture files in `files/` have the structure of real exports
(Swedish Excel CSV, SCB PxWeb json-stat2 v1 and v2, Kolada v2 and v3) with made-up numbers.
"""

from __future__ import annotations

import io
import json
import math
import tempfile
import urllib.error
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from stadsdel.indicators.importers import kolada
from stadsdel.indicators.importers.base import ImportFileError, ParsedRow
from stadsdel.indicators.importers.kolada import fetch_kolada, parse_kolada
from stadsdel.indicators.importers.pxweb import parse_jsonstat, parse_pxweb
from stadsdel.indicators.importers.tabular import parse_csv, parse_xlsx

FILES = Path(__file__).parent / "files"

EMP = "employment_rate_20_64"
SOC = "social_assistance_share"
EDU = "post_secondary_education_25_64"


def row(indicator, area, period, sex, value, location, **extra) -> ParsedRow:
    status = extra.pop("status", "missing" if value is None else "ok")
    return ParsedRow(indicator, area, period, sex, value, status=status, location=location, **extra)


def problems_of(excinfo) -> list[str]:
    return [str(problem) for problem in excinfo.value.problems]


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def workbook(tmp_path: Path, rows: list[list[object]], title: str = "Blad1") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for values in rows:
        ws.append(values)
    path = tmp_path / "upload.xlsx"
    wb.save(path)
    return path


# --------------------------------------------------------------------------------------------
# CSV and Excel: good files


def test_long_csv():
    assert parse_csv(FILES / "long.csv") == [
        row(EMP, "01270001", 2011, "T", 55.3, "rad 2", numerator=1106.0, denominator=2000.0),
        row(EMP, "01270001", 2011, "K", 51.8, "rad 3", numerator=518.0, denominator=1000.0),
        row(EMP, "01270001", 2011, "M", 58.8, "rad 4", numerator=588.0, denominator=1000.0),
        row(
            EMP,
            "01270002",
            2011,
            "T",
            61.25,
            "rad 5",
            numerator=980.0,
            denominator=1600.0,
            status="provisional",
        ),
        row(EMP, "0127", 2011, "T", 68.4, "rad 6"),
        row(EMP, "0136", 2011, "T", 74.1, "rad 7"),
        row(EMP, "01", 2011, "T", 78.0, "rad 8"),
        row(SOC, "01270001", 2011, "T", None, "rad 9", status="suppressed"),
        row(SOC, "01270002", 2011, "T", None, "rad 10", status="missing"),
        row(SOC, "1280", 2011, "T", 8.7, "rad 11", numerator=27012.0, denominator=310479.0),
    ]


def test_long_semicolon_csv_as_swedish_excel_writes_it():
    """BOM, CRLF, `;`, decimal comma, (no-break) thousands spaces, Swedish and SCB sex codes,
    Swedish status words."""
    assert parse_csv(FILES / "long_semicolon.csv") == [
        row(EDU, "01270001", 2012, "T", 22.4, "rad 2", numerator=1120.0, denominator=5000.0),
        row(
            EDU,
            "01270001",
            2012,
            "K",
            25.1,
            "rad 3",
            numerator=640.0,
            denominator=2550.0,
            status="provisional",
        ),
        row(EDU, "01270001", 2012, "M", 19.6, "rad 4", numerator=480.0, denominator=2450.0),
        row(EDU, "0127", 2012, "T", 31.05, "rad 5", numerator=12345.0, denominator=39758.0),
        row(EDU, "0180", 2012, "K", 52.7, "rad 6"),
        row(EDU, "0180", 2012, "M", 47.9, "rad 7"),
        row(EDU, "01270002", 2012, "T", None, "rad 8", status="suppressed"),
        row(EDU, "01270002", 2013, "T", None, "rad 9", status="missing"),
    ]


def test_wide_csv_with_a_column_per_year():
    def cell(r, year):
        return f"rad {r}, kolumn '{year}'"

    assert parse_csv(FILES / "wide_years.csv") == [
        row(EMP, "01270001", 2010, "T", 54.9, cell(2, 2010)),
        row(EMP, "01270001", 2011, "T", 55.3, cell(2, 2011)),
        row(EMP, "01270001", 2012, "T", 56.1, cell(2, 2012)),
        row(EMP, "01270002", 2010, "T", 60.2, cell(3, 2010)),
        row(EMP, "01270002", 2011, "T", None, cell(3, 2011)),  # ".."
        row(EMP, "01270002", 2012, "T", 62.0, cell(3, 2012)),
        row(EMP, "0127", 2010, "T", 67.5, cell(4, 2010)),
        row(EMP, "0127", 2011, "T", 68.4, cell(4, 2011)),
        # 0127 2012 is an empty cell: no figure at all
        row(EMP, "1280", 2010, "T", 63.1, cell(5, 2010)),
        row(EMP, "1280", 2011, "T", 63.8, cell(5, 2011)),
        row(EMP, "1280", 2012, "T", 64.6, cell(5, 2012)),
    ]


def test_long_xlsx_reads_the_sheet_named_data():
    def at(r):
        return f"blad 'data', rad {r}"

    assert parse_xlsx(FILES / "long.xlsx") == [
        row(EMP, "01270001", 2012, "T", 56.1, at(2), numerator=1122.0, denominator=2000.0),
        row(EMP, "01270001", 2012, "K", 52.35, at(3), numerator=523.5, denominator=1000.0),
        row(EMP, "01270001", 2012, "M", 59.9, at(4), numerator=599.0, denominator=1000.0),
        row(EMP, "01270002", 2012, "T", 62.4, at(5), status="provisional"),  # text cell "62,4"
        row(EMP, "0127", 2012, "T", 69.0, at(6)),
        row(EMP, "1280", 2012, "M", 64.6, at(7)),  # sex as the number 1 (SCB: män)
        row(SOC, "01270002", 2012, "T", None, at(8), status="suppressed"),
        row(SOC, "0136", 2012, "T", None, at(9), status="missing"),
    ]


def test_wide_xlsx_with_a_column_per_indicator_reads_only_the_first_sheet():
    def cell(ref):
        return f"blad 'Blad1', cell {ref}"

    assert parse_xlsx(FILES / "wide.xlsx") == [
        row(EMP, "01270001", 2013, "T", 57.2, cell("C2")),
        row(SOC, "01270001", 2013, "T", 11.4, cell("D2")),
        row(EMP, "01270002", 2013, "T", 63.05, cell("C3")),
        row(EMP, "0127", 2013, "T", 69.8, cell("C4")),
        row(SOC, "0127", 2013, "T", None, cell("D4")),
        row(EMP, "0180", 2013, "T", 78.3, cell("C5")),
        row(SOC, "0180", 2013, "T", 3.9, cell("D5")),
    ]


@pytest.mark.parametrize(
    ("written", "sex"),
    [
        ("T", "T"), ("t", "T"), ("totalt", "T"), ("Totalt", "T"), ("1+2", "T"),
        ("K", "K"), ("kvinnor", "K"), ("2", "K"),
        ("M", "M"), ("män", "M"), ("Män", "M"), ("1", "M"),
        ("", "T"),
    ],
)  # fmt: skip
def test_sex_codes(tmp_path, written, sex):
    path = write(
        tmp_path, "sex.csv", f"indicator,area,period,sex,value\n{EMP},0127,2011,{written},1\n"
    )
    assert parse_csv(path)[0].sex == sex


def test_csv_without_sex_column_means_total_and_swedish_headers_are_accepted(tmp_path):
    path = write(
        tmp_path, "sv.csv", "indikator;område;år;värde\nsocial_assistance_share;0136;2014;6,25\n"
    )
    assert parse_csv(path) == [row(SOC, "0136", 2014, "T", 6.25, "rad 2")]


def test_blank_lines_and_trailing_separators_from_excel_are_tolerated(tmp_path):
    text = "indicator;area;period;value;;\n\nsocial_assistance_share;0136;2014;6,2;;\n;;;;;\n"
    path = write(tmp_path, "trailing.csv", text)
    assert parse_csv(path) == [row(SOC, "0136", 2014, "T", 6.2, "rad 3")]


def test_thousands_spaces_and_typographic_minus(tmp_path):
    text = "indicator;area;period;value\nx;0136;2014;1\u00a0234,5\ny;0136;2014;\u22120,5\n"
    rows = parse_csv(write(tmp_path, "n.csv", text))
    assert [r.value for r in rows] == [1234.5, -0.5]


def test_wide_csv_with_a_column_per_indicator(tmp_path):
    text = f"area,period,sex,{EMP},{SOC}\n0127,2015,K,66.1,\n0127,2015,M,70.3,-\n"
    assert parse_csv(write(tmp_path, "w.csv", text)) == [
        row(EMP, "0127", 2015, "K", 66.1, f"rad 2, kolumn '{EMP}'"),
        row(EMP, "0127", 2015, "M", 70.3, f"rad 3, kolumn '{EMP}'"),
        row(SOC, "0127", 2015, "M", None, f"rad 3, kolumn '{SOC}'"),
    ]


# --------------------------------------------------------------------------------------------
# CSV and Excel: faults


def test_bad_value_csv_names_row_and_column():
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(FILES / "bad_value.csv")
    assert excinfo.value.file == "bad_value.csv"
    assert problems_of(excinfo) == [
        "rad 3, kolumn 'value': 'n/a' är inget tal",
        "rad 4, kolumn 'value': '68,4' är inget tal; decimalkomma går bara i filer med "
        "semikolon som avgränsare, skriv annars decimalpunkt (55.3)",
    ]
    assert str(excinfo.value).startswith("bad_value.csv: 2 fel\n  rad 3, kolumn 'value'")


def test_bad_duplicate_csv_names_both_rows():
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(FILES / "bad_duplicate.csv")
    assert "bad_duplicate.csv" in str(excinfo.value)
    assert problems_of(excinfo) == [
        "rad 4: samma indikator, område, period och kön (social_assistance_share, 0136, 2011, T) "
        "som rad 2"
    ]


def test_a_csv_renamed_to_xlsx_is_an_import_error_not_a_traceback():
    with pytest.raises(ImportFileError) as excinfo:
        parse_xlsx(FILES / "bad_not_xlsx.xlsx")
    assert excinfo.value.file == "bad_not_xlsx.xlsx"
    assert "ingen Excel-arbetsbok" in str(excinfo.value)
    assert ".csv" in str(excinfo.value)


def test_old_xls_and_random_bytes_are_import_errors(tmp_path):
    xls = write(tmp_path, "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(ImportFileError, match=r"gamla \.xls-formatet"):
        parse_xlsx(xls)
    broken = write(tmp_path, "broken.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4)
    with pytest.raises(ImportFileError, match="ingen giltig Excel-arbetsbok"):
        parse_xlsx(broken)


@pytest.mark.parametrize("content", [b"", b"   \n", b"\xef\xbb\xbf\r\n"])
def test_empty_csv(tmp_path, content):
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(write(tmp_path, "tom.csv", content))
    assert str(excinfo.value) == "tom.csv: 1 fel\n  filen är tom"


def test_empty_xlsx_file_and_empty_sheet(tmp_path):
    with pytest.raises(ImportFileError, match="filen är tom"):
        parse_xlsx(write(tmp_path, "tom.xlsx", b""))
    with pytest.raises(ImportFileError, match="blad 'Blad1': bladet är tomt"):
        parse_xlsx(workbook(tmp_path, []))


def test_header_only(tmp_path):
    with pytest.raises(ImportFileError, match="rad 1: filen har en rubrikrad men inga datarader"):
        parse_csv(write(tmp_path, "h.csv", "indicator,area,period,value\n"))


def test_not_utf8_names_each_line(tmp_path):
    text = "indicator;area;period;value\nx;0136;2014;1\nMalmö;1280;2014;2\ny;0136;2015;3\nÖ;1;2;3\n"
    path = write(tmp_path, "ansi.csv", text.encode("cp1252"))
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(path)
    found = problems_of(excinfo)
    assert [p.split(":")[0] for p in found] == ["rad 3", "rad 5"]
    assert "inte UTF-8 (byte 0xF6)" in found[0]
    assert "CSV UTF-8" in found[0]


def test_wrong_number_of_fields(tmp_path):
    text = "indicator,area,period,value\nx,0136,2014,1\nx,0136,2014\nx,0136,2015,3,4\n"
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(write(tmp_path, "f.csv", text))
    assert problems_of(excinfo) == [
        "rad 3: raden har 3 fält men rubrikraden har 4 (avgränsare ',')",
        "rad 4: raden har 5 fält men rubrikraden har 4 (avgränsare ',')",
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("indicator,period,value", "rad 1: kolumner saknas: 'area'"),
        ("indicator,area,period,sex", "rad 1: kolumner saknas: 'value'"),
        ("area,sex,foo", "rad 1: kolumner saknas: 'value' (lång form), eller 'indicator'"),
        ("indicator,area,period,value,kommentar", "rad 1, kolumn 'kommentar': okänd kolumn"),
        ("indicator,area,area,period,value", "rad 1, kolumn 'area': kolumnen 'area' förekommer"),
    ],
)
def test_header_faults(tmp_path, header, expected):
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(write(tmp_path, "h.csv", header + "\n" + ",".join(["x"] * 5) + "\n"))
    assert any(p.startswith(expected) for p in problems_of(excinfo)), problems_of(excinfo)


def test_every_cell_fault_is_reported_in_one_go(tmp_path):
    text = (
        "indicator,area,period,sex,value,status\n"
        f"{EMP},0127,2012M01,T,1,\n"  # rad 2: monthly period
        f"{EMP},0127,1850,T,1,\n"  # rad 3: year out of range
        f"{EMP},0127,2012,X,1,\n"  # rad 4: unknown sex
        f"{EMP},0127,2013,T,5.1,suppressed\n"  # rad 5: suppressed with a value
        f"{EMP},0127,2014,T,,ok\n"  # rad 6: ok without a value
        f"{EMP},0127,2015,T,1,hemlig\n"  # rad 7: unknown status
        f",0127,2016,T,1,\n"  # rad 8: no indicator
    )
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(write(tmp_path, "many.csv", text))
    found = problems_of(excinfo)
    assert len(found) == 7
    assert found[0] == (
        "rad 2, kolumn 'period': perioden '2012M01' är inte ett år; bara årsvärden stöds "
        "(t.ex. 2012), inte månader, kvartal eller halvår"
    )
    assert found[1] == "rad 3, kolumn 'period': året 1850 ligger utanför 1990–2100"
    assert found[2].startswith("rad 4, kolumn 'sex': okänt kön 'X'")
    assert found[3] == (
        "rad 5, kolumn 'value': raden har status skyddad (suppressed) men har ändå ett värde; "
        "ta bort värdet"
    )
    assert found[4] == "rad 6, kolumn 'value': raden har status ok men värdet är tomt"
    assert found[5].startswith("rad 7, kolumn 'status': okänd status 'hemlig'")
    assert found[6] == "rad 8, kolumn 'indicator': indikatorkod saknas"


def test_suppressed_row_must_not_carry_numerator_or_denominator(tmp_path):
    text = "indicator,area,period,value,numerator,denominator,status\nx,0127,2012,,3,40,skyddad\n"
    with pytest.raises(ImportFileError, match="rad 2, kolumn 'value': raden har status skyddad"):
        parse_csv(write(tmp_path, "s.csv", text))


def test_wide_year_header_that_is_not_a_year(tmp_path):
    text = f"indicator,area,2011,2012K1,år 2013\n{EMP},0127,1,2,3\n"
    with pytest.raises(ImportFileError) as excinfo:
        parse_csv(write(tmp_path, "w.csv", text))
    found = problems_of(excinfo)
    assert found[0].startswith("rad 1, kolumn '2012K1': perioden '2012K1' är inte ett år")
    assert found[1].startswith("rad 1, kolumn 'år 2013': 'år 2013' är inget årtal")


def test_xlsx_faults_name_sheet_and_cell(tmp_path):
    path = workbook(
        tmp_path,
        [
            ["indicator", "area", "period", "sex", "value"],
            [EMP, "0127", 2012, "T", "#DIV/0!"],
            [EMP, "0127", 2013, "T", "femtio"],
            [EMP, "0127", __import__("datetime").date(2014, 1, 1), "T", 3.5],
            [EMP, "0127", 2015, "T", 4.5, None, "överbliven"],
        ],
        title="Sysselsättning",
    )
    with pytest.raises(ImportFileError) as excinfo:
        parse_xlsx(path)
    assert excinfo.value.file == "upload.xlsx"
    # In the order of the file: the rows are read one at a time.
    assert problems_of(excinfo) == [
        "blad 'Sysselsättning', cell E2: cellen innehåller Excel-felet #DIV/0!",
        "blad 'Sysselsättning', cell E3: 'femtio' är inget tal",
        "blad 'Sysselsättning', cell C4: '2014-01-01' är ett datum; ange året som ett "
        "fyrsiffrigt tal (t.ex. 2012)",
        "blad 'Sysselsättning', cell G5: värdet står i en kolumn utan rubrik",
    ]


def test_xlsx_under_a_temporary_upload_name_is_read(tmp_path):
    upload = tmp_path / "tmpa1b2c3.upload"
    upload.write_bytes((FILES / "wide.xlsx").read_bytes())
    assert parse_xlsx(upload) == parse_xlsx(FILES / "wide.xlsx")


def test_xlsx_duplicates_name_both_rows(tmp_path):
    path = workbook(
        tmp_path,
        [["indicator", "area", "period", "value"], [SOC, "0136", 2012, 6], [SOC, "0136", 2012, 7]],
    )
    with pytest.raises(ImportFileError, match=r"blad 'Blad1', rad 3: .* som blad 'Blad1', rad 2"):
        parse_xlsx(path)


# --------------------------------------------------------------------------------------------
# PxWeb json-stat2


V1_EXPECTED = [
    # (cell, area, year, sex, value)
    (0, "0127A0010", 2018, "M", 74.1), (1, "0127A0010", 2019, "M", 74.8),
    (2, "0127A0010", 2020, "M", 72.7), (3, "0127A0010", 2018, "K", 68.1),
    (4, "0127A0010", 2019, "K", 68.8), (5, "0127A0010", 2020, "K", 66.7),
    (6, "0127A0010", 2018, "T", 71.0), (7, "0127A0010", 2019, "T", 71.7),
    (8, "0127A0010", 2020, "T", 69.6), (9, "0127C1010", 2018, "M", 55.1),
    (10, "0127C1010", 2019, "M", 55.8), (11, "0127C1010", 2020, "M", 53.7),
    (12, "0127C1010", 2018, "K", 49.1), (13, "0127C1010", 2019, "K", 49.8),
    (14, "0127C1010", 2020, "K", 47.7), (15, "0127C1010", 2018, "T", 52.0),
    (16, "0127C1010", 2019, "T", 52.7), (17, "0127C1010", 2020, "T", 50.6),
    (18, "0127C1020", 2018, "M", 61.1), (19, "0127C1020", 2019, "M", 61.8),
    (20, "0127C1020", 2020, "M", 59.7), (21, "0127C1020", 2018, "K", 55.1),
    (22, "0127C1020", 2019, "K", None), (23, "0127C1020", 2020, "K", 53.7),
    (24, "0127C1020", 2018, "T", 58.0), (25, "0127C1020", 2019, "T", 58.7),
    (26, "0127C1020", 2020, "T", 56.6),
]  # fmt: skip


def test_pxweb_v1_deso():
    rows = parse_pxweb(FILES / "pxweb_v1_deso.json", indicator=EMP)
    assert rows == [
        row(EMP, area, year, sex, value, f"value[{cell}]")
        for cell, area, year, sex, value in V1_EXPECTED
    ]
    assert rows[22].status == "missing"  # null value flagged ".."


def test_pxweb_v2_sparse_with_chosen_content():
    andel = parse_pxweb(FILES / "pxweb_v2_sparse.json", indicator=SOC, content="000007AN")
    assert andel == [
        row(SOC, "00", 2023, "T", 11.6, "value[0]"),
        row(SOC, "00", 2024, "T", 11.2, "value[1]"),
        row(SOC, "0180", 2023, "T", 10.0, "value[4]"),
        row(SOC, "0180", 2024, "T", 9.6, "value[5]"),
        row(SOC, "0180C1010", 2024, "T", 21.75, "value[9]"),  # "_DeSO2025" stripped
        row(SOC, "0180R001", 2024, "T", 18.3, "value[13]", status="provisional"),  # flag "p"
    ]
    antal = parse_pxweb(FILES / "pxweb_v2_sparse.json", indicator="recipients", content="000007AP")
    assert [(r.area, r.period, r.value) for r in antal] == [
        ("00", 2023, 1164000.0),
        ("00", 2024, 1163000.0),
        ("0180", 2023, 97827.0),
        ("0180", 2024, 97012.0),
        ("0180C1010", 2024, 412.0),
        ("0180R001", 2024, 2977.0),
    ]


def test_pxweb_several_contents_need_a_choice():
    with pytest.raises(ImportFileError) as excinfo:
        parse_pxweb(FILES / "pxweb_v2_sparse.json", indicator=SOC)
    assert problems_of(excinfo) == [
        "dimension.ContentsCode: svaret har 2 tabellinnehåll (000007AN, 000007AP); ange vilket "
        "som ska importeras"
    ]
    with pytest.raises(ImportFileError, match="innehållet 'BE0101N1' finns inte i svaret"):
        parse_pxweb(FILES / "pxweb_v2_sparse.json", indicator=SOC, content="BE0101N1")


def test_pxweb_truncated_json_names_line_and_column():
    with pytest.raises(ImportFileError) as excinfo:
        parse_pxweb(FILES / "bad_truncated.json", indicator=EMP)
    assert excinfo.value.file == "bad_truncated.json"
    assert problems_of(excinfo) == [
        "rad 93, kolumn 10: ogiltig JSON (Expecting value); filen är trasig eller avkortad"
    ]


def test_pxweb_size_mismatch():
    with pytest.raises(ImportFileError) as excinfo:
        parse_pxweb(FILES / "bad_size_mismatch.json", indicator=EMP)
    assert str(excinfo.value) == (
        "bad_size_mismatch.json: 1 fel\n"
        "  value: storlekarna i 'size' (3 × 3 × 1 × 3) ger 27 celler men 'value' har 26"
    )


def dataset(**changes) -> dict:
    """A small json-stat2 dataset: Region × Kon × Tid, 2 × 1 × 2 cells."""
    base = {
        "version": "2.0",
        "class": "dataset",
        "id": ["Region", "Kon", "Tid"],
        "size": [2, 1, 2],
        "dimension": {
            "Region": {"category": {"index": {"0136": 0, "1280": 1}}},
            "Kon": {"category": {"index": {"1+2": 0}}},
            "Tid": {"category": {"index": {"2016": 0, "2017": 1}}},
        },
        "value": [1.5, 2.5, 3.5, 4.5],
        "role": {"time": ["Tid"]},
    }
    base.update(changes)
    return base


def parse(data: dict, **kwargs) -> list[ParsedRow]:
    return parse_jsonstat(data, file="svar.json", indicator=SOC, **kwargs)


def test_jsonstat_flags():
    data = dataset(value=[None, 2.5, None, 4.5], status=["x", "p", "..", "e"])
    assert [(r.value, r.status) for r in parse(data)] == [
        (None, "suppressed"),
        (2.5, "provisional"),
        (None, "missing"),
        (4.5, "ok"),  # an estimate flag keeps the figure
    ]
    assert [r.status for r in parse(dataset(status="p"))] == ["provisional"] * 4


def test_jsonstat_sparse_flag_without_value_is_a_suppressed_row():
    data = dataset(value={"0": 1.5}, status={"3": "C"})
    assert [(r.area, r.period, r.value, r.status) for r in parse(data)] == [
        ("0136", 2016, 1.5, "ok"),
        ("1280", 2017, None, "suppressed"),
    ]


def test_jsonstat_faults_are_named_by_json_path():
    cases = [
        (dataset(value=[1, 2, 3, "fyra"]), "value[3]: 'fyra' är inget tal"),
        (dataset(value={"4": 1.0}), 'value["4"]: cell 4 finns inte; datasetet har celler 0–3'),
        (dataset(value=[1, 2, 3, 4], status=["x", "", "", ""]), "value[0]: cellen är markerad"),
        (
            dataset(
                dimension={
                    **dataset()["dimension"],
                    "Tid": {"category": {"index": ["2016M01", "2016M02"]}},
                }
            ),
            "dimension.Tid: perioden '2016M01' är inte ett år; bara årsvärden stöds",
        ),
        (
            dataset(dimension={**dataset()["dimension"], "Kon": {"category": {"index": ["3"]}}}),
            "dimension.Kon: okänd kod för kön '3'",
        ),
        (
            dataset(
                id=["Region", "Alder", "Tid"],
                dimension={
                    **dataset()["dimension"],
                    "Alder": {"category": {"index": ["20-24", "25-29"]}},
                },
                size=[2, 2, 2],
                value=[0] * 8,
            ),
            "dimension.Alder: dimensionen 'Alder' har 2 kategorier; välj en enda kategori",
        ),
        (dataset(size=[2, 1, 3]), "dimension.Tid: 'size' anger 3 kategorier men dimensionen har 2"),
        (
            dataset(
                role={},
                id=["Region", "Kon", "Year"],
                dimension={
                    **dataset()["dimension"],
                    "Year": {"category": {"index": ["2016", "2017"]}},
                },
            ),
            "role.time: hittar ingen tidsdimension",
        ),
        ({"columns": [], "data": []}, "filen är PxWebs format 'json'; hämta tabellen med formatet"),
    ]
    for data, expected in cases:
        with pytest.raises(ImportFileError) as excinfo:
            parse(data)
        assert any(p.startswith(expected) for p in problems_of(excinfo)), (
            expected,
            problems_of(excinfo),
        )


def test_jsonstat_roles_other_ids_labels_only_and_deso2018_suffix():
    data = {
        "version": "2.0",
        "class": "dataset",
        "id": ["omrade", "ar", "matt"],
        "size": [2, 1, 1],
        "role": {"geo": ["omrade"], "time": ["ar"], "metric": ["matt"]},
        "dimension": {
            "omrade": {"category": {"index": ["0180C1010_DeSO2018", "0180R001_RegSO2020"]}},
            "ar": {"category": {"index": {"2019": 0}}},
            "matt": {"category": {"label": {"andel": "Andel, procent"}}},  # single, no index
        },
        "value": [12.25, 7.0],
    }
    assert parse(data) == [
        row(SOC, "0180C1010", 2019, "T", 12.25, "value[0]"),
        row(SOC, "0180R001", 2019, "T", 7.0, "value[1]"),
    ]


def test_jsonstat_codes_equal_after_stripping_the_suffix_are_duplicates():
    data = dataset(
        dimension={
            **dataset()["dimension"],
            "Region": {"category": {"index": ["0180C1010", "0180C1010_DeSO2025"]}},
        }
    )
    with pytest.raises(
        ImportFileError, match=r"value\[2\]: samma område, år och kön .* value\[0\]"
    ):
        parse(data)


def test_jsonstat_version_1_bundle_is_read():
    inner = dataset()
    dimension = dict(inner.pop("dimension"), id=inner.pop("id"), size=inner.pop("size"))
    dimension["role"] = inner.pop("role")
    bundle = {"dataset": {**inner, "dimension": dimension}}
    assert parse(bundle) == parse(dataset())


@st.composite
def cubes(draw):
    regions = draw(st.lists(st.sampled_from(["0127", "0136", "0180", "1280", "01"]),
                            min_size=1, max_size=4, unique=True))  # fmt: skip
    sexes = draw(st.lists(st.sampled_from(["1", "2", "1+2"]), min_size=1, max_size=3, unique=True))
    years = draw(st.lists(st.integers(1990, 2100), min_size=1, max_size=3, unique=True))
    total = len(regions) * len(sexes) * len(years)
    numbers = st.floats(allow_nan=False, allow_infinity=False, width=64)
    values = draw(st.lists(st.one_of(st.none(), numbers), min_size=total, max_size=total))
    return regions, sexes, [str(y) for y in years], values


@settings(max_examples=60, deadline=None)
@given(cubes())
def test_dense_and_sparse_jsonstat_parse_the_same(cube):
    """A dense array with object indexes and a sparse object with array indexes are the same
    data; the sparse form simply leaves out the empty cells."""
    regions, sexes, years, values = cube
    dense = {
        "version": "2.0",
        "class": "dataset",
        "id": ["Region", "Kon", "Tid"],
        "size": [len(regions), len(sexes), len(years)],
        "dimension": {
            "Region": {"category": {"index": {code: i for i, code in enumerate(regions)}}},
            "Kon": {"category": {"index": {code: i for i, code in enumerate(sexes)}}},
            "Tid": {"category": {"index": {code: i for i, code in enumerate(years)}}},
        },
        "value": values,
    }
    sparse = {
        **dense,
        "dimension": {
            "Region": {"category": {"index": regions}},
            "Kon": {"category": {"index": sexes}},
            "Tid": {"category": {"index": years}},
        },
        "value": {str(i): v for i, v in enumerate(values) if v is not None},
    }
    # Through a file, as an upload arrives.
    with tempfile.TemporaryDirectory() as folder:
        dense_path = Path(folder) / "dense.json"
        sparse_path = Path(folder) / "sparse.json"
        dense_path.write_text(json.dumps(dense), encoding="utf-8")
        sparse_path.write_text(json.dumps(sparse), encoding="utf-8")
        dense_rows = parse_pxweb(dense_path, indicator=EMP)
        sparse_rows = parse_pxweb(sparse_path, indicator=EMP)
    assert sparse_rows == [r for r in dense_rows if r.value is not None]
    assert len(dense_rows) == len(values)
    assert all(math.isfinite(r.value) for r in sparse_rows)


# --------------------------------------------------------------------------------------------
# Kolada


def test_kolada_v2_two_pages():
    def at(page, item, entry):
        return f"sida {page}, values[{item}].values[{entry}]"

    rows = parse_kolada(FILES / "kolada_v2.json")
    expected = [
        ("0000", 2012, "K", 75.8, at(1, 0, 0)), ("0000", 2012, "M", 79.9, at(1, 0, 1)),
        ("0000", 2012, "T", 77.9, at(1, 0, 2)), ("0127", 2012, "K", 64.1, at(1, 1, 0)),
        ("0127", 2012, "M", 68.35, at(1, 1, 1)), ("0127", 2012, "T", 66.2, at(1, 1, 2)),
        ("0180", 2012, "K", 77.5, at(1, 2, 0)), ("0180", 2012, "M", None, at(1, 2, 1)),
        ("0180", 2012, "T", 78.4, at(1, 2, 2)), ("0000", 2013, "K", 76.3, at(2, 0, 0)),
        ("0000", 2013, "M", 80.2, at(2, 0, 1)), ("0000", 2013, "T", 78.3, at(2, 0, 2)),
        ("0127", 2013, "K", 64.9, at(2, 1, 0)), ("0127", 2013, "M", 68.8, at(2, 1, 1)),
        ("0127", 2013, "T", 66.85, at(2, 1, 2)), ("0180", 2013, "T", 78.9, at(2, 2, 0)),
    ]  # fmt: skip
    assert rows == [
        row("N00914", area, year, sex, value, place, indicator_is_kolada=True)
        for area, year, sex, value, place in expected
    ]


def test_kolada_v3_page():
    rows = parse_kolada(FILES / "kolada_v3.json")
    assert rows == [
        row("N01982", area, 2021, sex, value, f"values[{i}].values[{j}]", indicator_is_kolada=True)
        for area, i, j, sex, value in [
            ("0001", 0, 0, "T", 52.4), ("0001", 0, 1, "K", 57.9), ("0001", 0, 2, "M", 47.1),
            ("0136", 1, 0, "T", 38.65), ("0136", 1, 1, "K", 44.0), ("0136", 1, 2, "M", 33.5),
            ("1280", 2, 0, "T", None),
            # values[2].values[1] is marked isdeleted: withdrawn by Kolada, not a figure
            ("1280", 2, 2, "M", 41.8),
        ]
    ]  # fmt: skip


def test_kolada_incomplete_file():
    with pytest.raises(ImportFileError) as excinfo:
        parse_kolada(FILES / "kolada_incomplete.json")
    assert str(excinfo.value) == (
        "kolada_incomplete.json: 1 fel\n"
        "  sida 1: svaret är ofullständigt: sida 1 pekar på en nästa sida som inte finns i filen"
    )


def test_kolada_v3_next_url_on_last_page_of_an_array(tmp_path):
    pages = json.loads((FILES / "kolada_v3.json").read_text(encoding="utf-8"))
    second = {"values": [], "count": 0, "next_url": "https://api.kolada.se/v3/data?page=3"}
    path = write(tmp_path, "v3.json", json.dumps([pages, second]))
    with pytest.raises(ImportFileError, match="sida 2: svaret är ofullständigt: sida 2 pekar"):
        parse_kolada(path)


def test_kolada_faults(tmp_path):
    page = {
        "count": 4,
        "values": [
            {"kpi": "N31807", "municipality": "0136", "period": 2015,
             "values": [{"gender": "X", "value": 1.0, "status": ""},
                        {"gender": "T", "value": 6.1, "status": "Missing"},
                        {"gender": "K", "value": "6,0", "status": ""}]},
            {"kpi": "N31807", "municipality": "0136", "period": "2015M01", "values": []},
            {"kpi": "N31807", "ou": "V15E013600101", "period": 2015, "values": []},
            {"kpi": "N31807", "municipality_id": "0136", "period": 2016,
             "values": [{"gender": "T", "value": 6.3}, {"gender": "T", "value": 6.4}]},
        ],
        "next_page": None,
    }  # fmt: skip
    with pytest.raises(ImportFileError) as excinfo:
        parse_kolada(write(tmp_path, "k.json", json.dumps(page)))
    assert problems_of(excinfo) == [
        "values[0].values[0].gender: okänt kön 'X' (väntade T, K, M)",
        "values[0].values[1].value: värdet har status Missing men har ändå ett värde",
        "values[0].values[2].value: '6,0' är inget tal",
        "values[1].period: '2015M01' är inget år; bara årsvärden stöds",
        "values[2]: data för organisationsenheter (skolor, boenden) stöds inte",
        "values[3].values[1]: samma nyckeltal, område, år och kön (N31807, 0136, 2016, T) som "
        "values[3].values[0]",
    ]


def test_kolada_truncated_and_not_kolada(tmp_path):
    text = (FILES / "kolada_v2.json").read_text(encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"rad \d+, kolumn \d+: ogiltig JSON"):
        parse_kolada(write(tmp_path, "cut.json", text[: len(text) // 2]))
    with pytest.raises(ImportFileError, match="ingen Kolada-datasida"):
        parse_kolada(FILES / "pxweb_v1_deso.json")


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_fetch_kolada_follows_pages_without_network(monkeypatch):
    pages = json.loads((FILES / "kolada_v2.json").read_text(encoding="utf-8"))
    requested = []

    def fake_urlopen(request, timeout):
        requested.append(request.full_url)
        return FakeResponse(json.dumps(pages[len(requested) - 1]).encode("utf-8"))

    monkeypatch.setattr(kolada.urllib.request, "urlopen", fake_urlopen)
    url = "https://api.kolada.se/v2/data/kpi/N00914/municipality/0000,0127,0180/year/2012,2013"
    assert fetch_kolada(url) == pages
    assert requested == [url, pages[0]["next_page"].replace("http://", "https://")]


def test_fetch_kolada_refuses_other_hosts_and_reports_http_errors(monkeypatch):
    with pytest.raises(ImportFileError, match=r"går inte till api\.kolada\.se"):
        fetch_kolada("https://example.org/v3/data/kpi/N00914/year/2020")

    def failing(request, timeout):
        raise urllib.error.HTTPError(request.full_url, 503, "Service Unavailable", {}, None)

    monkeypatch.setattr(kolada.urllib.request, "urlopen", failing)
    with pytest.raises(ImportFileError, match="sida 1: Kolada svarade 503 Service Unavailable"):
        fetch_kolada("https://api.kolada.se/v3/data/kpi/N00914/year/2020")


def test_a_duplicate_is_a_whole_key_repeated_whatever_the_file_holds(tmp_path):
    # Rows that differ only in indicator or only in sex are different figures; the same four
    # again is a duplicate, in a file of one indicator and sex or of several.
    header = "indicator,area,period,sex,value\n"
    path = tmp_path / "keys.csv"
    path.write_text(header + "social_assistance_share,0136,2011,T,1\nemployment_rate_20_64,0136,2011,T,2\n"
                    "social_assistance_share,0136,2011,M,3\nsocial_assistance_share,0136,2011,K,4\n")
    assert len(parse_csv(path)) == 4
    for rows in (["social_assistance_share,0136,2011,T,1", "social_assistance_share,0136,2011,T,2"],
                 ["social_assistance_share,0136,2011,T,1", "employment_rate_20_64,0136,2011,T,2",
                  "social_assistance_share,0136,2011,T,3"],
                 ["social_assistance_share,0136,2011,M,1", "social_assistance_share,0136,2011,K,2",
                  "social_assistance_share,0136,2011,M,3"]):
        path.write_text(header + "\n".join(rows) + "\n")
        with pytest.raises(ImportFileError) as excinfo:
            parse_csv(path)
        assert f"rad {len(rows) + 1}: samma indikator, område, period och kön" in problems_of(excinfo)[0]
        assert "som rad 2" in problems_of(excinfo)[0]
