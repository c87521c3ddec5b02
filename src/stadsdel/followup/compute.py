"""Pure computations of the reports: whether a goal is on track (the rule is `plans.compute.goal_status`),
and a follow-up report's stages and next steps."""

from __future__ import annotations

# Whether a goal is on track is one rule, used by the reports and the plan page alike; it lives
# with the goals (`plans.compute`) so the plan page, below this app, can use it too.
from stadsdel.plans.compute import (
    ACHIEVED,
    NO_DATA,
    OFF_TRACK,
    ON_TRACK,
    GoalStatus,
    goal_status,
)

__all__ = ["ACHIEVED", "NO_DATA", "OFF_TRACK", "ON_TRACK", "GoalStatus", "goal_status", "report_next_steps",
           "report_stages"]


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
