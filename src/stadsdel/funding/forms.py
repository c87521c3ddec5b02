"""Forms of the funding pages: the application with its budget lines and expected results,
an attachment, a step's decision, a payment and a follow-up report."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stadsdel.areas.models import District
from stadsdel.areas.selectors import district_labels
from stadsdel.funding import selectors
from stadsdel.funding.models import (
    ATTACHMENT_EXTENSIONS,
    Application,
    Attachment,
    Decision,
    Fund,
    FundArea,
)
from stadsdel.indicators.models import Indicator
from stadsdel.ui.templatetags.stadsdel import in_language, shorten_text
from stadsdel.ui.widgets import DateInput


class ApplicationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Application
        fields = ["applicant", "area", "title", "description", "districts", "goals", "period_start", "period_end",
                  "contact_name", "contact_email", "contact_phone"]
        widgets = {"period_start": DateInput, "period_end": DateInput,
                   "districts": forms.CheckboxSelectMultiple, "goals": forms.CheckboxSelectMultiple,
                   "description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, fund: Fund, applicants, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = applicants
        self.fields["area"].queryset = FundArea.objects.filter(fund=fund).select_related("committee")
        self.fields["districts"].queryset = District.objects.filter(fund_areas__fund=fund).distinct().order_by("name")
        self.fields["goals"].queryset = selectors.goal_choices(fund=fund, user=user)
        self.fields["goals"].label_from_instance = lambda g: f"{g.number} {shorten_text(g.title or g.text, 90)}"
        labels = district_labels(self.fields["districts"].queryset)
        self.fields["districts"].label_from_instance = lambda d: labels.get(d.pk, d.name)
        self.fields["description"].required = True
        if editing:
            # Who applies and for which area is fixed once the draft exists.
            del self.fields["applicant"]
            del self.fields["area"]

    def clean(self):
        data = super().clean()
        area, districts = data.get("area") or getattr(self.instance, "area", None), data.get("districts")
        if area is not None and districts:
            allowed = set(area.districts.values_list("pk", flat=True))
            if any(d.pk not in allowed for d in districts):
                self.add_error("districts", _("Choose districts of the district committee area."))
        return data


class BudgetLineForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    text = forms.CharField(label=_("Cost item"), max_length=300)
    amount = forms.IntegerField(label=_("Amount applied for (kr)"), min_value=0)
    co_financing = forms.IntegerField(label=_("Co-financing (kr)"), min_value=0, required=False)
    co_financier = forms.CharField(label=_("Co-financed by"), max_length=300, required=False)

    def clean_co_financing(self):
        return self.cleaned_data.get("co_financing") or 0


class IndicatorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Named as the plan's goal form names them: the name in the page's language and the unit.
        return f"{in_language(obj)} ({obj.get_unit_display()})"


class ResultForm(forms.Form):
    text = forms.CharField(label=_("Expected result"), widget=forms.Textarea(attrs={"rows": 2}))
    indicator = IndicatorChoice(label=_("Indicator"), queryset=Indicator.objects.order_by("position", "code"),
                                required=False)
    measure = forms.CharField(label=_("Own measure"), max_length=300, required=False)
    baseline_value = forms.FloatField(label=_("Baseline value"), required=False)
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False)
    target_value = forms.FloatField(label=_("Target value"), required=False)
    target_year = forms.IntegerField(label=_("Target year"), required=False)


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=2)
ResultFormSet = forms.formset_factory(ResultForm, extra=1)


def filled(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request: a lazy text formatted at import would freeze one language.
        self.fields["file"].help_text = _("At most 10 MB; %(types)s.") % {"types": ", ".join(ATTACHMENT_EXTENSIONS)}


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("Decision date"), widget=DateInput)
    text = forms.CharField(label=_("Decision text"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           help_text=_("Required when rejecting or returning: the applicant reads it."))
    amount = forms.IntegerField(label=_("Amount (kr)"), min_value=1, required=False,
                                help_text=_("Proposed amount, or at the last step the amount granted; may be "
                                            "less than applied for."))
    version = forms.IntegerField(widget=forms.HiddenInput)


class PaymentForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount (kr)"), min_value=1)
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class FollowUpForm(forms.Form):
    results = forms.CharField(label=_("Results"), widget=forms.Textarea(attrs={"rows": 5}))
    implementation_plan = forms.CharField(
        label=_("Plan for implementation in ordinary operations"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How the work carries on when the project money ends."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, expected_results=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.result_fields = []
        for result in expected_results:
            value, comment = f"value_{result.pk}", f"comment_{result.pk}"
            self.fields[value] = forms.FloatField(label=_("Value reached: %(result)s") % {"result": shorten_text(result.text, 80)},
                                                  required=False)
            self.fields[comment] = forms.CharField(label=_("Comment"), required=False, max_length=2000)
            self.result_fields.append((result, value, comment))

    def values(self) -> dict[int, tuple[float | None, str]]:
        return {r.pk: (self.cleaned_data.get(v), self.cleaned_data.get(c) or "") for r, v, c in self.result_fields}
