"""Disclosure control for aggregated register data (Django-free, vectorised).

Two rules, applied to cells that count persons:

* primary: a cell is suppressed when its denominator is below `min_cell`, or its numerator is
  between 1 and `min_cell` − 1, or — for a share — its complement (denominator − numerator) is
  between 1 and `min_cell` − 1 (a share of 97 % among 40 persons tells that 1 person is *not*
  employed just as clearly as a count of 1);
* secondary: when a published aggregate (a district, a municipality, the total of women and men)
  has exactly one suppressed component, the suppressed figure is the aggregate minus the others.
  So a second component — the unsuppressed one with the smallest denominator — is suppressed too.
  This repeats until nothing changes, because one area belongs to several aggregates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def primary_suppressed(numerator: np.ndarray, denominator: np.ndarray, is_share: np.ndarray, min_cell: int) -> np.ndarray:
    """Boolean mask of the cells the primary rule suppresses."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    share = np.asarray(is_share, dtype=bool)
    small = (num >= 1) & (num < min_cell)
    complement = den - num
    small_complement = share & (complement >= 1) & (complement < min_cell)
    return (den < min_cell) | small | small_complement


def secondary_suppressed(
    suppressed: np.ndarray, denominator: np.ndarray, links: pd.DataFrame, *, max_rounds: int = 50,
) -> tuple[np.ndarray, int]:
    """Extend `suppressed` so no suppressed cell can be derived by subtraction.

    `links` has integer columns `aggregate` and `component`: positions of cells in the arrays,
    one row per (aggregate cell, component cell). Returns the new mask and how many cells the
    secondary rule added.
    """
    mask = np.asarray(suppressed, dtype=bool).copy()
    den = np.asarray(denominator, dtype=float)
    if links.empty:
        return mask, 0
    agg = links["aggregate"].to_numpy()
    comp = links["component"].to_numpy()
    added = 0
    for _round in range(max_rounds):
        comp_supp = mask[comp]
        # Number of suppressed components per aggregate cell.
        counts = np.bincount(agg, weights=comp_supp.astype(float), minlength=mask.size)
        exposed = (counts == 1) & ~mask
        if not exposed.any():
            break
        candidate = exposed[agg] & ~comp_supp
        frame = pd.DataFrame({"aggregate": agg[candidate], "component": comp[candidate], "den": den[comp[candidate]]})
        # Smallest denominator first; ties broken by position so the choice is deterministic.
        frame = frame.sort_values(["aggregate", "den", "component"], kind="mergesort")
        chosen = frame.drop_duplicates("aggregate")["component"].to_numpy()
        # An aggregate with a single component has nothing to hide behind: suppress it instead.
        lonely = np.setdiff1d(np.flatnonzero(exposed), frame["aggregate"].to_numpy())
        newly = np.unique(np.concatenate([chosen, lonely]))
        newly = newly[~mask[newly]]
        if newly.size == 0:
            break
        mask[newly] = True
        added += int(newly.size)
    else:  # pragma: no cover - would need a pathological hierarchy
        raise RuntimeError("secondary suppression did not settle")
    return mask, added
