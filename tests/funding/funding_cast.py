"""The cast of the funding tests, as plain functions (the fixtures in conftest call them, and the
transactional race test, which must seed first, calls them itself): Stockholm's fund with the
default chain, an applicant (Rinkeby-Kista's coordinator) and one decision maker per step: the
local steering group, the district committee and kommunstyrelsen."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from stadsdel.accounts.models import Role
from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import District
from stadsdel.demo.funding import steering_group_key, stockholm_fund_ensure
from stadsdel.demo.logins import member_create
from stadsdel.funding import services
from stadsdel.funding.models import FundArea

RK = "stockholm_rinkeby_kista_stadsdelsnamnd"


def world_create(committee_user=None, *, suffix: str = "", budget: int = 1_000_000) -> dict:
    year = timezone.localdate().year
    fund, round_ = stockholm_fund_ensure(year=year, budget=budget)
    if committee_user is None:
        committee_user = member_create("namnd" + suffix, RK, email="namnd@example.org")
    else:
        committee_user.email = "namnd@example.org"
        committee_user.save()
    return {
        "fund": fund, "round": round_, "year": year,
        "area": FundArea.objects.get(fund=fund, committee__key=RK),
        "applicant": member_create("sokande" + suffix, RK, Role.APPLICANT, email="sokande@example.org"),
        "steering": member_create("styrgrupp" + suffix, steering_group_key(RK), email="styrgrupp@example.org"),
        "committee": committee_user,
        "board": member_create("ks" + suffix, "stockholm_kommunstyrelsen", email="ks@example.org"),
    }


def application_make(world, *, amount: int = 300_000, title: str = "Läxhjälp i Rinkeby", submit: bool = False):
    year = world["year"]
    rinkeby = District.objects.get(name="Rinkeby", kind=District.Kind.DISTRICT)
    app = services.application_create(
        user=world["applicant"], round=world["round"], area=world["area"],
        applicant=Organisation.objects.get(key=RK),
        fields={"title": title, "description": "Läxhjälp tre kvällar i veckan.",
                "period_start": dt.date(year, 1, 1), "period_end": dt.date(year, 12, 31),
                "contact_name": "Alva Exempel", "contact_email": "alva@example.org"},
        districts=[rinkeby],
        budget_lines=[{"year": year, "text": "Personal", "amount": amount, "co_financing": 50_000,
                       "co_financier": "Bostadsbolaget"}],
        results=[{"text": "Fler elever med godkända betyg", "measure": "andel elever med godkända betyg",
                  "baseline_value": 60.0, "baseline_year": year - 1, "target_value": 70.0, "target_year": year}],
    )
    if submit:
        services.application_submit(user=world["applicant"], application=app, version=app.version)
    return app


def approve(world, app, who: str, **kw):
    return services.application_decide(user=world[who], application=app, version=app.version,
                                       outcome="approve", **kw)
