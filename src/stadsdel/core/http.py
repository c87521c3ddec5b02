"""What every page answers the same way: a record the user may not read is "not found"
(`get_or_404`), a save over a newer version is refused with one 409 page that shows the
version saved now beside the user's own (`stale_save`), and a form's save runs through
`form_save` (stale → that page, refused by a rule → the form's errors, saved → a message and
a redirect)."""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db.models import Manager, Model, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst

from stadsdel.core.versions import StaleVersionError


def get_or_404(source, /, **lookup):
    """The one record `source` gives for `lookup`, or 404. `source` is a model, manager or
    queryset (`get(**lookup)`), or a scoped selector called with `lookup` as its keywords
    (`get_or_404(selectors.plan_get, user=request.user, pk=pk)`). Scoped selectors raise
    DoesNotExist for a record outside the user's read scope as for a missing one, so a direct
    URL never reveals that a hidden record exists."""
    if isinstance(source, QuerySet | Manager) or (isinstance(source, type) and issubclass(source, Model)):
        return get_object_or_404(source, **lookup)
    try:
        return source(**lookup)
    except ObjectDoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class Difference:
    """One field of a stale save: the value saved now (someone else's) beside the user's."""

    label: str
    saved: Any
    yours: Any
    differs: bool


def _comparable(value: Any) -> Any:
    # Browsers send text areas with CRLF line ends and an empty field as ""; neither alone is a
    # difference. Records compare by their key, a list of them as a set of keys.
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip() or None
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        return frozenset(_comparable(item) for item in value) or None
    return value


def _shown(value: Any) -> Any:
    # A list of records reads in the order of their names, whichever order each side gave.
    if isinstance(value, QuerySet | list | tuple | set | frozenset):
        items = list(value)
        return sorted(items, key=str) if all(isinstance(item, Model) for item in items) else items
    return value


def difference(label: Any, saved: Any, yours: Any) -> Difference:
    """One field: its label (a model field's verbose name, a form field's label), the value saved
    now and the user's; whether they differ ignores line ends, blank-or-empty and list order."""
    return Difference(capfirst(str(label)), _shown(saved), _shown(yours), _comparable(saved) != _comparable(yours))


def record_values(record, names: Iterable[str]) -> dict[str, Any]:
    """The stored values of those of `names` that are fields of `record` (a many-to-many as the
    list of its records): the record in a model form's terms, for `form_differences`."""
    values = {}
    for name in names:
        try:
            field = record._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        values[name] = list(getattr(record, name).all()) if field.many_to_many else getattr(record, name)
    return values


def form_differences(form, saved: Mapping[str, Any], *, fields: Iterable[str] | None = None) -> list[Difference]:
    """Each visible field of a validated `form` that `saved` holds: the value saved now (`saved`:
    the record as stored, in the form's terms, e.g. the form's `initial_for(record)`) beside
    the user's (the form's cleaned data)."""
    names = list(fields) if fields is not None else [
        name for name, field in form.fields.items() if not field.widget.is_hidden and name in saved]
    return [difference(form.fields[name].label or name, saved.get(name), form.cleaned_data.get(name))
            for name in names]


def stale_save(request, template: str, context: Mapping[str, Any], *, error: StaleVersionError,
               differences: list[Difference], form=None, version_field: str = "version") -> HttpResponse:
    """The one answer to a save refused as stale: 409 and the page again (`template` with
    `context`; the template includes the shared comparison table, which reads `conflict` and
    `current_version`), with the saved values beside the user's. The user's values stay in
    `form` (or, for a page without one, in `resubmit`: the posted fields, for a form that sends
    them again), now with the version stored, so saving again is a deliberate overwrite and not
    a second refusal."""
    current = str(error.current_version)
    if form is not None:
        data = form.data.copy()
        data[form.add_prefix(version_field)] = current
        form.data = data
    resubmit = [(name, value) for name, values in request.POST.lists()
                if name not in ("csrfmiddlewaretoken", version_field) for value in values]
    resubmit.append((version_field, current))
    return render(request, template, {
        **context, "conflict": differences, "current_version": error.current_version, "resubmit": resubmit,
    }, status=409)


def form_save(request, form, save: Callable[[], Any], *, saved: str, to=None,
              stale: Callable[[StaleVersionError], HttpResponse] | None = None) -> HttpResponse | None:
    """Run a page's save (`save()` calls the service) and answer it: a stale version with
    `stale(error)` (which returns `stale_save(...)`), success with the message `saved` and a
    redirect to `to` (by default to the record `save()` returns). A refusal by the service's
    rules (ValidationError) goes onto `form` as an error of the whole form and the result is
    None: the caller shows the form again, with 400."""
    try:
        record = save()
    except StaleVersionError as exc:
        if stale is None:
            raise
        return stale(exc)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return None
    messages.success(request, saved)
    return redirect(to if to is not None else record)
