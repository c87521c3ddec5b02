"""Writes of the evaluation app. The ministry evaluates nationally; an analyst evaluates the
districts of their own municipality, for their own organisation. Every edit sends the version
it was based on, so a stale save is refused (`StaleVersionError`), never silently merged."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from stadsdel.accounts.models import Membership, Role
from stadsdel.accounts.scoping import Scope, scope_for
from stadsdel.agreements.models import Organisation
from stadsdel.areas.models import District
from stadsdel.core.versions import allowed_fields, versioned_update
from stadsdel.evaluation.models import Evaluation
from stadsdel.indicators.models import Indicator

# What the design form and the API may set; ownership and the version are not.
FIELDS = frozenset({"title", "description", "start_year", "pool", "pool_size", "synth_district", "first_year",
                    "last_year", "published"})


def may_create(scope: Scope) -> bool:
    return scope.analyses


# Nearest neighbours: fewer than two cannot carry a comparison; more than fifty is no longer a
# choice by similarity.
MIN_POOL_SIZE, MAX_POOL_SIZE = 2, 50


def may_edit(scope: Scope, evaluation: Evaluation) -> bool:
    return scope.national or evaluation.owner_id in scope.analyst_organisation_ids


def owner_for(user) -> Organisation | None:
    """The organisation a new evaluation of `user` belongs to: their ministry or analyst
    membership's organisation (the ministry's first)."""
    for role in (Role.MINISTRY, Role.ANALYST):
        membership = Membership.objects.filter(user=user, role=role).select_related("organisation").order_by("pk").first()
        if membership is not None:
            return membership.organisation
    return None


def _check(scope: Scope, *, fields: dict[str, Any], treated: list[District], outcomes: list[Indicator],
           comparison: list[District]) -> None:
    allowed_fields(fields, FIELDS)
    if not (scope.national or scope.analyst_national) and any(
            d.municipality_id not in scope.analyst_municipality_ids for d in treated):
        raise PermissionDenied(_("An analyst may evaluate only the districts of their own municipality."))
    errors: dict[str, list[str]] = {}
    if not treated:
        errors.setdefault("treated_districts", []).append(_("Choose at least one treated district."))
    if not outcomes:
        errors.setdefault("outcomes", []).append(_("Choose at least one outcome indicator."))
    synth = fields.get("synth_district")
    if synth is not None and synth.pk not in {d.pk for d in treated}:
        errors.setdefault("synth_district", []).append(_("The synthetic control is built for one of the treated districts."))
    if fields.get("pool") == Evaluation.Pool.MANUAL and not comparison:
        errors.setdefault("comparison_districts", []).append(_("Choose the comparison districts."))
    overlap = {d.pk for d in treated} & {d.pk for d in comparison}
    if overlap:
        errors.setdefault("comparison_districts", []).append(_("A treated district cannot also be a comparison district."))
    for name in ("title", "start_year", "pool"):
        if name in fields and fields[name] in (None, ""):
            errors.setdefault(name, []).append(_("This field is required."))
    size = fields.get("pool_size")
    if size is not None and not MIN_POOL_SIZE <= size <= MAX_POOL_SIZE:
        errors.setdefault("pool_size", []).append(
            _("Choose between %(low)s and %(high)s comparison districts.") % {"low": MIN_POOL_SIZE, "high": MAX_POOL_SIZE})
    start, first, last = fields.get("start_year"), fields.get("first_year"), fields.get("last_year")
    if start is not None and first is not None and first >= start:
        errors.setdefault("first_year", []).append(_("The first year must come before the start of the intervention."))
    if start is not None and last is not None and last < start:
        errors.setdefault("last_year", []).append(_("The last year cannot come before the start of the intervention."))
    if errors:
        raise ValidationError(errors)


def evaluation_create(*, user, fields: dict[str, Any], treated: list[District], outcomes: list[Indicator],
                      comparison: list[District] | None = None, owner: Organisation | None = None) -> Evaluation:
    scope = scope_for(user)
    if not may_create(scope):
        raise PermissionDenied(_("Only the ministry and analysts create evaluations."))
    owner = owner or owner_for(user)
    if owner is None:
        raise PermissionDenied(_("You are not a member of an organisation that could own the evaluation."))
    if not scope.national and owner.pk not in scope.analyst_organisation_ids:
        raise PermissionDenied(_("An evaluation belongs to your own organisation."))
    comparison = comparison or []
    _check(scope, fields=fields, treated=treated, outcomes=outcomes, comparison=comparison)
    with transaction.atomic():
        evaluation = Evaluation(owner=owner, created_by=user if user.is_authenticated else None, **fields)
        evaluation.save()
        evaluation.treated_districts.set(treated)
        evaluation.outcomes.set(outcomes)
        evaluation.comparison_districts.set(comparison)
    return evaluation


def evaluation_update(*, user, evaluation: Evaluation, version: int, fields: dict[str, Any],
                      treated: list[District] | None = None, outcomes: list[Indicator] | None = None,
                      comparison: list[District] | None = None) -> Evaluation:
    scope = scope_for(user)
    if not may_edit(scope, evaluation):
        raise PermissionDenied(_("You may edit only your own organisation's evaluations."))
    merged = {name: getattr(evaluation, name) for name in ("start_year", "first_year", "last_year", "pool",
                                                           "synth_district")}
    merged.update(fields)
    treated_now = treated if treated is not None else list(evaluation.treated_districts.all())
    outcomes_now = outcomes if outcomes is not None else list(evaluation.outcomes.all())
    comparison_now = comparison if comparison is not None else list(evaluation.comparison_districts.all())
    _check(scope, fields=merged, treated=treated_now, outcomes=outcomes_now, comparison=comparison_now)
    with transaction.atomic():
        versioned_update(Evaluation, evaluation, version=version, fields=fields, allowed=FIELDS)
        if treated is not None:
            evaluation.treated_districts.set(treated)
        if outcomes is not None:
            evaluation.outcomes.set(outcomes)
        if comparison is not None:
            evaluation.comparison_districts.set(comparison)
    return evaluation


def evaluation_publish(*, user, evaluation: Evaluation, version: int, published: bool = True) -> Evaluation:
    """Publish (or withdraw) an evaluation: once published, the public portal lists it."""
    return evaluation_update(user=user, evaluation=evaluation, version=version, fields={"published": published})
