"""The demo's evaluation: the local development agreements of 2008, on the synthetic register's
employment figures. Published, so the public portal shows it. Rebuilding is idempotent.

The seed registry holds districts with agreements only (every district with demo figures is
treated), so a comparison needs districts without one. The synthetic register already has, per
municipality, areas outside every agreement district (the "surrounding" areas standing for the
rest of the municipality); the demo groups them into one clearly marked demo district per
municipality and sums their figures like any district's. Real data would use real districts."""

from __future__ import annotations

from django.db import transaction

from stadsdel.agreements.models import Agreement, Organisation
from stadsdel.areas.models import District, DistrictArea, StatisticalArea
from stadsdel.evaluation.models import Evaluation
from stadsdel.indicators.models import Indicator, Level, Observation

DEMO_TITLE = "Lokala utvecklingsavtal 2008: sysselsättning (demo)"
DEMO_DESCRIPTION = (
    "Staten och 21 kommuner slöt 2008 lokala utvecklingsavtal för sina utsatta stadsdelar; de lokala "
    "partnerskapen kom i gång under 2008 och 2009 (Jordbro den 16 februari 2009). Därför räknas 2009 som det "
    "första året insatserna kan ha påverkat sysselsättningen. Jämförelsegruppen är områden utan avtal. "
    "Siffrorna är syntetiska (demodata), så utvärderingen visar metoden, inte ett verkligt resultat."
)
COMPARISON_SUFFIX = "övriga områden (demo)"
OUTCOME = "employment_rate_20_64"


def _agreement_municipalities() -> set[int]:
    # The 2008 agreements name no districts; the 2011 offer to extend them lists them (Bilaga 2).
    return set(Agreement.objects.filter(period_start__year=2008).values_list("municipality_id", flat=True))


def demo_comparison_districts_create() -> bool:
    """One demo district per agreement municipality made of its synthetic areas outside every
    district (memberships with source "demo", which the synthetic register's plan ignores).
    True when a membership was added: the statistics must then be computed again, so the new
    districts get their figures from the same register and crime files as every other district
    (and a second demo run finds nothing to change)."""
    outcome = Indicator.objects.get(code=OUTCOME)
    in_districts = set(DistrictArea.objects.values_list("area_id", flat=True))
    with_figures = set(Observation.objects.filter(indicator=outcome, level=Level.AREA)
                       .values_list("statistical_area_id", flat=True))
    added = False
    with transaction.atomic():
        for area in StatisticalArea.objects.filter(
                pk__in=with_figures - in_districts, municipality_id__in=_agreement_municipalities(),
        ).select_related("municipality"):
            district, _created = District.objects.get_or_create(
                municipality=area.municipality, kind=District.Kind.DISTRICT,
                name=f"{area.municipality.name}, {COMPARISON_SUFFIX}",
                defaults={"description": "Demodata: kommunens syntetiska områden utanför avtalsstadsdelarna, "
                                         "som jämförelseenhet i demo-utvärderingen.",
                          "code_system": area.code_system},
            )
            _membership, created = DistrictArea.objects.get_or_create(district=district, area=area,
                                                                       defaults={"source": "demo"})
            added = added or created
    return added


def demo_evaluation_create() -> Evaluation:
    """One published evaluation of the 2008 agreements on employment, with a synthetic control
    for Jordbro; the estimates are computed from the demo statistics when the page is opened."""
    outcome = Indicator.objects.get(code=OUTCOME)
    treated = list(District.objects.filter(kind=District.Kind.DISTRICT, agreements__isnull=False,
                                           municipality_id__in=_agreement_municipalities()).distinct().order_by("pk"))
    jordbro = next((d for d in treated if d.name == "Jordbro"), None)
    with transaction.atomic():
        evaluation, _created = Evaluation.objects.update_or_create(title=DEMO_TITLE, defaults={
            "description": DEMO_DESCRIPTION,
            "owner": Organisation.objects.get(key="arbetsmarknadsdepartementet"),
            "start_year": 2009, "pool": Evaluation.Pool.NEAREST, "pool_size": 10,
            "synth_district": jordbro, "published": True,
        })
        evaluation.treated_districts.set(treated)
        evaluation.outcomes.set([outcome])
    return evaluation
