"""Evaluation fixtures: simulated district figures with a known effect and an evaluation of them."""

from __future__ import annotations

import pytest
from evaluation_data import INDICATOR, START, district_figures


@pytest.fixture
def districts(db):
    from stadsdel.areas.models import District
    from stadsdel.evaluation.selectors import candidate_districts

    treated = list(District.objects.filter(kind=District.Kind.DISTRICT, name__in=["Rinkeby", "Tensta", "Husby"])
                   .order_by("name"))
    comparison = list(candidate_districts().order_by("name")[:12])
    return treated, comparison


@pytest.fixture
def evaluation(districts, ministry_user):
    """A published evaluation of three Stockholm districts from 2008 on simulated figures, with
    a synthetic control for Husby (the mix of comparison districts)."""
    from stadsdel.evaluation import services
    from stadsdel.indicators.models import Indicator

    treated, comparison = districts
    district_figures(treated=treated, comparison=comparison)
    return services.evaluation_create(
        user=ministry_user,
        fields={"title": "Avtalen 2008", "description": "Lokala utvecklingsavtal från 2008.", "start_year": START,
                "pool": "manual", "synth_district": treated[0], "published": True},
        treated=treated, outcomes=[Indicator.objects.get(code=INDICATOR)], comparison=comparison,
    )
