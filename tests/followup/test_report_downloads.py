"""Every report in every format it is offered in, downloaded by every role that may read it: the
national report (public, and the ministry's internal version) and a municipality's follow-up
(public, and the internal version its own coordinator and the ministry get), as HTML, PDF, Excel
and each CSV table, from the pages and from `stadsdel report`. A lazy translation in the Excel
export once made the internal follow-up a 500 (issue 15, finding 4); nothing must fail that way."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from stadsdel.areas.models import Municipality
from stadsdel.followup import services

ROLES = ("anonymous", "ministry", "municipality_a", "municipality_b", "agency", "analyst", "committee")
NARRATIVE = "Partnerskapet har träffats varje månad."
NATIONAL_TABLES = ("sammanfattning", "stadsdelar", "fordelning", "maluppfyllelse", "inlamning", "myndigheter")
FOLLOWUP_TABLES = ("indikatorer", "mal", "index")


@pytest.fixture
def users(ministry_user, haninge_user, malmo_user, agency_user, analyst_user, committee_user):
    return {"anonymous": None, "ministry": ministry_user, "municipality_a": haninge_user,
            "municipality_b": malmo_user, "agency": agency_user, "analyst": analyst_user,
            "committee": committee_user}


@pytest.fixture
def haninge_report(haninge_user):
    """Haninge's 2011 follow-up with its narrative written (not published): the internal version
    has the sections, whose titles are lazy translations."""
    report = services.report_start(user=haninge_user, municipality=Municipality.objects.get(code="0136"), year=2011)
    for section in report.sections.all():
        services.section_update(user=haninge_user, section=section, version=section.version, text=NARRATIVE)
    return report


def check_file(data: bytes, fmt: str) -> None:
    """A real file of its kind: a PDF with its end marker, a workbook openpyxl opens (with no
    formula cell), an HTML document, a CSV with a header and rows of the header's width."""
    if fmt == "pdf":
        assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
    elif fmt == "xlsx":
        wb = load_workbook(io.BytesIO(data))
        assert wb.worksheets
        assert [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"] == []
    elif fmt == "html":
        text = data.decode("utf-8")
        assert "<html" in text and "</html>" in text
    else:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        assert rows and all(len(r) == len(rows[0]) for r in rows)


def downloads(client, url: str, tables: tuple[str, ...], extra: dict | None = None) -> list[str]:
    """Fetch every format of the report at `url`; return what went wrong."""
    wrong = []
    requests = [({"format": fmt}, fmt) for fmt in ("html", "pdf", "xlsx")]
    requests += [({"format": "csv", "table": table}, "csv") for table in tables]
    for params, fmt in requests:
        response = client.get(url, {**params, **(extra or {})})
        if response.status_code != 200:
            wrong.append(f"{url} {params}: HTTP {response.status_code}")
            continue
        try:
            check_file(response.content, fmt)
        except Exception as exc:  # every fault is collected and reported together
            wrong.append(f"{url} {params}: not a valid {fmt} ({exc!r})")
    return wrong


def sign_in(client, users, role):
    client.logout()
    if users[role] is not None:
        client.force_login(users[role])


@pytest.mark.parametrize("role", ROLES)
def test_every_role_downloads_the_followup_report_in_every_format(client, users, haninge_report, role):
    """Everyone may read Haninge's follow-up; Haninge itself and the ministry get the internal
    version with the narrative (the one that crashed as Excel)."""
    sign_in(client, users, role)
    assert downloads(client, "/reports/0136/2011/", FOLLOWUP_TABLES) == []
    internal = role in ("ministry", "municipality_a")
    xlsx = client.get("/reports/0136/2011/", {"format": "xlsx"}).content
    values = [c for ws in load_workbook(io.BytesIO(xlsx)).worksheets for row in ws.iter_rows(values_only=True)
              for c in row]
    assert (NARRATIVE in values) == internal
    if internal:  # the section titles in Swedish, as in the rest of the report
        assert "Partnerskapet och samverkan" in values


@pytest.mark.parametrize("role", ROLES)
def test_every_role_downloads_the_national_report_in_every_format(client, users, haninge_report, role):
    sign_in(client, users, role)
    assert downloads(client, "/reports/national/2011/", NATIONAL_TABLES) == []


def test_the_ministry_downloads_the_internal_national_report_in_every_format(client, ministry_user, haninge_report):
    client.force_login(ministry_user)
    assert downloads(client, "/reports/national/2011/", NATIONAL_TABLES, {"internal": "1"}) == []


@pytest.mark.parametrize("internal", [False, True], ids=["public", "internal"])
@pytest.mark.parametrize("fmt", ["html", "pdf", "xlsx"])
def test_the_report_command_writes_every_report_in_every_format(haninge_report, tmp_path, fmt, internal):
    flag = ["--internal"] if internal else []
    followup = tmp_path / f"followup.{fmt}"
    call_command("report", "followup", "--municipality", "0136", "--year", "2011", "--format", fmt, *flag,
                 "-o", str(followup))
    check_file(followup.read_bytes(), fmt)
    national = tmp_path / f"national.{fmt}"
    call_command("report", "national", "--year", "2011", "--format", fmt, *flag, "-o", str(national))
    check_file(national.read_bytes(), fmt)
