from django.urls import path

from stadsdel.indicators import views

app_name = "indicators"

urlpatterns = [
    path("districts/<int:pk>/statistics/", views.district_statistics, name="district_statistics"),
    path("statistics/indicators/", views.indicator_list, name="indicator_list"),
    path("statistics/indicators/<slug:code>/", views.indicator_detail, name="indicator_detail"),
    path("statistics/explore/", views.explore, name="explore"),
    path("statistics/exclusion/", views.exclusion_overview, name="exclusion_overview"),
    path("statistics/import/", views.statistics_import, name="statistics_import"),
    path("statistics/imports/<int:pk>/", views.import_detail, name="import_detail"),
]
