"""Who may do what with project funds, built on the user's scope (`accounts.scoping`).

Three kinds of actor, each bound to organisations:
- an applicant acts for an organisation of the fund's municipality they belong to (coordinator,
  agency officer or committee member; analysts read, they do not apply), and a municipality
  coordinator may act for any of the municipality's organisations;
- a decision maker at a step is a committee member with a membership of exactly the
  organisation deciding that step. Direct membership, not the scope's descendants: a member of
  the municipality is not thereby a member of its district committees;
- the fund owner's members (and the municipality's coordinators) run the fund: payments, rounds.
Reading: the applicant's drafts are theirs alone; a submitted application is read by its
municipality's staff, its applicant and the ministry."""

from __future__ import annotations

from django.db.models import F, Q

from stadsdel.accounts.models import Membership, Role
from stadsdel.accounts.scoping import _descendant_ids, scope_for
from stadsdel.agreements.models import Organisation
from stadsdel.funding.models import Application, ChainStep, Fund

APPLICANT_ROLES = frozenset({Role.MUNICIPALITY, Role.AGENCY, Role.COMMITTEE_MEMBER})


def _acting_as_applicant(user) -> tuple[frozenset[int], frozenset[int]]:
    """The organisations (with their sub-organisations) the user applies for, and the
    municipalities they coordinate: from their applicant-role memberships only, each role with
    its own organisation. (The user's scope merges all memberships: an analyst at the city who
    also sits on a committee must not apply for every body of the city.)"""
    memberships = list(Membership.objects.filter(user=user, role__in=APPLICANT_ROLES).select_related("organisation"))
    organisations = frozenset(_descendant_ids({m.organisation_id for m in memberships}))
    coordinated = frozenset(m.organisation.municipality_id for m in memberships
                            if m.role == Role.MUNICIPALITY and m.organisation.municipality_id is not None)
    return organisations, coordinated


def applicant_organisations(*, user, fund: Fund):
    """The organisations the user may apply for to this fund."""
    if not scope_for(user).authenticated:
        return Organisation.objects.none()
    organisations, coordinated = _acting_as_applicant(user)
    if not organisations:
        return Organisation.objects.none()
    qs = Organisation.objects.filter(Q(pk__in=organisations) | Q(municipality_id__in=coordinated))
    if fund.municipality_id is not None:
        qs = qs.filter(municipality_id=fund.municipality_id)
    return qs.order_by("name")


def acts_for_applicant(*, user, application: Application) -> bool:
    return applicant_organisations(user=user, fund=application.round.fund).filter(pk=application.applicant_id).exists()


def step_organisation(*, step: ChainStep, application: Application) -> Organisation | None:
    """The organisation that decides this step for this application."""
    if step.body == ChainStep.Body.AREA_STEERING_GROUP:
        return application.area.steering_group
    if step.body == ChainStep.Body.AREA_COMMITTEE:
        return application.area.committee
    return step.organisation


def decides(*, user, organisation: Organisation | None) -> bool:
    if organisation is None or not scope_for(user).authenticated:
        return False
    return Membership.objects.filter(user=user, organisation=organisation, role=Role.COMMITTEE_MEMBER).exists()


def decision_organisation_ids(*, user) -> set[int]:
    """The organisations the user decides for (their committee memberships)."""
    if not scope_for(user).authenticated:
        return set()
    return set(Membership.objects.filter(user=user, role=Role.COMMITTEE_MEMBER).values_list("organisation_id", flat=True))


def manages_fund(*, user, fund: Fund) -> bool:
    """The fund's owner runs it (rounds, payments): its members in any role but analyst. Being a
    coordinator somewhere in the municipality is not enough, since applicants often are."""
    if not scope_for(user).authenticated:
        return False
    return Membership.objects.filter(user=user, organisation_id=fund.owner_id).exclude(role=Role.ANALYST).exists()


def _applicant_q(user) -> Q:
    organisations, coordinated = _acting_as_applicant(user)
    if not organisations:
        return Q(pk__in=[])
    q = Q(applicant_id__in=organisations) | Q(applicant__municipality_id__in=coordinated)
    # Applying is to a fund of the applicant's own municipality (see applicant_organisations).
    return q & (Q(round__fund__municipality__isnull=True) | Q(round__fund__municipality_id=F("applicant__municipality_id")))


def visible_applications_q(*, user) -> Q | None:
    """The applications the user may read; None for none at all (anonymous)."""
    scope = scope_for(user)
    if not scope.authenticated:
        return None
    own = _applicant_q(user)
    submitted = ~Q(status=Application.Status.DRAFT)
    if scope.national:
        return own | submitted
    deciding = decision_organisation_ids(user=user)
    readers = (
        Q(round__fund__municipality_id__in=scope.municipality_ids)
        | Q(applicant_id__in=scope.organisation_ids)
        | Q(area__committee_id__in=deciding) | Q(area__steering_group_id__in=deciding)
        | Q(round__fund__steps__organisation_id__in=deciding)
    )
    return own | (submitted & readers)
