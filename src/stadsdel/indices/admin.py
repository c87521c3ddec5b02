from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from stadsdel.indices.models import IndexModel
from stadsdel.indices.services import index_model_activate, index_model_check, index_model_save
from stadsdel.lib.index import IndexInputError


class IndexModelForm(forms.ModelForm):
    class Meta:
        model = IndexModel
        fields = ["name", "base_year", "reference_municipality", "domains", "description", "description_en", "sources", "active"]

    def clean(self):
        data = super().clean()
        definition = {"name": data.get("name"), "base_year": data.get("base_year"), "domains": data.get("domains")}
        try:
            index_model_check(definition=definition, source="domains")
        except IndexInputError as exc:
            raise ValidationError(str(exc)) from exc
        return data


@admin.register(IndexModel)
class IndexModelAdmin(SimpleHistoryAdmin):
    """Saving a changed model makes a new version; the version figures name stays as it was."""

    form = IndexModelForm
    list_display = ["name", "version", "base_year", "reference_municipality", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved, created = index_model_save(
            definition={"name": data["name"], "base_year": data["base_year"], "domains": data["domains"]},
            reference_municipality=data["reference_municipality"], description=data["description"],
            description_en=data["description_en"], sources=data["sources"], user=request.user,
        )
        if not created and saved.active != data["active"]:
            index_model_activate(model=saved, active=data["active"])
        # The admin goes on with the version it saved: the new one when the definition changed
        # (the old version is left as it was).
        obj.pk = saved.pk
