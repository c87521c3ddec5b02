"""Every app's pages under one root. An app's URL module names its namespace (`app_name`); the
paths are the product's public addresses and stay as they are when code moves."""

from django.contrib import admin
from django.urls import include, path

from stadsdel.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("index/", include("stadsdel.indices.urls")),
    path("plans/", include("stadsdel.plans.urls")),
    path("reports/", include("stadsdel.followup.urls")),
    path("funding/", include("stadsdel.funding.urls")),
    path("evaluation/", include("stadsdel.evaluation.urls")),
    path("portal/", include("stadsdel.portal.urls")),
    path("reminders/", include("stadsdel.reminders.urls")),
    path("", include("stadsdel.accounts.urls")),
    path("", include("stadsdel.start.urls")),
    path("", include("stadsdel.areas.urls")),
    path("", include("stadsdel.agreements.urls")),
    path("", include("stadsdel.indicators.urls")),
    path("", include("stadsdel.ops.urls")),
    path("", include("stadsdel.jobs.urls")),
    path("", include("stadsdel.ui.urls")),
]
