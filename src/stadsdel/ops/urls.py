from django.urls import path

from stadsdel.ops import views

app_name = "ops"

urlpatterns = [
    path("health/", views.health, name="health"),
    path("audit/", views.audit, name="audit"),
]
