from django.urls import path

from stadsdel.jobs import views

app_name = "jobs"

urlpatterns = [
    path("tasks/<uuid:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<uuid:task_id>/state/", views.task_state, name="task_state"),
    path("tasks/<uuid:task_id>/retry/", views.task_retry, name="task_retry"),
]
