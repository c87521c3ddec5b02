"""Writes to partnerships and cooperation agreements. Every write checks the user's scope and
the record's version, so a stale edit cannot overwrite someone else's (no lost updates)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.models import CooperationAgreement, Partnership
from stadsdel.areas.models import District
from stadsdel.core.versions import allowed_fields, versioned_update

# What a coordinator may set; ownership (municipality, partnership) and the version are not theirs
# to change.
PARTNERSHIP_FIELDS = frozenset({"name", "basis", "formed_on", "published"})
COOPERATION_FIELDS = frozenset(
    {"title", "text", "partner", "signed_on", "place", "period_start", "period_end", "reported_on", "published"}
)


def _check_districts(municipality_id: int, districts: list[District] | None) -> None:
    if districts and any(d.municipality_id != municipality_id for d in districts):
        raise PermissionDenied("A district of another municipality cannot be added.")


def _versioned_update(model, obj, *, version: int, fields: dict[str, Any], allowed: frozenset[str], districts):
    with transaction.atomic():
        versioned_update(model, obj, version=version, fields=fields, allowed=allowed)
        if districts is not None:
            obj.districts.set(districts)
    return obj


def partnership_update(*, user, partnership: Partnership, version: int, fields: dict[str, Any],
                       districts: list[District] | None = None) -> Partnership:
    if not scope_for(user).edits_municipality(partnership.municipality_id):
        raise PermissionDenied("You may only edit your own municipality's partnerships.")
    _check_districts(partnership.municipality_id, districts)
    return _versioned_update(Partnership, partnership, version=version, fields=fields, allowed=PARTNERSHIP_FIELDS,
                             districts=districts)


def cooperation_update(*, user, cooperation: CooperationAgreement, version: int, fields: dict[str, Any],
                       districts: list[District] | None = None) -> CooperationAgreement:
    if not scope_for(user).edits_municipality(cooperation.municipality_id):
        raise PermissionDenied("You may only edit your own municipality's cooperation agreements.")
    _check_districts(cooperation.municipality_id, districts)
    return _versioned_update(CooperationAgreement, cooperation, version=version, fields=fields,
                             allowed=COOPERATION_FIELDS, districts=districts)


def cooperation_create(*, user, partnership: Partnership, fields: dict[str, Any],
                       districts: list[District]) -> CooperationAgreement:
    if not scope_for(user).edits_municipality(partnership.municipality_id):
        raise PermissionDenied("You may only add cooperation agreements to your own municipality's partnerships.")
    _check_districts(partnership.municipality_id, districts)
    with transaction.atomic():
        coop = CooperationAgreement.objects.create(
            partnership=partnership, municipality=partnership.municipality, **allowed_fields(fields, COOPERATION_FIELDS)
        )
        coop.districts.set(districts)
    return coop
