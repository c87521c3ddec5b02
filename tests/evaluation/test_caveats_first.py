"""Evaluations say their caveats first: a poor synthetic-control fit, a rejected pre-trend test or
one treated district leads the outcome's section, in plain words, above every estimate; the
districts a design left out are named."""

from __future__ import annotations

from types import SimpleNamespace

from evaluation_data import INDICATOR, START, district_figures

from stadsdel.evaluation.render import leading_warnings
from stadsdel.indicators.models import Indicator, Observation


def _result(did_notes=(), synth_notes=(), treated="Husby"):
    return SimpleNamespace(did=SimpleNamespace(notes=tuple(did_notes)),
                           synth=SimpleNamespace(notes=tuple(synth_notes), treated=treated))


def test_only_the_serious_warnings_lead_in_plain_words():
    assert leading_warnings(_result(did_notes=["few_clusters"], synth_notes=["coarse_placebo_p"])) == []
    texts = leading_warnings(_result(did_notes=["pre_trend_rejected", "single_treated_cluster"],
                                     synth_notes=["poor_pre_fit"]))
    assert len(texts) == 3
    assert "Husby" in texts[0] and "RMSPE" not in " ".join(texts) and "p <" not in " ".join(texts)


def test_one_treated_district_leads_the_page_with_its_warning(client, districts, ministry_user):
    from stadsdel.evaluation import services

    treated, comparison = districts
    district_figures(treated=treated, comparison=comparison)
    # A comparison district missing a year before the start is left out of both designs.
    gap = comparison[-1]
    Observation.objects.filter(district=gap, period=START - 2, indicator__code=INDICATOR).delete()
    evaluation = services.evaluation_create(
        user=ministry_user,
        fields={"title": "En stadsdel", "start_year": START, "pool": "manual", "synth_district": treated[0],
                "published": True},
        treated=treated[:1], outcomes=[Indicator.objects.get(code=INDICATOR)], comparison=comparison,
    )
    html = client.get(evaluation.get_absolute_url(), HTTP_COOKIE="django_language=en").content.decode()
    assert "leading-warnings" in html
    warning_at = html.index("leading-warnings")
    assert warning_at < html.index('class="num estimate"')
    assert "Only one district was treated" in html[warning_at:html.index("</div>", warning_at)]
    assert "Left out of this design" in html and gap.name in html[html.index("Left out of this design"):][:400]
