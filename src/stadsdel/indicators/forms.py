"""Forms of the statistics pages: the import form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from stadsdel.indicators.services.imports import MAX_UPLOAD_BYTES
from stadsdel.ui.templatetags.stadsdel import in_language


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
            ("", _("— none —")), *[(i.code, in_language(i)) for i in indicators]
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB; import it with the command line instead."),
                params={"mb": self.MAX_BYTES // (1024 * 1024)},
            )
        return upload

    def problems(self) -> list[str]:
        """The form's faults as lines naming the field ("Indicator: A PxWeb file needs …")."""
        return [f"{self[name].label}: {message}" if name in self.fields else str(message)
                for name, messages in self.errors.items() for message in messages]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("format") == "pxweb" and not cleaned.get("indicator"):
            self.add_error("indicator", _("A PxWeb file needs the indicator its content is."))
        return cleaned
