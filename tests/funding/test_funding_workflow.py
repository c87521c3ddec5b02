"""The funding workflow finished: a step's queue shows the amount applied for and the amount the
previous step proposed; the decision date starts at today; "awaiting my decision" only for those
who decide a step; namesake districts told apart; titles cut at a word; an own count measurable."""

from __future__ import annotations

import datetime as dt

from funding_cast import approve

from stadsdel.areas.models import District, Municipality
from stadsdel.areas.selectors import district_labels
from stadsdel.funding.selectors import application_smart, is_own_count
from stadsdel.ui.templatetags.stadsdel import shorten_text


def test_the_queue_shows_applied_and_proposed_amounts(client, make_app, fund_world):
    app = make_app(amount=300_000, submit=True)
    approve(fund_world, app, "steering", decided_on=dt.date.today(), amount=250_000)
    client.force_login(fund_world["committee"])
    html = client.get("/funding/decisions/").content.decode()
    row = html[html.index(app.title):]
    row = row[:row.index("</tr>")]
    assert "300\xa0000" in row or "300 000" in row
    assert "250\xa0000" in row or "250 000" in row


def test_the_decision_date_starts_at_today(client, make_app, fund_world):
    app = make_app(submit=True)
    client.force_login(fund_world["steering"])
    html = client.get(f"/funding/applications/{app.pk}/").content.decode()
    form = html[html.index('id="decision-form"'):]
    assert f'value="{dt.date.today().isoformat()}"' in form[:form.index("</form>")]


def test_awaiting_my_decision_only_for_deciders(client, fund_world, committee_user, malmo_user):
    client.force_login(fund_world["steering"])
    assert "/funding/decisions/" in client.get("/funding/").content.decode()
    client.force_login(fund_world["applicant"])
    assert "/funding/decisions/" not in client.get("/funding/").content.decode()
    client.force_login(malmo_user)
    assert "/funding/decisions/" not in client.get("/funding/").content.decode()


def test_namesake_districts_are_told_apart(db):
    stockholm = Municipality.objects.get(code="0180")
    farsta = list(District.objects.filter(municipality=stockholm, name="Farsta"))
    assert len(farsta) == 2  # Stockholm's district and committee area of one name
    labels = district_labels(farsta)
    assert len(set(labels.values())) == 2 and all(label.startswith("Farsta (Stockholm, ") for label in labels.values())
    malmo = Municipality.objects.get(code="1280")
    centrum = District.objects.create(municipality=malmo, name="Centrum")
    other = District.objects.create(municipality=stockholm, name="Centrum")
    assert district_labels([centrum, other]) == {centrum.pk: "Centrum (Malmö)", other.pk: "Centrum (Stockholm)"}
    rinkeby = District.objects.get(name="Rinkeby", kind=District.Kind.DISTRICT)
    assert district_labels([rinkeby]) == {rinkeby.pk: "Rinkeby (Stockholm)"}


def test_titles_are_cut_at_a_word():
    text = "Fler elever i Rinkeby och Tensta blir behöriga till gymnasiet genom läxhjälp varje vecka"
    short = shorten_text(text, 40)
    assert len(short) <= 40 and short.endswith("…")
    assert text.startswith(short[:-1]) and text[len(short) - 1] == " "  # cut before a space, not in a word
    assert shorten_text("Kort titel", 40) == "Kort titel"


def test_a_count_of_participants_is_measurable(make_app, fund_world):
    assert is_own_count("antal deltagare") and is_own_count("Number of participants")
    assert not is_own_count("andel elever med godkända betyg")
    app = make_app()
    result = app.expected_results.get()
    result.measure, result.indicator = "antal deltagare i läxhjälpen", None
    result.save()
    (_, letters), = application_smart(application=app, lang="sv")
    m = dict(letters)["M"]
    assert m.result == "pass" and "räknas av projektet" in m.reason
