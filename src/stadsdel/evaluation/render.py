"""What the evaluation page and its PDF show: the words for each assumption, caveat and refusal
(the estimators give stable codes; the words are translated here), the chart specs, and the
PDF, printed by WeasyPrint from the same template the page includes."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stadsdel.core.pdf import html_to_pdf
from stadsdel.core.tabular_export import csv_writer
from stadsdel.evaluation.models import Evaluation
from stadsdel.evaluation.selectors import OutcomeResult, evaluation_results
from stadsdel.lib.evaluation import LEVEL, DesignRefused
from stadsdel.ui import charts

ASSUMPTIONS = {
    "parallel_trends": gettext_lazy(
        "Parallel trends: without the intervention, the treated districts would have changed as much as the "
        "comparison districts did. It cannot be proven; the years before the start show whether it held then."),
    "no_anticipation": gettext_lazy(
        "No anticipation: nothing changed in the treated districts before the start because of the intervention."),
    "no_spillover": gettext_lazy(
        "No spill-over: the intervention did not change the comparison districts (e.g. by moving people or "
        "resources between districts)."),
    "common_start": gettext_lazy(
        "All treated districts start in the same year, so the two-way fixed-effects estimate is a plain "
        "comparison of treated and comparison districts; no treated district serves as another's control."),
    "clustered_by_unit": gettext_lazy(
        "Standard errors are clustered by district (figures of one district are correlated over the years); "
        "intervals use Student's t with one degree of freedom fewer than the number of districts."),
    "convex_hull": gettext_lazy(
        "The treated district's path before the start can be matched by a weighted average of comparison "
        "districts (weights not negative, summing to one); the pre-period fit shows how well it is."),
    "donors_untreated": gettext_lazy(
        "The comparison districts received no similar intervention in the period."),
    "placebo_exchangeable": gettext_lazy(
        "Inference by placebos: each comparison district is treated as if it had been treated; the p-value is "
        "the share of all districts whose post/pre RMSPE ratio is at least the treated district's."),
}

NOTES = {
    "single_treated_cluster": gettext_lazy(
        "Only one treated district: clustered standard errors are unreliable with one treated cluster. Prefer "
        "the synthetic control and its placebo test."),
    "few_clusters": gettext_lazy(
        "Fewer than 20 districts in all: the interval is approximate; read it with care."),
    "pre_trend_rejected": gettext_lazy(
        "The years before the start differ jointly from zero (p < 0.10): the parallel-trends assumption is in "
        "doubt, and so is the estimate."),
    "coarse_placebo_p": gettext_lazy(
        "Fewer than 20 districts in the placebo test: the smallest possible p-value is 1 divided by the number "
        "of districts."),
    "poor_pre_fit": gettext_lazy(
        "The synthetic control follows the district poorly before the start: the gaps after it say little."),
    "outside_donor_range": gettext_lazy(
        "In some year before the start, the district lies outside the range of every comparison district, so no "
        "weighted average can match it there."),
}


# The warnings that make an estimate untrustworthy as it stands. The page leads with them, above
# any number, in words for someone who is not a statistician; the other notes stay beside the
# method as caveats.
LEADING = ("poor_pre_fit", "pre_trend_rejected", "single_treated_cluster")
LEADING_TEXT = {
    "poor_pre_fit": gettext_lazy(
        "Do not read the synthetic control's figure as an effect: before the start, the comparison it is built "
        "from did not follow %(district)s closely, so a difference after the start may be misfit, not the work's "
        "result."),
    "pre_trend_rejected": gettext_lazy(
        "Do not read the difference-in-differences figure as an effect: already before the start, the treated "
        "districts developed differently from the comparison districts, so the difference after the start need "
        "not come from the work."),
    "single_treated_cluster": gettext_lazy(
        "Only one district was treated, so the difference-in-differences interval is probably too narrow and "
        "the result looks surer than it is. Lean on the synthetic control and its placebo test instead."),
}


def leading_warnings(result: OutcomeResult) -> list[str]:
    """The serious warnings of an outcome's results, in plain words, for the top of its section."""
    notes = set(result.did.notes if result.did else ()) | set(result.synth.notes if result.synth else ())
    district = result.synth.treated if result.synth else ""
    return [str(LEADING_TEXT[code]) % {"district": district} for code in LEADING if code in notes]


def refusal_text(exc: Exception) -> str:
    """A refusal in the page language: the stable code's words with its figures, or the message."""
    if isinstance(exc, DesignRefused):
        params = exc.params
        messages = {
            "too_few_pre_years": _("Refused: the method needs at least %(needed)s years with figures before the "
                                   "start; there are %(got)s."),
            "too_few_post_years": _("Refused: there are no figures from the start year on yet."),
            "too_few_comparison_units": _("Refused: difference-in-differences needs at least %(needed)s comparison "
                                          "districts with figures before and after the start; there are %(got)s."),
            "too_few_donors": _("Refused: the synthetic control needs at least %(needed)s comparison districts "
                                "with figures in every year; there are %(got)s."),
            "treated_without_data": _("Refused: no treated district has figures both before and after the start."),
            "not_identified": _("Refused: the figures cannot separate the effect from the districts' and years' own "
                                "levels (too many gaps, or the treated and comparison districts move in lockstep)."),
        }
        if exc.code in messages:
            return messages[exc.code] % params
    return _("Refused: %(reason)s") % {"reason": str(exc)}


def _event_rows(result: OutcomeResult) -> list[dict]:
    did = result.did
    rows = [{"year": y.year, "effect": y.effect, "ci_low": y.ci_low, "ci_high": y.ci_high} for y in did.per_year]
    rows.append({"year": did.reference_year, "effect": 0.0, "ci_low": None, "ci_high": None})
    return sorted(rows, key=lambda r: r["year"])


def outcome_charts(result: OutcomeResult, *, start: int) -> dict:
    """The chart specs of one outcome: event study, treated vs synthetic, placebo gaps."""
    indicator = result.indicator
    unit = str(indicator.get_unit_display())
    out: dict = {}
    if result.did is not None:
        out["event"] = charts.event_study_chart(
            _event_rows(result), start=start, y_title=_("Effect (%(unit)s)") % {"unit": unit},
            description=_("Difference-in-differences per year for %(indicator)s, relative to %(year)s, with "
                          "95 %% intervals.") % {"indicator": indicator.name, "year": result.did.reference_year},
        )
    synth = result.synth
    if synth is not None:
        synthetic_label = _("Synthetic %(name)s") % {"name": synth.treated}
        rows = [{"year": y, "series": synth.treated, "value": t} for y, t in zip(synth.years, synth.treated_values,
                                                                                 strict=True)]
        rows += [{"year": y, "series": synthetic_label, "value": s}
                 for y, s in zip(synth.years, synth.synthetic_values, strict=True)]
        out["synth"] = charts.synth_chart(
            rows, start=start, treated_label=synth.treated, synthetic_label=synthetic_label, y_title=unit,
            description=_("%(indicator)s in %(name)s and in its synthetic control, a weighted average of comparison "
                          "districts.") % {"indicator": indicator.name, "name": synth.treated},
        )
        gaps = [{"year": y, "unit": synth.treated, "gap": g, "treated": True} for y, g in zip(synth.years, synth.gaps,
                                                                                             strict=True)]
        for placebo in synth.placebos:
            gaps += [{"year": y, "unit": placebo.unit, "gap": g, "treated": False}
                     for y, g in zip(synth.years, placebo.gaps, strict=True)]
        out["placebo"] = charts.placebo_chart(
            gaps, start=start, treated_label=synth.treated, placebo_label=_("Placebos (comparison districts)"),
            y_title=_("Gap to the synthetic control (%(unit)s)") % {"unit": unit},
            description=_("The gap between each district and its synthetic control; %(name)s in colour, the "
                          "placebo runs in grey.") % {"name": synth.treated},
        )
    return out


def _weights(result: OutcomeResult) -> list[tuple[str, float]]:
    if result.synth is None:
        return []
    return sorted(((u, w) for u, w in result.synth.weights.items() if w >= 0.001), key=lambda kv: (-kv[1], kv[0]))


def evaluation_context(evaluation: Evaluation, *, with_svg: bool = False,
                       results: list[OutcomeResult] | None = None) -> dict:
    """Everything the page and the PDF show of an evaluation, per outcome: of `results` (kept
    estimates, see `estimates`; an empty list while they are computed), else computed now."""
    outcomes = []
    if results is None:
        results = evaluation_results(evaluation=evaluation)
    for k, result in enumerate(results):
        specs = outcome_charts(result, start=evaluation.start_year)
        key = f"{k}-{result.indicator.code}"
        synth = result.synth
        outcomes.append({
            "r": result, "key": key, "specs": specs,
            "event_id": f"chart-event-{key}", "synth_id": f"chart-synth-{key}", "placebo_id": f"chart-placebo-{key}",
            "synth_rows": list(zip(synth.years, synth.treated_values, synth.synthetic_values, synth.gaps,
                                   strict=True)) if synth else [],
            "svgs": {name: charts.chart_svg(spec) for name, spec in specs.items()} if with_svg else {},
            "did_refusal": refusal_text(result.did_refusal) if result.did_refusal else "",
            "synth_refusal": refusal_text(result.synth_refusal) if result.synth_refusal else "",
            "did_assumptions": [ASSUMPTIONS[a] for a in result.did.assumptions] if result.did else [],
            "did_notes": [NOTES[n] for n in result.did.notes] if result.did else [],
            "synth_assumptions": [ASSUMPTIONS[a] for a in result.synth.assumptions] if result.synth else [],
            "synth_notes": [NOTES[n] for n in result.synth.notes] if result.synth else [],
            "weights": _weights(result),
            "leading": leading_warnings(result),
            "did_dropped": list(result.did.dropped) if result.did else [],
            "synth_dropped": list(result.synth.dropped) if result.synth else [],
        })
    return {"evaluation": evaluation, "outcomes": outcomes, "level_percent": round(LEVEL * 100),
            "treated": list(evaluation.treated_districts.select_related("municipality").order_by("name")),
            "outcome_indicators": list(evaluation.outcomes.order_by("code"))}


def evaluation_html(evaluation: Evaluation, *, results: list[OutcomeResult] | None = None) -> str:
    with translation.override("sv"):
        return render_to_string("evaluation/evaluation_document.html",
                                evaluation_context(evaluation, with_svg=True, results=results))


def evaluation_pdf(evaluation: Evaluation, *, results: list[OutcomeResult] | None = None) -> bytes:
    return html_to_pdf(evaluation_html(evaluation, results=results))


def panel_csv(evaluation: Evaluation, *, results: list[OutcomeResult] | None = None) -> str:
    """Every outcome's panel in `stadsdel evaluate`'s input form, to reproduce the estimates."""
    out = io.StringIO()
    columns = ["unit", "year", "indicator", "value"]
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(columns)
    for result in results if results is not None else evaluation_results(evaluation=evaluation):
        for row in result.panel_rows():
            writer.writerow([row[c] for c in columns])
    return out.getvalue()
