"""What counts as a change of the reports' data: a save or delete of any model the reports are
computed from. Each counts the data version up in its own transaction (`precompute.data_changed`),
so the reports computed before it are no longer current, and queues their recomputation.

Observations are written in bulk (no signals); every import writes its batch (`ImportBatch`), and
that is the change that counts."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

# app_label.ModelName of everything a report (or a district's statistics page, which caches its
# series by the data version) reads. A figure edited alone (in the admin) counts as well as an
# import; crosswalks are named beside the figures mapped through them.
WATCHED = (
    "indicators.ImportBatch", "indicators.Indicator", "indicators.Observation", "areas.Crosswalk",
    "plans.DistrictPlan", "plans.Goal", "plans.GoalArea", "plans.Programme",
    "indices.IndexModel",
    "agreements.Agreement",
    "areas.District", "areas.DistrictArea",
    "followup.FollowUpReport", "followup.ReportSection", "followup.NationalReport", "followup.AgencyReport",
    "funding.Application", "funding.FollowUp", "funding.ResultReport",
)


def _changed(sender, **kwargs) -> None:
    from stadsdel.followup.precompute import data_changed

    if kwargs.get("raw"):  # loading fixtures
        return
    data_changed()


def _m2m_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(sender, **kwargs)


def connect() -> None:
    from django.apps import apps

    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"report-data:{label}:save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"report-data:{label}:delete")
        for field in model._meta.many_to_many:
            m2m_changed.connect(_m2m_changed, sender=field.remote_field.through,
                                dispatch_uid=f"report-data:{label}:{field.name}")
