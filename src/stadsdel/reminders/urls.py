from django.urls import path

from stadsdel.reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.reminder_setting, name="setting"),
]
