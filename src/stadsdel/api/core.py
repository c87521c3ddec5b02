"""What every router shares: who the caller is (token or session), paging, CSV export of lists,
and the errors a write can end in (403, 404, 409 on a stale version)."""


import io
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Schema
from ninja import Path as PathParam
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from pydantic import field_validator

from stadsdel.api.models import ApiToken, token_hash
from stadsdel.areas.models import Municipality
from stadsdel.core.tabular_export import csv_writer
from stadsdel.core.versions import StaleVersionError

MAX_PAGE_SIZE = 500


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` from `stadsdel token create`."""

    def __call__(self, request):
        # Not HttpBearer's: it passes over a header of another scheme, and the session would then
        # authenticate a request its sender meant to make as someone else.
        return token_user(request)

    def authenticate(self, request, token):
        record = ApiToken.objects.select_related("user").filter(key_hash=token_hash(token), revoked=False).first()
        if record is None or not record.user.is_active:
            return None
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.user = record.user
        return record.user


INVALID_AUTHORIZATION = (
    "The Authorization header is not valid: send `Bearer <token>` with a token from `stadsdel token create`, "
    "or no Authorization header."
)


def token_user(request: HttpRequest):
    """The user the request's `Authorization` header authenticates, or None if it has none.

    A header that is there but does not authenticate (an unknown or revoked token, an inactive
    user, another scheme, no token at all) is 401 for every operation, read or write, whatever
    else the request carries: never a silent fall-back to the session cookie or to anonymous.
    Decided once per request."""
    if hasattr(request, "_stadsdel_token_user"):
        return request._stadsdel_token_user
    header = request.headers.get("Authorization")
    user = None
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            user = TokenAuth().authenticate(request, token.strip())
        if user is None:
            raise HttpError(401, INVALID_AUTHORIZATION)
    request._stadsdel_token_user = user
    return user


def authorization_checked(api) -> None:
    """Apply `token_user`'s rule before every operation of `api`, also the public reads that do
    not ask who the caller is: a bad header is 401 there too."""
    from functools import wraps

    def decorator(run):
        @wraps(run)
        def checked(request, *args, **kwargs):
            try:
                token_user(request)
            except HttpError as exc:
                response = api.create_response(request, {"detail": exc.message}, status=exc.status_code)
                response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
                return response
            return run(request, *args, **kwargs)

        return checked

    api.add_decorator(decorator, mode="view")


class SignedInSession(SessionAuth):
    """The browser's session (with Django's CSRF check on writes)."""


# Writes need a signed-in caller: a token or a session.
WRITE_AUTH = [TokenAuth(), SignedInSession()]


def caller(request: HttpRequest):
    """The user a read acts for: the token's user, the session's, or anonymous (public reads).
    An Authorization header that does not authenticate is 401 (`token_user`), not a silent
    downgrade to the session or to anonymous."""
    user = token_user(request)
    if user is not None:
        return user
    return request.user if request.user.is_authenticated else AnonymousUser()


# A year in a path: what a report, a plan or a figure can be about. Out of range is 422, never a
# date computed from 160373134068916.
Year = Annotated[int, PathParam(ge=1900, le=2199)]
# The same bounds for values sent in a body: an id a database can hold, a year a record can be
# about. Anything else is 422 before it reaches a query.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
YearValue = Annotated[int, Field(ge=1900, le=2199)]
Version = Annotated[int, Field(ge=0, le=2**31 - 1)]
# The version a write to an existing record was read at. Optional in the schema only so that a
# write without it gets the answer a stale one gets (409 with the version now stored) rather than
# 422; no version, or 0, never overwrites what is stored.
READ_VERSION = "The record's version as read; missing, 0 or older than the stored one is 409."
ReadVersion = Annotated[Version | None, Field(description=READ_VERSION)]


class Input(Schema):
    """The base of every request body: no string anywhere in it may hold a NUL character (no
    record can; PostgreSQL refuses it with an error that would surface as a 500). 422 instead."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, data):
        def walk(value):
            if isinstance(value, str):
                if "\x00" in value:
                    raise ValueError("a text may not contain the NUL character")
            elif isinstance(value, dict):
                for key, item in value.items():
                    walk(key)
                    walk(item)
            elif isinstance(value, list | tuple):
                for item in value:
                    walk(item)

        walk(data)
        return data


def by_ids(readable: QuerySet, ids: list[int], *, field: str, noun: str) -> list:
    """The records with these ids, all of them, or 422 naming the field (one query).

    `readable` is what the caller may read (a selector's queryset, or every record of a public
    registry): an id outside it is refused exactly as one that does not exist, so ids in a body
    can neither link another organisation's unpublished records nor be enumerated."""
    found = list(readable.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise HttpError(422, f"{field}: unknown {noun}")
    return found


def municipality_by_code(code: str, *, field: str = "municipality_code") -> Municipality:
    """The municipality a body names by its code (the registry is public), or 422 naming the field."""
    municipality = Municipality.objects.filter(code=code).first()
    if municipality is None:
        raise HttpError(422, f"{field}: no municipality {code!r}")
    return municipality


class Error(Schema):
    detail: str


class Invalid(Schema):
    """422: a service's refusal of the values (a sentence), or the request's own validation
    (django-ninja's list of the fields at fault)."""

    detail: str | list[dict[str, Any]]


def service_errors(api) -> None:
    """What a service's refusal becomes in the API, the same for every router: not allowed 403,
    a save on a stale version 409 with the version now stored, invalid values 422. A router
    calls the service and lets these propagate."""
    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(request, {"detail": str(exc) or "Not allowed."}, status=403)

    @api.exception_handler(StaleVersionError)
    def stale(request, exc):
        return api.create_response(request, {"detail": str(exc), "current_version": exc.current_version}, status=409)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        return api.create_response(request, {"detail": "; ".join(exc.messages)}, status=422)


class Conflict(Schema):
    detail: str
    current_version: int


# The documented refusals of a write that goes through a service (see service_errors).
WRITE_ERRORS = {403: Error, 404: Error, 409: Conflict, 422: Invalid}


def page_of(items: list | Any, *, page: int, page_size: int) -> dict:
    if page < 1:
        raise HttpError(422, "page must be 1 or more")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise HttpError(422, f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    count = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    start = (page - 1) * page_size
    # A page past the end is empty without asking the database: an offset beyond 2⁶³ (page
    # 10¹⁷, say) is an error in SQLite rather than an empty result.
    results = list(items[start:start + page_size]) if start < count else []
    return {"count": count, "page": page, "page_size": page_size, "results": results}


def csv_response(rows: Iterable[dict], *, columns: list[str], name: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c) for c in columns])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


CSV_RESPONSE = {"responses": {200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}}}


def list_and_csv(router, path: str, *, schema, columns: list[str], rows: Callable, summary: str, tags=None,
                 filters: Callable | None = None) -> None:
    """Register `GET path` (paged JSON) and `GET path/export.csv` (every row as CSV) for one read.
    `rows(request, **filters)` returns dicts or objects the schema reads."""
    from ninja import Query

    filter_schema = filters

    if filter_schema is None:
        @router.get(path, response={200: page_schema(schema)}, summary=summary, operation_id=f"{_op(path)}_list")
        def listing(request, page: int = 1, page_size: int = 50):
            return page_of(rows(request), page=page, page_size=page_size)

        @router.get(f"{path}/export.csv", summary=f"{summary} (CSV)", operation_id=f"{_op(path)}_csv",
                    openapi_extra=CSV_RESPONSE)
        def export(request):
            return csv_response((_as_dict(schema, r) for r in rows(request)), columns=columns, name=_op(path))
    else:
        @router.get(path, response={200: page_schema(schema)}, summary=summary, operation_id=f"{_op(path)}_list")
        def listing_filtered(request, f: Query[filter_schema], page: int = 1, page_size: int = 50):  # type: ignore[valid-type]
            return page_of(rows(request, **f.dict()), page=page, page_size=page_size)

        @router.get(f"{path}/export.csv", summary=f"{summary} (CSV)", operation_id=f"{_op(path)}_csv",
                    openapi_extra=CSV_RESPONSE)
        def export_filtered(request, f: Query[filter_schema]):  # type: ignore[valid-type]
            return csv_response((_as_dict(schema, r) for r in rows(request, **f.dict())), columns=columns,
                                name=_op(path))


def _op(path: str) -> str:
    return path.strip("/").replace("/", "_").replace("{", "").replace("}", "") or "root"


def _as_dict(schema, row) -> dict:
    return schema.model_validate(row, from_attributes=True).model_dump()


_PAGES: dict = {}


def page_schema(schema):
    """A paged list of `schema` (one class per item schema, so OpenAPI names stay stable)."""
    if schema not in _PAGES:
        _PAGES[schema] = type(f"{schema.__name__}Page", (Schema,), {
            "__annotations__": {"count": int, "page": int, "page_size": int, "results": list[schema]},
        })
    return _PAGES[schema]
