"""The pages' URLs.

This module has no `app_name`: the pages live in the "web" namespace through the inner include,
while sign-in and sign-out keep Django's global names "login" and "logout", which settings
(LOGIN_URL = "login") and Django's auth views refer to without a namespace.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from stadsdel.web import views

web_patterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("municipalities/", views.municipality_list, name="municipality_list"),
    path("municipalities/<str:code>/", views.municipality_detail, name="municipality_detail"),
    path("districts/", views.district_list, name="district_list"),
    path("districts/<int:pk>/", views.district_detail, name="district_detail"),
    path("districts/<int:pk>/statistics/", views.district_statistics, name="district_statistics"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("commissions/", views.commission_list, name="commission_list"),
    path("commissions/<int:pk>/", views.commission_detail, name="commission_detail"),
    path("partnerships/", views.partnership_list, name="partnership_list"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership_detail"),
    path("partnerships/<int:pk>/edit/", views.partnership_edit, name="partnership_edit"),
    path("partnerships/<int:partnership_pk>/cooperation/new/", views.cooperation_create, name="cooperation_create"),
    path("cooperation/", views.cooperation_list, name="cooperation_list"),
    path("cooperation/<int:pk>/", views.cooperation_detail, name="cooperation_detail"),
    path("cooperation/<int:pk>/edit/", views.cooperation_edit, name="cooperation_edit"),
    path("statistics/indicators/", views.indicator_list, name="indicator_list"),
    path("statistics/indicators/<slug:code>/", views.indicator_detail, name="indicator_detail"),
    path("statistics/exclusion/", views.exclusion_overview, name="exclusion_overview"),
    path("statistics/import/", views.statistics_import, name="statistics_import"),
    path("statistics/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("assets/vega.js", views.vega_bundle, name="vega_bundle"),
    path("audit/", views.audit, name="audit"),
]

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((web_patterns, "web"))),
]
