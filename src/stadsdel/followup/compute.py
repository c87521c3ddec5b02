"""Pure computations of the reports: whether a goal is on track, by linear projection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ACHIEVED, ON_TRACK, OFF_TRACK, NO_DATA = "achieved", "on_track", "off_track", "no_data"


@dataclass(frozen=True)
class GoalStatus:
    status: str
    latest_year: int | None = None
    latest_value: float | None = None
    projected_value: float | None = None  # at the target year, continuing the change since the baseline
    yearly_change: float | None = None


def goal_status(
    *, baseline_year: int | None, baseline_value: float | None, target_year: int | None,
    target_value: float | None, observations: Sequence[tuple[int, float | None]], higher_is_better: bool,
) -> GoalStatus:
    """Where a goal stands: the latest figure after the baseline year, and the straight line from
    the baseline through it continued to the target year.

    * `achieved` — the latest figure already meets the target (in the better direction);
    * `on_track` — the projection meets the target by the target year;
    * `off_track` — it does not;
    * `no_data` — no baseline or target, or no figure after the baseline year (a suppressed
      figure is no figure): never a guess.

    The line runs through two points, the baseline and the latest figure: goals state a baseline
    and a target, and the question a follow-up answers is whether the change since the baseline
    is fast enough, not how a regression through noisy years would read.
    """
    if None in (baseline_year, baseline_value, target_year, target_value):
        return GoalStatus(NO_DATA)
    later = sorted((y, v) for y, v in observations if v is not None and y > baseline_year)
    if not later:
        return GoalStatus(NO_DATA)
    latest_year, latest_value = later[-1]
    sign = 1.0 if higher_is_better else -1.0
    rate = (latest_value - baseline_value) / (latest_year - baseline_year)
    projected = latest_value + rate * (target_year - latest_year) if target_year > latest_year else latest_value
    if sign * (latest_value - target_value) >= 0:
        return GoalStatus(ACHIEVED, latest_year, latest_value, projected, rate)
    status = ON_TRACK if target_year > latest_year and sign * (projected - target_value) >= 0 else OFF_TRACK
    return GoalStatus(status, latest_year, latest_value, projected, rate)


# -- a follow-up report's way: draft → submitted → received → published ---------------------------

STAGES = ("draft", "submitted", "received", "published")


def report_stages(*, status: str, published: bool) -> list[tuple[str, str]]:
    """Each stage of the report's way with its state: "done", "current" or "todo". Publishing is
    the last stage; a report published before it was received still shows the steps it skipped as
    to do, so nobody reads "published" as "received"."""
    reached = STAGES.index(status) if status in STAGES else 0
    out = []
    for i, stage in enumerate(STAGES[:3]):
        out.append((stage, "done" if i < reached or (i == reached and published) else
                    "current" if i == reached else "todo"))
    out.append(("published", "current" if published else "todo"))
    return out


def report_next_steps(*, status: str, published: bool, writer: bool, ministry: bool) -> list[str]:
    """The step(s) this reader may take next (`followup.services.report_step`'s action names):
    the municipality submits a draft and publishes a received report; the ministry receives a
    submitted one. Nothing else is offered as the next step (unpublishing stays on the page)."""
    steps = []
    if writer and status == "draft":
        steps.append("submit")
    if ministry and status == "submitted":
        steps.append("receive")
    if writer and status == "received" and not published:
        steps.append("publish")
    return steps
