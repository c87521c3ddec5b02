"""Stockholm's project fund as demo data (Program för en sammanhållen stad 2015–2020): "Medel för lokalt arbete med social
hållbarhet" (ytterstadsmedel), owned by kommunstyrelsen, serving the six prioritised district
committees of "Program för en sammanhållen stad 2015–2020", each with a local steering group,
and a few synthetic applications in every state. Everything but the registry (committees,
districts, programme) is invented and marked as demo data; the people are fictional."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.test.utils import override_settings

from stadsdel.accounts.models import Role
from stadsdel.agreements.models import Organisation
from stadsdel.demo.logins import DEMO_PASSWORD, DemoLogin, member_create
from stadsdel.funding import services
from stadsdel.funding.models import Application, FollowUp, Fund, FundArea, FundBudget, FundRound
from stadsdel.plans.models import Programme

FUND_KEY = "stockholm_social_hallbarhet"
PROGRAMME_KEY = "stockholm_sammanhallen_stad_2015_2020"
EXECUTIVE_BOARD_KEY = "stockholm_kommunstyrelsen"


def steering_group_key(committee_key: str) -> str:
    return committee_key.replace("_stadsdelsnamnd", "") + "_lokal_styrgrupp"


def stockholm_fund_ensure(*, year: int, budget: int = 20_000_000, round_budget: int | None = None,
                          opens_on: dt.date | None = None, closes_on: dt.date | None = None):
    """The fund, its default chain, one area per prioritised district committee (each with a
    local steering group: the source names steering groups but not their members, so the
    organisations are created here), a budget for `year` and one round in it. Idempotent."""
    programme = Programme.objects.get(key=PROGRAMME_KEY)
    board = Organisation.objects.get(key=EXECUTIVE_BOARD_KEY)
    with transaction.atomic():
        fund = Fund.objects.filter(key=FUND_KEY).first()
        if fund is None:
            fund = services.fund_create(
                key=FUND_KEY, name="Medel för lokalt arbete med social hållbarhet", owner=board,
                executive_board=board, programme=programme,
                guidance=(
                    "Medlen kan sökas för aktiviteter och projekt som beslutats i den lokala handlingsplanen för "
                    "social hållbarhet. Ansökan föredras och godkänns i den lokala styrgruppen, blir sedan ett "
                    "ärende för stadsdelsnämnden och går därefter vidare till kommunstyrelsen. Ansökan ska visa "
                    "uppföljningsbara mål och en plan för hur arbetet förs in i ordinarie verksamhet."
                ),
            )
        for priority in programme.priority_areas.select_related("committee", "area").prefetch_related("districts"):
            committee = priority.committee
            group, _ = Organisation.objects.get_or_create(
                key=steering_group_key(committee.key),
                defaults={"name": f"Lokal styrgrupp {priority.area.name}", "kind": Organisation.Kind.COMMITTEE,
                          "parent": committee, "municipality_id": committee.municipality_id,
                          "note": "Demo: källan (Program för en sammanhållen stad 2015–2020) nämner lokala styrgrupper men inte deras namn."},
            )
            area, created = FundArea.objects.get_or_create(fund=fund, committee=committee,
                                                           defaults={"steering_group": group})
            if created:
                area.districts.set([priority.area, *priority.districts.all()])
        FundBudget.objects.get_or_create(fund=fund, year=year, defaults={"amount": budget})
        round_ = FundRound.objects.filter(fund=fund, year=year).first()
        if round_ is None:
            round_ = FundRound.objects.create(
                fund=fund, year=year, name=f"Ansökningsomgång {year}",
                opens_on=opens_on or dt.date(year, 1, 1), closes_on=closes_on or dt.date(year, 12, 31),
                budget=round_budget if round_budget is not None else budget,
                guidance="Ansökan lämnas via Stadsdel. Bifoga budgetspecifikation.",
            )
    return fund, round_


# -- the demo applications ------------------------------------------------------------------------

_TITLES = {
    "stockholm_rinkeby_kista_stadsdelsnamnd": ["Läxhjälp i Husby", "Trygga vuxna på Rinkeby torg",
                                               "Sommarjobb för unga i Akalla", "Föräldrastöd i Kista"],
    "stockholm_spanga_tensta_stadsdelsnamnd": ["Tensta jobbtorg för unga vuxna", "Språkcafé i Tensta träff"],
    "stockholm_skarholmens_stadsdelsnamnd": ["Belysning och trygghetsvandringar i Vårberg", "Idrott sent på kvällen"],
    "stockholm_hasselby_vallingby_stadsdelsnamnd": ["Näringslivsdialog i Vällingby centrum"],
    "stockholm_enskede_arsta_vantors_stadsdelsnamnd": ["Öppen förskola i Rågsved", "Kulturskola i Hagsätra"],
    "stockholm_farsta_stadsdelsnamnd": ["Boendedialog i Hökarängen", "Mentorer för nyanlända i Farsta"],
}
# What each demo application goes through: a state per title, in the order above.
_STATES = {
    "stockholm_rinkeby_kista_stadsdelsnamnd": ["draft", "at:1", "granted_paid", "granted_reported"],
    "stockholm_spanga_tensta_stadsdelsnamnd": ["at:2", "returned"],
    "stockholm_skarholmens_stadsdelsnamnd": ["at:3", "rejected"],
    "stockholm_hasselby_vallingby_stadsdelsnamnd": ["granted_overdue"],
    "stockholm_enskede_arsta_vantors_stadsdelsnamnd": ["draft", "at:1"],
    "stockholm_farsta_stadsdelsnamnd": ["granted_paid", "at:2"],
}


def demo_funding_create() -> list:
    """The fund with this year's round and last year's, demo logins for a local steering group
    (Rinkeby-Kista), kommunstyrelsen and a Rinkeby-Kista applicant (the district committee's own
    login, `namnd`, is a standard demo login), and the applications above. Mail is not sent while
    building. Idempotent: an existing set of demo applications is left as it is."""
    today = dt.date.today()
    logins = [
        DemoLogin("styrgrupp", Role.COMMITTEE_MEMBER, steering_group_key("stockholm_rinkeby_kista_stadsdelsnamnd"),
                  "ledamot, lokal styrgrupp Rinkeby-Kista (projektmedel)"),
        DemoLogin("kommunstyrelsen", Role.COMMITTEE_MEMBER, EXECUTIVE_BOARD_KEY,
                  "ledamot, kommunstyrelsen i Stockholm (projektmedel)"),
        DemoLogin("sokande", Role.APPLICANT, "stockholm_rinkeby_kista_stadsdelsnamnd",
                  "sökande, Rinkeby-Kista stadsdelsförvaltning (projektmedel)"),
    ]
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
        fund, current = stockholm_fund_ensure(year=today.year)
        _last_fund, last = stockholm_fund_ensure(year=today.year - 1)  # the fund exists: adds last year's round
        if not last.applications.exists():
            # Last year's round takes its applications "now" and is closed again afterwards.
            last.closes_on = today
            last.save()
        for login in logins:
            member_create(login.username, login.organisation_key, login.role, password=DEMO_PASSWORD)
        if not Application.objects.filter(round__fund=fund).exists():
            _demo_applications(fund, current, last, today)
        last.closes_on = dt.date(today.year - 1, 12, 31)
        last.save()
    return logins


def _demo_applications(fund, current, last, today: dt.date) -> None:
    applicant_user = member_create("sokande", "stockholm_rinkeby_kista_stadsdelsnamnd", Role.APPLICANT)
    board = member_create("kommunstyrelsen", EXECUTIVE_BOARD_KEY)
    last_year = dt.date(today.year - 1, 1, 1)
    for area in fund.areas.select_related("committee", "steering_group").prefetch_related("districts"):
        key = area.committee.key
        deciders = {1: member_create(f"demo-{area.steering_group.key}", area.steering_group.key),
                    2: member_create(f"demo-{key}", key), 3: board}
        applicant = member_create(f"demo-sokande-{key}", key, Role.APPLICANT) if key != (
            "stockholm_rinkeby_kista_stadsdelsnamnd") else applicant_user
        districts = [d for d in area.districts.all() if d.kind == "district"][:2]
        for n, (title, state) in enumerate(zip(_TITLES[key], _STATES[key], strict=True)):
            past = state in ("granted_reported", "granted_overdue")
            round_ = last if past else current
            start = dt.date(round_.year, 3, 1)
            amount = 150_000 + 50_000 * n
            app = services.application_create(
                user=applicant, round=round_, area=area, applicant=area.committee,
                fields={"title": f"{title} (demo)", "period_start": start,
                        "period_end": dt.date(round_.year, 9, 30) if past else dt.date(round_.year + 1, 6, 30),
                        "description": f"Syntetiskt demoexempel. {title}: en aktivitet ur den lokala handlingsplanen "
                                       "för social hållbarhet, tillsammans med bostadsbolaget.",
                        "contact_name": "Kim Exempel", "contact_email": "kontakt@example.org"},
                districts=districts,
                budget_lines=[{"year": round_.year, "text": "Projektledning och material", "amount": amount,
                               "co_financing": amount // 4, "co_financier": "Bostadsbolaget (demo)"}],
                results=[{"text": "Fler deltagare ur målgruppen", "measure": "antal deltagare",
                          "baseline_value": 20.0, "baseline_year": round_.year - 1, "target_value": 60.0,
                          "target_year": round_.year}],
            )
            if state == "draft":
                continue
            services.application_submit(user=applicant, application=app, version=app.version)
            if past:
                # Last year's projects were sent in before their decisions (dated last year too).
                Application.objects.filter(pk=app.pk).update(submitted_at=dt.datetime(
                    round_.year, 1, 15, 9, tzinfo=dt.UTC))
            stop = int(state.split(":")[1]) if state.startswith("at:") else 4
            decided = last_year + dt.timedelta(days=60) if past else today
            for position in range(1, min(stop, 4)):
                outcome, text = "approve", "Godkänd (demo)."
                if state == "returned" and position == 2:
                    outcome, text = "return", "Komplettera med hur arbetet förs in i ordinarie verksamhet (demo)."
                if state == "rejected" and position == 3:
                    outcome, text = "reject", "Ryms inte inom medlens inriktning (demo)."
                services.application_decide(user=deciders[position], application=app, version=app.version,
                                            outcome=outcome, text=text, decided_on=decided,
                                            amount=amount - 25_000 if position == 3 else None)
                if outcome != "approve":
                    break
            if state.startswith("granted"):
                services.payment_register(user=board, application=app, amount=(amount - 25_000) // 2,
                                          paid_on=decided)
            if state == "granted_reported":
                follow_up = app.follow_ups.get()
                FollowUp.objects.filter(pk=follow_up.pk).update(due_on=dt.date(today.year - 1, 12, 31))
                follow_up.refresh_from_db()
                result = app.expected_results.get()
                services.followup_submit(
                    user=applicant, follow_up=follow_up, version=follow_up.version,
                    results="48 deltagare, varav hälften nya (demo).",
                    implementation_plan="Verksamheten ingår i stadsdelsförvaltningens budget från nästa år (demo).",
                    values={result.pk: (48.0, "Under målet men växande (demo).")},
                )
            if state == "granted_overdue":
                FollowUp.objects.filter(application=app).update(due_on=min(today - dt.timedelta(days=30),
                                                                           dt.date(today.year - 1, 12, 31)))
