"""Disclosure control: the primary rule, and secondary suppression so nothing follows by subtraction."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from stadsdel.lib.disclosure import primary_suppressed, secondary_suppressed


def test_primary_rule_on_hand_made_cells():
    num = np.array([0, 1, 4, 5, 20, 36, 40, 3, 10])
    den = np.array([10, 10, 10, 10, 4, 40, 40, 40, 12])
    share = np.array([True, True, True, True, True, True, True, False, True])
    got = primary_suppressed(num, den, share, 5)
    # 0 of 10: fine; 1 and 4 of 10: small numerator; 5 of 10 fine; den 4 < 5; 36 of 40: 4 are not
    # (complement); 40 of 40: complement 0 is fine; a non-share (days) ignores the complement but a
    # numerator of 3 is still small; 10 of 12: complement 2.
    assert got.tolist() == [False, True, True, False, True, True, False, True, True]


def test_secondary_suppresses_the_smallest_other_component():
    # Cells: 0 = district total, 1..3 = its areas; area 2 is suppressed by the primary rule.
    suppressed = np.array([False, False, True, False])
    den = np.array([100.0, 60.0, 3.0, 37.0])
    links = pd.DataFrame({"aggregate": [0, 0, 0], "component": [1, 2, 3]})
    mask, added = secondary_suppressed(suppressed, den, links)
    assert mask.tolist() == [False, False, True, True]
    assert added == 1


def test_secondary_leaves_two_suppressed_components_alone():
    suppressed = np.array([False, True, True, False])
    den = np.array([100.0, 3.0, 4.0, 93.0])
    links = pd.DataFrame({"aggregate": [0, 0, 0], "component": [1, 2, 3]})
    mask, added = secondary_suppressed(suppressed, den, links)
    assert mask.tolist() == suppressed.tolist()
    assert added == 0


def test_secondary_suppression_cascades_across_overlapping_aggregates():
    # Two aggregates share area 2: district (0) = areas 2+3, municipality (1) = areas 2+3+4.
    # Area 3 is suppressed; the district forces area 2; the municipality then has two, fine.
    suppressed = np.array([False, False, False, True, False])
    den = np.array([30.0, 80.0, 20.0, 10.0, 50.0])
    links = pd.DataFrame({"aggregate": [0, 0, 1, 1, 1], "component": [2, 3, 2, 3, 4]})
    mask, _added = secondary_suppressed(suppressed, den, links)
    assert mask.tolist() == [False, False, True, True, False]


def test_an_aggregate_of_one_suppressed_component_is_itself_suppressed():
    suppressed = np.array([False, True])
    links = pd.DataFrame({"aggregate": [0], "component": [1]})
    mask, _ = secondary_suppressed(suppressed, np.array([3.0, 3.0]), links)
    assert mask.tolist() == [True, True]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=1, max_size=8))
def test_no_published_aggregate_has_exactly_one_suppressed_component(parts):
    # One aggregate (cell 0) over len(parts) components with random denominators and flags.
    den = np.array([sum(d for d, _ in parts) + 1.0] + [float(d) for d, _ in parts])
    suppressed = np.array([False] + [flag for _, flag in parts])
    links = pd.DataFrame({"aggregate": [0] * len(parts), "component": list(range(1, len(parts) + 1))})
    mask, _ = secondary_suppressed(suppressed, den, links)
    assert (mask[1:] >= suppressed[1:]).all()  # never un-suppresses
    if not mask[0]:
        assert mask[1:].sum() != 1
