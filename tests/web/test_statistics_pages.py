"""The statistics pages: the indicator catalogue, a district's series and seven-dimension profile,
the overarching goals counted, and the analysts' import page with its error report."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stadsdel.areas.models import County, District, Municipality
from stadsdel.indicators.models import ExclusionRule, ImportBatch, Indicator, Level, Observation
from stadsdel.indicators.services.units import COUNTRY_KEY
from stadsdel.ui import charts
from task_worker import run_worker

pytestmark = pytest.mark.django_db

YEARS = (2010, 2011, 2012)
# Alby's employment rate in 2010 as Σnumerator/Σdenominator: stored and charted unrounded.
ALBY_EMPLOYMENT_2010 = 100 * 1571 / 3001


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def alby() -> District:
    return District.objects.get(name="Alby", kind=District.Kind.DISTRICT)


def put(batch: ImportBatch, code: str, unit, year: int, value: float | None, *, numerator=None, denominator=None,
        status: str = "ok", rule: ExclusionRule | None = None) -> Observation:
    """One stored figure for a district, municipality, county or (unit None) the country."""
    fields = {"level": Level.COUNTRY, "unit_key": COUNTRY_KEY}
    if isinstance(unit, District):
        fields = {"level": Level.DISTRICT, "unit_key": f"district:{unit.pk}", "district": unit}
    elif isinstance(unit, Municipality):
        fields = {"level": Level.MUNICIPALITY, "unit_key": f"municipality:{unit.code}", "municipality": unit}
    elif isinstance(unit, County):
        fields = {"level": Level.COUNTY, "unit_key": f"county:{unit.code}", "county": unit}
    return Observation.objects.create(
        indicator=Indicator.objects.get(code=code), period=year, sex="T", value=value, numerator=numerator,
        denominator=denominator, status=status, batch=batch, rule=rule, **fields,
    )


@pytest.fixture
def alby_figures(analyst_user):
    """Alby against Botkyrka, Stockholms län and the country: employment 2010–2012 (2011
    suppressed), and five dimensions in 2010 in which Alby is worse than both references, so the
    district rule (at least four of at least five) marks it."""
    district = alby()
    botkyrka = district.municipality
    county = botkyrka.county
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.CSV, source_name="alby_2010_2012.csv", created_by=analyst_user,
        created_by_name="analyst", rows_created=20,
    )
    put(batch, "employment_rate_20_64", district, 2010, ALBY_EMPLOYMENT_2010, numerator=1571, denominator=3001)
    put(batch, "employment_rate_20_64", district, 2011, None, status="suppressed")
    put(batch, "employment_rate_20_64", district, 2012, 55.25, numerator=1657.5, denominator=3000)
    for year, value in zip(YEARS, (71.5, 72.0, 73.25), strict=True):
        put(batch, "employment_rate_20_64", botkyrka, year, value)
        put(batch, "employment_rate_20_64", county, year, value + 6)
        put(batch, "employment_rate_20_64", None, year, value + 5)
    # Four more dimensions in 2010, each worse than both Botkyrka and the county.
    for code, (d, m, c) in {
        "social_assistance_share": (18.5, 6.0, 4.0),
        "post_secondary_education_25_64": (21.0, 35.0, 45.0),
        "grade9_eligible_upper_secondary": (70.0, 84.0, 88.0),
        "sickness_days_per_person": (45.0, 35.0, 30.0),
    }.items():
        put(batch, code, district, 2010, d)
        put(batch, code, botkyrka, 2010, m)
        put(batch, code, county, 2010, c)
    rule = ExclusionRule.objects.get(target="individual", active=True)
    put(batch, "individuals_in_exclusion", botkyrka, 2010, 9.5, numerator=5000, denominator=52631, rule=rule)
    put(batch, "individuals_in_exclusion", botkyrka, 2011, 9.1, numerator=4800, denominator=52747, rule=rule)
    return batch


# -- the catalogue --------------------------------------------------------------------------------


def test_indicator_list_shows_the_catalogue(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        page = text(client.get(reverse("indicators:indicator_list")))
    assert "<h1>Indikatorer</h1>" in page
    employment = Indicator.objects.get(code="employment_rate_20_64")
    # Each indicator by its name, which leads to its page; the internal code is not shown.
    assert f'<th scope="row"><a href="{employment.get_absolute_url()}">{employment.name}</a></th>' in page
    assert "employment_rate_20_64" not in page.replace(employment.get_absolute_url(), "")
    assert "N00914" in page  # Kolada's own id, which Kolada's users look up
    assert "Arbete" in page  # its goal area, by name
    for code in ("social_assistance_share", "perceived_safety", "individuals_in_exclusion"):
        indicator = Indicator.objects.get(code=code)
        assert f'<a href="{indicator.get_absolute_url()}">{indicator.name}</a>' in page
    assert "Importera statistik" not in page  # the public does not import


def test_indicator_list_in_english_uses_the_english_names(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = text(client.get(reverse("indicators:indicator_list")))
    employment = Indicator.objects.get(code="employment_rate_20_64")
    assert f'<th scope="row"><a href="{employment.get_absolute_url()}">{employment.name_en}</a></th>' in page
    assert "<h1>Indicators</h1>" in page and "Work" in page


def test_indicator_detail_shows_the_definition_and_the_latest_figures(client, alby_figures, django_assert_max_num_queries):
    employment = Indicator.objects.get(code="employment_rate_20_64")
    with django_assert_max_num_queries(5):
        page = text(client.get(employment.get_absolute_url()))
    assert employment.definition.splitlines()[0] in page
    assert "N00914" in page
    assert "Senaste värden (2012)" in page
    # Botkyrka first (municipalities), then Alby; Swedish decimal comma, rounded for display.
    assert page.index(">Botkyrka</a>") < page.index(">Alby</a>")
    assert "73,2" in page or "73,3" in page
    assert "55,2" in page or "55,3" in page
    assert "1\xa0657,5 " not in page  # counts are shown, not mistaken for values
    assert '<a href="?format=csv" download>' in page


def test_indicator_detail_csv_has_the_unrounded_values(client, alby_figures):
    response = client.get(reverse("indicators:indicator_detail", args=["employment_rate_20_64"]), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "employment_rate_20_64_2012.csv" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("indicator,level,unit,municipality_code,period,sex,value,numerator,denominator")
    assert "employment_rate_20_64,municipality,Botkyrka,0127,2012,T,73.25,,,ok" in lines[1]
    assert "employment_rate_20_64,district,Alby,0127,2012,T,55.25,1657.5,3000.0,ok" in lines[2]


def test_unknown_indicator_is_404(client):
    assert client.get(reverse("indicators:indicator_detail", args=["no_such_indicator"])).status_code == 404


# -- a district's statistics ----------------------------------------------------------------------


def _chart_spec(page: str, code: str) -> dict:
    match = re.search(rf'<script id="chart-{code}" type="application/json">(.*?)</script>', page, re.S)
    assert match, f"no chart spec for {code}"
    return json.loads(match.group(1))


def test_district_statistics_charts_the_district_against_its_references(client, alby_figures, django_assert_max_num_queries):
    district = alby()
    with django_assert_max_num_queries(14):
        page = text(client.get(reverse("indicators:district_statistics", args=[district.pk])))
    assert "<h1>Statistik för Alby</h1>" in page
    spec = _chart_spec(page, "employment_rate_20_64")
    values = spec["data"]["values"]
    alby_values = {r["year"]: r["value"] for r in values if r["series"] == "Alby"}
    # Unrounded in the data; the suppressed year is a gap (None), never a number.
    assert alby_values == {2010: ALBY_EMPLOYMENT_2010, 2011: None, 2012: 55.25}
    assert json.dumps(ALBY_EMPLOYMENT_2010) in page
    assert {r["series"] for r in values} == {"Alby", "Botkyrka", "Stockholms län", "Riket"}
    assert spec["encoding"]["tooltip"][2]["format"] == ",.1f"
    # The table under the chart: counts, and the suppressed year explained.
    assert "1\xa0571 / 3\xa0001" in page
    assert '<abbr title="undertryckt (röjandekontroll)">–</abbr>' in page
    assert "<td>undertryckt (röjandekontroll)</td>" in page
    # Charts come from the app itself, never from a CDN.
    assert f'src="{reverse("ui:vega_bundle")}?v={charts.bundle_version()}"' in page
    assert "cdn" not in page.lower()


def test_district_chart_spec_renders_to_svg_offline(client, alby_figures):
    page = text(client.get(reverse("indicators:district_statistics", args=[alby().pk])))
    svg = charts.chart_svg(_chart_spec(page, "employment_rate_20_64"))
    assert svg.startswith("<svg") and "Botkyrka" in svg and "Alby" in svg


def test_district_profile_compares_the_seven_dimensions_and_names_the_rule(client, alby_figures):
    district = alby()
    page = text(client.get(reverse("indicators:district_statistics", args=[district.pk]), {"year": 2010}))
    assert "Sysselsättningsgraden är lägre" in page  # seed 000's wording of the dimension
    assert "Beroendet av försörjningsstöd är större" in page
    assert "Alby är präglad av utanförskap 2010." in page
    assert "”Standard för stadsdelar”, version 1" in page  # the rule's name, not its key
    assert "sämre än jämförelseområdena i 5 av 5 dimensioner med värden" in page
    # Employment: 52.3 against Botkyrka's 71.5 is −19.2, ratio 0.73.
    assert "\u221219,2" in page and "0,73" in page
    assert page.count('<span class="verdict verdict-worse">sämre</span>') == 10


def test_district_profile_defaults_to_the_latest_year_and_ignores_a_bad_year(client, alby_figures):
    url = reverse("indicators:district_statistics", args=[alby().pk])
    page = text(client.get(url, {"year": "abc"}))
    assert '<option value="2012" selected>' in page
    # 2012 has only employment figures: too few dimensions for the rule to decide.
    assert "räcker inte för att regeln ”Standard för stadsdelar”, version 1 ska avgöra" in page


def test_district_statistics_lists_the_imports_and_shows_who_only_to_staff(client, alby_figures, haninge_user):
    url = reverse("indicators:district_statistics", args=[alby().pk])
    page = text(client.get(url))
    assert "alby_2010_2012.csv" in page
    assert reverse("indicators:import_detail", args=[alby_figures.pk]) in page
    assert ">analyst<" not in page
    client.force_login(haninge_user)
    assert ">analyst</td>" in text(client.get(url))


def test_district_without_figures_says_so(client):
    page = text(client.get(reverse("indicators:district_statistics", args=[alby().pk])))
    assert "Inga värden har importerats för stadsdelen ännu." in page
    assert "vega.js" not in page


def test_district_detail_links_its_statistics(client, alby_figures):
    district = alby()
    page = text(client.get(district.get_absolute_url()))
    assert reverse("indicators:district_statistics", args=[district.pk]) in page
    assert "5 indikatorer har värden för stadsdelen, 2010–2012." in page


def test_mapped_figures_say_through_which_crosswalk(client, alby_figures):
    from stadsdel.areas.models import CodeSystem, Crosswalk

    crosswalk = Crosswalk.objects.create(
        from_system=CodeSystem.objects.get(code="SAMS"), to_system=CodeSystem.objects.get(code="DeSO"),
        name="SAMS → DeSO",
    )
    Observation.objects.filter(district=alby(), period=2012).update(crosswalk=crosswalk)
    page = text(client.get(reverse("indicators:district_statistics", args=[alby().pk])))
    assert "<td>omräknad via SAMS → DeSO</td>" in page


def test_vega_bundle_is_served_by_the_app_with_long_cache(client):
    response = client.get(reverse("ui:vega_bundle"), {"v": charts.bundle_version()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "max-age=31536000" in response["Cache-Control"]
    assert b"window.vegaEmbed" in response.content


# -- the overarching goals ------------------------------------------------------------------------


def test_exclusion_overview_counts_individuals_and_marked_districts(client, alby_figures, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = text(client.get(reverse("indicators:exclusion_overview")))
    assert "”Standard för stadsdelar”, version 1" in page and "stadsdel-standard" not in page
    assert "”Standard för individer”, version 1" in page
    # Botkyrka's individuals in exclusion, year over year (5 000, then 4 800: −200).
    assert "5\xa0000" in page and "4\xa0800" in page and "(\u2212200)" in page
    # The district table for the latest year with district figures (2012): Alby cannot be decided.
    assert '<option value="2012" selected>' in page
    page_2010 = text(client.get(reverse("indicators:exclusion_overview"), {"year": 2010}))
    row = re.search(r'<th scope="row"><a href="[^"]+">Alby</a></th>(.*?)</tr>', page_2010, re.S).group(1)
    assert "präglad av utanförskap" in row and "5 av 5" in row
    assert "Präglade av utanförskap: 1." in page_2010


def test_exclusion_overview_without_figures(client):
    page = text(client.get(reverse("indicators:exclusion_overview")))
    assert "<h1>Utanförskap: de övergripande målen</h1>" in page


# -- the import page ------------------------------------------------------------------------------

GOOD_CSV = (
    "indicator,area,period,sex,value,numerator,denominator\n"
    "employment_rate_20_64,01270001,2010,T,55.5,555,1000\n"
    "employment_rate_20_64,01270002,2010,T,60,600,1000\n"
    "employment_rate_20_64,0127,2010,T,70.125,7012.5,10000\n"
)
BAD_CSV = (
    "indicator,area,period,sex,value,numerator,denominator\n"
    "employment_rate_20_64,01270001,2010,T,55.5,555,1000\n"
    "employment_rate_20_64,01270002,2010,T,sextio,600,1000\n"
)


def upload(content: str, name: str = "botkyrka_2010.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def test_import_page_needs_sign_in(client):
    response = client.get(reverse("indicators:statistics_import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_import_page_is_forbidden_to_a_municipality_coordinator(client, haninge_user):
    client.force_login(haninge_user)
    assert client.get(reverse("indicators:statistics_import")).status_code == 403
    assert client.post(reverse("indicators:statistics_import"), {"format": "csv", "file": upload(GOOD_CSV)}).status_code == 403
    assert not Observation.objects.exists()


def test_import_page_for_an_analyst(client, analyst_user, django_assert_max_num_queries):
    for number in range(3):
        ImportBatch.objects.create(kind="csv", source_name=f"fil{number}.csv", created_by=analyst_user)
    client.force_login(analyst_user)
    # Session, user, the scope (memberships and organisation tree), the catalogue, the user
    # menu, the imports: a fixed number whatever the number of imports listed.
    with django_assert_max_num_queries(10):
        page = text(client.get(reverse("indicators:statistics_import")))
    assert "<h1>Importera statistik</h1>" in page
    assert 'enctype="multipart/form-data"' in page
    assert '<option value="employment_rate_20_64">' in page
    assert "Skickar filen …" in page  # shown on submit by busy.js
    assert "Filen importeras i bakgrunden" in page
    assert "fil2.csv" in page and ">analyst</td>" in page
    assert "Importera statistik" in text(client.get(reverse("start:home")))  # in the user menu


def imported(client, content: str, **extra):
    """Upload through the import page, which queues the import and sends the user to the task's
    page; run the worker; return that page once the task has ended."""
    response = client.post(reverse("indicators:statistics_import"), {"format": "csv", "file": upload(content), **extra})
    assert response.status_code == 302 and response["Location"].startswith("/tasks/"), response.status_code
    run_worker()
    return client.get(response["Location"])


def test_a_good_csv_file_is_imported(client, analyst_user, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client.force_login(analyst_user)
    page = text(imported(client, GOOD_CSV))
    batch = ImportBatch.objects.get()
    assert batch.source_name == "botkyrka_2010.csv" and batch.created_by == analyst_user
    assert '<dd class="num" id="import-created">3</dd>' in page
    assert '<dd class="num" id="import-updated">0</dd>' in page
    assert reverse("indicators:import_detail", args=[batch.pk]) in page
    stored = {(o.unit_key, o.value) for o in Observation.objects.filter(batch=batch)}
    assert stored == {("area:SAMS:01270001", 55.5), ("area:SAMS:01270002", 60.0), ("municipality:0127", 70.125)}
    # The same file again changes nothing.
    page = text(imported(client, GOOD_CSV))
    assert '<dd class="num" id="import-unchanged">3</dd>' in page
    assert ImportBatch.objects.count() == 1


def test_a_dry_run_counts_and_saves_nothing(client, analyst_user, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client.force_login(analyst_user)
    page = text(imported(client, GOOD_CSV, dry_run="on"))
    assert "Provkörning: ingenting har sparats" in page
    assert '<dd class="num" id="import-created">3</dd>' in page
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()


def test_a_bad_file_is_reported_row_by_row_and_nothing_is_saved(client, analyst_user, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    client.force_login(analyst_user)
    page = text(imported(client, BAD_CSV))  # the task's page: the task failed, the page is there
    assert "botkyrka_2010.csv kunde inte importeras" in page
    assert "Ingenting har sparats" in page
    assert re.search(r'<th scope="row">rad 3[^<]*</th><td>[^<]*sextio', page), page
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()


def test_pxweb_needs_an_indicator(client, analyst_user):
    client.force_login(analyst_user)
    response = client.post(reverse("indicators:statistics_import"),
                           {"format": "pxweb", "file": upload("{}", "tab.json")})
    assert response.status_code == 400
    assert "En PxWeb-fil behöver" in response.content.decode()


def test_import_detail_shows_what_the_import_set(client, alby_figures, haninge_user):
    alby_figures.source_name = "/home/analyst/register/alby_2010_2012.csv"
    alby_figures.save()
    url = reverse("indicators:import_detail", args=[alby_figures.pk])
    page = text(client.get(url))
    # The indicator by its name, not its code.
    employment = Indicator.objects.get(code="employment_rate_20_64")
    assert f">{employment.name}</a>" in page and "2010–2012" in page
    assert "employment_rate_20_64" not in page.replace(employment.get_absolute_url(), "")
    # Who imported, and from which folder on their machine, is staff information.
    assert "alby_2010_2012.csv" in page and "/home/analyst" not in page and "analyst" not in page
    client.force_login(haninge_user)
    page = text(client.get(url))
    assert "/home/analyst/register/alby_2010_2012.csv" in page and ">analyst</dd>" in page


def test_statistics_is_in_the_main_navigation(client):
    page = text(client.get(reverse("start:home")))
    assert f'<a href="{reverse("indicators:indicator_list")}">Statistik</a>' in page
