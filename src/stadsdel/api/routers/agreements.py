"""Agreements and partnerships, read through the caller's scope; partnerships edited with their
version (409 when stale)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from stadsdel.agreements import selectors, services
from stadsdel.agreements.models import Partnership
from stadsdel.api.core import WRITE_AUTH, Conflict, Error, caller, list_and_csv

router = Router(tags=["agreements"])


class AgreementOut(Schema):
    id: int
    municipality_code: str
    status: str
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    districts: list[str]

    @staticmethod
    def resolve_municipality_code(obj):
        return obj.municipality.code

    @staticmethod
    def resolve_districts(obj):
        return sorted(d.name for d in obj.districts.all())


class PartnershipOut(Schema):
    id: int
    name: str
    municipality_code: str
    basis: str
    formed_on: dt.date | None = None
    published: bool
    version: int

    @staticmethod
    def resolve_municipality_code(obj):
        return obj.municipality.code


class PartnershipPatch(Schema):
    version: int
    name: str | None = None
    basis: str | None = None
    formed_on: dt.date | None = None
    published: bool | None = None


list_and_csv(router, "/agreements", schema=AgreementOut,
             columns=["id", "municipality_code", "status", "period_start", "period_end", "districts"],
             rows=lambda request: selectors.agreement_list(user=caller(request)).select_related("municipality")
             .prefetch_related("districts").order_by("municipality__name", "period_start"),
             summary="Local development agreements")
list_and_csv(router, "/partnerships", schema=PartnershipOut,
             columns=["id", "name", "municipality_code", "basis", "formed_on", "published", "version"],
             rows=lambda request: selectors.partnership_list(user=caller(request)).select_related("municipality")
             .order_by("municipality__name", "name"), summary="Local partnerships")


def _partnership(request, partnership_id: int) -> Partnership:
    try:
        return selectors.partnership_get(user=caller(request), pk=partnership_id)
    except Partnership.DoesNotExist:
        raise HttpError(404, "No such partnership.") from None


@router.get("/partnerships/{partnership_id}", response={200: PartnershipOut, 404: Error}, summary="One partnership")
def partnership_get(request, partnership_id: int):
    return _partnership(request, partnership_id)


@router.patch("/partnerships/{partnership_id}", auth=WRITE_AUTH, summary="Edit a partnership (send its version)",
              response={200: PartnershipOut, 403: Error, 404: Error, 409: Conflict, 422: Error})
def partnership_patch(request, partnership_id: int, data: PartnershipPatch):
    partnership = _partnership(request, partnership_id)
    fields = data.model_dump(exclude_unset=True, exclude={"version"})
    try:
        return services.partnership_update(user=request.auth, partnership=partnership, version=data.version,
                                           fields={k: v for k, v in fields.items() if v is not None})
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc)})
    except services.StaleVersionError as exc:
        return Status(409, {"detail": str(exc), "current_version": exc.current_version})
