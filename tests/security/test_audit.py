"""The audit page (/audit/): who changed what and when, newest first; the ministry sees every
change, a municipality's coordinator the changes to its municipality's records, an agency its own
reports, and nobody else anything (the rule in accounts.selectors)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stadsdel.accounts.selectors import (
    AUDIT_OWNING_MUNICIPALITY,
    AUDIT_OWNING_ORGANISATION,
    audit_models,
    audit_page,
    audit_viewer,
)
from stadsdel.agreements.models import Commission, Organisation, Partnership
from stadsdel.areas.models import District

pytestmark = pytest.mark.django_db

AUDIT = "/audit/"
NEW_BASIS = "Partnerskapet bygger nu också på kommunfullmäktiges beslut 2024."


@pytest.fixture
def jordbro() -> Partnership:
    return Partnership.objects.get(key="jordbro")


@pytest.fixture
def edited(client, haninge_user, jordbro) -> Partnership:
    """Haninge's coordinator changes the Jordbro partnership's basis through the edit page."""
    client.force_login(haninge_user)
    data = {
        "name": jordbro.name, "basis": NEW_BASIS, "formed_on": jordbro.formed_on.isoformat() if jordbro.formed_on else "",
        "districts": [d.pk for d in jordbro.districts.all()], "version": jordbro.version,
    }
    if jordbro.published:
        data["published"] = "on"
    response = client.post(reverse("agreements:partnership_edit", args=[jordbro.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    jordbro.refresh_from_db()
    assert jordbro.basis == NEW_BASIS
    return jordbro


def _entry_marker(partnership) -> str:
    return f'data-model="agreements.Partnership" data-object="{partnership.pk}"'


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(AUDIT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_edit_shows_for_the_ministry_and_the_municipality(client, edited, ministry_user, haninge_user):
    for user in (ministry_user, haninge_user):
        client.force_login(user)
        page = client.get(AUDIT).content.decode()
        assert _entry_marker(edited) in page, user
        first = page.index(_entry_marker(edited))
        entry = page[first:page.index("</li>", first)]
        assert "haninge" in entry  # who
        assert NEW_BASIS in entry  # what changed, with the value before it
        assert "<time datetime=" in entry  # when


def test_the_edit_is_hidden_from_other_municipalities_and_agencies(client, edited, malmo_user, agency_user,
                                                                    committee_user):
    for user in (malmo_user, agency_user, committee_user):
        client.force_login(user)
        page = client.get(AUDIT).content.decode()
        assert _entry_marker(edited) not in page, user
        assert NEW_BASIS not in page, user


def test_filter_by_kind_of_record_and_newest_first(client, edited, ministry_user, jordbro):
    client.force_login(ministry_user)
    page = client.get(AUDIT, {"model": "agreements.Partnership"}).content.decode()
    assert page.index(_entry_marker(edited)) == page.index("data-model=")  # the newest first
    assert "data-model=\"agreements.Organisation\"" not in page
    result = audit_page(user=ministry_user, model_label="agreements.Partnership")
    dates = [entry.when for entry in result.entries]
    assert dates == sorted(dates, reverse=True)
    assert result.entries[0].object_id == jordbro.pk
    assert [c.field for c in result.entries[0].changes] == ["basis"]


def test_paging_goes_on_to_older_changes(ministry_user):
    first = audit_page(user=ministry_user, page=1, page_size=5)
    second = audit_page(user=ministry_user, page=2, page_size=5)
    assert first.has_next and len(first.entries) == 5 and len(second.entries) == 5
    assert first.entries[-1].when >= second.entries[0].when
    keys = {(e.model_label, e.object_id, e.when) for e in first.entries}
    assert not keys & {(e.model_label, e.object_id, e.when) for e in second.entries}


def test_the_pages_links_keep_the_filter(client, edited, ministry_user, monkeypatch):
    """The pager (the index table's too, `ui/_pager.html`) links to newer and older changes of
    the same kind of record, and says no page count: the audit log does not count its changes."""
    from functools import partial

    from stadsdel.accounts import selectors

    monkeypatch.setattr(selectors, "audit_page", partial(audit_page, page_size=1))
    client.force_login(ministry_user)
    first = client.get(AUDIT, {"model": "agreements.Partnership"}).content.decode()
    assert '<a rel="next" href="?model=agreements.Partnership&amp;page=2">Äldre ändringar</a>' in first
    assert 'rel="prev"' not in first and 'aria-label="Sidor"' in first
    second = client.get(AUDIT, {"model": "agreements.Partnership", "page": 2}).content.decode()
    assert '<a rel="prev" href="?model=agreements.Partnership&amp;page=1">Nyare ändringar</a>' in second
    assert "Sida 2" not in second


def test_the_ownership_rule(ministry_user, haninge_user, malmo_user, agency_user, analyst_user, committee_user):
    haninge = District.objects.filter(municipality__code="0136").first()
    ministry = audit_viewer(user=ministry_user)
    coordinator = audit_viewer(user=haninge_user)
    agency = audit_viewer(user=agency_user)
    assert ministry.national
    assert coordinator.municipality_ids == {haninge.municipality_id}
    assert not coordinator.national
    assert coordinator.organisation_ids == {Organisation.objects.get(key="haninge_kommun").pk}  # its own only
    assert Organisation.objects.get(key="forsakringskassan").pk in agency.organisation_ids
    assert not agency.municipality_ids
    # Analysts and committee members act within a municipality but do not audit it: they see the
    # records their own organisation owns (an evaluation, a fund application), nothing wider.
    for user in (analyst_user, committee_user):
        viewer = audit_viewer(user=user)
        assert not viewer.national and not viewer.municipality_ids
        assert viewer.organisation_ids == {m.organisation_id for m in user.memberships.all()}

    # Records without an owning municipality or organisation are the ministry's only.
    commission = Commission.objects.first()
    commission.reporting_duty = "ändrad"
    commission.save()
    labels = {e.model_label for e in audit_page(user=ministry_user, page_size=5).entries}
    assert "agreements.Commission" in labels
    assert "agreements.Commission" not in {
        e.model_label for e in audit_page(user=haninge_user, model_label="agreements.Commission").entries
    }
    # Every owned model is a listed model, so a typo in the rule cannot silently hide records.
    assert set(AUDIT_OWNING_MUNICIPALITY) | set(AUDIT_OWNING_ORGANISATION) <= set(audit_models())
    assert "indicators.Observation" not in audit_models()


def test_a_change_inside_a_plan_belongs_to_the_plans_municipality(haninge_user, malmo_user):
    from stadsdel.plans.services import plan_create

    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    plan = plan_create(user=haninge_user, district=jordbro, year=2031, period_end=2033)
    seen_by = {
        user.username: {(e.model_label, e.object_id) for e in audit_page(user=user, model_label="plans.DistrictPlan").entries}
        for user in (haninge_user, malmo_user)
    }
    assert ("plans.DistrictPlan", plan.pk) in seen_by["haninge"]
    assert ("plans.DistrictPlan", plan.pk) not in seen_by["malmo"]


def test_an_agency_sees_its_own_reports(agency_user, haninge_user):
    from stadsdel.followup.models import AgencyReport

    report = AgencyReport.objects.create(organisation=Organisation.objects.get(key="forsakringskassan"), year=2031)
    assert ("followup.AgencyReport", report.pk) in {
        (e.model_label, e.object_id) for e in audit_page(user=agency_user).entries
    }
    assert ("followup.AgencyReport", report.pk) not in {
        (e.model_label, e.object_id) for e in audit_page(user=haninge_user).entries
    }


def test_an_import_is_one_entry_for_the_ministry(ministry_user, analyst_user, tmp_path):
    from stadsdel.indicators.services.imports import observations_import

    path = tmp_path / "figures.csv"
    path.write_text("indicator,area,period,value,numerator,denominator\n"
                    "employment_rate_20_64,01270001,2012,50.0,500,1000\n", encoding="utf-8")
    batch = observations_import(path=path, fmt="csv", user=analyst_user).batch
    entries = audit_page(user=ministry_user, page_size=5).entries
    assert ("indicators.ImportBatch", batch.pk) in {(e.model_label, e.object_id) for e in entries}
    assert not any(e.model_label == "indicators.Observation" for e in entries)


def test_the_page_needs_few_queries(client, edited, ministry_user, django_assert_max_num_queries):
    client.force_login(ministry_user)
    # One small query per model with history for the page's keys, then a few per model shown:
    # not one per entry.
    limit = len(audit_models()) + 1 + 4 * 10 + 10
    with django_assert_max_num_queries(limit):
        assert client.get(AUDIT).status_code == 200


def test_an_evaluation_is_audited_for_its_owner_and_no_other_municipality(analyst_user, malmo_user, ministry_user):
    """The analyst's statistics office owns the evaluation it made: its members see its history,
    an outsider municipality does not, the ministry does."""
    from stadsdel.evaluation import services
    from stadsdel.indicators.models import Indicator

    rinkeby = District.objects.get(name="Rinkeby", kind=District.Kind.DISTRICT)
    evaluation = services.evaluation_create(
        user=analyst_user, fields={"title": "Rinkeby efter 2008", "start_year": 2008, "pool": "manual"},
        treated=[rinkeby], outcomes=[Indicator.objects.get(code="employment_rate_20_64")],
        comparison=list(District.objects.filter(name__in=["Tensta", "Husby"], kind=District.Kind.DISTRICT)))
    assert evaluation.owner.key == "stockholms_kommun"

    def sees(user) -> bool:
        entries = audit_page(user=user, model_label="evaluation.Evaluation").entries
        return any(e.object_id == evaluation.pk for e in entries)

    assert sees(analyst_user) and sees(ministry_user)
    assert not sees(malmo_user)
