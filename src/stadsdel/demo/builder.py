"""The demo database: the seed registry plus synthetic records and one login per role.

Everything here is synthetic and generated: the people are invented (names are built from
a fixed list of fictional first names and the surname "Exempel"), the draft records are
clearly marked as demo data. No real personal data is used. Rebuilding is idempotent.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from stadsdel.agreements.models import (
    Commitment,
    CooperationAgreement,
    Organisation,
    Partnership,
    PartnershipMember,
)
from stadsdel.areas.models import District
from stadsdel.areas.services import boundaries_load
from stadsdel.demo.boundaries import boundaries_dumps, synthetic_boundaries
from stadsdel.demo.evaluation import demo_comparison_districts_create, demo_evaluation_create
from stadsdel.demo.funding import demo_funding_create
from stadsdel.demo.logins import DemoLogin, demo_users_create
from stadsdel.demo.models import DemoDataset
from stadsdel.demo.selectors import synth_areas
from stadsdel.demo.synth import synth_generate
from stadsdel.indicators.models import Indicator
from stadsdel.indicators.services.imports import observations_import
from stadsdel.indicators.services.microdata import microdata_aggregate
from stadsdel.plans import services as plan_services
from stadsdel.plans.models import GoalArea
from stadsdel.seeds.loader import seeds_load


def _draft_partnership(*, key: str, municipality_org: str, district_names: list[str], partners: list[str],
                       formed_on: dt.date) -> Partnership:
    lead = Organisation.objects.get(key=municipality_org)
    districts = list(District.objects.filter(municipality=lead.municipality, name__in=district_names))
    partnership, _ = Partnership.objects.get_or_create(
        key=key,
        defaults={
            "municipality": lead.municipality,
            "name": f"Lokalt partnerskap för {', '.join(district_names)} (demo)",
            "basis": "Syntetiskt demoexempel: lokalt utvecklingsavtal 2011 och förordning (2008:348).",
            "formed_on": formed_on,
            "published": False,
        },
    )
    partnership.districts.set(districts)
    PartnershipMember.objects.get_or_create(partnership=partnership, organisation=lead, defaults={"role": "lead"})
    for partner_key in partners:
        PartnershipMember.objects.get_or_create(
            partnership=partnership, organisation=Organisation.objects.get(key=partner_key),
            defaults={"role": "partner", "since": formed_on},
        )
    return partnership


def _draft_cooperation(*, key: str, partnership: Partnership, partner_key: str, commitments: list[str]) -> None:
    partner = Organisation.objects.get(key=partner_key)
    coop, created = CooperationAgreement.objects.get_or_create(
        key=key,
        defaults={
            "partnership": partnership,
            "municipality": partnership.municipality,
            "partner": partner,
            "title": f"Samverkansöverenskommelse {partnership.municipality.name} – {partner.name} 2011 (utkast, demo)",
            "text": "Syntetiskt utkast skapat av demogeneratorn. Parterna samverkar utifrån den strategiska "
                    "stadsdelsplanen inom ramen för ordinarie resurser.",
            "period_start": dt.date(2011, 1, 1),
            "period_end": dt.date(2011, 12, 31),
            "published": False,
        },
    )
    if created:
        coop.districts.set(partnership.districts.all())
        for position, text in enumerate(commitments):
            Commitment.objects.create(cooperation_agreement=coop, party=partner, text=text, position=position)


def demo_records_create() -> None:
    """Unpublished draft partnerships and cooperation agreements, so each role has something
    of its own to see and edit, and scoping is visible (Malmö cannot read Haninge's drafts)."""
    jordbro = Partnership.objects.get(key="jordbro")
    _draft_cooperation(
        key="demo_jordbro_arbetsformedlingen", partnership=jordbro, partner_key="arbetsformedlingen",
        commitments=["Arbetsförmedlingen deltar i partnerskapets arbetsgrupp för arbete och utbildning (demo)."],
    )
    rosengard = _draft_partnership(
        key="demo_malmo", municipality_org="malmo_kommun", district_names=["Rosengård", "Fosie"],
        partners=["polismyndigheten_skane", "forsakringskassan"], formed_on=dt.date(2011, 3, 1),
    )
    _draft_cooperation(
        key="demo_malmo_polisen", partnership=rosengard, partner_key="polismyndigheten_skane",
        commitments=["Polisen redovisar årligen anmälda brott per stadsdel till partnerskapet (demo)."],
    )


def demo_plans_create() -> None:
    """A draft strategic district plan for Jordbro 2011 with two goals, written through the
    services as Haninge's coordinator would (synthetic, marked as demo)."""
    jordbro = District.objects.get(name="Jordbro", kind=District.Kind.DISTRICT)
    if jordbro.plans.filter(year=2011).exists():
        return
    user = get_user_model().objects.get(username="haninge")
    plan = plan_services.plan_create(user=user, district=jordbro, year=2011, period_end=2014,
                                     title="Strategisk stadsdelsplan för Jordbro 2011 (demo)")
    haninge = Organisation.objects.get(key="haninge_kommun")
    employment = Indicator.objects.get(code="employment_rate_20_64")
    # The baseline is the district's own figure from the demo statistics, when there is one.
    baseline = employment.observations.filter(district=jordbro, period=2010, sex="T").values_list("value", flat=True)
    baseline_value = round(baseline[0], 1) if baseline and baseline[0] is not None else None
    areas = {a.key: a for a in GoalArea.objects.filter(programme=plan.programme)}
    plan_services.goal_create(
        user=user, plan=plan,
        fields={"goal_area": areas["arbete"], "number": "1.1", "title": "Fler i arbete",
                "text": "Andelen förvärvsarbetande 20–64 år i Jordbro ska öka (demo).", "baseline_value": baseline_value,
                "baseline_year": 2010, "target_value": baseline_value + 4 if baseline_value is not None else None,
                "target_year": 2014, "accepted_by": "Kommunstyrelsen",
                "accepted_on": dt.date(2011, 3, 1)},
        scope_districts=[jordbro], indicators=[employment],
        responsible=[haninge, Organisation.objects.get(key="arbetsformedlingen")],
    )
    plan_services.goal_create(
        user=user, plan=plan,
        fields={"goal_area": areas["utbildning"], "number": "2.1", "title": "Fler behöriga till gymnasiet",
                "text": "Fler elever i Jordbro ska vara behöriga till ett yrkesprogram (demo).",
                "population_group": "", "baseline_year": None, "target_year": None},
        scope_districts=[jordbro], indicators=[Indicator.objects.get(code="grade9_eligible_upper_secondary")],
        responsible=[haninge],
    )


# The steps `demo_build` reports at the top level, at most (its other lines are indented by two
# spaces): the length of the demo command's progress bar. tests/demo checks it against a build.
DEMO_STEPS = 14


def demo_build(*, progress: Callable[[str], None] = lambda _msg: None) -> list[DemoLogin]:
    progress("Migrating the database …")
    call_command("migrate", interactive=False, verbosity=0)
    progress("Loading the seed registry …")
    seeds_load(progress=lambda msg: progress(f"  {msg}"))
    progress("Creating synthetic demo records and logins …")
    # The marker first: from now on every page says the figures are synthetic, also when a later
    # step fails half way.
    DemoDataset.objects.update_or_create(pk=1, defaults={"note": "stadsdel demo"})
    with transaction.atomic():
        demo_records_create()
        logins = demo_users_create()
    demo_statistics_create(progress=progress)
    if demo_comparison_districts_create():
        progress("Computing the statistics again with the demo's comparison districts …")
        demo_statistics_create(progress=progress)
    progress("Creating a demo evaluation of the 2008 agreements …")
    demo_evaluation_create()
    progress("Writing a demo district plan for Jordbro …")
    with transaction.atomic():
        demo_plans_create()
    progress("Creating Stockholm's project fund with demo applications …")
    logins = [*logins, *demo_funding_create()]
    demo_boundaries_create(progress=progress)
    return logins


DEMO_PERSONS = 400_000
DEMO_YEARS = range(2006, 2013)
DEMO_SURROUNDING = 4  # synthetic areas per municipality standing for the rest of it
DEMO_SEED = 1


CRIMES_SOURCE_NAME = "Syntetiska anmälda brott (demo)"
# The register's folder name is its import's source as the pages list it (the analyst's latest
# imports), so it reads as a name, not as a temporary directory's.
REGISTER_SOURCE_NAME = "Syntetiskt register (demo)"


def demo_statistics_create(*, progress: Callable[[str], None], persons: int | None = None) -> None:
    """Synthetic register data for the districts (never real people), aggregated like a real
    extract: `stadsdel synth` then `stadsdel microdata aggregate`; then the synthetic reported
    crimes per area, imported like any CSV file (`stadsdel import crimes.csv --format csv`).
    Deterministic, so a second demo run writes nothing. The raw person-years live in a temporary
    directory only."""
    persons = persons or DEMO_PERSONS
    tmp = Path(tempfile.mkdtemp(prefix="stadsdel-synth-"))
    out = tmp / REGISTER_SOURCE_NAME
    try:
        progress(f"Generating synthetic register data ({persons:,} persons × {len(DEMO_YEARS)} years) …".replace(",", " "))
        generated = synth_generate(areas=synth_areas(surrounding=DEMO_SURROUNDING, seed=DEMO_SEED), persons=persons,
                                   years=list(DEMO_YEARS), seed=1, out_dir=out, progress=lambda msg: progress(f"  {msg}"))
        progress("Aggregating it to areas, districts and municipalities (disclosure control, min cell 5) …")
        # The synthetic register stands in for the national one, so it also gives the county and
        # country figures the districts are compared with.
        outcome, _result = microdata_aggregate(path=out, code_system="SAMS", min_cell=5, national=True,
                                               progress=lambda msg: progress(f"  {msg}"))
        progress(f"  {outcome.summary()}")
        # The file holds areas (with the numerators and denominators the index needs) and their
        # municipality, county and country sums; the import itself sums the areas into districts
        # (aggregates_refresh), like the register's figures.
        progress(f"Importing synthetic reported crimes ({generated.crimes.name}) …")
        crimes = observations_import(path=generated.crimes, fmt="csv", source_name=CRIMES_SOURCE_NAME,
                                     progress=lambda msg: progress(f"  {msg}"))
        progress(f"  {crimes.summary()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# The file's name is the boundaries' source as the maps cite it ("Area boundaries: …"), so it reads
# as a name, not as an identifier.
BOUNDARIES_FILE_NAME = "Synthetic demo boundaries (SAMS).geojson"


def demo_boundaries_create(*, progress: Callable[[str], None] = lambda _msg: None) -> None:
    """Synthetic boundaries (invented hexagons and rings near each municipality, never SCB's
    maps) for the demo statistics' areas, so the index page can draw its map: written as a
    GeoJSON file in a temporary directory and loaded like a real one (`stadsdel boundaries load
    FILE --code-system SAMS --code-field code`). The same areas give the same file, so a second
    demo run writes nothing."""
    progress("Loading synthetic area boundaries for the maps …")
    out = Path(tempfile.mkdtemp(prefix="stadsdel-boundaries-"))
    try:
        path = out / BOUNDARIES_FILE_NAME
        # The same areas as the synthetic register (demo_statistics_create), so every area with
        # figures has a shape.
        areas = synth_areas(surrounding=DEMO_SURROUNDING, seed=DEMO_SEED)
        path.write_text(boundaries_dumps(synthetic_boundaries(areas)), encoding="utf-8")
        outcome = boundaries_load(path=path, code_system="SAMS", code_field="code",
                                  progress=lambda msg: progress(f"  {msg}"))
        progress(f"  {outcome.summary()}")
    finally:
        shutil.rmtree(out, ignore_errors=True)
