"""The API's registry, participation, import and report resources: what each write does through
its service, the refusals (403, 404, 409, 400 naming the row) and what a reader sees."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stadsdel.agreements.models import CooperationAgreement
from stadsdel.api.models import ApiToken
from stadsdel.followup.models import AgencyReport, FollowUpReport, NationalReport
from stadsdel.indicators.models import ImportBatch, Observation
from stadsdel.plans.models import PlanComment, ResidentDialogue

CSV_HEAD = "indicator,area,period,value,numerator,denominator\n"


def bearer(user) -> dict:
    _record, token = ApiToken.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_cooperation_edit_is_versioned_and_scoped(client, haninge_user, malmo_user):
    coop = CooperationAgreement.objects.get(key="jordbro_forsakringskassan")
    url = f"/api/agreements/cooperation/{coop.pk}"
    assert client.get(url).json()["partner"] == "forsakringskassan"

    first = client.patch(url, {"version": coop.version, "title": "Första"}, content_type="application/json",
                         **bearer(haninge_user))
    assert first.status_code == 200 and first.json()["version"] == coop.version + 1
    # A second save from the same starting point is refused, and says which version is stored.
    stale = client.patch(url, {"version": coop.version, "title": "Andra"}, content_type="application/json",
                         **bearer(haninge_user))
    assert stale.status_code == 409 and stale.json()["current_version"] == coop.version + 1
    coop.refresh_from_db()
    assert coop.title == "Första"
    assert coop.history.filter(title="Första").exists()  # the audit trail has the write
    assert client.patch(url, {"version": coop.version, "title": "Malmö"}, content_type="application/json",
                        **bearer(malmo_user)).status_code == 403


def test_cooperation_create_names_a_bad_partner(client, haninge_user):
    from stadsdel.agreements.models import Partnership

    partnership = Partnership.objects.get(key="jordbro")
    url = f"/api/agreements/partnerships/{partnership.pk}/cooperation"
    body = {"title": "Ny", "partner": "ingen_sadan", "district_ids": []}
    refused = client.post(url, body, content_type="application/json", **bearer(haninge_user))
    assert refused.status_code == 422 and "ingen_sadan" in refused.json()["detail"]
    made = client.post(url, {**body, "partner": "arbetsformedlingen"}, content_type="application/json",
                       **bearer(haninge_user))
    assert made.status_code == 201 and made.json()["municipality_code"] == "0136"


def test_import_through_the_api_is_all_or_nothing(client, analyst_user, malmo_user):
    good = CSV_HEAD + "employment_rate_20_64,01360017,2012,61.0,610,1000\n"
    bad = good + "employment_rate_20_64,01360017,2013,inte-ett-tal,1,2\n"

    def send(user, content, name="figurer.csv"):
        return client.post("/api/indicators/imports", {"format": "csv", "file": SimpleUploadedFile(name, content.encode())},
                           **bearer(user))

    before = (ImportBatch.objects.count(), Observation.objects.count())
    refused = send(analyst_user, bad, "trasig.csv")
    assert refused.status_code == 400
    assert "trasig.csv" in refused.json()["detail"] and any("3" in p for p in refused.json()["problems"])  # the row
    assert (ImportBatch.objects.count(), Observation.objects.count()) == before  # nothing half-written
    assert send(malmo_user, good).status_code == 403

    done = send(analyst_user, good)
    assert done.status_code == 201 and done.json()["created"] >= 1
    listed = client.get("/api/indicators/imports").json()["results"][0]
    assert listed["id"] == done.json()["batch_id"] and listed["created_by"] is None  # staff names are not public
    assert client.get(f"/api/indicators/imports/{listed['id']}", **bearer(malmo_user)).json()["created_by"] == "analyst"


def test_dialogues_and_comment_moderation(client, haninge_user, malmo_user):
    from stadsdel.areas.models import District
    from stadsdel.plans import services as plan_services

    made = client.post("/api/plans/dialogues", {"municipality_code": "0136", "title": "Trygghetsvandring",
                                                 "held_on": "2011-09-01", "participants": 25},
                       content_type="application/json", **bearer(haninge_user))
    assert made.status_code == 201 and made.json()["published"] is False
    assert client.get(f"/api/plans/dialogues/{made.json()['id']}").status_code == 404  # not published yet
    assert client.post("/api/plans/dialogues", {"municipality_code": "0136", "title": "X", "held_on": "2011-09-01"},
                       content_type="application/json", **bearer(malmo_user)).status_code == 403
    assert ResidentDialogue.objects.count() == 1

    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan = plan_services.plan_create(user=haninge_user, district=jordbro, year=2011, period_end=2014)
    plan.comments_open = True
    plan.save()
    comment = PlanComment.objects.create(plan=plan, text="Mer belysning", ip_hash="h" * 64)
    assert client.get(f"/api/plans/plans/{plan.pk}/comments").json()["count"] == 0  # pending: not shown
    assert client.get(f"/api/plans/plans/{plan.pk}/comments", **bearer(haninge_user)).json()["count"] == 1
    url = f"/api/plans/comments/{comment.pk}/decision"
    assert client.post(url, {"status": "approved", "version": 1}, content_type="application/json",
                       **bearer(malmo_user)).status_code == 403
    assert client.post(url, {"status": "approved", "version": 1}, content_type="application/json",
                       **bearer(haninge_user)).json()["status"] == "approved"
    public = client.get(f"/api/plans/plans/{plan.pk}/comments").json()["results"]
    assert [c["text"] for c in public] == ["Mer belysning"]


def test_report_steps_and_agency_reports(client, haninge_user, ministry_user, agency_user, malmo_user):
    started = client.post("/api/followup/reports", {"municipality_code": "0136", "year": 2011},
                          content_type="application/json", **bearer(haninge_user))
    assert started.status_code == 201 and {s["key"] for s in started.json()["sections"]} >= {"results"}
    step = "/api/followup/reports/0136/2011/status"
    assert client.post(step, {"action": "receive"}, content_type="application/json",
                       **bearer(ministry_user)).status_code == 422  # not submitted yet
    assert client.post(step, {"action": "submit"}, content_type="application/json",
                       **bearer(haninge_user)).json()["status"] == "submitted"
    assert client.post(step, {"action": "receive"}, content_type="application/json",
                       **bearer(ministry_user)).json()["status"] == "received"
    assert FollowUpReport.objects.get(municipality__code="0136", year=2011).received_by == ministry_user

    url = "/api/followup/agency-reports/forsakringskassan/2011"
    written = client.put(url, {"text": "Vi deltog.", "version": 0}, content_type="application/json",
                         **bearer(agency_user))
    assert written.status_code == 200 and written.json()["status"] == "draft"
    assert client.get(url, **bearer(ministry_user)).status_code == 404  # a draft is the agency's own
    assert client.put(url, {"text": "Nej", "version": 0}, content_type="application/json",
                      **bearer(malmo_user)).status_code == 403
    stale = client.put(url, {"text": "Gammal", "version": 1}, content_type="application/json", **bearer(agency_user))
    assert stale.status_code == 409
    assert client.post(f"{url}/submit", **bearer(agency_user)).json()["status"] == "submitted"
    assert client.get(url, **bearer(ministry_user)).json()["text"] == "Vi deltog."
    assert AgencyReport.objects.get(year=2011).text == "Vi deltog."


@pytest.mark.parametrize("internal", [False, True])
def test_national_report_figures(client, ministry_user, malmo_user, internal, tmp_path):
    from stadsdel.areas.models import District
    from stadsdel.indicators.services.imports import observations_import

    # Every area of Jordbro, so the district has a figure: 600 of 1 000 in each, 60 % in all.
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    codes = [m.area.code for m in jordbro.memberships.select_related("area")]
    path = tmp_path / "f.csv"
    path.write_text(CSV_HEAD + "".join(f"employment_rate_20_64,{c},2011,60.0,600,1000\n" for c in codes),
                    encoding="utf-8")
    observations_import(path=path, fmt="csv")
    params = {"internal": "true"} if internal else {}
    if internal:
        assert client.get("/api/followup/national/2011", params, **bearer(malmo_user)).status_code == 403
    body = client.get("/api/followup/national/2011", params, **bearer(ministry_user)).json()
    assert body["public"] is (not internal)
    jordbro = next(d for d in body["districts"] if d["district"] == "Jordbro")
    assert jordbro["values"]["employment_rate_20_64"] == pytest.approx(60.0)
    assert client.get("/api/followup/national/1990").status_code == 404
    assert client.put("/api/followup/national/2011", {"published": True}, content_type="application/json",
                      **bearer(malmo_user)).status_code == 403
    assert client.put("/api/followup/national/2011", {"published": True, "introduction": "Inledning"},
                      content_type="application/json", **bearer(ministry_user)).json()["published"] is True
    assert NationalReport.objects.get(year=2011).introduction == "Inledning"


def test_new_lists_export_csv(client, db):
    for path, column in [("/api/agreements/commissions", "key"), ("/api/agreements/cooperation", "partner"),
                         ("/api/plans/dialogues", "held_on"), ("/api/followup/agency-reports", "organisation"),
                         ("/api/areas/boundaries", "code")]:
        response = client.get(f"{path}/export.csv")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert column in rows[0] if rows else column in response.content.decode().splitlines()[0]
        assert client.get(path).json()["count"] == len(rows)
