"""The signed-in user's reminder setting: reminders by e-mail on or off, and their language."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stadsdel.reminders import selectors, services
from stadsdel.reminders.forms import ReminderSettingForm


@login_required
@require_http_methods(["GET", "POST"])
def reminder_setting(request):
    """Anyone signed in may set their own reminders (only coordinators and agency contacts have
    deadlines to be reminded of; the page says which of the user's deadlines they cover)."""
    setting = selectors.reminder_setting_get(user=request.user)
    form = ReminderSettingForm(request.POST or None, instance=setting)
    if request.method == "POST" and form.is_valid():
        services.reminder_setting_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your reminder setting is saved."))
        return redirect("reminders:setting")
    return render(request, "reminders/setting.html", {
        "section": "overview", "form": form, "setting": setting,
        "covers": selectors.reminder_scope(user=request.user),
    }, status=400 if form.errors else 200)
