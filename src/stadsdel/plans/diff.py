"""Comparing a plan's goals as submitted with the goals today (pure functions on the snapshot
dicts that `plans.selectors.plan_snapshot` writes)."""

from __future__ import annotations

from dataclasses import dataclass, field

# The fields of a goal a reader cares about when a plan changed after submission.
COMPARED = (
    "goal_area", "title", "text", "scope", "population_group", "indicators", "baseline_value", "baseline_year",
    "target_value", "target_year", "responsible", "accepted_by", "accepted_on", "follow_up",
)


@dataclass
class GoalChange:
    key: str  # goal area and number, e.g. "arbete 1.1"
    kind: str  # "added", "removed" or "changed"
    before: dict | None = None
    after: dict | None = None
    fields: list[tuple[str, object, object]] = field(default_factory=list)  # (field, before, after)


def goal_key(goal: dict) -> str:
    return f"{goal['goal_area']} {goal['number']}"


def goals_diff(before: list[dict], after: list[dict]) -> list[GoalChange]:
    """What changed between two lists of goals, matched by goal area and number: goals added,
    removed, and changed (with each changed field's old and new value)."""
    old = {goal_key(g): g for g in before}
    new = {goal_key(g): g for g in after}
    changes = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a is None:
            changes.append(GoalChange(key, "added", after=b))
        elif b is None:
            changes.append(GoalChange(key, "removed", before=a))
        else:
            fields = [(name, a.get(name), b.get(name)) for name in COMPARED if a.get(name) != b.get(name)]
            if fields:
                changes.append(GoalChange(key, "changed", before=a, after=b, fields=fields))
    return changes
