"""Simulated district figures with a known effect, stored as one import (shared by the tests)."""

from __future__ import annotations

import numpy as np

INDICATOR = "employment_rate_20_64"
YEARS = range(2004, 2013)
START = 2008
EFFECT = 4.0


def district_figures(*, treated, comparison, effect: float = EFFECT, seed: int = 3, years=YEARS, start: int = START,
                     indicator: str = INDICATOR):
    """District-level figures of `indicator`: level + common cycle + noise, plus `effect` for the
    treated districts from `start`. The first treated district is a mix of three comparison
    districts, so its synthetic control can match it. Returns the import batch."""
    from stadsdel.indicators.models import ImportBatch, Indicator, Level, Observation

    rng = np.random.default_rng(seed)
    years = list(years)
    cycle = np.cumsum(rng.normal(0, 1.0, len(years)))
    series = {}
    for d in comparison:
        series[d] = 60 + rng.normal(0, 6) + rng.uniform(0.5, 1.5) * cycle + rng.normal(0, 0.3, len(years))
    first, *rest = treated
    c = list(comparison)
    series[first] = 0.5 * series[c[0]] + 0.3 * series[c[1]] + 0.2 * series[c[2]] + rng.normal(0, 0.3, len(years))
    for d in rest:
        series[d] = 55 + rng.normal(0, 6) + rng.uniform(0.5, 1.5) * cycle + rng.normal(0, 0.3, len(years))
    batch = ImportBatch.objects.create(kind=ImportBatch.Kind.CSV, source_name="simulerad.csv")
    ind = Indicator.objects.get(code=indicator)
    treated_ids = {d.pk for d in treated}
    Observation.objects.bulk_create([
        Observation(indicator=ind, level=Level.DISTRICT, unit_key=f"district:{d.pk}", district=d, period=y,
                    value=float(series[d][t]) + (effect if d.pk in treated_ids and y >= start else 0.0), batch=batch)
        for d in series for t, y in enumerate(years)
    ])
    return batch
