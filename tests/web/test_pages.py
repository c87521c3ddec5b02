"""The public pages: every list and detail renders for anonymous visitors with the records the
sources give, in Swedish by default and in English on request, without N+1 queries."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.urls import reverse

from stadsdel.agreements.models import Agreement, Commission, CooperationAgreement, Partnership
from stadsdel.areas.models import District, Municipality

pytestmark = pytest.mark.django_db

# Swedish typography: periods and titles use the en dash, as the pages print them.
DASH = "–"
PERIOD_2008 = f"2008{DASH}2010"


def district(name: str) -> District:
    return District.objects.get(name=name, kind=District.Kind.DISTRICT)


def listed_municipalities():
    """The municipalities of seeds 002/003: those with districts or agreements."""
    return Municipality.objects.filter(Q(districts__isnull=False) | Q(agreements__isnull=False)).distinct()


def jordbro_cooperation() -> CooperationAgreement:
    return CooperationAgreement.objects.get(key="jordbro_forsakringskassan")


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# -- start page, language, sign-in ----------------------------------------------------------------


def test_home_describes_stadsdel_and_counts_the_registry(client):
    page = text(client.get(reverse("start:home")))
    assert '<html lang="sv">' in page
    assert f"Stadsdel {DASH} registret över områdesbaserat urbant utvecklingsarbete" in page
    # The registry holds all 290 municipalities; the start page counts those with districts or agreements.
    assert f'<span class="figure">{listed_municipalities().count()}</span> kommuner' in page
    assert f'<span class="figure">{District.objects.count()}</span> stadsdelar' in page
    # The offers and approved agreements are public: 21 in force in 2009 and 21 offered for 2011.
    assert '?year=2009">2009</a></th><td class="num">21</td>' in page
    assert '?year=2011">2011</a></th><td class="num">21</td>' in page


def test_home_counts_offered_agreements_for_the_ministry(client, ministry_user):
    client.force_login(ministry_user)
    page = text(client.get(reverse("start:home")))
    assert '?year=2011">2011</a></th><td class="num">21</td>' in page


def test_pages_are_swedish_by_default_and_english_after_set_language(client):
    url = reverse("areas:district_list")
    swedish = text(client.get(url))
    assert '<html lang="sv">' in swedish
    assert "<h1>Stadsdelar</h1>" in swedish
    assert "Logga in" in swedish

    response = client.post("/i18n/setlang/", {"language": "en", "next": url})
    assert response.status_code == 302
    assert response["Location"] == url

    english = text(client.get(url))
    assert '<html lang="en">' in english
    assert "<h1>Districts</h1>" in english
    assert "Sign in" in english
    assert "Stadsdelar" not in english


def test_an_english_browser_still_gets_swedish_until_the_user_chooses(client):
    url = reverse("areas:district_list")
    page = text(client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert '<html lang="sv">' in page and "<h1>Stadsdelar</h1>" in page


def test_language_switch_names_each_language_in_itself(client):
    page = text(client.get(reverse("start:home")))
    assert 'action="/i18n/setlang/"' in page
    assert 'value="sv" lang="sv"' in page and ">Svenska</button>" in page
    assert 'value="en" lang="en"' in page and ">English</button>" in page


def test_footer_names_the_version(client):
    from stadsdel import __version__

    assert f"Stadsdel version {__version__}" in text(client.get(reverse("start:home")))


def test_sign_in_through_the_form_shows_the_user_menu_with_memberships(client, haninge_user):
    page = text(client.get(reverse("login")))
    assert "<h1>Logga in</h1>" in page
    response = client.post(reverse("login"), {"username": "haninge", "password": "pw-haninge"})
    assert response.status_code == 302
    assert response["Location"] == reverse("start:overview")  # "Min översikt": sign-in lands on the overview

    page = text(client.get(reverse("start:home")))
    assert "Inloggad som haninge" in page
    assert '<span class="org">Haninge kommun</span> <span class="role">kommunens samordnare</span>' in page

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "Inloggad som" not in text(client.get(reverse("start:home")))


def test_wrong_password_is_reported_in_swedish(client, haninge_user):
    page = text(client.post(reverse("login"), {"username": "haninge", "password": "wrong"}))
    assert "Användarnamnet och lösenordet stämde inte" in page


# -- municipalities -------------------------------------------------------------------------------


def test_municipality_list_shows_code_name_county_and_district_count(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        page = text(client.get(reverse("areas:municipality_list")))
    haninge = Municipality.objects.get(code="0136")
    assert page.count('<td class="code">') == listed_municipalities().count() == 21
    assert "Kiruna" not in page
    assert f'<a href="{haninge.get_absolute_url()}">Haninge</a>' in page
    assert "Stockholms län" in page
    # Malmö has four districts in Bilaga 2.
    assert '<a href="/districts/?municipality=1280">4</a>' in page


def test_municipality_detail_lists_districts_agreements_and_partnerships(client):
    page = text(client.get(reverse("areas:municipality_detail", args=["0136"])))
    assert "Haninge kommun" in page
    assert district("Jordbro").get_absolute_url() in page
    assert PERIOD_2008 in page
    assert Partnership.objects.get(key="jordbro").get_absolute_url() in page
    assert jordbro_cooperation().get_absolute_url() in page


def test_a_municipality_without_agreement_has_a_detail_page(client):
    page = text(client.get(reverse("areas:municipality_detail", args=["2584"])))
    assert "Kiruna" in page and "Norrbottens län" in page


def test_unknown_municipality_is_404(client):
    assert client.get(reverse("areas:municipality_detail", args=["9999"])).status_code == 404


# -- districts ------------------------------------------------------------------------------------


def test_district_list_shows_code_system_area_count_and_source_fault_marker(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        page = text(client.get(reverse("areas:district_list")))
    assert page.count('<th scope="row">') == District.objects.count()
    hassleholmen = district("Hässleholmen")
    # The marker links straight to the district's fault box.
    assert f'href="{hassleholmen.get_absolute_url()}#source-faults">1 källfel</a>' in page
    assert "NYKO" in page


def test_district_list_filters_by_municipality(client):
    page = text(client.get(reverse("areas:district_list"), {"municipality": "1280"}))
    assert "4 stadsdelar" in page
    for name in ("Fosie", "Hyllie", "Rosengård", "Södra Innerstan"):
        assert f">{name}</a>" in page
    assert ">Jordbro</a>" not in page


def test_district_list_filters_by_agreement_year_counting_only_readable_agreements(client, ministry_user):
    # 2009: only Haninge's approved agreement names its districts (Jordbro).
    page = text(client.get(reverse("areas:district_list"), {"year": "2009"}))
    assert "1 stadsdel<" in page and ">Jordbro</a>" in page

    # The 2011 offer is a public decision: its 38 districts for everyone.
    page = text(client.get(reverse("areas:district_list"), {"year": "2011"}))
    assert "38 stadsdelar" in page

    # Agreements under negotiation are not public: the year is then no choice for anonymous
    # visitors, and the invalid choice is reported and ignored, not a server error.
    Agreement.objects.filter(period_start__year=2011).update(status=Agreement.Status.NEGOTIATING)
    page = text(client.get(reverse("areas:district_list"), {"year": "2011"}))
    assert "Ett filtervärde var ogiltigt" in page
    assert f"{District.objects.count()} stadsdelar" in page

    client.force_login(ministry_user)
    page = text(client.get(reverse("areas:district_list"), {"year": "2011"}))
    assert "38 stadsdelar" in page


def test_district_list_ignores_a_malformed_filter(client):
    page = text(client.get(reverse("areas:district_list"), {"year": "abc", "municipality": "nope"}))
    assert "Ett filtervärde var ogiltigt" in page


def test_hassleholmen_shows_its_source_fault_with_the_source_document(client):
    page = text(client.get(district("Hässleholmen").get_absolute_url()))
    assert 'id="source-faults"' in page
    assert "Källfel" in page
    assert "149041-45" in page
    assert "Inga koder har gissats" in page  # the recorded error
    assert "sex siffror i stället för åtta" in page  # the recorded note
    assert "Erbjudande till kommuner att teckna lokala utvecklingsavtal för 2011" in page
    assert "Inga statistikområden är registrerade för stadsdelen." in page


def test_klockartorpet_is_stated_in_nyko(client):
    page = text(client.get(district("Klockartorpet").get_absolute_url()))
    assert "<td>NYKO</td><td class=\"code\">412</td>" in page
    assert "Källfel" in page
    assert "Norrköping" in page


def test_fornhojden_shows_the_original_spelling_as_alias(client):
    page = text(client.get(district("Fornhöjden").get_absolute_url()))
    assert "<q>Forn höjden</q>" in page
    assert "Anmärkningar om källan" in page  # a repair, not an error


def test_jordbro_lists_its_sams_codes_and_agreements(client):
    page = text(client.get(district("Jordbro").get_absolute_url()))
    for code in ("01360017", "01360018", "01360019"):
        assert f'<td class="code">{code}</td>' in page
    agreement = Agreement.objects.get(municipality__code="0136", period_start__year=2008)
    assert agreement.get_absolute_url() in page
    assert 'id="source-faults"' not in page


def test_district_page_shows_nesting(client):
    rinkeby = district("Rinkeby")
    committee_area = rinkeby.parent
    page = text(client.get(rinkeby.get_absolute_url()))
    assert f'<a href="{committee_area.get_absolute_url()}">{committee_area.name}</a>' in page
    page = text(client.get(committee_area.get_absolute_url()))
    assert "stadsdelsnämndsområde" in page
    assert f'<a href="{rinkeby.get_absolute_url()}">Rinkeby</a>' in page


def test_unknown_district_is_404(client):
    response = client.get(reverse("areas:district_detail", args=[999999]))
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()


# -- agreements and commissions -------------------------------------------------------------------


def test_agreement_list_groups_public_agreements_by_period(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        page = text(client.get(reverse("agreements:agreement_list")))
    assert f"Perioden {PERIOD_2008}" in page
    assert "21 avtal" in page
    assert "ej angivet i källorna" in page
    assert "Perioden 2011" in page  # the government's offer is public
    jordbro = district("Jordbro")
    assert f'<a href="{jordbro.get_absolute_url()}">Jordbro</a>' in page


def test_agreement_list_filters_by_municipality(client, ministry_user):
    client.force_login(ministry_user)
    page = text(client.get(reverse("agreements:agreement_list"), {"municipality": "1280"}))
    assert "Perioden 2011" in page and f"Perioden {PERIOD_2008}" in page
    assert "erbjudet" in page
    assert page.count('<span class="status') == 2
    for name in ("Fosie", "Hyllie", "Rosengård", "Södra Innerstan"):
        assert f">{name}</a>" in page


def test_approved_agreement_detail_shows_notes_and_sources(client):
    agreement = Agreement.objects.get(municipality__code="1280", period_start__year=2008)
    page = text(client.get(agreement.get_absolute_url()))
    assert f"Lokalt utvecklingsavtal: Malmö {PERIOD_2008}" in page
    assert "ej angivet i källorna" in page
    assert "namnger inte vilka stadsdelar" in page  # the recorded note
    assert "Erbjudande till kommuner att teckna lokala utvecklingsavtal för 2011" in page


def test_negotiating_agreement_is_hidden_from_the_public_and_shows_sections_to_the_ministry(client, ministry_user):
    agreement = Agreement.objects.get(municipality__code="1280", period_start__year=2011)
    assert "erbjudet" in text(client.get(agreement.get_absolute_url()))  # the offer is a public decision
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.NEGOTIATING)
    assert client.get(agreement.get_absolute_url()).status_code == 404

    client.force_login(ministry_user)
    page = text(client.get(agreement.get_absolute_url()))
    for number, title in ((1, "Utgångspunkter"), (2, "Omfattning"), (3, "Lokala partnerskap för urbant utvecklingsarbete")):
        assert f"<h3>{number}. {title}</h3>" in page
    assert page.count('<section class="agreement-section" lang="sv">') == 8
    assert "under förhandling" in page


def test_commission_list_and_detail(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        page = text(client.get(reverse("agreements:commission_list")))
    assert "Uppdrag att samverka med kommuner som har lokala utvecklingsavtal" in page

    commission = Commission.objects.get(key="2008")
    page = text(client.get(reverse("agreements:commission_detail", args=[commission.pk])))
    for expected in ("Rikspolisstyrelsen", "Försäkringskassan", "Arbetsförmedlingen", "13 §",
                     "Förordning (2008:348) om urbant utvecklingsarbete", "Nyamko Sabuni", "Samordnare",
                     "Redovisningsskyldighet"):
        assert expected in page


# -- partnerships and cooperation agreements -----------------------------------------------------


def test_partnership_list_and_detail(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        page = text(client.get(reverse("agreements:partnership_list")))
    partnership = Partnership.objects.get(key="jordbro")
    assert f'<a href="{partnership.get_absolute_url()}">{partnership.name}</a>' in page

    page = text(client.get(partnership.get_absolute_url()))
    assert "<th scope=\"row\">Försäkringskassan</th>" in page
    assert "huvudman (kommunen)" in page
    assert "16 februari 2009" in page  # Försäkringskassan a member since the signing
    assert "SFS 2008:348" in page  # the basis
    assert jordbro_cooperation().get_absolute_url() in page
    assert "Redigera partnerskap" not in page  # anonymous: no edit button


def test_partnership_edit_button_only_for_its_municipality(client, haninge_user, malmo_user, agency_user):
    url = Partnership.objects.get(key="jordbro").get_absolute_url()
    client.force_login(haninge_user)
    page = text(client.get(url))
    assert "Redigera partnerskap" in page and "Ny samverkansöverenskommelse" in page
    for outsider in (malmo_user, agency_user):
        client.force_login(outsider)
        assert "Redigera partnerskap" not in text(client.get(url))


def test_cooperation_list(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        page = text(client.get(reverse("agreements:cooperation_list")))
    assert jordbro_cooperation().get_absolute_url() in page
    assert "Försäkringskassan" in page


def test_jordbro_cooperation_agreement_shows_both_signatories_with_titles(client):
    page = text(client.get(jordbro_cooperation().get_absolute_url()))
    assert "Gilbert de Wendel" in page
    assert "Kommunstyrelsens ordförande" in page
    assert "Stefan Mörk" in page
    assert "Områdeschef LFC Stockholm Södertörn" in page
    assert "Haninge, <time datetime=\"2009-02-16\">16 februari 2009</time>" in page
    assert "Haninge kommun åtar sig att" in page and "Försäkringskassan åtar sig att" in page
    assert "Överenskommelsen har inte reviderats." in page
    assert "Ändringshistorik" in page
    assert "Redigera samverkansöverenskommelse" not in page


def test_health_answers_ok_and_503_without_a_database(client, monkeypatch):
    from django.db import DatabaseError, connection

    response = client.get("/health/")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "sessionid" not in response.cookies

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    assert client.get("/health/").status_code == 503
