"""The SMART check of stored goals: the pure check (`plans.compute.smart_check`) fed with a
goal's facts and the district history of its indicator from the statistics."""

from __future__ import annotations

from stadsdel.indicators.models import Indicator, Level, Observation
from stadsdel.plans.compute import GoalInput, HistoryRow, LetterResult, smart_check
from stadsdel.plans.models import DistrictPlan, Goal


def smart_history(*, indicator: Indicator | None) -> list[HistoryRow]:
    """Every district's yearly figures for the indicator (sex total): the history that M and R
    are judged against. A suppressed figure is a row without a value."""
    if indicator is None:
        return []
    rows = Observation.objects.filter(
        indicator=indicator, level=Level.DISTRICT, sex=Observation.Sex.TOTAL,
    ).values_list("district__name", "period", "value")
    return [HistoryRow(name, year, indicator.code, value) for name, year, value in rows]


def _name(record, lang: str) -> str:
    if record is None:
        return ""
    return (record.name_en or record.name) if lang == "en" else record.name


def goal_input(*, plan: DistrictPlan, goal_area, scope_districts, population_group: str, indicator: Indicator | None,
               baseline_value, baseline_year, target_value, target_year, responsible, accepted_by: str,
               accepted_on, text: str, lang: str = "sv") -> GoalInput:
    """The check's view of a goal; the indicator and goal area are named for a reader in `lang`."""
    return GoalInput(
        text=text or "",
        goal_area=goal_area.key if goal_area is not None else None,
        scope=tuple(d.name for d in scope_districts),
        population_group=population_group or "",
        unit="percent" if indicator is not None and indicator.unit == Indicator.Unit.PERCENT else "number",
        higher_is_better=indicator is None or indicator.direction == Indicator.Direction.HIGHER_BETTER,
        indicator=indicator.code if indicator is not None else None,
        indicator_name=_name(indicator, lang),
        goal_area_name=_name(goal_area, lang),
        baseline_value=baseline_value, baseline_year=baseline_year,
        target_value=target_value, target_year=target_year,
        responsible=tuple(o.name for o in responsible),
        accepted_by=accepted_by or None, accepted_on=accepted_on,
        plan_period_end=plan.period_end,
    )


def goal_smart(*, goal: Goal, lang: str = "sv") -> dict[str, LetterResult]:
    """The check of a saved goal (its first indicator is the one measured)."""
    indicator = next(iter(goal.indicators.all()), None)
    return smart_check(goal_input(
        plan=goal.plan, goal_area=goal.goal_area, scope_districts=list(goal.scope_districts.all()),
        population_group=goal.population_group, indicator=indicator, baseline_value=goal.baseline_value,
        baseline_year=goal.baseline_year, target_value=goal.target_value, target_year=goal.target_year,
        responsible=[r.organisation for r in goal.responsibilities.all()], accepted_by=goal.accepted_by,
        accepted_on=goal.accepted_on, text=goal.text, lang=lang,
    ), smart_history(indicator=indicator), lang=lang)
