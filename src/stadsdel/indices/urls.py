from django.urls import path

from stadsdel.indices import views

app_name = "indices"

urlpatterns = [
    path("", views.index_overview, name="overview"),
    path("models/<int:pk>/", views.model_detail, name="model_detail"),
    path("typology/", views.typology, name="typology"),
]
