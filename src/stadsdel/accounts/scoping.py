"""The one place that decides what a user may read and write.

Selectors filter their querysets through these functions and services check them before every
write, so a page, an API endpoint or a command cannot forget the rule. A ministry member (or a
superuser) sees and acts nationally; everyone else acts inside their organisations:
- a municipality coordinator, analyst or committee member of a municipality's organisation
  (the municipality itself or one of its committees/companies) acts for that municipality;
- an agency member acts for their agency and its regional offices (its descendants).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from stadsdel.accounts.models import Membership, Role


@dataclass(frozen=True)
class Scope:
    """What a user acts for, computed once per request."""

    authenticated: bool
    national: bool
    organisation_ids: frozenset[int]
    municipality_ids: frozenset[int]
    roles: frozenset[str]

    def edits_municipality(self, municipality_id: int) -> bool:
        # Coordinators edit their municipality's registry records; analysts and committee
        # members act within it too but not on partnerships and agreements.
        return self.national or (
            Role.MUNICIPALITY in self.roles and municipality_id in self.municipality_ids
        )

    def edits_own_municipality(self, municipality_id: int) -> bool:
        # A municipality's own plans and reports are its coordinators' work: the ministry
        # receives them and reads them, it does not write them.
        return Role.MUNICIPALITY in self.roles and municipality_id in self.municipality_ids

    def acts_for_agency(self, organisation_id: int) -> bool:
        # An agency officer writes the reports of their agency and of its regional offices
        # (organisation_ids holds the descendants of their memberships).
        return Role.AGENCY in self.roles and organisation_id in self.organisation_ids

    def reads_municipality(self, municipality_id: int) -> bool:
        return self.national or municipality_id in self.municipality_ids

    @property
    def imports_statistics(self) -> bool:
        # Statistics are national data (one import may cover every municipality), so only the
        # ministry and analysts, whose work it is, import them.
        return self.national or Role.ANALYST in self.roles

    @property
    def sees_import_authors(self) -> bool:
        # Figures are public aggregates; who imported them is staff information.
        return self.authenticated


ANONYMOUS_SCOPE = Scope(False, False, frozenset(), frozenset(), frozenset())


def _descendant_ids(root_ids: set[int]) -> set[int]:
    from stadsdel.agreements.models import Organisation

    seen = set(root_ids)
    frontier = set(root_ids)
    # Organisation trees are shallow (ministry → department, agency → regional office), so a few
    # queries are enough; a recursive CTE would not pay for its complexity here.
    while frontier:
        frontier = set(Organisation.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - seen
        seen |= frontier
    return seen


def scope_for(user) -> Scope:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_stadsdel_scope", None)
    if cached is not None:
        return cached
    memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
    roles = frozenset(m.role for m in memberships)
    national = user.is_superuser or Role.MINISTRY in roles
    org_ids = _descendant_ids({m.organisation_id for m in memberships})
    municipality_ids = frozenset(
        m.organisation.municipality_id for m in memberships if m.organisation.municipality_id is not None
    )
    scope = Scope(True, national, frozenset(org_ids), municipality_ids, roles)
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
