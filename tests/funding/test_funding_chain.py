"""The approval chain: order, who may decide each step, return and reject, the history, and the
e-mails sent when an application reaches a step or is decided."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stadsdel.core.versions import StaleVersionError
from stadsdel.funding import services
from stadsdel.funding.models import Application, Decision

pytestmark = pytest.mark.django_db


def test_a_fund_gets_the_default_chain(fund_world):
    steps = list(fund_world["fund"].steps.values_list("position", "name", "body"))
    assert steps == [(1, "Lokal styrgrupp", "area_steering_group"), (2, "Stadsdelsnämnd", "area_committee"),
                     (3, "Kommunstyrelsen", "fixed")]


def test_submission_starts_at_the_first_step_and_tells_the_steering_group(fund_world, mailoutbox, make_app):
    app = make_app(submit=True)
    app.refresh_from_db()
    assert app.status == Application.Status.IN_REVIEW and app.current_step.position == 1
    assert any("styrgrupp@example.org" in m.to for m in mailoutbox)
    assert any("alva@example.org" in m.to for m in mailoutbox)


def test_the_chain_goes_step_by_step_to_a_grant(fund_world, mailoutbox, make_app, approve):
    app = make_app(submit=True)
    approve(fund_world, app, "steering", text="Godkänd i styrgruppen", amount=250_000)
    assert app.current_step.position == 2 and app.proposed_amount == 250_000
    assert any("namnd@example.org" in m.to for m in mailoutbox)
    approve(fund_world, app, "committee")
    assert app.current_step.position == 3
    approve(fund_world, app, "board")
    assert app.status == Application.Status.GRANTED and app.current_step is None
    assert app.granted_amount == 250_000  # the proposal carries through when the last step names none
    fund_world["round"].refresh_from_db()
    assert fund_world["round"].granted == 250_000
    history = list(app.decisions.values_list("step__position", "outcome", "organisation__key"))
    assert history == [(1, "approve", "stockholm_rinkeby_kista_lokal_styrgrupp"),
                       (2, "approve", "stockholm_rinkeby_kista_stadsdelsnamnd"),
                       (3, "approve", "stockholm_kommunstyrelsen")]
    assert app.follow_ups.count() == 1
    assert any(services.kr(250_000) in m.body and "alva@example.org" in m.to for m in mailoutbox)


def test_nothing_skips_a_step(fund_world, make_app, approve):
    app = make_app(submit=True)
    # The district committee and kommunstyrelsen may not decide while the steering group has not.
    for who in ("committee", "board"):
        with pytest.raises(PermissionDenied):
            approve(fund_world, app, who)
    assert not app.decisions.exists()


def test_only_the_steps_members_decide_it(fund_world, haninge_user, ministry_user, analyst_user, make_app):
    app = make_app(submit=True)
    for user in (fund_world["applicant"], haninge_user, ministry_user, analyst_user):
        with pytest.raises(PermissionDenied):
            services.application_decide(user=user, application=app, version=app.version, outcome="approve")


def test_another_areas_committee_does_not_decide_this_areas_step(fund_world, make_app, approve):
    """Rinkeby-Kista's district-committee step is Rinkeby-Kista's: a member of Spånga-Tensta's
    committee, also a committee member of the same city, is refused; and the steering group,
    whose step is done, cannot decide the next one."""
    from stadsdel.demo.logins import member_create

    app = make_app(submit=True)
    approve(fund_world, app, "steering")
    other = member_create("spanga", "stockholm_spanga_tensta_stadsdelsnamnd")
    for user in (other, fund_world["steering"]):
        with pytest.raises(PermissionDenied):
            services.application_decide(user=user, application=app, version=app.version, outcome="approve")
    app.refresh_from_db()
    assert app.current_step.position == 2 and app.decisions.count() == 1


def test_a_draft_cannot_be_decided(fund_world, make_app, approve):
    app = make_app()
    with pytest.raises(ValidationError):
        approve(fund_world, app, "steering")


def test_a_returned_application_goes_back_with_the_comments_and_restarts_the_chain(fund_world, mailoutbox, make_app, approve):
    app = make_app(submit=True)
    approve(fund_world, app, "steering")
    mailoutbox.clear()
    services.application_decide(user=fund_world["committee"], application=app, version=app.version,
                                outcome="return", text="Komplettera med budgetspecifikation.")
    assert app.status == Application.Status.RETURNED and app.current_step is None
    assert any("Komplettera med budgetspecifikation." in m.body and "alva@example.org" in m.to for m in mailoutbox)
    services.application_update(user=fund_world["applicant"], application=app, version=app.version,
                                fields={"description": "Läxhjälp, med budgetspecifikation."})
    services.application_submit(user=fund_world["applicant"], application=app, version=app.version)
    app.refresh_from_db()
    assert app.status == Application.Status.IN_REVIEW and app.current_step.position == 1
    assert list(app.decisions.values_list("outcome", flat=True)) == ["approve", "return"]


def test_a_return_or_rejection_needs_a_reason(fund_world, make_app):
    app = make_app(submit=True)
    for outcome in ("return", "reject"):
        with pytest.raises(ValidationError):
            services.application_decide(user=fund_world["steering"], application=app, version=app.version,
                                        outcome=outcome, text=" ")


def test_a_rejection_ends_the_application(fund_world, make_app, approve):
    app = make_app(submit=True)
    approve(fund_world, app, "steering")
    approve(fund_world, app, "committee")
    services.application_decide(user=fund_world["board"], application=app, version=app.version,
                                outcome="reject", text="Ryms inte i programmets inriktning.")
    assert app.status == Application.Status.REJECTED
    with pytest.raises(ValidationError):
        approve(fund_world, app, "board")
    with pytest.raises(ValidationError):
        services.application_submit(user=fund_world["applicant"], application=app, version=app.version)
    assert Decision.objects.filter(application=app).count() == 3


def test_a_stale_decision_is_refused(fund_world, make_app, approve):
    app = make_app(submit=True)
    stale = app.version
    approve(fund_world, app, "steering")
    # The district committee, whose step it now is, decides from the copy it read before.
    with pytest.raises(StaleVersionError):
        services.application_decide(user=fund_world["committee"], application=app, version=stale, outcome="approve")


def test_only_the_applicant_edits_and_only_while_draft_or_returned(fund_world, malmo_user, make_app):
    app = make_app()
    with pytest.raises(PermissionDenied):
        services.application_update(user=malmo_user, application=app, version=app.version, fields={"title": "X"})
    services.application_submit(user=fund_world["applicant"], application=app, version=app.version)
    with pytest.raises(ValidationError):
        services.application_update(user=fund_world["applicant"], application=app, version=app.version,
                                    fields={"title": "X"})


def test_an_incomplete_application_cannot_be_submitted(fund_world, make_app):
    app = make_app()
    app.budget_lines.all().delete()
    with pytest.raises(ValidationError, match="budget line"):
        services.application_submit(user=fund_world["applicant"], application=app, version=app.version)


def test_a_closed_round_takes_no_new_applications(fund_world, make_app):
    import datetime as dt

    round_ = fund_world["round"]
    round_.closes_on = round_.opens_on = dt.date(2000, 1, 1)
    round_.save()
    with pytest.raises(ValidationError):
        make_app()


def test_steps_are_configuration(fund_world, haninge_user, make_app, approve):
    """A fund may configure another chain: here kommunstyrelsen alone decides."""
    fund = fund_world["fund"]
    fund.steps.filter(position__in=(1, 2)).delete()
    app = make_app(submit=True)
    assert app.current_step.name == "Kommunstyrelsen"
    with pytest.raises(PermissionDenied):
        approve(fund_world, app, "committee")
    approve(fund_world, app, "board", amount=100_000)
    assert app.status == Application.Status.GRANTED and app.granted_amount == 100_000


def test_an_applicant_applies_for_its_own_organisations_only(fund_world):
    """Each role with its own organisation: an analyst at the city who also sits on Rinkeby-Kista's
    committee applies for Rinkeby-Kista, not for every body under the city."""
    from stadsdel.accounts.models import Membership, Role
    from stadsdel.agreements.models import Organisation
    from stadsdel.demo.logins import member_create
    from stadsdel.funding import rights

    user = member_create("dubbel", "stockholm_rinkeby_kista_stadsdelsnamnd")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(key="stockholms_kommun"),
                              role=Role.ANALYST)
    keys = set(rights.applicant_organisations(user=user, fund=fund_world["fund"]).values_list("key", flat=True))
    assert "stockholm_rinkeby_kista_stadsdelsnamnd" in keys
    assert "stockholm_spanga_tensta_stadsdelsnamnd" not in keys and "stockholms_kommun" not in keys
