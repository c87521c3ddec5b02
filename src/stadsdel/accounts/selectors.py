"""Reads of memberships, and of the change history a user may audit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery

from stadsdel.accounts.models import Membership
from stadsdel.accounts.scoping import scope_for
from stadsdel.core.history import (
    HistoryEntry,
    RawChange,
    history_model,
    resolve_changes,
    version_changes,
)


def membership_list(*, user) -> QuerySet[Membership]:
    """The organisations and roles a user acts in (empty for anonymous users)."""
    if user is None or not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


# -- audit ---------------------------------------------------------------------------------------
#
# Who may see whose change history (the audit page). The rule:
# - ministry staff (and superusers) see every change;
# - a municipality's coordinator (a member in the role "municipality" of the municipality's own
#   organisation, not of one of its committees or administrations) sees the changes of the records the municipality owns: its own registry entry,
#   districts and statistical areas, organisations (committees, companies), agreements,
#   partnerships, cooperation agreements, programmes, plans and goals, resident dialogues,
#   follow-up reports, funds and fund applications, and everything inside them (sections,
#   members, commitments, signatories,
#   sub-commitments, responsibilities, activities, comments, memberships of its organisations);
# - a member of an organisation sees the changes of the records it owns: an agency officer its
#   agency reports (and its regional offices'), an applicant organisation's members its fund
#   applications, an evaluation owner's members the evaluation, anyone the memberships of their
#   organisations;
# - everyone else sees nothing, and a record with no owning municipality or organisation
#   (national programmes, commissions, the national report, the indicator catalogue, code
#   systems, index models, seed sources) is the ministry's only.
# Ownership is read through the record's current parents (a sub-commitment belongs to its goal's
# plan's municipality); a change to a child whose parent has since been deleted is the
# ministry's only.
#
# Observations are not listed change by change: an import writes thousands of them at once.
# The import itself is listed instead (who, when, which file and checksum, how many rows
# changed); each observation's own history stays on the import's page.

AUDIT_OWNING_MUNICIPALITY: dict[str, tuple[str, ...]] = {
    "areas.Municipality": ("id",),
    "areas.District": ("municipality",),
    "areas.StatisticalArea": ("municipality",),
    "areas.DistrictArea": ("district__municipality",),
    "agreements.Organisation": ("municipality",),
    "agreements.Agreement": ("municipality",),
    "agreements.AgreementSection": ("agreement__municipality",),
    "agreements.Partnership": ("municipality",),
    "agreements.PartnershipMember": ("partnership__municipality",),
    "agreements.CooperationAgreement": ("municipality",),
    "agreements.Commitment": ("cooperation_agreement__municipality",),
    "agreements.CooperationRevision": ("cooperation_agreement__municipality",),
    "agreements.Signatory": ("agreement__municipality", "cooperation_agreement__municipality"),
    "accounts.Membership": ("organisation__municipality",),
    "plans.Programme": ("municipality",),
    "plans.GoalArea": ("programme__municipality",),
    "plans.DistrictPlan": ("district__municipality",),
    "plans.Goal": ("plan__district__municipality", "programme__municipality"),
    "plans.SubCommitment": ("goal__plan__district__municipality", "goal__programme__municipality"),
    "plans.Responsibility": (
        "goal__plan__district__municipality", "goal__programme__municipality",
        "sub_commitment__goal__plan__district__municipality", "sub_commitment__goal__programme__municipality",
    ),
    "plans.PriorityArea": ("programme__municipality",),
    "plans.Activity": ("goal__plan__district__municipality", "goal__programme__municipality"),
    "plans.ActionPlan": ("programme__municipality", "area__municipality"),
    "plans.ResidentDialogue": ("municipality",),
    "plans.PlanComment": ("plan__district__municipality",),
    "followup.FollowUpReport": ("municipality",),
    "followup.ReportSection": ("report__municipality",),
    "funding.Fund": ("municipality",),
    "funding.FundBudget": ("fund__municipality",),
    "funding.FundRound": ("fund__municipality",),
    "funding.FundArea": ("fund__municipality",),
    "funding.ChainStep": ("fund__municipality",),
    "funding.Application": ("round__fund__municipality",),
    "funding.BudgetLine": ("application__round__fund__municipality",),
    "funding.ExpectedResult": ("application__round__fund__municipality",),
    "funding.Payment": ("application__round__fund__municipality",),
    "funding.FollowUp": ("application__round__fund__municipality",),
    "funding.ResultReport": ("follow_up__application__round__fund__municipality",),
}
AUDIT_OWNING_ORGANISATION: dict[str, tuple[str, ...]] = {
    "followup.AgencyReport": ("organisation",),
    "accounts.Membership": ("organisation",),
    # The applicant organisation sees its application's history, the fund's owner its fund's,
    # and an evaluation's owner (a municipality's statistics office) its evaluation's.
    "funding.Fund": ("owner",),
    "funding.Application": ("applicant",),
    "evaluation.Evaluation": ("owner",),
}
AUDIT_NOT_LISTED = {"indicators.Observation"}
IMPORT_LABEL = "indicators.ImportBatch"
AUDIT_PAGE_SIZE = 50
AUDIT_MAX_PAGE = 200


@dataclass(frozen=True)
class AuditViewer:
    """What a user's audit page shows: everything (national), or the records owned by these
    municipalities (as coordinator) and organisations (as their member)."""

    national: bool
    municipality_ids: frozenset[int]
    organisation_ids: frozenset[int]

    @property
    def sees_anything(self) -> bool:
        return self.national or bool(self.municipality_ids or self.organisation_ids)


def audit_viewer(*, user) -> AuditViewer:
    if user is None or not user.is_authenticated:
        return AuditViewer(False, frozenset(), frozenset())
    scope = scope_for(user)
    if scope.national:
        return AuditViewer(True, frozenset(), frozenset())
    # The municipality's records are its coordinators' (members of the municipality's own
    # organisation, not of one of its committees). An agency officer speaks for the agency's
    # regional offices too; anyone else for the organisations they are a member of (an
    # applicant's association, a committee, the statistics office that owns an evaluation).
    organisation_ids = scope.agency_organisation_ids | {organisation for _role, organisation in scope.memberships}
    return AuditViewer(False, scope.coordinated_municipality_ids, frozenset(organisation_ids))


def audit_owner_q(*, viewer: AuditViewer, label: str) -> Q | None:
    """The filter on a model's historical records for what the viewer may see; None for all of
    them, an always-false Q when none."""
    if viewer.national:
        return None
    q = Q(pk__in=[])
    if viewer.municipality_ids:
        for path in AUDIT_OWNING_MUNICIPALITY.get(label, ()):
            q |= Q(**{f"{path}__in": viewer.municipality_ids})
    if viewer.organisation_ids:
        for path in AUDIT_OWNING_ORGANISATION.get(label, ()):
            q |= Q(**{f"{path}__in": viewer.organisation_ids})
    return q


def audit_models() -> dict[str, type[models.Model]]:
    """Label → model of every model with a change history that the audit page lists."""
    return {
        model._meta.label: model
        for model in apps.get_models()
        if getattr(model._meta, "simple_history_manager_attribute", None)
        and model._meta.label not in AUDIT_NOT_LISTED
    }


def audit_model_choices(*, viewer: AuditViewer) -> list[tuple[str, str]]:
    """The models a viewer may filter the audit page by, by name."""
    labels = [*audit_models(), IMPORT_LABEL] if viewer.national else [
        label for label in audit_models()
        if (viewer.municipality_ids and label in AUDIT_OWNING_MUNICIPALITY)
        or (viewer.organisation_ids and label in AUDIT_OWNING_ORGANISATION)
    ]
    names = [(label, str(apps.get_model(label)._meta.verbose_name_plural)) for label in labels]
    return sorted(names, key=lambda pair: pair[1].lower())


@dataclass(frozen=True)
class AuditPage:
    """One page of the audit log, newest first. It answers to the names of Django's `Page` that
    the shared pager (`ui/_pager.html`) reads, but has no paginator: it knows only whether a
    next page exists (`audit_page` reads one change more than it shows), not how many there
    are, which would take a count of every history table the viewer may see."""

    entries: list[HistoryEntry]
    page: int
    has_next: bool

    @property
    def number(self) -> int:
        return self.page

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def previous_page_number(self) -> int:
        return self.page - 1

    @property
    def next_page_number(self) -> int:
        return self.page + 1


def _history_model(label: str):
    return history_model(apps.get_model(label))


def _keys_for(*, viewer: AuditViewer, labels: list[str], limit: int) -> list[tuple[Any, int, str]]:
    # The newest `limit` (date, id) keys of each model; merged, their first `limit` are the
    # newest overall, so a page needs at most one small query per model, whatever its size.
    keys: list[tuple[Any, int, str]] = []
    for label in labels:
        if label == IMPORT_LABEL:
            rows = apps.get_model(IMPORT_LABEL).objects.order_by("-created_at", "-id").values_list("created_at", "id")[:limit]
        else:
            q = audit_owner_q(viewer=viewer, label=label)
            qs = _history_model(label).objects.all()
            if q is not None:
                qs = qs.filter(q)
            rows = qs.order_by("-history_date", "-history_id").values_list("history_date", "history_id")[:limit]
        keys.extend((when, pk, label) for when, pk in rows)
    keys.sort(key=lambda key: (key[0], key[1]), reverse=True)
    return keys[:limit]


def _changes_of(label: str, rows: list) -> dict[int, list[RawChange]]:
    """history_id → [(field, old, new)] against each row's previous version: a few queries for
    the rows of one model (the previous versions, and each many-to-many field's rows), not a few
    per row."""
    history = _history_model(label)
    model = apps.get_model(label)
    pk_name = model._meta.pk.attname
    previous = history.objects.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        **{pk_name: OuterRef(pk_name)},
    ).order_by("-history_date", "-history_id").values("history_id")[:1]
    previous_ids = {
        current: before for current, before in history.objects.filter(
            history_id__in=[r.history_id for r in rows if r.history_type == "~"],
        ).annotate(audit_previous_version=Subquery(previous)).values_list("history_id", "audit_previous_version")
        if before is not None
    }
    previous_rows = history.objects.in_bulk(list(previous_ids.values()))
    return version_changes(model, [(row, previous_rows.get(previous_ids.get(row.history_id))) for row in rows])


def _describe(row, model) -> str:
    """The record as it was in this version, by its own __str__. Built from the version's
    columns with the related objects fetched with the page (select_related), so naming fifty
    records does not cost fifty queries."""
    instance = model(**{
        field.attname: getattr(row, field.attname)
        for field in model._meta.concrete_fields if hasattr(row, field.attname)
    })
    for field in model._meta.concrete_fields:
        if field.many_to_one and field.is_cached(row):
            field.set_cached_value(instance, field.get_cached_value(row))
    try:
        return str(instance)
    except Exception:  # a __str__ reaching for a related record that no longer exists
        return f"#{getattr(row, model._meta.pk.attname)}"


def audit_page(*, user, page: int = 1, model_label: str = "", page_size: int = AUDIT_PAGE_SIZE,
               viewer: AuditViewer | None = None) -> AuditPage:
    """The changes a user may see (see the rule above), newest first, one page at a time."""
    viewer = viewer or audit_viewer(user=user)
    page = min(max(page, 1), AUDIT_MAX_PAGE)
    if not viewer.sees_anything:
        return AuditPage([], page, False)
    allowed = dict(audit_model_choices(viewer=viewer))
    labels = [model_label] if model_label in allowed else list(allowed)
    keys = _keys_for(viewer=viewer, labels=labels, limit=page * page_size + 1)
    has_next = len(keys) > page * page_size
    keys = keys[(page - 1) * page_size: page * page_size]

    by_label: dict[str, list[int]] = {}
    for _when, pk, label in keys:
        by_label.setdefault(label, []).append(pk)
    entries: dict[tuple[str, int], HistoryEntry] = {}
    raw: dict[tuple[str, int], list[RawChange]] = {}
    for label, pks in by_label.items():
        if label == IMPORT_LABEL:
            import_batch = apps.get_model(IMPORT_LABEL)
            for batch in import_batch.objects.filter(pk__in=pks).select_related("created_by"):
                entries[(label, batch.pk)] = HistoryEntry(
                    when=batch.created_at, user=batch.created_by, kind="+", model_label=label,
                    model_name=str(import_batch._meta.verbose_name), object_id=batch.pk,
                    object_repr=str(batch), changes=[],
                    # A command-line import names the operating-system user instead of an account.
                    note=batch.created_by_name if batch.created_by is None else "",
                )
            continue
        model = apps.get_model(label)
        history = _history_model(label)
        related = [
            f.name for f in history._meta.concrete_fields
            if f.many_to_one and f.name != "history_user" and f.name in {g.name for g in model._meta.concrete_fields}
        ]
        rows = list(history.objects.filter(history_id__in=pks).select_related("history_user", *related))
        changes = _changes_of(label, rows)
        for row in rows:
            raw[(label, row.history_id)] = changes[row.history_id]
            entries[(label, row.history_id)] = HistoryEntry(
                when=row.history_date, user=row.history_user, kind=row.history_type, model_label=label,
                model_name=str(model._meta.verbose_name), object_id=getattr(row, model._meta.pk.attname),
                object_repr=_describe(row, model),
                changes=[],
            )

    # Values read as names, not ids: one query per related model for the whole page.
    resolved = resolve_changes(raw)
    result = []
    for _when, pk, label in keys:
        entry = entries.get((label, pk))
        if entry is None:
            continue
        if (label, pk) in resolved:
            entry = replace(entry, changes=resolved[(label, pk)])
        result.append(entry)
    return AuditPage(result, page, has_next)
