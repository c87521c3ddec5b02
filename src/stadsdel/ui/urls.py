from django.urls import path

from stadsdel.ui import views

app_name = "ui"

urlpatterns = [
    path("assets/vega.js", views.vega_bundle, name="vega_bundle"),
]
