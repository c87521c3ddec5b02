from django.urls import path

from stadsdel.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<int:pk>.json", views.plan_json, name="plan_json"),
    path("plans/<int:pk>/goals.csv", views.plan_goals_csv, name="plan_goals_csv"),
    path("dialogues/<int:pk>.json", views.dialogue_json, name="dialogue_json"),
]
