"""The one place that decides what a user may read and write.

Selectors filter their querysets through these functions and services check them before every
write, so a page, an API endpoint or a command cannot forget the rule. A ministry member (or a
superuser) sees and acts nationally. Everyone else acts through each membership, a (role,
organisation) pair, and a right holds only for that membership's organisation:
- a municipality coordinator is a coordinator membership of the municipality's own organisation
  (kind "municipality"): it edits that municipality's plans, reports, partnerships and
  agreements. A coordinator membership of a district administration or committee is not one:
  it acts for that organisation only, like an applicant;
- an analyst of the municipality's own organisation reads the municipality's internal records
  (with its coordinators: the municipality's staff), imports statistics and evaluates its
  districts; an analyst of the ministry evaluates every district. An analyst membership of any
  other organisation (an agency, a committee, a company) gives none of this;
- the ministry role counts only in a ministry organisation;
- an agency member acts for their agency and its regional offices (its descendants);
- a committee member, an applicant, or any member of a committee, administration, association
  or company has rights over that organisation's own records (its applications, attachments,
  audit entries) plus what is public.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from stadsdel.accounts.models import Membership, OrganisationKind, Role

# Roles whose membership of a municipality's own organisation makes the member municipality staff.
STAFF_ROLES = frozenset({Role.MUNICIPALITY, Role.ANALYST})


@dataclass(frozen=True)
class Scope:
    """What a user acts for, computed once per request from their memberships.

    `memberships` holds every (role, organisation id) pair; the sets below are derived from them,
    each from the memberships that carry that right, never from a role and an organisation of
    two different memberships."""

    authenticated: bool
    national: bool
    organisation_ids: frozenset[int]  # every membership's organisation (an agency's with its regional offices)
    municipality_ids: frozenset[int]  # municipalities whose internal records the user reads (staff)
    roles: frozenset[str]
    memberships: frozenset[tuple[str, int]] = frozenset()
    coordinated_municipality_ids: frozenset[int] = frozenset()  # coordinator of the municipality itself
    agency_organisation_ids: frozenset[int] = frozenset()  # agency memberships, with regional offices
    analyst_organisation_ids: frozenset[int] = frozenset()  # statistics staff: the city's or the ministry's
    analyst_municipality_ids: frozenset[int] = frozenset()  # municipalities whose districts they analyse
    analyst_national: bool = False  # an analyst of the ministry analyses every district

    def edits_municipality(self, municipality_id: int) -> bool:
        # Coordinators edit their municipality's registry records (partnerships, cooperation
        # agreements); analysts and committee members act within it too but not on these.
        return self.national or municipality_id in self.coordinated_municipality_ids

    def edits_own_municipality(self, municipality_id: int) -> bool:
        # A municipality's own plans and reports are its coordinators' work: the ministry
        # receives them and reads them, it does not write them.
        return municipality_id in self.coordinated_municipality_ids

    def acts_for_agency(self, organisation_id: int) -> bool:
        # An agency officer writes the reports of their agency and of its regional offices.
        return organisation_id in self.agency_organisation_ids

    def reads_municipality(self, municipality_id: int) -> bool:
        return self.national or municipality_id in self.municipality_ids

    @property
    def analyses(self) -> bool:
        # Index models and evaluations are statistics staff's work, and the ministry's.
        return self.national or bool(self.analyst_organisation_ids)

    @property
    def imports_statistics(self) -> bool:
        # Statistics are national data (one import may cover every municipality), so only the
        # ministry and analysts, whose work it is, import them.
        return self.analyses

    @property
    def sees_import_authors(self) -> bool:
        # Figures are public aggregates; who imported them is staff information.
        return self.authenticated


ANONYMOUS_SCOPE = Scope(False, False, frozenset(), frozenset(), frozenset())


def _organisations():
    """The organisation model (`agreements.Organisation`, an app above this one: reached through
    the memberships' relation rather than imported)."""
    return Membership._meta.get_field("organisation").related_model


def descendant_ids(root_ids: set[int]) -> set[int]:
    """The organisations with these ids and every organisation below them."""
    organisations = _organisations()
    seen = set(root_ids)
    frontier = set(root_ids)
    # Organisation trees are shallow (ministry → department, agency → regional office), so a few
    # queries are enough; a recursive CTE would not pay for its complexity here.
    while frontier:
        frontier = set(organisations.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - seen
        seen |= frontier
    return seen




def is_municipality_itself(organisation) -> bool:
    """The municipality's own organisation (not one of its committees, administrations or
    companies): the only organisation whose coordinators act for the whole municipality."""
    return organisation.kind == OrganisationKind.MUNICIPALITY and organisation.municipality_id is not None


def scope_for(user) -> Scope:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_stadsdel_scope", None)
    if cached is not None:
        return cached
    memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
    roles = frozenset(m.role for m in memberships)
    ministry = [m for m in memberships if m.organisation.kind == OrganisationKind.MINISTRY]
    national = user.is_superuser or any(m.role == Role.MINISTRY for m in ministry)
    own = [m for m in memberships if is_municipality_itself(m.organisation)]
    analyst = [m for m in own + ministry if m.role == Role.ANALYST]
    agency_ids = descendant_ids({m.organisation_id for m in memberships if m.role == Role.AGENCY})
    scope = Scope(
        authenticated=True,
        national=national,
        # Sub-organisations only for an agency (its regional offices): a member of the city
        # itself is not thereby a member of each committee below it.
        organisation_ids=frozenset({m.organisation_id for m in memberships} | agency_ids),
        municipality_ids=frozenset(m.organisation.municipality_id for m in own if m.role in STAFF_ROLES),
        roles=roles,
        memberships=frozenset((m.role, m.organisation_id) for m in memberships),
        coordinated_municipality_ids=frozenset(m.organisation.municipality_id for m in own
                                               if m.role == Role.MUNICIPALITY),
        agency_organisation_ids=frozenset(agency_ids),
        analyst_organisation_ids=frozenset(m.organisation_id for m in analyst),
        analyst_municipality_ids=frozenset(m.organisation.municipality_id for m in analyst
                                           if m.organisation.municipality_id is not None),
        analyst_national=any(m.role == Role.ANALYST for m in ministry),
    )
    user._stadsdel_scope = scope
    return scope


def visible_q(scope: Scope, *, municipality_field: str, organisation_fields: tuple[str, ...] = (),
              public: Q | None = None) -> Q | None:
    """A filter for records owned by a municipality (and possibly shared with organisations).

    Returns None when the user may see everything. `public` is the condition under which a record
    is readable by anyone.
    """
    if scope.national:
        return None
    q = public if public is not None else Q(pk__in=[])
    if scope.municipality_ids:
        q |= Q(**{f"{municipality_field}__in": scope.municipality_ids})
    for field in organisation_fields:
        if scope.organisation_ids:
            q |= Q(**{f"{field}__in": scope.organisation_ids})
    return q
