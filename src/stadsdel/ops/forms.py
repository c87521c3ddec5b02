"""Forms of the operations pages: the audit page's filter."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    """Which kind of record the audit page lists (all when none is chosen). The choices are the
    kinds the viewer may see; any other value is reported and ignored."""

    model = forms.ChoiceField(label=_("Kind of record"), required=False)

    def __init__(self, data=None, *, choices: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["model"].choices = [("", _("All")), *[(value, capfirst(name)) for value, name in choices]]

    def model_label(self) -> str:
        """The chosen kind's model label, or "" for all (also when the value is not valid)."""
        if not self.is_bound or not self.is_valid():
            return ""
        return self.cleaned_data["model"]
