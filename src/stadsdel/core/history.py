"""Change history of records (kept by django-simple-history): what changed between two saved
versions, with the values as a reader recognises them (an organisation rather than its id, the
list of districts rather than through-rows). One reader for the audit page and every record's
own history section, so both show a change the same way."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from simple_history.utils import get_m2m_reverse_field_name

Key = TypeVar("Key", bound=Hashable)
# (model field, old value, new value); a foreign key's value is the related id, a
# many-to-many's the sorted list of related ids.
RawChange = tuple[Any, Any, Any]


@dataclass(frozen=True)
class FieldChange:
    """One field's change in one saved version, its values resolved for reading."""

    field: str
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryEntry:
    """One saved version: when, by whom, what kind of save and which fields changed. On the
    audit page, which lists many records, also which record it was."""

    when: Any
    user: Any
    kind: str  # simple-history's type: "+" created, "~" changed, "-" deleted
    changes: list[FieldChange]
    model_label: str = ""
    model_name: str = ""
    object_id: Any = None
    object_repr: str = ""
    note: str = ""


def history_model(model):
    """The model simple-history keeps `model`'s versions in."""
    return getattr(model, model._meta.simple_history_manager_attribute).model


def version_changes(model, pairs: Iterable[tuple[Any, Any]]) -> dict[int, list[RawChange]]:
    """history_id → the fields that changed from `before` to `version`, by field name, for each
    (version, before) pair of `model`'s versions (no changes where `before` is None). A few
    queries for all the pairs (each many-to-many field's rows once), not a few per pair.

    simple-history compares the editable fields, so bookkeeping (the compare-and-set version,
    the as-submitted snapshot) does not show as a change."""
    pairs = list(pairs)
    history = history_model(model)
    m2m_fields = list(getattr(history, "_history_m2m_fields", None) or [])
    m2m_values: dict[str, dict[int, list]] = {}
    compared = [history_id for version, before in pairs if before is not None
                for history_id in (version.history_id, before.history_id)]
    for field in m2m_fields:
        through = getattr(history, field.name).model  # the field's historical through rows
        values: dict[int, list] = {}
        for history_id, value in through.objects.filter(history_id__in=compared).values_list(
                "history_id", get_m2m_reverse_field_name(field)):
            values.setdefault(history_id, []).append(value)
        m2m_values[field.name] = values

    result: dict[int, list[RawChange]] = {}
    for version, before in pairs:
        if before is None:
            result[version.history_id] = []
            continue
        delta = version.diff_against(before, excluded_fields=[f.name for f in m2m_fields])
        changes = [(model._meta.get_field(change.field), change.old, change.new) for change in delta.changes]
        for field in m2m_fields:
            old = sorted(m2m_values[field.name].get(before.history_id, []))
            new = sorted(m2m_values[field.name].get(version.history_id, []))
            if old != new:
                changes.append((field, old, new))
        result[version.history_id] = sorted(changes, key=lambda change: change[0].name)
    return result


def resolve_changes(raw: Mapping[Key, list[RawChange]]) -> dict[Key, list[FieldChange]]:
    """The changes with related ids replaced by the records (a deleted one stays its id): one
    query per related model for all of them, each with its own parents, which __str__ often
    names (a district with its municipality)."""
    wanted: dict[type, set] = {}
    for changes in raw.values():
        for field, old, new in changes:
            if field.many_to_many:
                wanted.setdefault(field.related_model, set()).update([*old, *new])
            elif field.many_to_one:
                wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v is not None)
    objects = {
        related: related._base_manager.select_related(
            *[f.name for f in related._meta.concrete_fields if f.many_to_one],
        ).in_bulk(ids)
        for related, ids in wanted.items()
    }

    def resolve(field, value):
        if field.many_to_many:
            return [objects[field.related_model].get(pk, pk) for pk in value]
        if field.many_to_one and value is not None:
            return objects[field.related_model].get(value, value)
        if getattr(field, "choices", None) and value is not None:
            # A status or kind reads as its label ("in review"), never as its key.
            return dict(field.flatchoices).get(value, value)
        return value

    return {
        key: [FieldChange(field.name, str(field.verbose_name), resolve(field, old), resolve(field, new))
              for field, old, new in changes]
        for key, changes in raw.items()
    }


def record_history(*, record) -> list[HistoryEntry]:
    """Who changed the record, when, and which fields, newest first."""
    versions = list(record.history.select_related("history_user").order_by("history_date", "history_id"))
    changes = resolve_changes(version_changes(type(record), zip(versions, [None, *versions], strict=False)))
    return [
        HistoryEntry(when=version.history_date, user=version.history_user, kind=version.history_type,
                     changes=changes[version.history_id])
        for version in reversed(versions)
    ]
