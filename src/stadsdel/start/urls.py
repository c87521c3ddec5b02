from django.urls import path

from stadsdel.start import views

app_name = "start"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
]
