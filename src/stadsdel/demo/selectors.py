"""Reads for the synthetic generators: which areas the synthetic register covers."""

from __future__ import annotations

from stadsdel.areas.models import District, DistrictArea
from stadsdel.demo.synth import SynthArea, plan_areas


def synth_areas(*, surrounding: int, seed: int) -> list[SynthArea]:
    """The synthetic register's areas: every SAMS area of a district (not of a committee area),
    named by its district, plus `surrounding` areas per municipality on codes no district uses.

    Only district codes are avoided, not every registered code: the surrounding areas a previous
    run registered must come out the same, so the same seed gives the same data on any database.
    """
    # The demo's comparison districts (demo/evaluation.py, memberships with source "demo") are
    # made of the surrounding areas this plans; counting them would plan other surrounding areas
    # on the next run, and the same seed would no longer give the same data.
    memberships = DistrictArea.objects.filter(area__code_system__code="SAMS").exclude(source="demo")
    rows = list(
        memberships.filter(district__kind=District.Kind.DISTRICT)
        .values_list("area__code", "area__municipality__code", "district__name")
        .order_by("area__code", "district__name")
    )
    if not rows:
        raise LookupError("No district has SAMS areas in the database; run `stadsdel seeds load` first.")
    taken = memberships.values_list("area__code", flat=True)
    return plan_areas(rows, surrounding=surrounding, seed=seed, taken=taken)
