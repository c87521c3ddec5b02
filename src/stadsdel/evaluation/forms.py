"""The evaluation design form. Never saved with `form.save()`: the view hands the cleaned values
to `evaluation.services`, which checks scope and version."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stadsdel.areas.models import District
from stadsdel.evaluation.models import Evaluation
from stadsdel.evaluation.selectors import candidate_districts
from stadsdel.evaluation.services import MAX_POOL_SIZE, MIN_POOL_SIZE
from stadsdel.indicators.models import Indicator
from stadsdel.ui.templatetags.stadsdel import in_language


class DistrictChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.municipality.name})"


class SynthChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.municipality.name})"


class IndicatorChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        # The name in the page's language with its unit, as the goal form offers indicators.
        return f"{in_language(obj)} ({obj.get_unit_display()})"


class EvaluationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("The intervention"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done, where and from when: what the evaluation asks about."),
    )
    treated_districts = DistrictChoice(label=_("Treated districts"), queryset=District.objects.none(),
                                       widget=forms.SelectMultiple(attrs={"size": 10}))
    start_year = forms.IntegerField(label=_("First year of the intervention"), min_value=1990, max_value=2100,
                                    help_text=_("E.g. 2008 for the local development agreements of 2008."))
    outcomes = IndicatorChoice(label=_("Outcome indicators"), queryset=Indicator.objects.none(),
                               widget=forms.SelectMultiple(attrs={"size": 6}))
    pool = forms.ChoiceField(label=_("Comparison pool"), choices=Evaluation.Pool.choices,
                             initial=Evaluation.Pool.NEAREST)
    pool_size = forms.IntegerField(label=_("Number of comparison districts"), min_value=MIN_POOL_SIZE, max_value=MAX_POOL_SIZE, initial=10,
                                   help_text=_("With the most similar districts: how many to take."))
    comparison_districts = DistrictChoice(
        label=_("Comparison districts"), queryset=District.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}), help_text=_("With districts chosen by hand: which."),
    )
    synth_district = SynthChoice(
        label=_("District for the synthetic control"), queryset=District.objects.none(), required=False,
        help_text=_("One of the treated districts; the synthetic control is built for one district at a time."),
    )
    first_year = forms.IntegerField(label=_("First year before"), required=False, min_value=1990, max_value=2100,
                                    help_text=_("Empty: the earliest year with figures."))
    last_year = forms.IntegerField(label=_("Last year after"), required=False, min_value=1990, max_value=2100,
                                   help_text=_("Empty: the latest year with figures."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        districts = District.objects.filter(kind=District.Kind.DISTRICT).select_related("municipality")
        treated = districts if scope is None or scope.national or scope.analyst_national else districts.filter(
            municipality_id__in=scope.analyst_municipality_ids)
        self.fields["treated_districts"].queryset = treated.order_by("municipality__name", "name")
        self.fields["synth_district"].queryset = treated.order_by("municipality__name", "name")
        self.fields["comparison_districts"].queryset = candidate_districts().order_by("municipality__name", "name")
        self.fields["outcomes"].queryset = Indicator.objects.order_by("code")

    def service_fields(self) -> dict:
        d = self.cleaned_data
        return {name: d.get(name) for name in ("title", "start_year", "pool", "synth_district", "first_year",
                                               "last_year")} | {"description": d.get("description") or "",
                                                                 "pool_size": d.get("pool_size") or 10}

    def relations(self) -> dict:
        d = self.cleaned_data
        return {"treated": list(d["treated_districts"]), "outcomes": list(d["outcomes"]),
                "comparison": list(d.get("comparison_districts") or [])}

    @staticmethod
    def initial_for(evaluation: Evaluation) -> dict:
        return {
            "title": evaluation.title, "description": evaluation.description,
            "treated_districts": list(evaluation.treated_districts.all()), "start_year": evaluation.start_year,
            "outcomes": list(evaluation.outcomes.all()), "pool": evaluation.pool, "pool_size": evaluation.pool_size,
            "comparison_districts": list(evaluation.comparison_districts.all()),
            "synth_district": evaluation.synth_district, "first_year": evaluation.first_year,
            "last_year": evaluation.last_year, "version": evaluation.version,
        }
