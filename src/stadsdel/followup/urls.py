from django.urls import path, register_converter

from stadsdel.followup import views


class YearConverter:
    """A report's year: four digits from 1900 to 2199. Any other number is a page that does not
    exist (404), never a date computed from it."""

    regex = "(19|20|21)[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{value:04d}"


register_converter(YearConverter, "year")

app_name = "followup"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("national/<year:year>/", views.national_detail, name="national_detail"),
    path("agencies/<slug:key>/<year:year>/", views.agency_report, name="agency_report"),
    path("<str:code>/<year:year>/", views.report_detail, name="report_detail"),
    path("<str:code>/<year:year>/edit/", views.report_edit, name="report_edit"),
    path("<str:code>/<year:year>/status/", views.report_status, name="report_status"),
]
