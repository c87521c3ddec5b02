"""The evaluation pages, services and API on simulated district figures with a known effect:
design, estimates, refusals, who may do what, stale saves, PDF, CSV and the public portal."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from evaluation_data import EFFECT, INDICATOR, START, district_figures

from stadsdel.core.versions import StaleVersionError
from stadsdel.evaluation import selectors, services
from stadsdel.evaluation.models import Evaluation
from stadsdel.indicators.models import Indicator
from stadsdel.lib.evaluation import did_estimate, panel_csv_read, synth_estimate

pytestmark = pytest.mark.django_db


def test_results_recover_the_injected_effect_and_name_their_data(evaluation):
    (result,) = selectors.evaluation_results(evaluation=evaluation)
    assert result.data.figures == 15 * 9 and result.data.batches[0][1] == "simulerad.csv"
    assert result.did.ci_low < EFFECT < result.did.ci_high
    assert result.synth.effect == pytest.approx(EFFECT, abs=1.5)
    assert result.synth_unit == "Husby" and sum(result.synth.weights.values()) == pytest.approx(1.0)
    # Reproducible: the panel the page offers as CSV gives the same estimates outside the database.
    panel = panel_csv_read("unit,year,indicator,value\n" + "\n".join(
        f"{r['unit']},{r['year']},{r['indicator']},{r['value']!r}" for r in result.panel_rows()), outcome=INDICATOR)
    again = did_estimate(panel, treated=result.treated, start=START)  # as the command: every other unit
    assert again.effect == pytest.approx(result.did.effect)
    assert synth_estimate(panel, treated="Husby", start=START, donors=result.pool).effect == pytest.approx(
        result.synth.effect)


def test_nearest_pool_takes_the_most_similar_districts(evaluation, ministry_user, client, tmp_path, capsys):
    import json

    from django.core.management import call_command

    services.evaluation_update(user=ministry_user, evaluation=evaluation, version=evaluation.version,
                               fields={"pool": "nearest", "pool_size": 5}, comparison=[])
    (result,) = selectors.evaluation_results(evaluation=evaluation)
    assert len(result.pool) == 5 and [n.unit for n in result.neighbours] == result.pool
    assert result.did is not None
    # The page's CSV holds the treated and the five chosen, so the command (which compares with
    # every other unit in its input) gives the page's estimate.
    path = tmp_path / "panel.csv"
    path.write_bytes(client.get(f"/evaluation/{evaluation.pk}/", {"format": "csv"}).content)
    assert len({row["unit"] for row in csv.DictReader(io.StringIO(path.read_text()))}) == len(result.treated) + 5
    capsys.readouterr()
    call_command("evaluate", "--method", "did", "--input", str(path), "--treated", ",".join(result.treated),
                 "--start", str(START), "--outcome", INDICATOR, "--json")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["effect"] == pytest.approx(result.did.effect)


def test_page_shows_design_estimates_charts_and_assumptions(client, evaluation):
    response = client.get(f"/evaluation/{evaluation.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Avtalen 2008" in html and "Lokala utvecklingsavtal från 2008." in html
    for chart in ("chart-event-0-", "chart-synth-0-", "chart-placebo-0-"):
        assert f'data-chart="{chart}{INDICATOR}"' in html and f'id="{chart}{INDICATOR}"' in html
    assert "Parallella trender" in html or "Parallel trends" in html
    assert "refusal" not in html


def test_page_refuses_a_thin_design_with_a_message(client, districts, ministry_user):
    treated, comparison = districts
    district_figures(treated=treated, comparison=comparison, years=range(2007, 2011), start=2008)
    evaluation = services.evaluation_create(
        user=ministry_user, fields={"title": "För kort", "start_year": 2008, "pool": "manual",
                                    "synth_district": treated[0], "published": True},
        treated=treated, outcomes=[Indicator.objects.get(code=INDICATOR)], comparison=comparison[:1],
    )
    html = client.get(f"/evaluation/{evaluation.pk}/").content.decode()
    assert html.count('class="message error refusal"') == 2
    assert "data-chart" not in html


def test_pdf_csv_and_html_downloads(client, evaluation):
    pdf = client.get(f"/evaluation/{evaluation.pk}/?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    rows = list(csv.DictReader(io.StringIO(client.get(f"/evaluation/{evaluation.pk}/?format=csv").content.decode())))
    assert len(rows) == 135 and set(rows[0]) == {"unit", "year", "indicator", "value"}
    html = client.get(f"/evaluation/{evaluation.pk}/?format=html").content.decode()
    assert "<svg" in html and ("Syntetisk kontroll för Husby" in html or "Synthetic control for Husby" in html)
    assert client.get(f"/evaluation/{evaluation.pk}/?format=exe").status_code == 404


def test_drafts_are_hidden_and_only_owners_edit(client, evaluation, ministry_user, analyst_user, malmo_user):
    services.evaluation_publish(user=ministry_user, evaluation=evaluation, version=evaluation.version, published=False)
    assert client.get(f"/evaluation/{evaluation.pk}/").status_code == 404
    assert "Avtalen 2008" not in client.get("/portal/").content.decode()
    client.force_login(malmo_user)
    assert client.get(f"/evaluation/{evaluation.pk}/").status_code == 404
    client.force_login(ministry_user)
    assert client.get(f"/evaluation/{evaluation.pk}/").status_code == 200
    # The analyst (Stockholm) sees it only when published, and may not edit the ministry's.
    with pytest.raises(PermissionDenied):
        services.evaluation_update(user=analyst_user, evaluation=evaluation, version=evaluation.version,
                                   fields={"title": "x"})


def test_published_evaluations_appear_in_the_portal(client, evaluation):
    html = client.get("/portal/").content.decode()
    assert f'id="portal-evaluation-{evaluation.pk}"' in html
    assert "Avtalen 2008" in client.get("/portal/?q=avtalen").content.decode()
    assert f'id="portal-evaluation-{evaluation.pk}"' not in client.get("/portal/?q=nothingmatches").content.decode()


def test_analyst_creates_within_their_municipality(client, analyst_user, districts):
    treated, _comparison = districts
    employment = Indicator.objects.get(code=INDICATOR)
    client.force_login(analyst_user)
    response = client.post("/evaluation/new/", {
        "title": "Järvalyftet", "treated_districts": [treated[0].pk], "start_year": "2008",
        "outcomes": [employment.pk], "pool": "nearest", "pool_size": "5",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Evaluation.objects.get(title="Järvalyftet")
    assert created.owner.key == "stockholms_kommun" and not created.published
    from stadsdel.areas.models import District

    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    with pytest.raises(PermissionDenied):
        services.evaluation_create(user=analyst_user, fields={"title": "x", "start_year": 2008}, treated=[jordbro],
                                   outcomes=[employment])


def test_design_is_validated(ministry_user, districts):
    treated, comparison = districts
    employment = Indicator.objects.get(code=INDICATOR)
    with pytest.raises(ValidationError) as error:
        services.evaluation_create(
            user=ministry_user, fields={"title": "x", "start_year": 2008, "first_year": 2009, "pool": "manual",
                                        "synth_district": comparison[0]},
            treated=treated, outcomes=[employment], comparison=[],
        )
    assert set(error.value.message_dict) == {"first_year", "synth_district", "comparison_districts"}


def test_stale_edit_is_refused_on_the_page_and_in_the_service(client, evaluation, ministry_user):
    version = evaluation.version
    services.evaluation_update(user=ministry_user, evaluation=evaluation, version=version, fields={"title": "Ny"})
    with pytest.raises(StaleVersionError):
        services.evaluation_update(user=ministry_user, evaluation=evaluation, version=version, fields={"title": "Gammal"})
    client.force_login(ministry_user)
    form = client.get(f"/evaluation/{evaluation.pk}/edit/")
    assert form.status_code == 200
    data = {"title": "Gammal", "treated_districts": [d.pk for d in evaluation.treated_districts.all()],
            "start_year": "2008", "outcomes": [i.pk for i in evaluation.outcomes.all()], "pool": "all",
            "pool_size": "10", "version": str(version)}
    assert client.post(f"/evaluation/{evaluation.pk}/edit/", data).status_code == 409
    data["version"] = str(evaluation.version)
    assert client.post(f"/evaluation/{evaluation.pk}/edit/", data).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.title == "Gammal" and evaluation.history.count() >= 3


def test_api_lists_reads_writes_and_gives_results(client, evaluation, ministry_user):
    listing = client.get("/api/evaluation/evaluations").json()
    assert listing["count"] == 1 and listing["results"][0]["title"] == "Avtalen 2008"
    (outcome,) = client.get(f"/api/evaluation/evaluations/{evaluation.pk}/results").json()
    assert outcome["indicator"] == INDICATOR and outcome["did"]["ci_low"] < EFFECT < outcome["did"]["ci_high"]
    assert outcome["synth"]["method"] == "synth" and outcome["synth_unit"] == "Husby"
    client.force_login(ministry_user)
    stale = client.patch(f"/api/evaluation/evaluations/{evaluation.pk}", {"version": 0, "title": "x"},
                         content_type="application/json")
    assert stale.status_code == 409 and stale.json()["current_version"] == evaluation.version
    ok = client.patch(f"/api/evaluation/evaluations/{evaluation.pk}", {"version": evaluation.version, "title": "y"},
                      content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == evaluation.version + 1


def test_the_api_refuses_empty_required_fields_and_a_silly_pool_with_422(client, evaluation, ministry_user):
    client.force_login(ministry_user)
    url = f"/api/evaluation/evaluations/{evaluation.pk}"
    for body in ({"title": None}, {"start_year": None}, {"pool": "nearest", "pool_size": 0}):
        response = client.patch(url, {"version": evaluation.version, **body}, content_type="application/json")
        assert response.status_code == 422, (body, response.content)
    evaluation.refresh_from_db()
    assert evaluation.title == "Avtalen 2008" and evaluation.version == 1
