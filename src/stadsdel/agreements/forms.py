"""Forms of the registry pages: the list filter and the edit forms of partnerships and cooperation
agreements.

The edit forms only carry the fields the services accept (agreements.services), so a form can
never be the way around a service's rules. They are never saved with `form.save()`: the view hands
`service_fields()` and `districts()` to the service, which checks scope and version.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stadsdel.agreements import selectors as agreement_selectors
from stadsdel.agreements.models import CooperationAgreement, Partnership
from stadsdel.agreements.selectors import partner_choices
from stadsdel.areas.models import District, Municipality
from stadsdel.ui.widgets import DateInput

# -- list filters ---------------------------------------------------------------------------------


class RegistryFilterForm(forms.Form):
    """Filter by municipality (its code, so the URL reads ?municipality=0136) and by the year an
    agreement is in force. Invalid values are reported and ignored, not a server error."""

    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), to_field_name="code",
        required=False, empty_label=_("All municipalities"),
    )
    year = forms.TypedChoiceField(label=_("Agreement in force in"), coerce=int, required=False, empty_value=None)

    def __init__(self, data=None, *, municipalities, years: list[int]):
        super().__init__(data)
        self.fields["municipality"].queryset = municipalities
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]

    def filters(self) -> dict[str, Any]:
        """The valid filters as selector keyword arguments (an invalid one is left out)."""
        if not self.is_bound:
            return {"municipality": None, "year": None}
        self.is_valid()
        return {
            "municipality": self.cleaned_data.get("municipality"),
            "year": self.cleaned_data.get("year"),
        }


def registry_filter_form(request) -> RegistryFilterForm:
    """The list filter of the agreement and district lists, bound to the request's query: the
    municipalities, and the years some agreement the user may see is in force."""
    years = [year for year, _count in agreement_selectors.agreements_in_force_by_year(user=request.user)]
    return RegistryFilterForm(
        request.GET or None, municipalities=agreement_selectors.municipality_list(), years=years[::-1]
    )


# -- edit forms -----------------------------------------------------------------------------------


def _limit_districts(field, municipality_id: int | None) -> None:
    # Only the record's own municipality's districts can be chosen (the service refuses others
    # too); all are of one municipality, so the choice label is the district's name alone.
    field.queryset = District.objects.filter(municipality_id=municipality_id).order_by("kind", "name")
    field.label_from_instance = lambda district: district.name


class RegistryEditForm(forms.ModelForm):
    """An edit form for a municipality's record: districts limited to its municipality, and the
    cleaned data split the way the services take it (fields, and the districts separately)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit_districts(self.fields["districts"], self.instance.municipality_id)
        if "partner" in self.fields:
            self.fields["partner"].queryset = partner_choices()

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name != "districts"}

    def districts(self) -> list[District]:
        return list(self.cleaned_data["districts"])


class VersionedModelForm(RegistryEditForm):
    """An edit form with the hidden `version` the record had when the form was opened: the
    service refuses the save when someone else has saved in between (no lost updates)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class PartnershipForm(VersionedModelForm):
    class Meta:
        model = Partnership
        # What partnership_update accepts, plus the districts it sets separately.
        fields = ["name", "basis", "formed_on", "districts", "published"]
        widgets = {
            "formed_on": DateInput(), "basis": forms.Textarea(attrs={"rows": 4}),
            "districts": forms.CheckboxSelectMultiple,
        }


_COOPERATION_FIELDS = [
    "title", "partner", "districts", "signed_on", "place", "period_start", "period_end", "reported_on", "text",
    "published",
]
_COOPERATION_WIDGETS = {
    "signed_on": DateInput(), "period_start": DateInput(), "period_end": DateInput(), "reported_on": DateInput(),
    "text": forms.Textarea(attrs={"rows": 12}), "districts": forms.CheckboxSelectMultiple,
}


class CooperationForm(VersionedModelForm):
    class Meta:
        model = CooperationAgreement
        # What cooperation_update accepts, plus the districts it sets separately.
        fields = _COOPERATION_FIELDS
        widgets = _COOPERATION_WIDGETS


class CooperationCreateForm(RegistryEditForm):
    """A new cooperation agreement of a partnership; the instance passed in carries the
    partnership and its municipality, which limit the district choices."""

    class Meta:
        model = CooperationAgreement
        fields = _COOPERATION_FIELDS
        widgets = _COOPERATION_WIDGETS
