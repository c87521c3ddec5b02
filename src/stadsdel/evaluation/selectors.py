"""Reads of the evaluation app: which evaluations a user sees, the panel of district figures an
evaluation uses, and its results, computed from that panel by the pure estimators in
`stadsdel.lib.evaluation`.

Results are computed when asked for and cached under a fingerprint of the exact figures used,
so an import that changes a figure changes the result, and the same figures always give the same
result (the estimators are deterministic)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from django.core.cache import cache
from django.db.models import Q, QuerySet

from stadsdel.accounts.scoping import scope_for
from stadsdel.areas.models import District
from stadsdel.evaluation.models import Evaluation
from stadsdel.indicators.models import ImportBatch, Indicator, Level, Observation
from stadsdel.lib.evaluation import (
    DesignRefused,
    DidResult,
    EvaluationInputError,
    Neighbour,
    SynthResult,
    comparison_nearest,
    did_estimate,
    synth_estimate,
)

CACHE_SECONDS = 24 * 3600


def evaluation_list(*, user) -> QuerySet[Evaluation]:
    """Published evaluations for everyone; drafts for the ministry, the owner's analysts and the
    staff of the owner's municipality."""
    scope = scope_for(user)
    qs = Evaluation.objects.select_related("owner", "synth_district").prefetch_related("treated_districts", "outcomes")
    if not scope.national:
        qs = qs.filter(Q(published=True) | Q(owner_id__in=scope.analyst_organisation_ids)
                       | Q(owner__municipality_id__in=scope.municipality_ids))
    return qs.order_by("-start_year", "title", "pk")


def evaluation_get(*, user, pk: int) -> Evaluation:
    """One evaluation the user may see; `Evaluation.DoesNotExist` otherwise (a draft of someone
    else's is not revealed)."""
    return evaluation_list(user=user).get(pk=pk)


def candidate_districts() -> QuerySet[District]:
    """Districts without a local development agreement: the natural comparison pool, since an
    agreement is the intervention being evaluated."""
    return District.objects.filter(kind=District.Kind.DISTRICT, agreements__isnull=True).select_related("municipality")


def _labels(districts) -> dict[int, str]:
    """A readable unit name per district; a name used twice gets its municipality."""
    districts = list(districts)
    counts: dict[str, int] = {}
    for d in districts:
        counts[d.name] = counts.get(d.name, 0) + 1
    return {d.pk: d.name if counts[d.name] == 1 else f"{d.name} ({d.municipality.name})" for d in districts}


@dataclass(frozen=True)
class DataUsed:
    """Which figures a result rests on: how many, from which imports, and a fingerprint of them."""

    figures: int
    years: tuple[int, ...]
    batches: tuple[tuple[int, str], ...]  # (import id, source name)
    fingerprint: str


@dataclass
class OutcomeResult:
    """One outcome indicator's evaluation: the pool used, both estimates or their refusals."""

    indicator: Indicator
    data: DataUsed
    panel: pd.DataFrame
    treated: list[str]
    pool: list[str]
    neighbours: list[Neighbour] = field(default_factory=list)
    did: DidResult | None = None
    did_refusal: DesignRefused | EvaluationInputError | None = None
    synth: SynthResult | None = None
    synth_unit: str | None = None
    synth_refusal: DesignRefused | EvaluationInputError | None = None

    def panel_rows(self) -> list[dict]:
        """The panel in the `stadsdel evaluate` input form (unit,year,indicator,value): the
        treated districts and the comparison pool actually used (the chosen nearest neighbours,
        not every candidate), since the command compares with every other unit in its input."""
        used = {*self.treated, *self.pool}
        return [{"unit": r.unit, "year": int(r.year), "indicator": self.indicator.code, "value": float(r.value)}
                for r in self.panel.itertuples(index=False) if r.unit in used]


def evaluation_panel(*, evaluation: Evaluation, indicator: Indicator, districts: list[District]
                     ) -> tuple[pd.DataFrame, DataUsed, dict[int, str]]:
    """The district-level figures (both sexes together) of `indicator` for `districts`, in the
    evaluation's years, as a long frame `unit,year,value`; suppressed and missing cells are left
    out."""
    labels = _labels(districts)
    qs = Observation.objects.filter(
        indicator=indicator, level=Level.DISTRICT, sex=Observation.Sex.TOTAL, district_id__in=list(labels),
        value__isnull=False,
    )
    if evaluation.first_year is not None:
        qs = qs.filter(period__gte=evaluation.first_year)
    if evaluation.last_year is not None:
        qs = qs.filter(period__lte=evaluation.last_year)
    rows = list(qs.order_by("district_id", "period").values_list("district_id", "period", "value", "batch_id"))
    frame = pd.DataFrame([(labels[d], p, v) for d, p, v, _b in rows], columns=["unit", "year", "value"])
    digest = hashlib.sha256()
    for d, p, v, _b in rows:
        digest.update(f"{labels[d]}|{p}|{v!r}\n".encode())
    batch_ids = sorted({b for *_x, b in rows})
    batches = tuple(ImportBatch.objects.filter(pk__in=batch_ids).order_by("pk").values_list("pk", "source_name"))
    data = DataUsed(figures=len(rows), years=tuple(sorted({p for _d, p, _v, _b in rows})), batches=batches,
                    fingerprint=digest.hexdigest()[:16])
    return frame, data, labels


def _pool(evaluation: Evaluation, treated: list[District]) -> list[District]:
    treated_ids = {d.pk for d in treated}
    if evaluation.pool == Evaluation.Pool.MANUAL:
        chosen = evaluation.comparison_districts.select_related("municipality")
    else:
        chosen = candidate_districts()
    return [d for d in chosen if d.pk not in treated_ids]


def _outcome_result(evaluation: Evaluation, indicator: Indicator, treated: list[District],
                    pool: list[District]) -> OutcomeResult:
    panel, data, labels = evaluation_panel(evaluation=evaluation, indicator=indicator, districts=[*treated, *pool])
    treated_units = [labels[d.pk] for d in treated]
    present = set(panel["unit"])
    candidates = [labels[d.pk] for d in pool if labels[d.pk] in present]
    result = OutcomeResult(indicator=indicator, data=data, panel=panel, treated=treated_units, pool=candidates)
    with_data = [u for u in treated_units if u in present]
    if evaluation.pool == Evaluation.Pool.NEAREST and with_data:
        result.neighbours = comparison_nearest(panel, treated=with_data, start=evaluation.start_year,
                                               candidates=candidates, k=evaluation.pool_size)
        result.pool = [n.unit for n in result.neighbours]
    try:
        result.did = did_estimate(panel, treated=with_data or treated_units, start=evaluation.start_year,
                                  comparison=result.pool)
    except EvaluationInputError as exc:
        result.did_refusal = exc
    if evaluation.synth_district_id is not None:
        result.synth_unit = labels.get(evaluation.synth_district_id)
        try:
            result.synth = synth_estimate(panel, treated=result.synth_unit, start=evaluation.start_year,
                                          donors=result.pool)
        except EvaluationInputError as exc:
            result.synth_refusal = exc
    return result


def evaluation_results(*, evaluation: Evaluation, progress: Callable[[int, int], None] | None = None
                       ) -> list[OutcomeResult]:
    """Every outcome's results, from the figures stored now. Cached by the evaluation's version
    and the fingerprint of the figures, so a repeated view costs a query, not a fit.
    `progress(outcomes done, outcomes in all)` is called before each outcome and at the end."""
    treated = list(evaluation.treated_districts.select_related("municipality").order_by("name"))
    pool = _pool(evaluation, treated)
    out = []
    indicators = list(evaluation.outcomes.order_by("code"))
    for n, indicator in enumerate(indicators):
        if progress is not None:
            progress(n, len(indicators))
        # The fingerprint needs the figures anyway; the fits are what the cache saves.
        _panel, data, _ = evaluation_panel(evaluation=evaluation, indicator=indicator, districts=[*treated, *pool])
        pool_key = hashlib.sha256(",".join(str(d.pk) for d in pool).encode()).hexdigest()[:12]
        key = f"evaluation:{evaluation.pk}:{evaluation.version}:{indicator.pk}:{data.fingerprint}:{pool_key}"
        cached = cache.get(key)
        if cached is None:
            cached = _outcome_result(evaluation, indicator, treated, pool)
            cache.set(key, cached, CACHE_SECONDS)
        out.append(cached)
    if progress is not None:
        progress(len(indicators), len(indicators))
    return out
