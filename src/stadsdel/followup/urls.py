from django.urls import path

from stadsdel.followup import views

app_name = "followup"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("national/<int:year>/", views.national_detail, name="national_detail"),
    path("agencies/<slug:key>/<int:year>/", views.agency_report, name="agency_report"),
    path("<str:code>/<int:year>/", views.report_detail, name="report_detail"),
    path("<str:code>/<int:year>/edit/", views.report_edit, name="report_edit"),
    path("<str:code>/<int:year>/status/", views.report_status, name="report_status"),
]
