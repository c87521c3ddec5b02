"""Who may do what with project funds, built on the user's scope (`accounts.scoping`).

Three kinds of actor, each bound to organisations by a membership (role and organisation):
- an applicant acts for the organisation of its membership (applicant, coordinator, agency
  officer or committee member; analysts read, they do not apply) when that organisation belongs
  to the fund's municipality, or is an association, housing company or other outside
  organisation and the fund is open to those. Only a coordinator of the municipality's own
  organisation may act for any of the municipality's organisations;
- a decision maker at a step is a committee member with a membership of exactly the
  organisation deciding that step. Direct membership, not the scope's descendants: a member of
  the municipality is not thereby a member of its district committees;
- the fund owner's members (and the municipality's coordinators) run the fund: payments, rounds.
Reading: the applicant's drafts are theirs alone; a submitted application is read by its
municipality's staff, its applicant and the ministry."""

from __future__ import annotations

from django.db.models import F, Q

from stadsdel.accounts.models import Membership, Role
from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.models import Organisation
from stadsdel.funding.models import Application, ChainStep, Fund, FundArea

APPLICANT_ROLES = frozenset({Role.APPLICANT, Role.MUNICIPALITY, Role.AGENCY, Role.COMMITTEE_MEMBER})
# Organisations outside the municipality's own bodies, which apply where a fund is open to them.
OUTSIDE_KINDS = frozenset({Organisation.Kind.ASSOCIATION, Organisation.Kind.RESIDENTS_ORGANISATION,
                           Organisation.Kind.PROPERTY_OWNER, Organisation.Kind.BUSINESS,
                           Organisation.Kind.MUNICIPAL_COMPANY})


def _acting_as_applicant(user) -> tuple[frozenset[int], frozenset[int]]:
    """The organisations the user applies for, and the
    municipalities they coordinate: from their applicant-role memberships only, each role with
    its own organisation. (An analyst at the city who also sits on a committee must not apply
    for every body of the city, and a coordinator of a district administration is not a
    coordinator of the city.)"""
    scope = scope_for(user)
    # Direct organisations: an applicant of the district administration is not thereby an
    # applicant of the steering group below it (which decides its applications).
    organisations = frozenset(organisation for role, organisation in scope.memberships if role in APPLICANT_ROLES)
    return organisations, scope.coordinated_municipality_ids


def _fund_admits_applicant_q() -> Q:
    """Applications whose fund admits their applicant: an organisation of the fund's
    municipality, or an outside organisation when the fund is open to them (the same rule as
    `applicant_organisations`, on applications)."""
    same_municipality = Q(round__fund__municipality_id=F("applicant__municipality_id"))
    outside = Q(round__fund__open_to_outside=True, applicant__kind__in=OUTSIDE_KINDS) & (
        Q(applicant__municipality__isnull=True) | same_municipality)
    return Q(round__fund__municipality__isnull=True) | same_municipality | outside


def applicant_organisations(*, user, fund: Fund):
    """The organisations the user may apply for to this fund."""
    if not scope_for(user).authenticated:
        return Organisation.objects.none()
    organisations, coordinated = _acting_as_applicant(user)
    if not organisations:
        return Organisation.objects.none()
    qs = Organisation.objects.filter(Q(pk__in=organisations) | Q(municipality_id__in=coordinated))
    if fund.municipality_id is not None:
        admitted = Q(municipality_id=fund.municipality_id)
        if fund.open_to_outside:
            admitted |= Q(kind__in=OUTSIDE_KINDS, pk__in=organisations) & (
                Q(municipality__isnull=True) | Q(municipality_id=fund.municipality_id))
        qs = qs.filter(admitted)
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
    return (Role.COMMITTEE_MEMBER, organisation.pk) in scope_for(user).memberships


def decision_organisation_ids(*, user) -> set[int]:
    """The organisations the user decides for (their committee memberships)."""
    if not scope_for(user).authenticated:
        return set()
    return {organisation for role, organisation in scope_for(user).memberships if role == Role.COMMITTEE_MEMBER}


def decides_a_step(*, user) -> bool:
    """Whether the user decides some step of some fund's chain: a committee member of a named
    step's organisation, or of an area's committee or steering group. Only they have a queue
    ("waiting for my decision"); a committee member elsewhere has none."""
    orgs = decision_organisation_ids(user=user)
    if not orgs:
        return False
    return (ChainStep.objects.filter(organisation_id__in=orgs).exists()
            or FundArea.objects.filter(Q(committee_id__in=orgs) | Q(steering_group_id__in=orgs)).exists())


def manages_fund(*, user, fund: Fund) -> bool:
    """The fund's owner runs it (rounds, payments): its members in any role but analyst. Being a
    coordinator somewhere in the municipality is not enough, since applicants often are."""
    if not scope_for(user).authenticated:
        return False
    return Membership.objects.filter(user=user, organisation_id=fund.owner_id).exclude(
        role__in=[Role.ANALYST, Role.APPLICANT]).exists()


def _applicant_q(user) -> Q:
    organisations, coordinated = _acting_as_applicant(user)
    if not organisations:
        return Q(pk__in=[])
    q = Q(applicant_id__in=organisations) | Q(applicant__municipality_id__in=coordinated)
    # Applying is to a fund that admits the applicant (see applicant_organisations).
    return q & _fund_admits_applicant_q()


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
