"""Who may read and edit what, through the pages, the selectors and the services.

Each municipality gets an unpublished partnership and cooperation agreement: Haninge's with
Försäkringskassan as partner, Malmö's with Arbetsförmedlingen. Outsiders must not learn that a
hidden record exists (404, not 403); readers who may not edit get 403; stale saves get 409.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from stadsdel.agreements import selectors, services
from stadsdel.agreements.models import (
    Agreement,
    CooperationAgreement,
    Organisation,
    Partnership,
    PartnershipMember,
)
from stadsdel.areas.models import District, Municipality
from stadsdel.core.versions import StaleVersionError

pytestmark = pytest.mark.django_db


@dataclass
class Hidden:
    partnership: Partnership
    cooperation: CooperationAgreement


def _hidden_records(*, code: str, lead_key: str, partner_key: str, district_name: str, label: str) -> Hidden:
    municipality = Municipality.objects.get(code=code)
    partner = Organisation.objects.get(key=partner_key)
    district = District.objects.get(municipality=municipality, name=district_name, kind=District.Kind.DISTRICT)
    partnership = Partnership.objects.create(
        municipality=municipality, name=f"Opublicerat partnerskap {label}", basis="Arbetsmaterial", published=False,
    )
    partnership.districts.set([district])
    PartnershipMember.objects.create(partnership=partnership, organisation=Organisation.objects.get(key=lead_key),
                                     role=PartnershipMember.Role.LEAD)
    PartnershipMember.objects.create(partnership=partnership, organisation=partner, role=PartnershipMember.Role.PARTNER)
    cooperation = CooperationAgreement.objects.create(
        partnership=partnership, municipality=municipality, partner=partner,
        title=f"Opublicerad samverkansöverenskommelse {label}", text="Utkast", published=False,
    )
    cooperation.districts.set([district])
    return Hidden(partnership, cooperation)


@pytest.fixture
def haninge_hidden(db) -> Hidden:
    return _hidden_records(code="0136", lead_key="haninge_kommun", partner_key="forsakringskassan",
                           district_name="Jordbro", label="Haninge")


@pytest.fixture
def malmo_hidden(db) -> Hidden:
    return _hidden_records(code="1280", lead_key="malmo_kommun", partner_key="arbetsformedlingen",
                           district_name="Rosengård", label="Malmö")


def urls(hidden: Hidden) -> dict[str, str]:
    return {
        "partnership": hidden.partnership.get_absolute_url(),
        "partnership_edit": reverse("agreements:partnership_edit", args=[hidden.partnership.pk]),
        "cooperation": hidden.cooperation.get_absolute_url(),
        "cooperation_edit": reverse("agreements:cooperation_edit", args=[hidden.cooperation.pk]),
        "cooperation_create": reverse("agreements:cooperation_create", args=[hidden.partnership.pk]),
    }


def partnership_post(partnership: Partnership, **changes) -> dict:
    data = {
        "name": partnership.name, "basis": partnership.basis, "formed_on": "",
        "districts": [d.pk for d in partnership.districts.all()], "version": partnership.version,
    }
    if partnership.published:
        data["published"] = "on"
    data.update(changes)
    return data


def cooperation_post(cooperation: CooperationAgreement, **changes) -> dict:
    data = {
        "title": cooperation.title, "partner": cooperation.partner_id,
        "districts": [d.pk for d in cooperation.districts.all()], "signed_on": "", "place": cooperation.place,
        "period_start": "", "period_end": "", "reported_on": "", "text": cooperation.text,
        "version": cooperation.version,
    }
    data.update(changes)
    return data


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# -- an outsider municipality ---------------------------------------------------------------------


def test_malmo_does_not_see_haninges_hidden_records_in_lists(client, malmo_user, haninge_hidden, malmo_hidden):
    client.force_login(malmo_user)
    for url in (reverse("agreements:partnership_list"), reverse("agreements:cooperation_list"),
                reverse("areas:municipality_detail", args=["0136"]),
                District.objects.get(name="Jordbro").get_absolute_url()):
        content = page(client, url)
        assert "Opublicera" not in content.replace("Opublicerat partnerskap Malmö", "").replace(
            "Opublicerad samverkansöverenskommelse Malmö", ""), url
    # Its own hidden records are listed.
    assert "Opublicerat partnerskap Malmö" in page(client, reverse("agreements:partnership_list"))
    assert "Opublicerad samverkansöverenskommelse Malmö" in page(client, reverse("agreements:cooperation_list"))


def test_malmo_gets_404_on_haninges_hidden_detail_and_edit_urls(client, malmo_user, haninge_hidden):
    client.force_login(malmo_user)
    for name, url in urls(haninge_hidden).items():
        assert client.get(url).status_code == 404, name


def test_malmo_cannot_change_haninges_records_by_post(client, malmo_user, haninge_hidden):
    client.force_login(malmo_user)
    partnership, cooperation = haninge_hidden.partnership, haninge_hidden.cooperation
    u = urls(haninge_hidden)
    assert client.post(u["partnership_edit"], partnership_post(partnership, name="Kapat")).status_code == 404
    assert client.post(u["cooperation_edit"], cooperation_post(cooperation, title="Kapad")).status_code == 404
    assert client.post(u["cooperation_create"], cooperation_post(cooperation, title="Ny")).status_code == 404

    partnership.refresh_from_db()
    cooperation.refresh_from_db()
    assert (partnership.name, partnership.version) == ("Opublicerat partnerskap Haninge", 1)
    assert (cooperation.title, cooperation.version) == ("Opublicerad samverkansöverenskommelse Haninge", 1)
    assert partnership.history.count() == 2  # created, districts set: nothing since
    assert not CooperationAgreement.objects.filter(title="Ny").exists()


def test_malmo_cannot_edit_haninges_published_partnership(client, malmo_user):
    partnership = Partnership.objects.get(key="jordbro")
    client.force_login(malmo_user)
    assert client.get(partnership.get_absolute_url()).status_code == 200  # published: readable
    edit = reverse("agreements:partnership_edit", args=[partnership.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, partnership_post(partnership, name="Kapat")).status_code == 403
    partnership.refresh_from_db()
    assert partnership.name != "Kapat"


# -- the owning municipality ----------------------------------------------------------------------


def test_haninge_reads_its_hidden_records(client, haninge_user, haninge_hidden, malmo_hidden):
    client.force_login(haninge_user)
    for url in (urls(haninge_hidden)["partnership"], urls(haninge_hidden)["cooperation"]):
        assert "Ej publicera" in page(client, url)
    assert "Opublicerat partnerskap Haninge" in page(client, reverse("agreements:partnership_list"))
    assert "Opublicerat partnerskap Malmö" not in page(client, reverse("agreements:partnership_list"))
    assert client.get(urls(malmo_hidden)["cooperation"]).status_code == 404


def test_haninge_edits_its_cooperation_agreement_and_history_names_the_user(client, haninge_user, haninge_hidden):
    cooperation = haninge_hidden.cooperation
    edit = urls(haninge_hidden)["cooperation_edit"]
    client.force_login(haninge_user)

    form = page(client, edit)
    assert 'name="version" value="1"' in form
    # District choices are the municipality's own.
    assert " Jordbro</label>" in form and "Rosengård" not in form

    response = client.post(edit, cooperation_post(cooperation, title="Reviderad överenskommelse", place="Haninge",
                                                  published="on"))
    assert response.status_code == 302
    assert response["Location"] == cooperation.get_absolute_url()

    cooperation.refresh_from_db()
    assert (cooperation.title, cooperation.place, cooperation.published, cooperation.version) == (
        "Reviderad överenskommelse", "Haninge", True, 2)
    latest = cooperation.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == haninge_user
    assert latest.title == "Reviderad överenskommelse"

    detail = page(client, cooperation.get_absolute_url())
    assert "Samverkansöverenskommelsen har sparats." in detail
    # The change history shows who changed which field from what to what.
    assert "haninge:" in detail
    assert "<th scope=\"row\">Titel</th><td>Opublicerad samverkansöverenskommelse Haninge</td><td>Reviderad överenskommelse</td>" in detail


def test_haninge_edits_its_partnership(client, haninge_user, haninge_hidden):
    partnership = haninge_hidden.partnership
    client.force_login(haninge_user)
    response = client.post(urls(haninge_hidden)["partnership_edit"],
                           partnership_post(partnership, name="Partnerskap Jordbro", formed_on="2009-02-16"))
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert (partnership.name, str(partnership.formed_on), partnership.version) == ("Partnerskap Jordbro", "2009-02-16", 2)
    assert partnership.history.order_by("-history_date", "-history_id").first().history_user == haninge_user


def test_edit_form_rejects_a_district_of_another_municipality(client, haninge_user, haninge_hidden):
    cooperation = haninge_hidden.cooperation
    rosengard = District.objects.get(name="Rosengård")
    client.force_login(haninge_user)
    response = client.post(urls(haninge_hidden)["cooperation_edit"], cooperation_post(cooperation, districts=[rosengard.pk]))
    assert response.status_code == 200
    assert "Rätta felen nedan." in response.content.decode()
    cooperation.refresh_from_db()
    assert list(cooperation.districts.values_list("name", flat=True)) == ["Jordbro"]
    assert cooperation.version == 1


def test_haninge_creates_a_cooperation_agreement_from_its_partnership(client, haninge_user, haninge_hidden):
    partnership = haninge_hidden.partnership
    create = urls(haninge_hidden)["cooperation_create"]
    client.force_login(haninge_user)
    form = page(client, create)
    assert "Ny samverkansöverenskommelse" in form
    arbetsformedlingen = Organisation.objects.get(key="arbetsformedlingen")
    jordbro = District.objects.get(name="Jordbro")
    response = client.post(create, {
        "title": "Samverkan Jordbro och Arbetsförmedlingen", "partner": arbetsformedlingen.pk, "districts": [jordbro.pk],
        "signed_on": "2011-03-01", "place": "Haninge", "text": "Parterna åtar sig …",
    })
    assert response.status_code == 302
    created = CooperationAgreement.objects.get(title="Samverkan Jordbro och Arbetsförmedlingen")
    assert response["Location"] == created.get_absolute_url()
    assert (created.partnership, created.municipality.code, created.partner, created.published) == (
        partnership, "0136", arbetsformedlingen, False)
    assert list(created.districts.all()) == [jordbro]
    assert created.history.first().history_user == haninge_user


# -- the ministry, an agency, anonymous visitors --------------------------------------------------


def test_ministry_reads_everything(client, ministry_user, haninge_hidden, malmo_hidden):
    client.force_login(ministry_user)
    listing = page(client, reverse("agreements:cooperation_list"))
    assert "Opublicerad samverkansöverenskommelse Haninge" in listing
    assert "Opublicerad samverkansöverenskommelse Malmö" in listing
    for hidden in (haninge_hidden, malmo_hidden):
        for name in ("partnership", "cooperation"):
            page(client, urls(hidden)[name])


def test_agency_reads_the_cooperation_agreement_it_is_party_to_but_cannot_edit(client, agency_user,
                                                                                haninge_hidden, malmo_hidden):
    client.force_login(agency_user)
    u = urls(haninge_hidden)
    detail = page(client, u["cooperation"])
    assert "Opublicerad samverkansöverenskommelse Haninge" in detail
    assert "Redigera samverkansöverenskommelse" not in detail
    assert "Opublicerat partnerskap Haninge" in page(client, u["partnership"])  # a member
    assert "Opublicerad samverkansöverenskommelse Haninge" in page(client, reverse("agreements:cooperation_list"))

    assert client.get(u["cooperation_edit"]).status_code == 403
    response = client.post(u["cooperation_edit"], cooperation_post(haninge_hidden.cooperation, title="Ändrad"))
    assert response.status_code == 403
    assert "Inte tillåtet" in response.content.decode()
    assert client.get(u["cooperation_create"]).status_code == 403
    haninge_hidden.cooperation.refresh_from_db()
    assert haninge_hidden.cooperation.title == "Opublicerad samverkansöverenskommelse Haninge"

    # Not a party to Malmö's agreement with Arbetsförmedlingen.
    assert client.get(urls(malmo_hidden)["cooperation"]).status_code == 404


def test_analyst_and_committee_member_of_stockholm_do_not_read_haninges_hidden_records(
        client, analyst_user, committee_user, haninge_hidden):
    for user in (analyst_user, committee_user):
        client.force_login(user)
        assert client.get(urls(haninge_hidden)["cooperation"]).status_code == 404


def test_anonymous_sees_only_published_records(client, haninge_hidden, malmo_hidden):
    listing = page(client, reverse("agreements:partnership_list")) + page(client, reverse("agreements:cooperation_list"))
    assert "Opublicera" not in listing
    assert Partnership.objects.get(key="jordbro").name in listing
    for hidden in (haninge_hidden, malmo_hidden):
        assert client.get(urls(hidden)["partnership"]).status_code == 404
        assert client.get(urls(hidden)["cooperation"]).status_code == 404


def test_anonymous_is_sent_to_login_from_edit_urls(client, haninge_hidden):
    for name in ("partnership_edit", "cooperation_edit", "cooperation_create"):
        url = urls(haninge_hidden)[name]
        for response in (client.get(url), client.post(url, {"title": "x"})):
            assert response.status_code == 302, name
            assert response["Location"] == f"{reverse('login')}?next={url}"
    haninge_hidden.cooperation.refresh_from_db()
    assert haninge_hidden.cooperation.title == "Opublicerad samverkansöverenskommelse Haninge"


# -- selectors and services directly --------------------------------------------------------------


def test_selectors_scope_reads(malmo_user, agency_user, ministry_user, haninge_hidden):
    from django.contrib.auth.models import AnonymousUser

    coop = haninge_hidden.cooperation
    assert coop not in selectors.cooperation_list(user=malmo_user)
    assert coop not in selectors.cooperation_list(user=AnonymousUser())
    assert coop in selectors.cooperation_list(user=agency_user)
    assert coop in selectors.cooperation_list(user=ministry_user)
    with pytest.raises(CooperationAgreement.DoesNotExist):
        selectors.cooperation_get(user=malmo_user, pk=coop.pk)
    with pytest.raises(Partnership.DoesNotExist):
        selectors.partnership_get(user=malmo_user, pk=haninge_hidden.partnership.pk)
    assert not selectors.can_edit_cooperation(user=agency_user, cooperation=coop)
    assert selectors.can_edit_cooperation(user=ministry_user, cooperation=coop)


def test_district_year_filter_does_not_reveal_unreadable_agreements(haninge_user, ministry_user):
    from django.contrib.auth.models import AnonymousUser

    # The 2011 offer is a public government decision: everyone finds its 38 districts. An
    # agreement under negotiation is read only by the ministry and its own municipality.
    assert selectors.district_list_in_force(user=AnonymousUser(), year=2011).count() == 38
    Agreement.objects.filter(period_start__year=2011).exclude(municipality__code="0136").update(
        status=Agreement.Status.NEGOTIATING)
    assert [d.name for d in selectors.district_list_in_force(user=AnonymousUser(), year=2011)] == ["Jordbro"]
    assert [d.name for d in selectors.district_list_in_force(user=haninge_user, year=2011)] == ["Jordbro"]
    assert selectors.district_list_in_force(user=ministry_user, year=2011).count() == 38


def test_services_refuse_writes_outside_the_users_municipality(malmo_user, agency_user, haninge_user, haninge_hidden):
    partnership, cooperation = haninge_hidden.partnership, haninge_hidden.cooperation
    with pytest.raises(PermissionDenied):
        services.partnership_update(user=malmo_user, partnership=partnership, version=1, fields={"name": "x"})
    with pytest.raises(PermissionDenied):
        services.cooperation_update(user=agency_user, cooperation=cooperation, version=1, fields={"title": "x"})
    with pytest.raises(PermissionDenied):
        services.cooperation_create(user=malmo_user, partnership=partnership, fields={
            "title": "x", "partner": Organisation.objects.get(key="forsakringskassan")}, districts=[])
    with pytest.raises(PermissionDenied):
        services.cooperation_update(user=haninge_user, cooperation=cooperation, version=1, fields={},
                                    districts=[District.objects.get(name="Rosengård")])
    cooperation.refresh_from_db()
    partnership.refresh_from_db()
    assert (cooperation.title, cooperation.version, partnership.name) == (
        "Opublicerad samverkansöverenskommelse Haninge", 1, "Opublicerat partnerskap Haninge")


def test_services_refuse_fields_a_coordinator_may_not_set(haninge_user, haninge_hidden):
    malmo = Municipality.objects.get(code="1280")
    with pytest.raises(ValueError, match="municipality"):
        services.cooperation_update(user=haninge_user, cooperation=haninge_hidden.cooperation, version=1,
                                    fields={"municipality": malmo})
    with pytest.raises(ValueError, match="municipality"):
        services.cooperation_create(user=haninge_user, partnership=haninge_hidden.partnership, districts=[],
                                    fields={"title": "x", "partner": Organisation.objects.get(key="forsakringskassan"),
                                            "municipality": malmo})
    haninge_hidden.cooperation.refresh_from_db()
    assert haninge_hidden.cooperation.municipality.code == "0136"


def test_service_refuses_a_stale_version(haninge_user, haninge_hidden):
    cooperation = haninge_hidden.cooperation
    services.cooperation_update(user=haninge_user, cooperation=cooperation, version=1, fields={"title": "Första"})
    with pytest.raises(StaleVersionError) as raised:
        services.cooperation_update(user=haninge_user, cooperation=cooperation, version=1, fields={"title": "Andra"})
    assert raised.value.current_version == 2
    cooperation.refresh_from_db()
    assert cooperation.title == "Första"


def test_stale_save_on_the_page_is_409_showing_both_versions(client, haninge_user, ministry_user, haninge_hidden):
    cooperation = haninge_hidden.cooperation
    edit = urls(haninge_hidden)["cooperation_edit"]
    client.force_login(haninge_user)
    assert 'name="version" value="1"' in page(client, edit)

    # Someone else saves first.
    services.cooperation_update(user=ministry_user, cooperation=cooperation, version=1,
                                fields={"title": "Departementets rubrik", "place": "Stockholm"})

    response = client.post(edit, cooperation_post(cooperation, title="Kommunens rubrik", place="Haninge", version=1))
    assert response.status_code == 409
    content = response.content.decode()
    assert "Någon annan hann spara först" in content
    assert "den är nu version 2" in content
    # Both versions side by side: the saved one and the user's.
    assert '<td class="saved">Departementets rubrik</td>' in content
    assert '<td class="yours">Kommunens rubrik</td>' in content
    assert '<td class="saved">Stockholm</td>' in content and '<td class="yours">Haninge</td>' in content
    # The form keeps the user's values and now carries the current version.
    assert 'value="Kommunens rubrik"' in content
    assert 'name="version" value="2"' in content

    cooperation.refresh_from_db()
    assert (cooperation.title, cooperation.version) == ("Departementets rubrik", 2)

    # Saving again is a deliberate overwrite and succeeds.
    response = client.post(edit, cooperation_post(cooperation, title="Kommunens rubrik", place="Haninge", version=2))
    assert response.status_code == 302
    cooperation.refresh_from_db()
    assert (cooperation.title, cooperation.version) == ("Kommunens rubrik", 3)


def test_stale_partnership_save_is_409(client, haninge_user, haninge_hidden):
    partnership = haninge_hidden.partnership
    services.partnership_update(user=haninge_user, partnership=partnership, version=1, fields={"basis": "Ny grund"})
    client.force_login(haninge_user)
    response = client.post(urls(haninge_hidden)["partnership_edit"],
                           partnership_post(partnership, basis="Min grund", version=1))
    assert response.status_code == 409
    content = response.content.decode()
    assert '<td class="saved">Ny grund</td>' in content and '<td class="yours">Min grund</td>' in content
