"""Writes to project funds: funds with their default chain, rounds, applications and their
parts, submission, the decisions of each step, grants, payments and follow-ups.

The rules that matter:
- an application moves through the fund's chain one step at a time: only the step it is at can
  decide it, and only that step's deciding organisation's committee members may; approving moves
  it to the next step, and the last step's approval grants it; a return sends it back to the
  applicant with the comments (resubmitted, it starts the chain again from the first step); a
  rejection ends it. Every decision is a row that is never changed.
- a grant never takes a round past its budget: the round's row is locked (`select_for_update`)
  while the remaining money is checked and the grant added, so of two simultaneous grants against
  the last money one waits for the other and is then refused; a database constraint backs it up.
- every edit of an application carries its version (compare-and-set, 409 on the pages and API).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import District
from stadsdel.core.versions import allowed_fields, version_bump, versioned_update
from stadsdel.funding import notify, rights, selectors
from stadsdel.funding.models import (
    Application,
    Attachment,
    BudgetLine,
    ChainStep,
    Decision,
    ExpectedResult,
    FollowUp,
    Fund,
    FundArea,
    FundBudget,
    FundRound,
    Payment,
    ResultReport,
)
from stadsdel.funding.money import kr


class BudgetExceededError(ValidationError):
    """A grant or payment that would take a balance below zero; refused whole."""


APPLICATION_FIELDS = frozenset({
    "title", "description", "period_start", "period_end", "contact_name", "contact_email", "contact_phone",
})
BUDGET_LINE_FIELDS = ("year", "text", "amount", "co_financing", "co_financier")
RESULT_FIELDS = ("text", "indicator", "measure", "baseline_value", "baseline_year", "target_value", "target_year")


# -- funds and rounds -----------------------------------------------------------------------------

def default_chain_create(*, fund: Fund, executive_board: Organisation) -> list[ChainStep]:
    """Seed 004's chain: the local steering group approves, the district committee decides, and
    every application goes on to kommunstyrelsen."""
    return [
        ChainStep.objects.create(fund=fund, position=1, name="Lokal styrgrupp",
                                 body=ChainStep.Body.AREA_STEERING_GROUP),
        ChainStep.objects.create(fund=fund, position=2, name="Stadsdelsnämnd", body=ChainStep.Body.AREA_COMMITTEE),
        ChainStep.objects.create(fund=fund, position=3, name="Kommunstyrelsen", body=ChainStep.Body.FIXED,
                                 organisation=executive_board),
    ]


def fund_create(*, key: str, name: str, owner: Organisation, executive_board: Organisation | None = None,
                programme=None, guidance: str = "", budgets: dict[int, int] | None = None) -> Fund:
    """A fund with its yearly budgets and the default chain (kommunstyrelsen defaults to the
    owner). Set up by administrators and the demo, so no user rights are checked here."""
    with transaction.atomic():
        fund = Fund.objects.create(key=key, name=name, owner=owner, municipality_id=owner.municipality_id,
                                   programme=programme, guidance=guidance)
        for year, amount in (budgets or {}).items():
            FundBudget.objects.create(fund=fund, year=year, amount=amount)
        default_chain_create(fund=fund, executive_board=executive_board or owner)
    return fund


def fund_area_add(*, fund: Fund, committee: Organisation, steering_group: Organisation | None,
                  districts: list[District] = ()) -> FundArea:
    area = FundArea.objects.create(fund=fund, committee=committee, steering_group=steering_group)
    area.districts.set(districts)
    return area


def round_create(*, user, fund: Fund, year: int, name: str, opens_on: dt.date, closes_on: dt.date, budget: int,
                 guidance: str = "") -> FundRound:
    """A new round; the rounds of a year together stay within the fund's budget for that year."""
    if user is not None and not rights.manages_fund(user=user, fund=fund):
        raise PermissionDenied("Only the fund's owner opens rounds.")
    if closes_on < opens_on:
        raise ValidationError("A round cannot close before it opens.")
    with transaction.atomic():
        year_budget = FundBudget.objects.select_for_update().filter(fund=fund, year=year).first()
        if year_budget is None:
            raise ValidationError(f"The fund has no budget for {year}.")
        shared = fund.rounds.filter(year=year).aggregate(s=Sum("budget"))["s"] or 0
        if shared + budget > year_budget.amount:
            raise BudgetExceededError(
                f"Only {kr(year_budget.amount - shared)} of the {year} budget is left for new rounds; "
                f"a round of {kr(budget)} does not fit."
            )
        return FundRound.objects.create(fund=fund, year=year, name=name, opens_on=opens_on, closes_on=closes_on,
                                        budget=budget, guidance=guidance)


# -- applications ---------------------------------------------------------------------------------

def _check_applicant(user, application: Application) -> None:
    if not rights.acts_for_applicant(user=user, application=application):
        raise PermissionDenied("Only the applicant organisation may change its application.")


def _check_editable(application: Application) -> None:
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        raise ValidationError("Only a draft or a returned application can be changed.")


def _relations(application: Application, *, user, districts, goals) -> None:
    if districts is not None:
        allowed = set(application.area.districts.values_list("pk", flat=True))
        if allowed and any(d.pk not in allowed for d in districts):
            raise ValidationError("A district outside the district committee area cannot be chosen.")
        application.districts.set(districts)
    if goals is not None:
        # Only goals the applicant may read and the fund's applications may serve: an action
        # plan may list any goal, and a draft plan's goals are not the applicant's to see.
        serving = selectors.goal_choices(fund=application.round.fund, user=user)
        if len(set(serving.filter(pk__in=[g.pk for g in goals]).values_list("pk", flat=True))) != len(
                {g.pk for g in goals}):
            raise ValidationError("Only goals the fund's applications may serve can be chosen.")
        plan = application.area.action_plan
        if plan is not None:
            allowed_goals = set(plan.goals.values_list("pk", flat=True))
            if any(g.pk not in allowed_goals for g in goals):
                raise ValidationError("Only goals of the area's local action plan can be chosen.")
        application.goals.set(goals)


def _parts(application: Application, *, budget_lines, results) -> None:
    if budget_lines is not None:
        application.budget_lines.all().delete()
        for line in budget_lines:
            BudgetLine.objects.create(application=application, **{k: line[k] for k in BUDGET_LINE_FIELDS if k in line})
    if results is not None:
        application.expected_results.all().delete()
        for position, result in enumerate(results):
            ExpectedResult.objects.create(application=application, position=position,
                                          **{k: result[k] for k in RESULT_FIELDS if k in result})


def application_create(*, user, round: FundRound, area: FundArea, applicant: Organisation, fields: dict[str, Any],
                       districts: list[District] | None = None, goals: list | None = None,
                       budget_lines: list[dict] | None = None, results: list[dict] | None = None) -> Application:
    """A draft application in an open round."""
    fields = allowed_fields(fields, APPLICATION_FIELDS)
    if area.fund_id != round.fund_id:
        raise ValidationError("The area is not one the fund serves.")
    if not rights.applicant_organisations(user=user, fund=round.fund).filter(pk=applicant.pk).exists():
        raise PermissionDenied("You may only apply for an organisation you act for.")
    if not round.is_open():
        raise ValidationError(f"The round is open {round.opens_on:%Y-%m-%d} – {round.closes_on:%Y-%m-%d}.")
    with transaction.atomic():
        application = Application(round=round, area=area, applicant=applicant, created_by=user, **fields)
        application.full_clean(exclude=["current_step"])
        application.save()
        _relations(application, user=user, districts=districts, goals=goals)
        _parts(application, budget_lines=budget_lines, results=results)
    return application


def application_update(*, user, application: Application, version: int, fields: dict[str, Any],
                       districts: list[District] | None = None, goals: list | None = None,
                       budget_lines: list[dict] | None = None, results: list[dict] | None = None) -> Application:
    _check_applicant(user, application)
    _check_editable(application)
    with transaction.atomic():
        versioned_update(Application, application, version=version, fields=fields, allowed=APPLICATION_FIELDS,
                         full_clean=True, exclude=["current_step"])
        _relations(application, user=user, districts=districts, goals=goals)
        _parts(application, budget_lines=budget_lines, results=results)
    return application


def attachment_add(*, user, application: Application, file, name: str = "") -> Attachment:
    _check_applicant(user, application)
    _check_editable(application)
    attachment = Attachment(application=application, file=file, name=(name or file.name)[:200], uploaded_by=user)
    attachment.full_clean()
    attachment.save()
    return attachment


def submission_problems(application: Application) -> list[str]:
    """What an application still lacks before it can be submitted (empty when complete)."""
    problems = []
    if not application.description.strip():
        problems.append("an activity description")
    if not application.budget_lines.exists():
        problems.append("at least one budget line")
    elif not application.applied_amount:
        problems.append("an amount applied for")
    if not application.expected_results.exists():
        problems.append("at least one expected result")
    if not application.contact_email:
        problems.append("a contact e-mail")
    if not application.goals.exists() and application.area.action_plan_id:
        problems.append("the action-plan goal(s) it serves")
    return problems


def application_submit(*, user, application: Application, version: int) -> Application:
    """Send a draft (or a completed returned application) to the first step of the chain."""
    _check_applicant(user, application)
    _check_editable(application)
    if application.status == Application.Status.DRAFT and not application.round.is_open():
        raise ValidationError("The round is closed.")
    problems = submission_problems(application)
    if problems:
        raise ValidationError("The application needs " + ", ".join(problems) + ".")
    first = application.round.fund.steps.order_by("position").first()
    if first is None:
        raise ValidationError("The fund has no approval chain.")
    with transaction.atomic():
        version_bump(Application, application, version)
        application.status = Application.Status.IN_REVIEW
        application.current_step = first
        application.proposed_amount = None
        application.submitted_at, application.submitted_by = timezone.now(), user
        application.save()
        notify.application_reached_step(application=application, step=first,
                                        organisation=rights.step_organisation(step=first, application=application))
    return application


# -- the chain ------------------------------------------------------------------------------------

def application_decide(*, user, application: Application, version: int, outcome: str, text: str = "",
                       decided_on: dt.date | None = None, amount: int | None = None) -> Decision:
    """Record the current step's decision. Approve at the last step grants `amount` (default: the
    amount proposed by an earlier step, else the amount applied for) against the round's budget."""
    if outcome not in Decision.Outcome.values:
        raise ValidationError(f"Unknown decision {outcome!r}.")
    if outcome in (Decision.Outcome.REJECT, Decision.Outcome.RETURN) and not text.strip():
        raise ValidationError("A rejection or a return needs a decision text saying why.")
    decided_on = decided_on or timezone.localdate()
    if decided_on > timezone.localdate():
        raise ValidationError("A decision cannot be dated in the future.")
    with transaction.atomic():
        # Lock the application first: its step and status are read and changed in one go.
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != Application.Status.IN_REVIEW or locked.current_step_id is None:
            raise ValidationError("The application is not awaiting a decision.")
        step = locked.current_step
        organisation = rights.step_organisation(step=step, application=locked)
        if not rights.decides(user=user, organisation=organisation):
            raise PermissionDenied(f"Only the members of {organisation or 'the deciding body'} decide the step "
                                   f"“{step.name}”.")
        version_bump(Application, locked, version)
        applied = locked.applied_amount
        if amount is not None and not 0 < amount <= applied:
            raise ValidationError(f"The amount must be between 1 kr and the {kr(applied)} applied for.")
        later = locked.round.fund.steps.filter(position__gt=step.position).order_by("position").first()
        if outcome == Decision.Outcome.APPROVE and later is None:
            granted = amount or locked.proposed_amount or applied
            _debit_round(locked.round_id, granted, locked)
            locked.status = Application.Status.GRANTED
            locked.current_step = None
            locked.granted_amount, locked.granted_at = granted, timezone.now()
            amount = granted
            FollowUp.objects.create(
                application=locked,
                due_on=locked.period_end + dt.timedelta(days=locked.round.fund.follow_up_days),
            )
        elif outcome == Decision.Outcome.APPROVE:
            locked.current_step = later
            if amount is not None:
                locked.proposed_amount = amount
        elif outcome == Decision.Outcome.RETURN:
            locked.status, locked.current_step = Application.Status.RETURNED, None
        else:
            locked.status, locked.current_step = Application.Status.REJECTED, None
        locked.save()
        decision = Decision.objects.create(
            application=locked, step=step, organisation=organisation, outcome=outcome, decided_on=decided_on,
            text=text, amount=amount, decided_by=user,
        )
        notify.application_decided(application=locked, decision=decision)
        if locked.status == Application.Status.IN_REVIEW:
            notify.application_reached_step(application=locked, step=later,
                                            organisation=rights.step_organisation(step=later, application=locked))
    application.refresh_from_db()
    return decision


def _debit_round(round_id: int, amount: int, application: Application) -> None:
    # The round's row is the one lock every grant in the round takes, so the check and the
    # debit below see the same balance; another grant waits here until this one commits.
    round_ = FundRound.objects.select_for_update().get(pk=round_id)
    if amount > round_.remaining:
        raise BudgetExceededError(
            f"Cannot grant {kr(amount)} to “{application.title}”: only {kr(round_.remaining)} is left of the "
            f"round's {kr(round_.budget)}."
        )
    try:
        with transaction.atomic():
            FundRound.objects.filter(pk=round_id).update(granted=F("granted") + amount)
    except IntegrityError:  # the constraint: a path that skipped the lock would still be refused
        raise BudgetExceededError("The grant would take the round past its budget.") from None


# -- money after the grant ------------------------------------------------------------------------

def payment_register(*, user, application: Application, amount: int, paid_on: dt.date, note: str = "") -> Payment:
    """A payment to a granted project, never past what was granted."""
    if not rights.manages_fund(user=user, fund=application.round.fund):
        raise PermissionDenied("Only the fund's owner registers payments.")
    if rights.acts_for_applicant(user=user, application=application):
        # Someone of the owner who also acts for the applicant: a project never pays itself.
        raise PermissionDenied("A project's own organisation does not register payments to it.")
    if amount <= 0:
        raise ValidationError("A payment is a positive amount.")
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != Application.Status.GRANTED:
            raise ValidationError("Only a granted application is paid.")
        left = locked.granted_amount - locked.paid_amount
        if amount > left:
            raise BudgetExceededError(f"Cannot pay {kr(amount)}: only {kr(left)} of the grant is unpaid.")
        return Payment.objects.create(application=locked, amount=amount, paid_on=paid_on, note=note,
                                      registered_by=user)


def followup_submit(*, user, follow_up: FollowUp, version: int, results: str, implementation_plan: str,
                    values: dict[int, tuple[float | None, str]] | None = None) -> FollowUp:
    """The project's report: results against each expected result and how the work carries on in
    ordinary operations (required: funded work must not end as a temporary project)."""
    _check_applicant(user, follow_up.application)
    if not implementation_plan.strip():
        raise ValidationError("The follow-up needs a plan for implementation in ordinary operations.")
    expected = {r.pk: r for r in follow_up.application.expected_results.all()}
    with transaction.atomic():
        version_bump(FollowUp, follow_up, version)
        follow_up.results, follow_up.implementation_plan = results, implementation_plan
        follow_up.submitted_at, follow_up.submitted_by = timezone.now(), user
        follow_up.save()
        for result_id, (value, comment) in (values or {}).items():
            if result_id not in expected:
                raise ValidationError("A reported result must be one of the application's expected results.")
            ResultReport.objects.update_or_create(
                follow_up=follow_up, expected_result=expected[result_id],
                defaults={"value": value, "comment": comment},
            )
    return follow_up
