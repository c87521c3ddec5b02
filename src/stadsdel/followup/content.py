"""What the reports say, as plain data built from the statistics, the plans and the reports;
the renderers (HTML, PDF, Excel, CSV) only lay it out, so every format shows the same figures.

`public=True` builds the version anyone may read: only published plans and reports count, and
figures are the published aggregates (a suppressed figure has no value, so it never appears).
The ministry's own version also counts plans and reports that were submitted but not published.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext

from stadsdel.agreements.models import Agreement
from stadsdel.agreements.selectors import districts_in_force
from stadsdel.areas.models import District, Municipality
from stadsdel.followup.compute import (
    ACHIEVED,
    NO_DATA,
    OFF_TRACK,
    ON_TRACK,
    GoalStatus,
    goal_status,
)
from stadsdel.followup.models import AgencyReport, FollowUpReport, ReportSection, ReportStatus
from stadsdel.funding.selectors import funded_projects
from stadsdel.indicators.exclusion import headline_counts
from stadsdel.indicators.models import Indicator, Level, Observation
from stadsdel.indicators.page_selectors import district_profile, district_series
from stadsdel.indices.models import IndexModel
from stadsdel.indices.selectors import index_run
from stadsdel.lib.index import IndexInputError
from stadsdel.plans.deadlines import DONE_LATE, OVERDUE, deadline_on, deadline_status
from stadsdel.plans.models import NATIONAL_PROGRAMME, DistrictPlan, Goal, GoalArea, Programme
from stadsdel.plans.selectors import dimension_labels
from stadsdel.ui.templatetags.stadsdel import in_language

# The district table's indicators: one per goal area where the register has it, plus the
# measures of exclusion the agreement names first.
KEY_INDICATORS = (
    "employment_rate_20_64", "social_assistance_share", "post_secondary_education_25_64",
    "grade9_eligible_upper_secondary", "sickness_days_per_person", "low_economic_standard_share",
)
GOAL_STATUSES = (ACHIEVED, ON_TRACK, OFF_TRACK, NO_DATA)


@dataclass
class DistrictRow:
    district: District
    values: list[float | None]
    marked: bool | None  # marked by exclusion under the district rule (None: undecided)


@dataclass
class Distribution:
    indicator: Indicator
    national: float | None
    n: int
    minimum: float | None
    median: float | None
    maximum: float | None
    best: list[tuple[str, float]]
    worst: list[tuple[str, float]]


@dataclass
class GoalRow:
    goal: Goal
    district: District
    indicator: Indicator | None
    status: GoalStatus


@dataclass
class ReportDue:
    municipality: Municipality
    kind: str  # "report" or "plan"
    subject: str
    due: dt.date
    done_on: dt.date | None
    status: str  # plans.deadlines: done, done_late, due, overdue


@dataclass
class NationalContent:
    year: int
    public: bool
    generated: dt.datetime
    indicators: list[Indicator]
    national: list[float | None]
    districts: list[DistrictRow]
    headline_individuals: list[dict]
    headline_marked: list[dict]
    rule: str
    distributions: list[Distribution]
    goals: list[GoalRow]
    goal_counts: dict[str, int]
    due: list[ReportDue]
    notes: list[str] = field(default_factory=list)
    agency_reports: list = field(default_factory=list)  # AgencyReport: published (public) or submitted

    @property
    def headline(self) -> list[dict]:
        """The two overarching counts side by side, per year."""
        marked = {r["year"]: r for r in self.headline_marked}
        return [{"year": a["year"], "individuals": a["value"], "individuals_change": a["change"],
                 "marked": marked.get(a["year"], {}).get("value"), "marked_change": marked.get(a["year"], {}).get("change")}
                for a in self.headline_individuals]

    def cells(self, values: list[float | None]) -> list[tuple[float | None, int]]:
        """Values with the number of decimals each indicator is shown with."""
        return [(v, i.decimals) for v, i in zip(values, self.indicators, strict=True)]

    @property
    def missing_or_late(self) -> list[ReportDue]:
        return [d for d in self.due if d.status in (OVERDUE, DONE_LATE)]


def _visible_plans(public: bool):
    if public:
        return DistrictPlan.objects.filter(published=True)
    return DistrictPlan.objects.filter(
        Q(published=True) | Q(status__in=[DistrictPlan.Status.SUBMITTED, DistrictPlan.Status.RECEIVED]))


def _district_values(indicators: list[Indicator], districts: list[District], year: int) -> dict:
    rows = Observation.objects.filter(
        indicator__in=indicators, level=Level.DISTRICT, district__in=districts, period=year, sex="T",
        value__isnull=False,
    ).values_list("indicator_id", "district_id", "value")
    return {(i, d): v for i, d, v in rows}


def _national_values(indicators: list[Indicator], year: int) -> dict:
    rows = Observation.objects.filter(
        indicator__in=indicators, level=Level.COUNTRY, period=year, sex="T", value__isnull=False,
    ).values_list("indicator_id", "value")
    return dict(rows)


def _distribution(indicator: Indicator, values: list[tuple[str, float]], national: float | None) -> Distribution:
    better_high = indicator.direction == Indicator.Direction.HIGHER_BETTER
    ordered = sorted(values, key=lambda nv: (-nv[1] if better_high else nv[1], nv[0]))
    numbers = [v for _n, v in values]
    return Distribution(
        indicator, national, len(numbers), min(numbers) if numbers else None,
        statistics.median(numbers) if numbers else None, max(numbers) if numbers else None,
        ordered[:3], list(reversed(ordered[-3:])) if len(ordered) > 3 else [],
    )


def goal_rows(*, plans) -> list[GoalRow]:
    """Every goal of the plans with its status by projection, measured by its first indicator in
    the plan's district."""
    rows = []
    goals = list(Goal.objects.filter(plan__in=plans).select_related("plan__district__municipality", "goal_area")
                 .prefetch_related("indicators").order_by("plan__district__municipality__name",
                                                          "plan__district__name", "goal_area__position", "number"))
    # One query for every goal's series (a report lists all plans' goals), not one per goal.
    series: dict[tuple[int, int], list[tuple[int, float | None]]] = {}
    for indicator_id, district_id, period, value in Observation.objects.filter(
        indicator__in={i.pk for g in goals for i in g.indicators.all()}, level=Level.DISTRICT,
        district__in={g.plan.district_id for g in goals}, sex="T",
    ).values_list("indicator_id", "district_id", "period", "value"):
        series.setdefault((indicator_id, district_id), []).append((period, value))
    for goal in goals:
        indicator = next(iter(goal.indicators.all()), None)
        observations = series.get((indicator.pk, goal.plan.district_id), []) if indicator is not None else []
        status = goal_status(
            baseline_year=goal.baseline_year, baseline_value=goal.baseline_value, target_year=goal.target_year,
            target_value=goal.target_value, observations=observations,
            higher_is_better=indicator is None or indicator.direction == Indicator.Direction.HIGHER_BETTER,
        )
        rows.append(GoalRow(goal, goal.plan.district, indicator, status))
    return rows


def deadlines_due(*, year: int, districts: list[District], public: bool, today: dt.date) -> list[ReportDue]:
    """The follow-up report of every municipality with a district under an agreement, and the
    plan of every such district: done on time, done late, due or overdue."""
    programme = Programme.objects.get(key=NATIONAL_PROGRAMME)
    out: list[ReportDue] = []
    report_due = deadline_on(programme.report_deadline or "12-01", year)
    plan_due = deadline_on(programme.plan_deadline or "12-31", year)
    municipalities = sorted({d.municipality for d in districts}, key=lambda m: m.name)
    reports = {r.municipality_id: r for r in FollowUpReport.objects.filter(year=year, municipality__in=municipalities)}
    for m in municipalities:
        report = reports.get(m.pk)
        # In the public version an unpublished report counts by its date alone: that it was
        # submitted is public (the ministry's diary), its content is not.
        done = report.submitted_at.date() if report is not None and report.status != ReportStatus.DRAFT \
            and report.submitted_at else None
        out.append(ReportDue(m, "report", gettext("Follow-up report %(year)s") % {"year": year}, report_due, done,
                             deadline_status(due=report_due, done_on=done, today=today)))
    plans = {p.district_id: p for p in DistrictPlan.objects.filter(year=year, district__in=districts)}
    for d in sorted(districts, key=lambda d: (d.municipality.name, d.name)):
        plan = plans.get(d.pk)
        done = plan.submitted_at.date() if plan is not None and plan.submitted_at else None
        subject = gettext("Strategic district plan %(year)s: %(district)s") % {"year": year, "district": d.name}
        out.append(ReportDue(d.municipality, "plan", subject, plan_due, done,
                             deadline_status(due=plan_due, done_on=done, today=today)))
    return out


def national_content(*, year: int, public: bool, today: dt.date | None = None) -> NationalContent:
    today = today or dt.date.today()
    districts = list(
        districts_in_force(agreements=Agreement.objects.all(), year=year)
        .select_related("municipality").order_by("municipality__name", "name")
    )
    indicators = list(Indicator.objects.filter(code__in=KEY_INDICATORS))
    indicators.sort(key=lambda i: KEY_INDICATORS.index(i.code))
    values = _district_values(indicators, districts, year)
    national = _national_values(indicators, year)
    headline = headline_counts(districts=districts)
    verdicts = headline.marked.get(year, {})
    rows = [
        DistrictRow(d, [values.get((i.pk, d.pk)) for i in indicators],
                    verdicts[d.pk].marked if d.pk in verdicts else None)
        for d in districts
    ]
    distributions = [
        _distribution(i, [(r.district.name, r.values[k]) for r in rows if r.values[k] is not None], national.get(i.pk))
        for k, i in enumerate(indicators)
    ]
    plans = _visible_plans(public).filter(year=year, district__in=districts)
    goals = goal_rows(plans=plans)
    counts = {s: sum(1 for g in goals if g.status.status == s) for s in GOAL_STATUSES}
    notes = []
    if not goals:
        notes.append(gettext("No goals in the plans that the year's report includes."))
    return NationalContent(
        year=year, public=public, generated=dt.datetime.now(dt.UTC), indicators=indicators,
        national=[national.get(i.pk) for i in indicators], districts=rows,
        headline_individuals=[r for r in headline.individuals_national if r["year"] <= year],
        headline_marked=[r for r in headline.districts_marked_national if r["year"] <= year],
        rule=str(headline.rule) if headline.rule else "", distributions=distributions, goals=goals,
        goal_counts=counts, due=deadlines_due(year=year, districts=districts, public=public, today=today), notes=notes,
        agency_reports=_agency_reports(year=year, public=public),
    )


def _agency_reports(*, year: int, public: bool) -> list:
    qs = AgencyReport.objects.filter(year=year).select_related("organisation").order_by("organisation__name")
    return list(qs.filter(published=True) if public else qs.exclude(status=ReportStatus.DRAFT))


# -- the municipality's follow-up ---------------------------------------------------------------

@dataclass
class IndexSummary:
    model: str
    year: int
    value: float | None
    rank: int | None
    units: int
    base_year: int | None
    base_value: float | None

    @property
    def change_percent(self) -> float | None:
        if self.value is None or not self.base_value or self.base_year == self.year:
            return None
        return 100.0 * (self.value / self.base_value - 1)


@dataclass
class DistrictSection:
    district: District
    goal_areas: list[tuple[str, list]]  # (goal area name, [IndicatorSeries])
    profile: object  # indicators.page_selectors.DistrictProfile
    index: IndexSummary | None
    goals: list[GoalRow]


@dataclass
class FollowUpContent:
    municipality: Municipality
    year: int
    public: bool
    generated: dt.datetime
    report: FollowUpReport | None
    narratives: list[tuple[str, str]]  # (section title, text); none in public unless published
    districts: list[DistrictSection]
    due: ReportDue | None
    # Granted fund projects running in the year with their reported results (funding app).
    funded_projects: list = field(default_factory=list)


def _index_summaries(municipality: Municipality, year: int) -> dict[int, IndexSummary]:
    """The active index model whose reference is the municipality, per district (none when the
    municipality has no model of its own: an index is relative to its reference)."""
    model = IndexModel.objects.filter(active=True, reference_municipality=municipality).order_by("pk").first()
    if model is None:
        return {}
    try:
        run = index_run(model=model, level="district")
    except IndexInputError:
        return {}
    result = run.result
    if year not in result.years:
        return {}
    y = result.year_index(year)
    base = result.year_index(model.base_year) if model.base_year in result.years else None
    out = {}
    for u, unit in enumerate(result.units):
        district = run.districts.get(unit)
        if district is None:
            continue

        def value(k, u=u):
            v = float(result.total[k, u])
            return None if v != v else v

        rank = result.rank[y, u]
        out[district.pk] = IndexSummary(
            str(model), year, value(y), None if rank != rank else int(rank), int((result.rank[y] == result.rank[y]).sum()),
            model.base_year if base is not None else None, value(base) if base is not None else None,
        )
    return out


def followup_content(*, municipality: Municipality, year: int, public: bool,
                     today: dt.date | None = None) -> FollowUpContent:
    """The generated part of a municipality's follow-up for a year: per district under an
    agreement in force (or with a plan that year), the indicators of each goal area against
    municipality, county and country, the seven dimensions, the risk index and the goals' status;
    with the narrative sections where the reader may see them."""
    today = today or dt.date.today()
    in_force = list(districts_in_force(agreements=Agreement.objects.all(), year=year, municipality=municipality))
    with_plans = District.objects.filter(plans__year=year, municipality=municipality)
    districts = sorted({*in_force, *with_plans}, key=lambda d: d.name)
    areas = list(GoalArea.objects.filter(programme__key=NATIONAL_PROGRAMME).order_by("position"))
    index = _index_summaries(municipality, year)
    labels = dimension_labels()
    plans = _visible_plans(public).filter(year=year)
    sections = []
    for district in districts:
        series = district_series(district=district)
        for s in series:
            s.years = [y for y in s.years if y.year <= year]
        by_area = [(in_language(a), [s for s in series if a.key in (s.indicator.goal_areas or []) and s.years]) for a in areas]
        sections.append(DistrictSection(
            district, by_area, district_profile(district=district, year=year, labels=labels), index.get(district.pk),
            goal_rows(plans=plans.filter(district=district)),
        ))
    report = FollowUpReport.objects.filter(municipality=municipality, year=year).first()
    narratives = []
    if report is not None and (report.published or not public):
        texts = {s.key: s.text for s in report.sections.all()}
        narratives = [(label, texts.get(key, "")) for key, label in ReportSection.Key.choices]
    due = next((d for d in deadlines_due(year=year, districts=districts, public=public, today=today)
                if d.kind == "report"), None) if districts else None
    return FollowUpContent(municipality, year, public, dt.datetime.now(dt.UTC), report, narratives, sections, due,
                           funded_projects(municipality=municipality, year=year))
