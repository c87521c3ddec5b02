"""The units a figure is for — a statistical area, a district, a municipality, a county or the
country — and the reading of the codes files use for them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stadsdel.areas.models import County, Municipality, StatisticalArea
from stadsdel.areas.services import AreaResolver
from stadsdel.indicators.models import Level, area_unit_key
from stadsdel.indicators.selectors import code_level

COUNTRY_KEY = "country:SE"


@dataclass(frozen=True)
class Unit:
    """A resolved unit of an observation: its level, its key and the row it points to."""

    level: str
    key: str
    statistical_area_id: int | None = None
    district_id: int | None = None
    municipality_id: int | None = None
    county_id: int | None = None


def unit_for_area(area: StatisticalArea, system_code: str) -> Unit:
    return unit_for_area_code(area.pk, system_code, area.code)


def unit_for_area_code(area_id: int, system_code: str, code: str) -> Unit:
    return Unit(Level.AREA, area_unit_key(system_code, code), statistical_area_id=area_id)


def unit_for_district(district_id: int) -> Unit:
    return Unit(Level.DISTRICT, f"district:{district_id}", district_id=district_id)


def unit_for_municipality(municipality: Municipality) -> Unit:
    return Unit(Level.MUNICIPALITY, f"municipality:{municipality.code}", municipality_id=municipality.pk)


def unit_for_county(county: County) -> Unit:
    return Unit(Level.COUNTY, f"county:{county.code}", county_id=county.pk)


COUNTRY = Unit(Level.COUNTRY, COUNTRY_KEY)


class UnitResolver:
    """Turns the area codes written in files into units, from one read of the registry.

    SAMS (8 digits), DeSO and RegSO codes name statistical areas (registered when first seen,
    see `AreaResolver`); 4 digits a municipality; 2 digits a county; "SE", "00" and Kolada's
    "0000" the country; Kolada's "0001"–"0025" are the regions (county codes 01–25). Must run
    inside the import's transaction, so a refused file leaves no new areas behind.
    """

    def __init__(self) -> None:
        self.municipalities = {m.code: m for m in Municipality.objects.all()}
        self.counties = {c.code: c for c in County.objects.all()}
        # The registry's areas of the national code systems as plain (id, system) pairs: the
        # country has thousands, and model instances of them all cost more than a whole
        # unchanged file. The `AreaResolver`, which registers new areas, is only built for a
        # code that is not among them.
        self.known_areas: dict[str, tuple[int, str]] = {
            code: (pk, system)
            for code, pk, system in StatisticalArea.objects.filter(code_system__municipality_specific=False)
            .values_list("code", "pk", "code_system__code")
        }
        self.areas: AreaResolver | None = None
        # A national file names each area once per year and sex: resolve each code once.
        self._resolved: dict[tuple[str, bool], Unit | None] = {}

    @property
    def registered(self) -> int:
        """How many statistical areas this resolver registered."""
        return self.areas.registered if self.areas is not None else 0

    def resolve(self, code: str, *, kolada: bool = False) -> Unit | None:
        key = (code, kolada)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(code.strip(), kolada=kolada)
        return self._resolved[key]

    def resolve_many(self, codes, *, kolada: bool = False) -> dict[str, Unit | None]:
        """`resolve` for each distinct code; the statistical areas new to the registry are
        registered together (`AreaResolver.areas_many`)."""
        result: dict[str, Unit | None] = {}
        pending: dict[str, str] = {}  # code as written -> stripped, for areas to register
        resolved, known_areas = self._resolved, self.known_areas
        for code in set(codes):
            key = (code, kolada)
            if key in resolved:
                result[code] = resolved[key]
                continue
            stripped = code.strip()
            if not (kolada and stripped.startswith("00")) and code_level(stripped) == Level.AREA:
                known = known_areas.get(stripped)
                if known is None:
                    pending[code] = stripped
                else:
                    # What `_resolve` gives for a known area, without its second reading of
                    # the code: a national file names some 6 000 areas.
                    resolved[key] = result[code] = unit_for_area_code(known[0], known[1], stripped)
                continue
            result[code] = self.resolve(code, kolada=kolada)
        if pending:
            if self.areas is None:
                self.areas = AreaResolver()
            found = self.areas.areas_many(pending.values())
            for code, stripped in pending.items():
                area = found[stripped]
                unit = unit_for_area(area, area.code_system.code) if area is not None else None
                self._resolved[(code, kolada)] = result[code] = unit
        return result

    def _resolve(self, code: str, *, kolada: bool) -> Unit | None:
        if kolada and code == "0000":
            return COUNTRY
        if kolada and re.fullmatch(r"00\d\d", code):
            county = self.counties.get(code[2:])
            return unit_for_county(county) if county else None
        # The same rule `stats show --area` reads back by.
        level = code_level(code)
        if level == Level.COUNTRY:
            return COUNTRY
        if level == Level.MUNICIPALITY:
            municipality = self.municipalities.get(code)
            return unit_for_municipality(municipality) if municipality else None
        if level == Level.COUNTY:
            county = self.counties.get(code)
            return unit_for_county(county) if county else None
        known = self.known_areas.get(code)
        if known is not None:
            return unit_for_area_code(known[0], known[1], code)
        if self.areas is None:
            self.areas = AreaResolver()
        area = self.areas.area(code)
        return unit_for_area(area, area.code_system.code) if area is not None else None
