"""Reads of the statistics: observations per unit, series for charts, import history."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from stadsdel.areas.models import District, StatisticalArea
from stadsdel.indicators.models import (
    ImportBatch,
    Indicator,
    Level,
    Observation,
    RefusedImport,
    area_unit_key,
)


class UnitNotFound(LookupError):
    """The unit named on the command line or in a URL does not exist (or is ambiguous)."""


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.all()


def indicator_get(*, code: str) -> Indicator:
    try:
        return Indicator.objects.get(code=code)
    except Indicator.DoesNotExist:
        raise UnitNotFound(f"no indicator {code!r} in the catalogue") from None


def district_by_name(name: str) -> District:
    """One district by name or alias (case-insensitive); an ambiguous name is an error."""
    wanted = name.strip().casefold()
    matches = [
        d for d in District.objects.select_related("municipality")
        if d.name.casefold() == wanted or any(a.casefold() == wanted for a in d.aliases)
    ]
    if not matches:
        raise UnitNotFound(f"no district named {name!r}")
    if len(matches) > 1:
        # A district and its committee area may share a name (Rinkeby): the district wins.
        districts = [d for d in matches if d.kind == District.Kind.DISTRICT]
        if len(districts) == 1:
            return districts[0]
        raise UnitNotFound(f"{name!r} names several districts: {', '.join(str(d) for d in matches)}")
    return matches[0]


# The codes of the whole country in files: SCB's "SE" and "00", and "Riket" as tables name it.
COUNTRY_CODES = frozenset({"SE", "00", "Riket", "riket"})


def code_level(code: str) -> str:
    """The kind of unit a code names, one rule for files and the command line: the country
    codes, 4 digits a municipality, 2 digits a county, anything else a statistical area. (Kolada's
    own "0000" and "00DD" region codes are read only in Kolada files, by the import.)"""
    code = code.strip()
    if code in COUNTRY_CODES:
        return Level.COUNTRY
    # `isdecimal` is exactly what the regular expression `\d` matches, without a regular
    # expression per code: a national file has thousands of codes (issue 21).
    if len(code) == 4 and code.isdecimal():
        return Level.MUNICIPALITY
    if len(code) == 2 and code.isdecimal():
        return Level.COUNTY
    return Level.AREA


def observation_list(
    *, indicator: Indicator, area: str | None = None, district: District | None = None,
    municipality: str | None = None, year: int | None = None, sex: str | None = None,
) -> QuerySet[Observation]:
    """The stored observations of one unit: an area's, or a district's or municipality's own
    aggregate rows (never their areas' rows). `area` is any code a file may use, read as the
    import reads it (`code_level`): so the country (SE, 00) and a county read back their own rows."""
    qs = Observation.objects.filter(indicator=indicator)
    if area is not None:
        level = code_level(area)
        if level == Level.COUNTRY:
            qs = qs.filter(level=Level.COUNTRY)
        elif level == Level.COUNTY:
            qs = qs.filter(level=Level.COUNTY, county__code=area.strip())
        elif level == Level.MUNICIPALITY:
            qs = qs.filter(level=Level.MUNICIPALITY, municipality__code=area.strip())
        else:
            # By unit key, which the unique key's index has after the indicator (the figures
            # have no index by area): the area's code in each code system that has it.
            areas = StatisticalArea.objects.filter(code=area.strip()).values_list("code_system__code", "code")
            qs = qs.filter(level=Level.AREA, unit_key__in=[area_unit_key(system, code) for system, code in areas],
                           statistical_area__code=area.strip())
    elif district is not None:
        qs = qs.filter(level=Level.DISTRICT, district=district)
    elif municipality is not None:
        qs = qs.filter(level=Level.MUNICIPALITY, municipality__code=municipality)
    if year is not None:
        qs = qs.filter(period=year)
    if sex is not None:
        qs = qs.filter(sex=sex)
    return qs.order_by("unit_key", "period", "sex")


def observation_export(observations) -> list[dict]:
    """The `stats show --json` shape; values unrounded, a suppressed cell's value null."""
    return [
        {
            "indicator": o.indicator.code,
            "area": o.unit_key.split(":")[-1] if o.level != Level.DISTRICT else (o.district.name if o.district else o.unit_key),
            "period": o.period,
            "sex": o.sex,
            "value": o.value,
            "numerator": o.numerator,
            "denominator": o.denominator,
            "status": o.status,
        }
        for o in observations
    ]


def import_list(*, limit: int | None = 50) -> QuerySet[ImportBatch]:
    qs = ImportBatch.objects.select_related("created_by", "rule")
    return qs[:limit] if limit else qs


def refused_import_list(*, limit: int | None = 50) -> QuerySet[RefusedImport]:
    """The files the import refused, newest first (like the imports, statistics staff's to read)."""
    qs = RefusedImport.objects.select_related("created_by")
    return qs[:limit] if limit else qs


def imports_for_district(*, district: District, limit: int = 20) -> QuerySet[ImportBatch]:
    """The imports that set the district's figures or its municipality's, newest first."""
    return (
        ImportBatch.objects.filter(
            Q(observations__district=district) | Q(observations__municipality=district.municipality)
        )
        .distinct()
        .select_related("created_by", "rule")[:limit]
    )
