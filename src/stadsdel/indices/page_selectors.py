"""What the index pages show, built from one index run: the table per unit with its domain
breakdown, change and rank interval, the priority selection, and chart rows."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator

from stadsdel.areas.models import District
from stadsdel.areas.selectors import area_labels
from stadsdel.core.language import page_language
from stadsdel.indices.models import IndexModel
from stadsdel.indices.selectors import IndexRun, index_run
from stadsdel.jobs.selectors import TaskState
from stadsdel.lib.index import (
    Change,
    IndexResult,
    Sensitivity,
    index_change,
    priority_select,
    sensitivity_analyse,
)

PAGE_DRAWS = 1000
PAGE_SEED = 0
# A run with more units than these (the areas of a country: 6 000) is shown in part: the table a
# page of rows at a time, highest risk first, with a search and the CSV of every unit; the bars and
# rank intervals the highest-ranked units (6 000 bars cannot be read), the trend the highest few
# lines. A municipality's districts, committee areas or areas stay whole.
TABLE_ROWS = 100
CHART_UNITS = 50
TREND_UNITS = 10
# The change is only shown against a base year: without one each year has its own 100 and a
# falling index may only mean the others rose.


def _num(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


@dataclass
class UnitRow:
    unit: str
    district: District | None
    rank: int | None
    total: float | None
    domains: list[float | None]
    change: Change | None
    coverage_partial: bool  # some indicator rests on part of the unit's areas
    median_rank: float | None = None
    rank_p05: float | None = None
    rank_p95: float | None = None
    selection_frequency: float | None = None
    selected: bool = False
    # What the page calls the unit: the unit itself (a district's label), or for an area its
    # name or code with its municipality (`areas.selectors.area_labels`).
    label: str = ""


@dataclass
class IndexPage:
    model: IndexModel
    run: IndexRun
    year: int
    start_year: int | None
    threshold: float
    rows: list[UnitRow]
    selected: list[str]
    improved_least: list[Change]
    sensitivity: Sensitivity | None
    reference_total: float | None
    domain_names: list[str] = field(default_factory=list)
    # Each unit's label where it is not the unit itself (the areas of the area level).
    labels: dict[str, str] = field(default_factory=dict)
    # The task computing the sensitivity analysis, while `sensitivity` is not there yet (or its
    # failure, in words).
    sensitivity_task: TaskState | None = None

    @property
    def years(self) -> tuple[int, ...]:
        return self.run.years

    def label(self, unit: str) -> str:
        return self.labels.get(unit, unit)

    @property
    def ranked_count(self) -> int:
        return sum(1 for r in self.rows if r.rank is not None)

    @property
    def charts_cut(self) -> bool:
        """Whether the charts show only the highest-ranked units (`chart_rows`)."""
        return self.ranked_count > CHART_UNITS

    def chart_rows(self) -> list[UnitRow]:
        """The rows the bar and rank-interval charts draw: every ranked unit, or the
        `CHART_UNITS` highest when there are more."""
        ranked = [r for r in self.rows if r.rank is not None]
        return ranked[:CHART_UNITS] if self.charts_cut else ranked

    def trend_units(self) -> list[str] | None:
        """The units the trend draws when the charts are cut (the `TREND_UNITS` highest in the
        year shown); None: every unit."""
        return [r.unit for r in self.chart_rows()[:TREND_UNITS]] if self.charts_cut else None

    def trend_rows(self) -> list[dict]:
        """`{"year", "series", "value"}` per unit and year (the `trend_units`), plus the
        reference."""
        result = self.run.result
        shown = self.trend_units()
        indices = range(len(result.units)) if shown is None else [result.units.index(unit) for unit in shown]
        rows = [
            {"year": year, "series": self.label(result.units[u]), "value": _num(result.total[y, u])}
            for u in indices for y, year in enumerate(result.years)
        ]
        rows += [
            {"year": year, "series": self.run.reference_label, "value": value}
            for year, value in zip(result.years, self.run.reference_total, strict=True)
        ]
        return rows

    def csv_rows(self) -> list[list]:
        # `unit` is what a unit is known by in other files (an area's code), to join on; `label`
        # what the page calls it.
        header = ["unit", "label", "year", "rank", "index", *self.domain_names, "change_percent", "change_from",
                  "median_rank", "rank_p05", "rank_p95", "selection_frequency", "selected", "model", "model_version"]
        out: list[list] = [header]
        for row in self.rows:
            out.append([
                row.unit, row.label, self.year, row.rank, row.total, *row.domains,
                row.change.percent if row.change else None, self.start_year if row.change else None,
                row.median_rank, row.rank_p05, row.rank_p95, row.selection_frequency, int(row.selected),
                self.model.name, self.model.version,
            ])
        return out


@dataclass
class TablePage:
    """One page of a paged table (an index page's units, the typology's areas): the rows
    matching `query` (all when blank), in their order, `TABLE_ROWS` at a time. `pager` is
    Django's page of them (the previous and next links, `ui/_pager.html`); `total` counts every
    row, matching or not. `first` and `last` count from 1 among the matches."""

    pager: Page
    total: int
    query: str = ""

    @property
    def rows(self) -> list:
        return self.pager.object_list

    @property
    def pages(self) -> int:
        return self.pager.paginator.num_pages

    @property
    def matches(self) -> int:
        return self.pager.paginator.count

    @property
    def first(self) -> int:
        return self.pager.start_index()

    @property
    def last(self) -> int:
        return self.pager.end_index()


def rows_page(rows: list, *, number: int | None = None, query: str = "",
              text: Callable[[object], str] = str) -> TablePage:
    """The `number`th page (from 1; past the end, the last) of `TABLE_ROWS` rows of those whose
    `text(row)` contains `query` (case-insensitive; all rows when blank), in their order."""
    query = query.strip()
    total = len(rows)
    if query:
        needle = query.casefold()
        rows = [r for r in rows if needle in text(r).casefold()]
    # Django's get_page gives the last page for a number below 1; the table has always given
    # the first.
    pager = Paginator(rows, TABLE_ROWS).get_page(max(number or 1, 1))
    return TablePage(pager=pager, total=total, query=query)


def page_of(position: int) -> int:
    """The page (from 1) of `rows_page` that shows the row at `position` (from 0)."""
    return position // TABLE_ROWS + 1


def table_page(page: IndexPage, *, number: int | None = None, query: str = "") -> TablePage:
    """The rows of an index page to show: all of them while there are at most `TABLE_ROWS` and
    no search; else a page of the rows whose unit, label or district contains `query`
    (`rows_page`)."""
    return rows_page(page.rows, number=number, query=query,
                     text=lambda r: f"{r.unit}\n{r.label}\n{r.district.name if r.district is not None else ''}")


def _domain_names(model: IndexModel, names: list[str]) -> list[str]:
    # In the page's language: a run (kept, perhaps, from a reader of the other language) names
    # its domains by their `name`, which the model's English names are looked up by.
    labels = model.spec().domain_labels(page_language())
    return [labels.get(name, name) for name in names]


def index_page(
    *, model: IndexModel, year: int | None = None, level: str = "district", threshold: float = 100.0,
    start_year: int | None = None, draws: int = PAGE_DRAWS, seed: int = PAGE_SEED,
    sensitivity_of: Callable[[IndexResult, int], Sensitivity | TaskState] | None = None,
    run: IndexRun | None = None,
) -> IndexPage:
    """Compute the model for the page: every year (for trend and change), the table for `year`
    (default: the latest), the change since `start_year` (default: the base year), and the
    sensitivity analysis of `year` with a fixed seed, so the page shows the same intervals every
    time. `sensitivity_of(result, year)`, when given, supplies the analysis instead of drawing
    it here: kept, or the state of the task drawing it (`indices.sensitivity`). `run`, when
    given, is the model's run at `level` (a kept one, `selectors.index_run_kept`); else it is
    computed here."""
    if run is None:
        run = index_run(model=model, level=level)
    result = run.result
    partial = run.coverage_partial()
    years = result.years
    if year not in years:
        year = years[-1]
    y = result.year_index(year)
    if start_year is None:
        start_year = model.base_year if model.base_year in years and model.base_year != year else None
    elif start_year not in years or start_year == year:
        start_year = None
    changes = {c.unit: c for c in index_change(result, start=start_year, end=year)} if start_year else {}
    selected = priority_select(result, year=year, threshold=threshold)
    ranked = [u for u in range(len(result.units)) if not math.isnan(result.total[y, u])]
    sensitivity: Sensitivity | None = None
    sensitivity_task: TaskState | None = None
    if len(ranked) >= 2:
        if sensitivity_of is None:
            sensitivity = sensitivity_analyse(result, year=year, draws=draws, seed=seed, threshold=threshold)
        else:
            found = sensitivity_of(result, year)
            if isinstance(found, Sensitivity):
                sensitivity = found
            else:
                sensitivity_task = found
    # Plain lists, read once: a national run has 6 000 units (NaN, the only float unequal to
    # itself, is "no figure").
    chosen = set(selected)
    ranks, totals, domains = result.rank[y].tolist(), result.total[y].tolist(), result.domains[y].tolist()
    partial_y = partial[y].tolist()
    if sensitivity is not None:
        median, low, high = (sensitivity.median_rank.tolist(), sensitivity.rank_p05.tolist(),
                             sensitivity.rank_p95.tolist())
        frequency = sensitivity.selection_frequency.tolist()
    # A page lists areas by a label a reader can place, not by a bare code (DeSO areas have
    # no names); districts are labelled already.
    labels = area_labels(code_system=run.code_system, codes=result.units) if run.level == "area" else {}
    rows = []
    for u, unit in enumerate(result.units):
        rank, total = ranks[u], totals[u]
        row = UnitRow(
            unit=unit, district=run.districts.get(unit),
            rank=int(rank) if rank == rank else None,
            total=total if total == total else None,
            domains=[v if v == v else None for v in domains[u]],
            change=changes.get(unit),
            coverage_partial=partial_y[u],
            selected=unit in chosen, label=labels.get(unit, unit),
        )
        if sensitivity is not None:
            row.median_rank = median[u] if median[u] == median[u] else None
            row.rank_p05 = low[u] if low[u] == low[u] else None
            row.rank_p95 = high[u] if high[u] == high[u] else None
            row.selection_frequency = float(frequency[u])
        rows.append(row)
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit))
    improved_least = [c for c in changes.values() if c.percent is not None]
    improved_least.sort(key=lambda c: (-c.percent, c.unit))
    return IndexPage(
        model=model, run=run, year=year, start_year=start_year, threshold=threshold, rows=rows, selected=selected,
        improved_least=improved_least[:3], sensitivity=sensitivity, reference_total=run.reference_total[y],
        domain_names=_domain_names(model, result.domain_names), labels=labels, sensitivity_task=sensitivity_task,
    )
