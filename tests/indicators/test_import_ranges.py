"""Figures that cannot be right are refused (issue 15, finding 8): the catalogue declares each
indicator's valid range (shares 0–100, rates ≥ 0, counts whole and ≥ 0), and an import with a
value outside it, a negative count or, for a share, a numerator above its denominator is refused
naming the file, the row and the value; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from stadsdel.areas.models import StatisticalArea
from stadsdel.indicators.importers.base import ImportFileError
from stadsdel.indicators.models import ImportBatch, Indicator, Observation
from stadsdel.indicators.services.imports import observations_import
from stadsdel.indicators.services.observations import NewObservation, observations_write
from stadsdel.indicators.services.units import COUNTRY

FILES = Path(__file__).parent / "files"
EMP = "employment_rate_20_64"
CRIMES = "reported_crimes_per_1000"
pytestmark = pytest.mark.django_db


def counts():
    return (Observation.objects.count(), Observation.history.count(), ImportBatch.objects.count(),
            StatisticalArea.objects.count())


def problems_of(excinfo) -> list[str]:
    return [str(problem) for problem in excinfo.value.problems]


def test_a_population_count_imported_as_a_share_is_refused_naming_file_cell_and_value():
    # An SCB json-stat2 response of a population count (50 937 persons) given as the employment
    # rate: before, it was stored as 50 937 per cent, status ok.
    before = counts()
    with pytest.raises(ImportFileError) as excinfo:
        observations_import(path=FILES / "pxweb_population_count.json", fmt="pxweb", indicator=EMP)
    assert excinfo.value.file == "pxweb_population_count.json"
    assert problems_of(excinfo) == [
        "value[0]: värdet 50937 ligger utanför 0–100, det giltiga intervallet för employment_rate_20_64 "
        "(procent); är filen rätt indikator?"
    ]
    assert counts() == before


def test_shares_rates_and_counts_are_checked_row_by_row(tmp_path):
    path = tmp_path / "blandat.csv"
    path.write_text(
        "indicator,area,period,sex,value,numerator,denominator\n"
        f"{EMP},01270001,2010,T,55.5,555,1000\n"  # rad 2: fine
        f"{EMP},01270002,2010,T,,1200,1000\n"  # rad 3: more employed than residents
        f"{EMP},0127,2010,T,-2,,\n"  # rad 4: a negative share
        f"{EMP},0136,2010,T,100.5,,\n"  # rad 5: above 100 %
        f"{CRIMES},0127,2010,T,-0.5,,\n"  # rad 6: a negative rate
        f"{CRIMES},0136,2010,T,1250,2500,2000\n"  # rad 7: fine: a rate is no share
        f"{CRIMES},0180,2010,T,,-1,2000\n"  # rad 8: a negative count
        f"{EMP},0180,2010,T,100,1000,1000\n"  # rad 9: fine: the whole population
    )
    before = counts()
    with pytest.raises(ImportFileError) as excinfo:
        observations_import(path=path, fmt="csv")
    assert excinfo.value.file == "blandat.csv"
    assert problems_of(excinfo) == [
        "rad 3: täljaren 1200 är större än nämnaren 1000; employment_rate_20_64 är en andel",
        "rad 4: värdet -2 ligger utanför 0–100, det giltiga intervallet för employment_rate_20_64 (procent); "
        "är filen rätt indikator?",
        "rad 5: värdet 100.5 ligger utanför 0–100, det giltiga intervallet för employment_rate_20_64 (procent); "
        "är filen rätt indikator?",
        "rad 6: värdet -0.5 är lägre än 0, det lägsta giltiga värdet för reported_crimes_per_1000 "
        "(per 1 000 invånare); är filen rätt indikator?",
        "rad 8: täljaren -1 är negativ",
    ]
    assert counts() == before


def test_a_count_must_be_a_whole_number(tmp_path):
    Indicator.objects.create(
        code="population", name="Folkmängd", name_en="Population", definition="Folkbokförda personer.",
        unit=Indicator.Unit.COUNT, scale=1, is_share=False, direction=Indicator.Direction.HIGHER_BETTER,
        source=Indicator.Source.SCB, value_min=0, whole_numbers=True,
    )
    path = tmp_path / "folkmangd.csv"
    path.write_text("indicator,area,period,value\npopulation,2081,2012,50937.5\npopulation,2081,2013,-3\n")
    with pytest.raises(ImportFileError) as excinfo:
        observations_import(path=path, fmt="csv")
    assert problems_of(excinfo) == [
        "rad 2: värdet 50937.5 är inget heltal; population räknas i hela tal (antal)",
        "rad 3: värdet -3 är lägre än 0, det lägsta giltiga värdet för population (antal); är filen rätt indikator?",
    ]
    path.write_text("indicator,area,period,value\npopulation,2081,2012,50937\n")
    assert observations_import(path=path, fmt="csv").created == 1


def test_figures_computed_elsewhere_are_checked_where_they_are_written():
    # The microdata aggregation, the crosswalk mapping and the district sums write through
    # observations_write too; a figure out of range there is refused, naming the unit.
    batch = ImportBatch.objects.create(kind=ImportBatch.Kind.MICRODATA, source_name="register.parquet")
    employment = Indicator.objects.get(code=EMP)
    row = NewObservation(employment.pk, COUNTRY, 2012, "T", 150.0, 1500.0, 1000.0, "ok")
    with pytest.raises(ImportFileError) as excinfo:
        observations_write([row], batch=batch)
    assert excinfo.value.file == "register.parquet"
    assert problems_of(excinfo) == [
        "country:SE, 2012, T: täljaren 1500 är större än nämnaren 1000; employment_rate_20_64 är en andel",
    ]
    assert not Observation.objects.exists()


def test_every_catalogue_indicator_declares_its_valid_range():
    indicators = list(Indicator.objects.all())
    assert len(indicators) >= 15
    for indicator in indicators:
        declared = (indicator.value_min, indicator.value_max, indicator.whole_numbers)
        if indicator.unit == Indicator.Unit.PERCENT and indicator.is_share:
            assert declared == (0, 100, False), indicator.code
        elif indicator.unit in (Indicator.Unit.PER_1000, Indicator.Unit.DAYS_PER_PERSON):
            assert declared == (0, None, False), indicator.code
        elif indicator.unit == Indicator.Unit.COUNT:
            assert declared == (0, None, True), indicator.code
        else:
            pytest.fail(f"{indicator.code}: no expectation for unit {indicator.unit}")
