"""Crosswalks: counts mapped from DeSO onto Bilaga 2's SAMS areas keep a district's series
unbroken across 2018, and every mapped figure says which crosswalk made it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stadsdel.areas.models import Crosswalk
from stadsdel.indicators.models import Observation
from stadsdel.indicators.services.imports import observations_import

pytestmark = pytest.mark.django_db

DESO = (
    "indicator,area,period,sex,value,numerator,denominator\n"
    "employment_rate_20_64,0127C1010,2018,T,60,600,1000\n"
    "employment_rate_20_64,0127C1020,2018,T,50,400,800\n"
)
# Alby's SAMS areas 01270001-02, 04-05: C1010 splits over the first two, C1020 over the others.
CROSSWALK = (
    "from_code,to_code,weight\n"
    "0127C1010,01270001,0.75\n"
    "0127C1010,01270002,0.25\n"
    "0127C1020,01270004,0.5\n"
    "0127C1020,01270005,0.5\n"
)


def test_deso_counts_map_onto_sams_and_the_district(tmp_path):
    (tmp_path / "deso.csv").write_text(DESO)
    observations_import(path=tmp_path / "deso.csv", fmt="csv")
    (tmp_path / "deso_sams.csv").write_text(CROSSWALK)
    out = StringIO()
    call_command("crosswalk", "load", str(tmp_path / "deso_sams.csv"), stdout=out)
    crosswalk = Crosswalk.objects.get(from_system__code="DeSO", to_system__code="SAMS")
    area = Observation.objects.get(unit_key="area:SAMS:01270001", period=2018, sex="T")
    assert (area.numerator, area.denominator, area.crosswalk) == (450, 750, crosswalk)
    alby = Observation.objects.get(level="district", district__name="Alby", period=2018, sex="T")
    assert (alby.numerator, alby.denominator) == (1000, 1800)
    assert alby.value == pytest.approx(100 * 1000 / 1800)
    assert alby.crosswalk == crosswalk
    # Loading the same key again changes nothing.
    before = Observation.history.count()
    call_command("crosswalk", "load", str(tmp_path / "deso_sams.csv"), stdout=StringIO())
    assert Observation.history.count() == before


def test_weights_must_sum_to_one_and_nothing_is_written(tmp_path):
    (tmp_path / "bad.csv").write_text(CROSSWALK.replace("0.25", "0.2"))
    with pytest.raises(CommandError, match="0127C1010"):
        call_command("crosswalk", "load", str(tmp_path / "bad.csv"))
    assert not Crosswalk.objects.exists()
