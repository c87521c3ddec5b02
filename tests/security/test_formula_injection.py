"""CSV and Excel formula injection (issue 15, finding 3): user text that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return reaches every CSV the product hands out with a leading `'`,
and every Excel file as a string cell (with Excel's quote prefix), never as a formula; numbers
stay numbers. Each test stores such text where the export shows it and reads the file back."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from stadsdel.core.tabular_export import csv_writer, neutralise, xlsx_append

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
IDS = ["equals", "plus", "minus", "at", "tab", "cr"]
each_start = pytest.mark.parametrize("start", DANGEROUS, ids=IDS)


def payload(start: str) -> str:
    """The classic proof of concept: as a formula it would start a program."""
    return f"{start}1+cmd|' /C calc'!A0"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_cells(data: bytes | str) -> list[str]:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_csv_neutralised(data: bytes | str, planted: str | None, where: str) -> None:
    """No cell a spreadsheet would run (a negative number is a number), and the planted text is
    there with its leading `'`."""
    cells = csv_cells(data)
    raw = [c for c in cells if c.startswith(DANGEROUS) and not _is_number(c)]
    assert raw == [], f"{where}: cells that start a formula: {raw!r}"
    if planted is not None:
        assert any(c.startswith("'" + planted) for c in cells), f"{where}: {planted!r} is not in the file"


def assert_xlsx_neutralised(data: bytes, planted: str | None, where: str) -> None:
    """No formula cell; text that would start one is a string cell with the quote prefix; the
    planted text is there as the user wrote it."""
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    formulas = [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"]
    assert formulas == [], f"{where}: formula cells {formulas}"
    unprotected = [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(DANGEROUS)
                   and not (c.data_type == "s" and c.quotePrefix)]
    assert unprotected == [], f"{where}: text cells without the quote prefix: {unprotected!r}"
    if planted is not None:
        # XML turns a stored carriage return into a line feed when the file is read back.
        wanted = planted.replace("\r", "\n")
        assert any(isinstance(c.value, str) and c.value.replace("\r", "\n").startswith(wanted) and c.data_type == "s"
                   for c in cells), f"{where}: {planted!r} is not in the workbook"


# -- the writer itself ----------------------------------------------------------------------------

@each_start
def test_text_that_would_start_a_formula_gets_a_leading_quote(start):
    assert neutralise(payload(start)) == "'" + payload(start)
    lazy_text = lazy(lambda: payload(start), str)()  # as a lazy translation reaches the writer
    assert neutralise(lazy_text) == "'" + payload(start)


def test_numbers_dates_and_plain_text_stay_as_they_are():
    for value in (-1, -2.5, Decimal("-3.25"), 0, None, dt.date(2011, 1, 1), True, "Jordbro", "1+1", "'=x"):
        assert neutralise(value) == value
    assert isinstance(neutralise(gettext_lazy("Comments")), str)
    out = io.StringIO()
    csv_writer(out).writerow([-2.5, -3, Decimal("-1.5"), None, "=1+1", 0.1 + 0.2])
    assert out.getvalue() == "-2.5,-3,-1.5,,'=1+1,0.30000000000000004\r\n"


def test_a_line_break_inside_a_text_never_starts_a_row():
    """With "\n" as line end (the evaluation panel), a bare "\r" would end the row for a reader,
    and the text after it would begin a cell of its own, unneutralised."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["unit", "year"])
    writer.writerow(["Rinkeby\r=1+cmd|' /C calc'!A0", 2004])
    writer.writerow(["Husby", 2004])
    assert out.getvalue().startswith("unit,year\n") and out.getvalue().endswith("\nHusby,2004\n")
    assert list(csv.reader(io.StringIO(out.getvalue(), newline=""))) == [
        ["unit", "year"], ["Rinkeby\r=1+cmd|' /C calc'!A0", "2004"], ["Husby", "2004"]]


@each_start
def test_the_xlsx_writer_never_writes_a_formula(start):
    wb = Workbook()
    xlsx_append(wb.active, [payload(start), -2.5, gettext_lazy("Comments"), None, dt.date(2011, 1, 1)])
    out = io.BytesIO()
    wb.save(out)
    assert_xlsx_neutralised(out.getvalue(), payload(start), "xlsx_append")
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert row[1] == -2.5 and isinstance(row[2], str) and row[3] is None


# -- the API's export.csv -------------------------------------------------------------------------

def _api_world(start: str, *, haninge_user, committee_user) -> dict[str, str]:
    """User text at the start of a column of each API export; returns export → planted text."""
    from stadsdel.agreements.models import (
        Commission,
        CooperationAgreement,
        Organisation,
        Partnership,
    )
    from stadsdel.areas.models import District, Municipality
    from stadsdel.demo.funding import stockholm_fund_ensure
    from stadsdel.evaluation.models import Evaluation
    from stadsdel.followup.models import AgencyReport
    from stadsdel.funding import services as funding_services
    from stadsdel.funding.models import Fund, FundArea
    from stadsdel.indicators.models import ImportBatch, Indicator
    from stadsdel.indices.models import IndexModel
    from stadsdel.plans import services as plan_services
    from stadsdel.plans.models import ResidentDialogue

    p = payload(start)
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    Partnership.objects.filter(key="jordbro").update(name=p, basis=p)
    Commission.objects.filter(pk=Commission.objects.order_by("pk").first().pk).update(title=p)
    CooperationAgreement.objects.filter(key="jordbro_forsakringskassan").update(title=p, place=p)
    plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014, title=p)
    District.objects.filter(pk=jordbro.pk).update(name=p)
    Municipality.objects.filter(code="0136").update(name=p)
    ResidentDialogue.objects.create(municipality=jordbro.municipality, held_on=dt.date(2011, 5, 1), title=p,
                                    themes=p, outcome=p, published=True)
    Indicator.objects.filter(code="employment_rate_20_64").update(name=p)
    ImportBatch.objects.create(kind=ImportBatch.Kind.CSV, source_name=p)
    IndexModel.objects.filter(pk=IndexModel.objects.order_by("pk").first().pk).update(name=p)
    fk = Organisation.objects.get(key="forsakringskassan")
    AgencyReport.objects.create(organisation=fk, year=2010, text=p, published=True)
    Organisation.objects.filter(pk=fk.pk).update(name=p)
    Evaluation.objects.create(title=p, start_year=2008, published=True,
                              owner=Organisation.objects.get(key="arbetsmarknadsdepartementet"))
    year = dt.date.today().year
    fund, round_ = stockholm_fund_ensure(year=year, budget=1_000_000)
    area = FundArea.objects.get(fund=fund, committee__key="stockholm_rinkeby_kista_stadsdelsnamnd")
    funding_services.application_create(
        user=committee_user, round=round_, area=area, applicant=area.committee,
        fields={"title": p, "description": "Läxhjälp.", "period_start": dt.date(year, 1, 1),
                "period_end": dt.date(year, 12, 31), "contact_email": "kontakt@example.org"})
    Fund.objects.filter(pk=fund.pk).update(name=p)
    return {
        "/api/agreements/partnerships/export.csv": p,
        "/api/agreements/commissions/export.csv": p,
        "/api/agreements/cooperation/export.csv": p,
        "/api/agreements/agreements/export.csv": None,  # districts are a list: "['…']"
        "/api/areas/municipalities/export.csv": p,
        "/api/areas/districts/export.csv": p,
        "/api/areas/boundaries/export.csv": None,
        "/api/indicators/indicators/export.csv": p,
        "/api/indicators/observations/export.csv": None,
        "/api/indicators/imports/export.csv": p,
        "/api/indices/models/export.csv": p,
        "/api/plans/plans/export.csv": p,
        "/api/plans/dialogues/export.csv": p,
        "/api/followup/reports/export.csv": None,
        "/api/followup/agency-reports/export.csv": p,
        "/api/funding/funds/export.csv": p,
        "/api/funding/applications/export.csv": p,
        "/api/evaluation/evaluations/export.csv": p,
    }


@each_start
def test_every_api_csv_export_neutralises_user_text(client, start, ministry_user, haninge_user, committee_user):
    from stadsdel.api.api import api

    exports = _api_world(start, haninge_user=haninge_user, committee_user=committee_user)
    # Every export.csv of the API is checked: a new one must be added here.
    assert {path for path in api.get_openapi_schema()["paths"] if path.endswith("/export.csv")} == set(exports)
    for path, planted in exports.items():
        # The ministry reads everything but drafts, which are their owners' (a plan, an application).
        owner = {"/api/plans/plans/export.csv": haninge_user, "/api/funding/applications/export.csv": committee_user}
        client.force_login(owner.get(path, ministry_user))
        response = client.get(path)
        assert response.status_code == 200, path
        assert_csv_neutralised(response.content, planted, path)


# -- the portal -----------------------------------------------------------------------------------

@each_start
def test_the_portal_goals_csv_neutralises_goal_texts(client, start, haninge_user):
    from stadsdel.areas.models import District
    from stadsdel.plans import services as plan_services
    from stadsdel.plans.models import GoalArea

    p = payload(start)
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan = plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014, title="Plan")
    area = GoalArea.objects.get(programme__key=plan_services.NATIONAL_PROGRAMME, key="utbildning")
    plan_services.goal_create(user=haninge_user, plan=plan, fields={
        "goal_area": area, "number": "2.1", "title": p, "text": p, "baseline_value": -5.0, "baseline_year": 2010,
        "target_value": 80.0, "target_year": 2014}, scope_districts=[jordbro])
    plan = plan_services.plan_update(user=haninge_user, plan=plan, version=plan.version, fields={"published": True})
    response = client.get(f"/portal/plans/{plan.pk}/goals.csv")
    assert response.status_code == 200
    assert_csv_neutralised(response.content, p, "portal goals.csv")
    row = next(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["text"] == "'" + p and row["baseline_value"] == "-5.0"  # the number stays a number


# -- statistics and index pages -------------------------------------------------------------------

def _import(tmp_path, name: str, lines: list[str]) -> None:
    from stadsdel.indicators.services.imports import observations_import

    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    observations_import(path=path, fmt="csv")


@each_start
def test_the_statistics_and_index_csv_downloads_neutralise_names(client, start, tmp_path, db):
    from stadsdel.areas.models import District, Municipality
    from stadsdel.indices.services import index_model_save

    p = payload(start)
    # Jordbro's employment, Stockholm's index figures (Rinkeby, Husby, Tensta and two other areas)
    # and the typology's three variables.
    lines = ["indicator,area,period,value,numerator,denominator"]
    lines += [f"employment_rate_20_64,{code},2011,{100 * num / 1000!r},{num},1000"
              for code, num in (("01360017", 600), ("01360018", 550), ("01360019", 500))]
    areas = {"01800148": (30, 500), "01800154": (20, 560), "01800151": (40, 450), "01800201": (10, 700),
             "01800202": (8, 720)}
    for year in (2010, 2012):
        for code, (sa, emp) in areas.items():
            lines.append(f"social_assistance_share,{code},{year},{sa / 10!r},{sa + year - 2010},1000")
            lines.append(f"employment_rate_20_64,{code},{year},{emp / 8!r},{emp + year - 2010},800")
    _import(tmp_path, "figures.csv", lines)
    shares = {"01800148": (40.0, 30.0, 20.0), "01800154": (30.0, 24.0, 15.0), "01800151": (45.0, 33.0, 24.0),
              "01800201": (6.0, 6.0, 3.0), "01800202": (5.0, 5.0, 2.0), "01800203": (8.0, 7.0, 3.0)}
    codes = ("low_economic_standard_share", "pre_secondary_education_20_64",
             "long_term_assistance_or_unemployment_20_64")
    _import(tmp_path, "typology.csv", ["indicator,area,period,value"] + [
        f"{code},{area},2012,{v}" for area, values in shares.items() for code, v in zip(codes, values, strict=True)])
    model, _created = index_model_save(definition={
        "name": "Testindex", "base_year": 2010, "domains": [{"name": "Försörjning", "weight": 1, "indicators": [
            {"code": "social_assistance_share", "weight": 1, "orientation": "risk"},
            {"code": "employment_rate_20_64", "weight": 1, "orientation": "protective"}]}],
    }, reference_municipality=Municipality.objects.get(code="0180"))
    model.__class__.objects.filter(pk=model.pk).update(name=p)
    # Rinkeby and Tensta are both Stockholm's: two names, each starting with the payload.
    for name, new in (("Jordbro", p), ("Rinkeby", p), ("Tensta", p + " Tensta")):
        District.objects.filter(name=name, kind=District.Kind.DISTRICT).update(name=new)

    response = client.get("/statistics/indicators/employment_rate_20_64/", {"format": "csv"})
    assert response.status_code == 200
    assert_csv_neutralised(response.content, p, "indicator csv")
    response = client.get("/index/", {"model": model.pk, "level": "district", "year": 2012, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert_csv_neutralised(response.content, p, "index csv")
    response = client.get("/index/typology/", {"format": "csv", "cutoffs": "2 1 0 -1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert_csv_neutralised(response.content, p, "typology csv")


# -- the reports: pages, downloads and the command ---------------------------------------------

NATIONAL_TABLES = ("sammanfattning", "stadsdelar", "fordelning", "maluppfyllelse", "inlamning", "myndigheter")
FOLLOWUP_TABLES = ("indikatorer", "mal", "index")


@each_start
def test_report_csv_and_xlsx_neutralise_user_text(client, start, haninge_user, ministry_user, tmp_path):
    from stadsdel.agreements.models import Organisation
    from stadsdel.areas.models import District, Municipality
    from stadsdel.followup import services as report_services
    from stadsdel.followup.models import AgencyReport, ReportStatus
    from stadsdel.plans import services as plan_services
    from stadsdel.plans.models import DistrictPlan, GoalArea

    p = payload(start)
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan = plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)
    plan_services.goal_create(user=haninge_user, plan=plan, fields={
        "goal_area": GoalArea.objects.get(programme=plan.programme, key="arbete"), "number": "1.1", "text": p,
        "baseline_value": -1.5, "baseline_year": 2010})
    plan_services.plan_transition(user=haninge_user, plan=plan, to=DistrictPlan.Status.ADOPTED)
    plan_services.plan_transition(user=haninge_user, plan=plan, to=DistrictPlan.Status.SUBMITTED)
    report = report_services.report_start(user=haninge_user, municipality=Municipality.objects.get(code="0136"),
                                          year=2011)
    for section in report.sections.all():
        report_services.section_update(user=haninge_user, section=section, version=section.version, text=p)
    _import(tmp_path, "jordbro.csv", ["indicator,area,period,value,numerator,denominator"] + [
        f"employment_rate_20_64,{code},{year},{100 * num / 1000!r},{num},1000"
        for code, num in (("01360017", 600), ("01360018", 550), ("01360019", 500)) for year in (2010, 2011)])
    AgencyReport.objects.create(organisation=Organisation.objects.get(key="forsakringskassan"), year=2011, text=p,
                                status=ReportStatus.SUBMITTED, published=True, submitted_at=dt.datetime(2011, 11, 1, tzinfo=dt.UTC))
    District.objects.filter(pk=jordbro.pk).update(name=p)

    client.force_login(haninge_user)  # Haninge's own (internal) follow-up: the narrative too
    for table in FOLLOWUP_TABLES:
        response = client.get("/reports/0136/2011/", {"format": "csv", "table": table})
        assert response.status_code == 200
        assert_csv_neutralised(response.content, p if table != "index" else None, f"follow-up csv {table}")
    response = client.get("/reports/0136/2011/", {"format": "xlsx"})
    assert response.status_code == 200
    assert_xlsx_neutralised(response.content, p, "follow-up xlsx")
    client.force_login(ministry_user)  # the internal national report, with the submitted plan
    for table in NATIONAL_TABLES:
        response = client.get("/reports/national/2011/", {"format": "csv", "table": table, "internal": "1"})
        assert response.status_code == 200
        planted = p if table in ("stadsdelar", "maluppfyllelse", "myndigheter") else None
        assert_csv_neutralised(response.content, planted, f"national csv {table}")
    response = client.get("/reports/national/2011/", {"format": "xlsx", "internal": "1"})
    assert response.status_code == 200
    assert_xlsx_neutralised(response.content, p, "national xlsx")
    for kind, where in (("followup", ["--municipality", "0136"]), ("national", [])):
        out = tmp_path / f"{kind}.xlsx"
        call_command("report", kind, *where, "--year", "2011", "--format", "xlsx", "--internal", "-o", str(out))
        assert_xlsx_neutralised(out.read_bytes(), p, f"stadsdel report {kind}")


# -- the evaluation's panel -----------------------------------------------------------------------

@each_start
def test_the_evaluation_panel_csv_neutralises_district_names(client, start, ministry_user):
    from stadsdel.areas.models import District
    from stadsdel.evaluation import services
    from stadsdel.evaluation.selectors import candidate_districts
    from stadsdel.indicators.models import ImportBatch, Indicator, Level, Observation

    p = payload(start)
    treated = District.objects.get(name="Rinkeby", kind=District.Kind.DISTRICT)
    comparison = list(candidate_districts().order_by("name")[:4])
    indicator = Indicator.objects.get(code="employment_rate_20_64")
    batch = ImportBatch.objects.create(kind=ImportBatch.Kind.CSV, source_name="simulerad.csv")
    Observation.objects.bulk_create([
        Observation(indicator=indicator, level=Level.DISTRICT, unit_key=f"district:{d.pk}", district=d, period=y,
                    value=50.0 + k + 0.5 * (y - 2004) + ((k * 7 + y) % 5) * 0.1 + (3.0 if d == treated and y >= 2008
                                                                                       else 0.0), batch=batch)
        for k, d in enumerate([treated, *comparison]) for y in range(2004, 2013)
    ])
    District.objects.filter(pk=treated.pk).update(name=p)
    treated.refresh_from_db()
    evaluation = services.evaluation_create(
        user=ministry_user, fields={"title": "Utvärdering", "start_year": 2008, "pool": "manual", "published": True},
        treated=[treated], outcomes=[indicator], comparison=comparison)
    response = client.get(f"/evaluation/{evaluation.pk}/", {"format": "csv"})
    assert response.status_code == 200
    assert_csv_neutralised(response.content, p, "evaluation panel csv")
