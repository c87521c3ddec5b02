"""Writes of the index app: saving index model versions (from the admin, a file or the seeds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from stadsdel.areas.models import Municipality
from stadsdel.indicators.models import Indicator
from stadsdel.indices.files import json_file_read
from stadsdel.indices.models import IndexModel
from stadsdel.lib.index import IndexInputError, ModelSpec, model_parse


def index_model_check(*, definition: dict[str, Any], source: str = "model") -> ModelSpec:
    """Parse a model and check it against the catalogue: every indicator exists, and only
    shares are protective (their complement, denominator − numerator, must mean something)."""
    spec = model_parse(definition, source=source)
    known = {i.code: i for i in Indicator.objects.filter(code__in=spec.codes)}
    for d_pos, domain in enumerate(spec.domains):
        for i_pos, ind in enumerate(domain.indicators):
            where = f"{source}: domains[{d_pos}].indicators[{i_pos}].code"
            indicator = known.get(ind.code)
            if indicator is None:
                raise IndexInputError(f"{where}: {ind.code!r} is not in the indicator catalogue")
            if ind.orientation == "protective" and not indicator.is_share:
                raise IndexInputError(
                    f"{where}: {ind.code!r} is not a share, so it cannot be protective (its complement means nothing)"
                )
    return spec


def _municipality(code: str | None, source: str) -> Municipality | None:
    if code in (None, ""):
        return None
    try:
        return Municipality.objects.get(code=code)
    except Municipality.DoesNotExist:
        raise IndexInputError(f"{source}: reference_municipality: no municipality {code!r}") from None


def index_model_save(
    *,
    definition: dict[str, Any],
    reference_municipality: Municipality | None = None,
    description: str = "",
    description_en: str = "",
    sources: list | None = None,
    user=None,
    version: int | None = None,
    source: str = "model",
) -> tuple[IndexModel, bool]:
    """Save a model as a new version of its name, unless the latest version is the same model:
    the same domains, weights, indicators, base year and reference. Only the domains' English
    names (`name_en`), the description (either language) or the sources differing, that version is updated.

    Returns (the version, whether it was created). The new version becomes the active one.
    `version` pins the number (the seed file does); a pinned version that exists with other
    content is refused, because figures may already name it.
    """
    spec = index_model_check(definition=definition, source=source)
    content = spec.as_dict()
    with transaction.atomic():
        versions = IndexModel.objects.select_for_update().filter(name=spec.name).order_by("-version")
        latest = versions.first()
        same = versions.filter(version=version).first() if version is not None else latest
        if same is not None and _same(same, spec, reference_municipality):
            # Documentation and the domains' English names are not part of the computation (the
            # figures, and the version they name, stay the same), so they may be corrected in
            # place: a seed file given English names keeps its pinned version.
            fields = {"description": description, "description_en": description_en, "sources": sources or []}
            if same.domains != content["domains"]:
                fields["domains"] = content["domains"]
            changed = [name for name, value in fields.items() if getattr(same, name) != value]
            if changed:
                for name in changed:
                    setattr(same, name, fields[name])
                same.save(update_fields=changed)
            return same, False
        if version is not None and same is not None:
            raise IndexInputError(
                f"{source}: {spec.name} v{version} already exists with another definition; "
                "a changed model must be a new version"
            )
        number = version if version is not None else (latest.version + 1 if latest else 1)
        versions.update(active=False)
        model = IndexModel.objects.create(
            name=spec.name, version=number, base_year=spec.base_year, domains=content["domains"],
            reference_municipality=reference_municipality, description=description, description_en=description_en,
            sources=sources or [],
            active=True, created_by=user if user is not None and user.is_authenticated else None,
        )
    return model, True


def _same(model: IndexModel, spec: ModelSpec, reference: Municipality | None) -> bool:
    """Whether a saved version computes as `spec` does (its English names aside)."""
    return (
        model_parse(model.definition()).as_dict(labels=False) == spec.as_dict(labels=False)
        and model.reference_municipality_id == (reference.pk if reference else None)
    )


def index_model_activate(*, model: IndexModel, active: bool = True) -> None:
    """Make a version the one used by default (the others of its name stop being it)."""
    with transaction.atomic():
        if active:
            IndexModel.objects.filter(name=model.name).exclude(pk=model.pk).update(active=False)
        IndexModel.objects.filter(pk=model.pk).update(active=active)
    model.active = active


def index_model_load(*, path: Path, user=None) -> tuple[IndexModel, bool]:
    """`stadsdel index model load FILE.json`: the model file format plus optional
    `reference_municipality` (a code), `description`, `description_en` and `sources`."""
    source = path.name
    data = json_file_read(path)
    if not isinstance(data, dict):
        raise IndexInputError(f"{source}: the model must be a JSON object")
    return index_model_save(
        definition=data, reference_municipality=_municipality(data.get("reference_municipality"), source),
        description=data.get("description", ""), description_en=data.get("description_en", ""),
        sources=data.get("sources", []), user=user, source=source,
    )


def index_models_sync(data: dict[str, Any]) -> None:
    """The seed file's models (`index_models.json`), each pinned to its version."""
    for position, entry in enumerate(data["models"]):
        source = f"index_models.json: models[{position}]"
        index_model_save(
            definition=entry, reference_municipality=_municipality(entry.get("reference_municipality"), source),
            description=entry.get("description", ""), description_en=entry.get("description_en", ""),
            sources=entry.get("sources", []), version=entry["version"], source=source,
        )
