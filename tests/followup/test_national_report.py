"""The national report: every district named, numbers as numbers, the missing and late list,
and nothing suppressed or unpublished in the public outputs."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from openpyxl import load_workbook

from stadsdel.areas.models import District, Municipality
from stadsdel.followup import render
from stadsdel.followup.content import followup_content, national_content
from stadsdel.followup.models import FollowUpReport, ReportStatus
from stadsdel.indicators.models import Observation
from stadsdel.plans import services as plan_services
from stadsdel.plans.models import DistrictPlan, GoalArea

SECRET = "Hemligt mål som inte är publicerat"


@pytest.fixture
def jordbro_figures(db, tmp_path):
    """Employment in Jordbro's three areas in 2011 (the district figure is their sum) and a
    suppressed figure for Alby."""
    from stadsdel.indicators.services.imports import observations_import

    lines = ["indicator,area,period,value,numerator,denominator,status"]
    for code, num, den in (("01360017", 900, 1500), ("01360018", 800, 1400), ("01360019", 700, 1300)):
        lines.append(f"employment_rate_20_64,{code},2011,{100 * num / den!r},{num},{den},ok")
    lines.append("employment_rate_20_64,01270001,2011,,,,suppressed")
    path = tmp_path / "figures.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    observations_import(path=path, fmt="csv")
    return 100 * 2400 / 4200


@pytest.fixture
def secret_plan(haninge_user):
    """A submitted but unpublished plan: the ministry sees it, the public must not."""
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan = plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)
    plan_services.goal_create(user=haninge_user, plan=plan, fields={
        "goal_area": GoalArea.objects.get(programme=plan.programme, key="arbete"), "number": "1.1", "text": SECRET})
    plan_services.plan_transition(user=haninge_user, plan=plan, to=DistrictPlan.Status.ADOPTED)
    plan_services.plan_transition(user=haninge_user, plan=plan, to=DistrictPlan.Status.SUBMITTED)
    return plan


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())  # a reader's text: lines joined, as a search in the PDF finds it


def xlsx_values(data: bytes) -> list:
    wb = load_workbook(io.BytesIO(data))
    return [cell for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for cell in row]


def test_the_pdf_names_all_38_districts_and_opens(db, jordbro_figures, tmp_path):
    content = national_content(year=2011, public=True)
    assert len(content.districts) == 38
    data = render.national_pdf(content)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    for row in content.districts:
        assert row.district.name in text, row.district.name
    assert "Sida 1 av" in text and "Innehåll" in text
    # The first page renders to an image, as a reader shows it.
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page")], check=True)
    pages = list(tmp_path.glob("page-*.png"))  # pdftoppm pads the number to the page count's width
    assert len(pages) == 1 and pages[0].stat().st_size > 1000


def test_the_excel_district_table_holds_numbers(db, jordbro_figures):
    wb = load_workbook(io.BytesIO(render.national_xlsx(national_content(year=2011, public=True))))
    ws = wb["Stadsdelar"]
    header = [c.value for c in ws[1]]
    column = next(k for k, h in enumerate(header) if "employment_rate_20_64" in str(h))
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 39  # 38 districts and the country
    assert isinstance(rows["Jordbro"][column], float)
    assert rows["Jordbro"][column] == pytest.approx(jordbro_figures)
    assert rows["Alby"][column] is None  # suppressed: an empty cell, not a number


def test_unpublished_and_suppressed_never_in_public_outputs(db, jordbro_figures, secret_plan, tmp_path):
    suppressed = Observation.objects.filter(status="suppressed", level="area").count()
    assert suppressed >= 1
    public = national_content(year=2011, public=True)
    assert SECRET not in render.national_html(public)
    assert SECRET not in pdf_text(render.national_pdf(public), tmp_path)
    assert all(SECRET not in str(v) for v in xlsx_values(render.national_xlsx(public)))
    tables = render.national_tables(public)
    assert all(SECRET not in render.table_csv(tables, key) for key in tables)
    # The ministry's own version counts the submitted plan.
    internal = national_content(year=2011, public=False)
    assert SECRET in render.national_html(internal)
    # The followup report of a municipality follows the same rule.
    haninge = Municipality.objects.get(code="0136")
    assert SECRET not in render.followup_html(followup_content(
        municipality=haninge, year=2011, public=True))


def test_missing_and_late(db, haninge_user, ministry_user):
    haninge = Municipality.objects.get(code="0136")
    malmo = Municipality.objects.get(code="1280")
    late = FollowUpReport.objects.create(municipality=haninge, year=2011, status=ReportStatus.SUBMITTED,
                                         submitted_at=dt.datetime(2011, 12, 5, 10, tzinfo=dt.UTC))
    FollowUpReport.objects.create(municipality=malmo, year=2011, status=ReportStatus.SUBMITTED,
                                  submitted_at=dt.datetime(2011, 11, 20, 10, tzinfo=dt.UTC))
    content = national_content(year=2011, public=True, today=dt.date(2012, 1, 15))
    reports = {d.municipality.code: d for d in content.due if d.kind == "report"}
    assert reports["0136"].status == "done_late" and reports["0136"].done_on == dt.date(2011, 12, 5)
    assert reports["1280"].status == "done"
    assert reports["0127"].status == "overdue"  # Botkyrka never submitted
    listed = {(d.municipality.code, d.kind) for d in content.missing_or_late}
    assert ("0136", "report") in listed and ("0127", "report") in listed and ("1280", "report") not in listed
    assert late.pk


def test_report_command_writes_each_format(db, tmp_path):
    from django.core.management import call_command

    for fmt in ("html", "xlsx"):
        out = tmp_path / f"national.{fmt}"
        call_command("report", "national", "--year", "2011", "--format", fmt, "-o", str(out))
        assert out.stat().st_size > 1000
    out = tmp_path / "haninge.pdf"
    call_command("report", "followup", "--municipality", "0136", "--year", "2011", "--format", "pdf", "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    assert "Jordbro" in pdf_text(out.read_bytes(), tmp_path)
