"""Agreements, government commissions, partnerships and cooperation agreements, read through the
caller's scope; partnerships and cooperation agreements edited with their version (409 when
stale)."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from stadsdel.agreements import selectors, services
from stadsdel.agreements.models import Commission, CooperationAgreement, Partnership
from stadsdel.api.core import (
    WRITE_AUTH,
    Conflict,
    Error,
    Id,
    Input,
    Invalid,
    ReadVersion,
    by_ids,
    caller,
    list_and_csv,
)
from stadsdel.areas.models import District

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


class PartnershipPatch(Input):
    version: ReadVersion = None
    name: str | None = None
    basis: str | None = None
    formed_on: dt.date | None = None
    published: bool | None = None


class CommissionOut(Schema):
    id: int
    key: str
    title: str
    decided_by: str
    decided_on: dt.date | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    recipients: list[str]
    coordinator: str | None = None
    reporting_duty: str

    @staticmethod
    def resolve_recipients(obj):
        return sorted(o.key for o in obj.recipients.all())

    @staticmethod
    def resolve_coordinator(obj):
        return obj.coordinator.key if obj.coordinator_id else None


class CooperationOut(Schema):
    id: int
    key: str | None = None
    title: str
    partnership_id: int
    municipality_code: str
    partner: str
    districts: list[str]
    signed_on: dt.date | None = None
    place: str
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    reported_on: dt.date | None = None
    published: bool
    version: int

    @staticmethod
    def resolve_municipality_code(obj):
        return obj.municipality.code

    @staticmethod
    def resolve_partner(obj):
        return obj.partner.key

    @staticmethod
    def resolve_districts(obj):
        return sorted(d.name for d in obj.districts.all())


class CommitmentOut(Schema):
    party: str
    text: str

    @staticmethod
    def resolve_party(obj):
        return obj.party.key


class CooperationDetail(CooperationOut):
    text: str
    commitments: list[CommitmentOut]

    @staticmethod
    def resolve_commitments(obj):
        return list(obj.commitments.all())


class CooperationFields(Input):
    title: str | None = None
    text: str | None = None
    partner: str | None = None  # the partner organisation's key
    signed_on: dt.date | None = None
    place: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    reported_on: dt.date | None = None
    published: bool | None = None
    district_ids: list[Id] | None = None


class CooperationIn(CooperationFields):
    title: str
    partner: str
    district_ids: list[Id]


class CooperationPatch(CooperationFields):
    version: ReadVersion = None


list_and_csv(router, "/agreements", schema=AgreementOut,
             columns=["id", "municipality_code", "status", "period_start", "period_end", "districts"],
             rows=lambda request: selectors.agreement_list(user=caller(request)).select_related("municipality")
             .prefetch_related("districts").order_by("municipality__name", "period_start"),
             summary="Local development agreements")
list_and_csv(router, "/partnerships", schema=PartnershipOut,
             columns=["id", "name", "municipality_code", "basis", "formed_on", "published", "version"],
             rows=lambda request: selectors.partnership_list(user=caller(request)).select_related("municipality")
             .order_by("municipality__name", "name"), summary="Local partnerships")
list_and_csv(router, "/commissions", schema=CommissionOut,
             columns=["id", "key", "title", "decided_by", "decided_on", "period_start", "period_end", "recipients",
                      "coordinator", "reporting_duty"],
             rows=lambda request: selectors.commission_list().select_related("coordinator")
             .prefetch_related("recipients").order_by("decided_on", "key"),
             summary="Government commissions to the agencies")
list_and_csv(router, "/cooperation", schema=CooperationOut,
             columns=["id", "key", "title", "partnership_id", "municipality_code", "partner", "districts", "signed_on",
                      "place", "period_start", "period_end", "reported_on", "published", "version"],
             rows=lambda request: selectors.cooperation_list(user=caller(request))
             .order_by("municipality__name", "title", "pk"),
             summary="Cooperation agreements the caller may read")


@router.get("/commissions/{commission_id}", response={200: CommissionOut, 404: Error}, summary="One commission")
def commission_get(request, commission_id: int):
    try:
        return selectors.commission_get(pk=commission_id)
    except Commission.DoesNotExist:
        raise HttpError(404, "No such commission.") from None


def _cooperation(request, cooperation_id: int, user=None) -> CooperationAgreement:
    try:
        return selectors.cooperation_get(user=user or caller(request), pk=cooperation_id)
    except CooperationAgreement.DoesNotExist:
        raise HttpError(404, "No such cooperation agreement.") from None


def _cooperation_fields(data: CooperationFields) -> tuple[dict, list | None]:
    """The service's fields from the request: the partner by key, the districts by id (only the
    municipality's own; the service refuses others)."""
    fields = data.model_dump(exclude_unset=True, exclude={"version", "district_ids"})
    if "partner" in fields:
        partner = selectors.partner_choices().filter(key=fields["partner"]).first()
        if partner is None:
            raise HttpError(422, f"No organisation {fields['partner']!r} can be a party to a cooperation agreement.")
        fields["partner"] = partner
    districts = None
    if data.district_ids is not None:
        districts = by_ids(District.objects.all(), data.district_ids, field="district_ids", noun="district")
    return {k: v for k, v in fields.items() if v is not None}, districts


@router.get("/cooperation/{cooperation_id}", response={200: CooperationDetail, 404: Error},
            summary="One cooperation agreement with its commitments")
def cooperation_get(request, cooperation_id: int):
    return _cooperation(request, cooperation_id)


@router.post("/partnerships/{partnership_id}/cooperation", auth=WRITE_AUTH,
             response={201: CooperationDetail, 403: Error, 404: Error, 422: Invalid},
             summary="Add a cooperation agreement to a partnership")
def cooperation_post(request, partnership_id: int, data: CooperationIn):
    partnership = _partnership(request, partnership_id)
    fields, districts = _cooperation_fields(data)
    coop = services.cooperation_create(user=request.auth, partnership=partnership, fields=fields,
                                       districts=districts or [])
    return Status(201, _cooperation(request, coop.pk, user=request.auth))


@router.patch("/cooperation/{cooperation_id}", auth=WRITE_AUTH,
              summary="Edit a cooperation agreement (send its version)",
              response={200: CooperationDetail, 403: Error, 404: Error, 409: Conflict, 422: Invalid})
def cooperation_patch(request, cooperation_id: int, data: CooperationPatch):
    cooperation = _cooperation(request, cooperation_id, user=request.auth)
    fields, districts = _cooperation_fields(data)
    services.cooperation_update(user=request.auth, cooperation=cooperation, version=data.version,
                                fields=fields, districts=districts)
    return _cooperation(request, cooperation.pk, user=request.auth)


def _partnership(request, partnership_id: int) -> Partnership:
    try:
        return selectors.partnership_get(user=caller(request), pk=partnership_id)
    except Partnership.DoesNotExist:
        raise HttpError(404, "No such partnership.") from None


@router.get("/partnerships/{partnership_id}", response={200: PartnershipOut, 404: Error}, summary="One partnership")
def partnership_get(request, partnership_id: int):
    return _partnership(request, partnership_id)


@router.patch("/partnerships/{partnership_id}", auth=WRITE_AUTH, summary="Edit a partnership (send its version)",
              response={200: PartnershipOut, 403: Error, 404: Error, 409: Conflict, 422: Invalid})
def partnership_patch(request, partnership_id: int, data: PartnershipPatch):
    partnership = _partnership(request, partnership_id)
    fields = data.model_dump(exclude_unset=True, exclude={"version"})
    return services.partnership_update(user=request.auth, partnership=partnership, version=data.version,
                                       fields={k: v for k, v in fields.items() if v is not None})
