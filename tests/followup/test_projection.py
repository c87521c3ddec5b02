"""Whether a goal is on track, by linear projection (followup/compute.py)."""

import pytest

from stadsdel.followup.compute import ACHIEVED, NO_DATA, OFF_TRACK, ON_TRACK, goal_status


def status(**kw):
    base = {"baseline_year": 2010, "baseline_value": 60.0, "target_year": 2014, "target_value": 66.0,
            "observations": [(2010, 60.0), (2011, 61.0), (2012, 63.0)], "higher_is_better": True}
    base.update(kw)
    return goal_status(**base)


def test_on_track_by_the_line_from_baseline_through_the_latest():
    got = status()
    # +3 in two years = 1.5 a year; 63 + 1.5 × 2 = 66 by 2014: exactly on target.
    assert got.status == ON_TRACK
    assert (got.latest_year, got.latest_value) == (2012, 63.0)
    assert got.yearly_change == pytest.approx(1.5) and got.projected_value == pytest.approx(66.0)


def test_off_track():
    got = status(observations=[(2010, 60.0), (2012, 62.0)])
    assert got.status == OFF_TRACK and got.projected_value == pytest.approx(64.0)


def test_achieved_already():
    assert status(observations=[(2011, 67.0)]).status == ACHIEVED


def test_lower_is_better():
    got = status(baseline_value=20.0, target_value=14.0, higher_is_better=False,
                 observations=[(2012, 16.0)])  # −2 a year: 12 by 2014
    assert got.status == ON_TRACK
    assert status(baseline_value=20.0, target_value=14.0, higher_is_better=False,
                  observations=[(2012, 19.0)]).status == OFF_TRACK


@pytest.mark.parametrize("kw", [
    {"baseline_value": None}, {"target_year": None}, {"observations": []},
    {"observations": [(2010, 60.0)]},  # only the baseline year itself
    {"observations": [(2011, None), (2012, None)]},  # suppressed figures are no figures
])
def test_no_data_is_never_a_guess(kw):
    assert status(**kw).status == NO_DATA


def test_target_year_passed_without_reaching_the_target():
    got = status(target_year=2012, observations=[(2013, 64.0)])
    assert got.status == OFF_TRACK
