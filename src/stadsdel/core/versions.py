"""Versioned records: every edit says which version of the record it was based on, and a save
over a newer version is refused (`StaleVersionError`) instead of overwriting it (no lost
updates). The compare-and-set (`version_bump`), the one versioned write every service uses
(`versioned_update`) and the reader of the version a page posts back (`posted_version`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F


class StaleVersionError(Exception):
    """The record changed since the user loaded it; their save was refused."""

    def __init__(self, current_version: int, *, missing: bool = False):
        if missing:
            message = f"a change must send the version the record was read at (now version {current_version})"
        else:
            message = f"the record has changed since you opened it (now version {current_version})"
        super().__init__(message)
        self.current_version = current_version


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


def allowed_fields(fields: Mapping[str, Any], allowed: Collection[str]) -> Mapping[str, Any]:
    """`fields` unchanged when every name in it is one the caller may set; a ValueError naming
    the others otherwise (ownership and the version are never in `allowed`)."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"fields that cannot be set here: {', '.join(sorted(unknown))}")
    return fields


def versioned_update(model, instance, *, version: int | None, fields: Mapping[str, Any], allowed: Collection[str],
                     full_clean: bool = False, exclude: Iterable[str] = (), update_fields: bool = False):
    """The one versioned write: refuse names outside `allowed` (ValueError), then in one
    transaction compare-and-set the version (`StaleVersionError` when `version` is not the one
    stored), set the fields, validate the record when `full_clean` (leaving out `exclude`) and
    save it (only `fields`' columns when `update_fields`). A caller that also writes relations
    wraps this and them in its own transaction."""
    fields = allowed_fields(fields, allowed)
    with transaction.atomic():
        version_bump(model, instance, version)
        for name, value in fields.items():
            setattr(instance, name, value)
        if full_clean:
            instance.full_clean(exclude=list(exclude))
        instance.save(update_fields=list(fields) if update_fields else None)
    return instance


def posted_version(data, name: str = "version") -> int:
    """The version in a posted form; 0 when it is missing, not a number or more than a version
    column holds, which every versioned write refuses as stale (never a 500, never a write over
    a newer version)."""
    try:
        version = int(data.get(name) or 0)
    except (TypeError, ValueError):
        return 0
    return version if 0 < version < 2**31 else 0
