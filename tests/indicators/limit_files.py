"""Oversized import files, written compactly, for the import-limit tests and
`bench/import_limits.py`.

`write_bomb_xlsx` writes the workbook of issue 15 (finding 5): 100 000 rows × 100 columns under
a header that is not an import header. The sheet's XML is written by hand into a deflated zip,
cells without coordinates (as the specification allows) and without a `<dimension>` element, so
the file is about 0.5 MB on disk and 151 MB unzipped, and writing it takes about a second.
`write_long_csv` writes a long-form CSV whose last row has a value that is not a number.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET = "xl/worksheets/sheet1.xml"


def write_bomb_xlsx(path: Path, *, rows: int = 100_000, columns: int = 100,
                    header: list[str] | None = None) -> Path:
    """A workbook of `rows` rows (the header included) × `columns` columns of the number 1,
    under `header` (default: kolumn0, kolumn1, …, which no import accepts)."""
    header = header or [f"kolumn{i}" for i in range(columns)]
    head = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in header)
    row = ("<row>" + "<c><v>1</v></c>" * columns + "</row>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        b"<sheetData>")
            sheet.write(f"<row>{head}</row>".encode())
            for _ in range(rows - 1):
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return path


def unzipped_bytes(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


def write_long_csv(path: Path, *, rows: int, bad_last_row: bool = True) -> Path:
    """`rows` data rows of employment_rate_20_64 with distinct keys (SAMS codes of Botkyrka ×
    years × sex); the last row's value is `inte-ett-tal` when `bad_last_row`."""
    lines = ["indicator,area,period,sex,value\n"]
    for i in range(rows):
        area = f"0127{i % 10_000:04d}"
        period = 1990 + (i // 10_000) % 111
        sex = "TKM"[(i // 1_110_000) % 3]
        value = "inte-ett-tal" if bad_last_row and i == rows - 1 else f"{50 + i % 500 / 10:.1f}"
        lines.append(f"employment_rate_20_64,{area},{period},{sex},{value}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path
