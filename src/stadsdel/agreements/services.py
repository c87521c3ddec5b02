"""Writes to partnerships and cooperation agreements. Every write checks the user's scope and
the record's version, so a stale edit cannot overwrite someone else's (no lost updates)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from stadsdel.accounts.scoping import scope_for
from stadsdel.agreements.models import CooperationAgreement, Partnership
from stadsdel.areas.models import District


class StaleVersionError(Exception):
    """The record changed since the user loaded it; their save was refused."""

    def __init__(self, current_version: int, *, missing: bool = False):
        if missing:
            message = f"a change must send the version the record was read at (now version {current_version})"
        else:
            message = f"the record has changed since you opened it (now version {current_version})"
        super().__init__(message)
        self.current_version = current_version


# What a coordinator may set; ownership (municipality, partnership) and the version are not theirs
# to change.
PARTNERSHIP_FIELDS = frozenset({"name", "basis", "formed_on", "published"})
COOPERATION_FIELDS = frozenset(
    {"title", "text", "partner", "signed_on", "place", "period_start", "period_end", "reported_on", "published"}
)


def _only(fields: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"fields that cannot be set here: {', '.join(sorted(unknown))}")
    return fields


def _check_districts(municipality_id: int, districts: list[District] | None) -> None:
    if districts and any(d.municipality_id != municipality_id for d in districts):
        raise PermissionDenied("A district of another municipality cannot be added.")


def version_bump(model, obj, version: int | None) -> None:
    """Compare-and-set on a record's version: the save goes on only if the record is still at
    `version` (then it moves to the next), so of two concurrent saves only one can win. Every
    versioned edit (partnerships, plans, goals, reports) goes through here. No version (None, or
    0: every record starts at 1) is refused like a stale one: a caller that did not say which
    version it read must not overwrite whatever is stored now."""
    if not version or not model.objects.filter(pk=obj.pk, version=version).update(version=F("version") + 1):
        raise StaleVersionError(model.objects.values_list("version", flat=True).get(pk=obj.pk),
                                missing=not version)
    obj.version = version + 1


def _versioned_update(model, obj, *, version: int, fields: dict[str, Any], districts):
    with transaction.atomic():
        version_bump(model, obj, version)
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()
        if districts is not None:
            obj.districts.set(districts)
    return obj


def partnership_update(*, user, partnership: Partnership, version: int, fields: dict[str, Any],
                       districts: list[District] | None = None) -> Partnership:
    if not scope_for(user).edits_municipality(partnership.municipality_id):
        raise PermissionDenied("You may only edit your own municipality's partnerships.")
    _check_districts(partnership.municipality_id, districts)
    return _versioned_update(Partnership, partnership, version=version,
                             fields=_only(fields, PARTNERSHIP_FIELDS), districts=districts)


def cooperation_update(*, user, cooperation: CooperationAgreement, version: int, fields: dict[str, Any],
                       districts: list[District] | None = None) -> CooperationAgreement:
    if not scope_for(user).edits_municipality(cooperation.municipality_id):
        raise PermissionDenied("You may only edit your own municipality's cooperation agreements.")
    _check_districts(cooperation.municipality_id, districts)
    return _versioned_update(CooperationAgreement, cooperation, version=version,
                             fields=_only(fields, COOPERATION_FIELDS), districts=districts)


def cooperation_create(*, user, partnership: Partnership, fields: dict[str, Any],
                       districts: list[District]) -> CooperationAgreement:
    if not scope_for(user).edits_municipality(partnership.municipality_id):
        raise PermissionDenied("You may only add cooperation agreements to your own municipality's partnerships.")
    _check_districts(partnership.municipality_id, districts)
    with transaction.atomic():
        coop = CooperationAgreement.objects.create(
            partnership=partnership, municipality=partnership.municipality, **_only(fields, COOPERATION_FIELDS)
        )
        coop.districts.set(districts)
    return coop
