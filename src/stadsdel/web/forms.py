"""Forms of the web pages: list filters and the edit forms of partnerships and cooperation
agreements.

The edit forms only carry the fields the services accept (agreements.services), so a form can
never be the way around a service's rules. They are never saved with `form.save()`: the view hands
`service_fields()` and `districts()` to the service, which checks scope and version.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stadsdel.agreements.models import CooperationAgreement, Partnership
from stadsdel.agreements.selectors import partner_choices
from stadsdel.areas.models import District, Municipality
from stadsdel.indicators.services.imports import MAX_UPLOAD_BYTES
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


# -- statistics ------------------------------------------------------------------------------------


class StatisticsImportForm(forms.Form):
    """A statistics file to import: what `stadsdel import` takes on the command line. The form
    only checks what the service needs to start; the file itself is checked by the importer,
    which reports every fault with its row or cell and writes nothing."""

    FORMATS = [
        ("csv", _("CSV (long or wide form)")),
        ("xlsx", _("Excel (.xlsx, long or wide form)")),
        ("pxweb", _("SCB PxWeb (json-stat2)")),
        ("kolada", _("Kolada (API response)")),
    ]
    # Larger files belong on the command line (`stadsdel import`), which shows progress.
    MAX_BYTES = MAX_UPLOAD_BYTES

    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.xlsx,.json"}),
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS)
    indicator = forms.ChoiceField(
        label=_("Indicator"), required=False,
        help_text=_("Which catalogue indicator the file's figures are. Required for PxWeb; CSV, Excel and "
                    "Kolada files name their indicators themselves."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and count what would change, without saving anything"), required=False,
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [
            ("", _("— none —")), *[(i.code, f"{i.code} – {i.name}") for i in indicators]
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB; import it with the command line instead."),
                params={"mb": self.MAX_BYTES // (1024 * 1024)},
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("format") == "pxweb" and not cleaned.get("indicator"):
            self.add_error("indicator", _("A PxWeb file needs the indicator its content is."))
        return cleaned
