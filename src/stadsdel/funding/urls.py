from django.urls import path

from stadsdel.funding import views

app_name = "funding"

urlpatterns = [
    path("", views.index, name="index"),
    path("funds/<int:pk>/", views.fund_detail, name="fund_detail"),
    path("rounds/<int:round_pk>/apply/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("applications/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("applications/<int:pk>/payments/", views.payment_create, name="payment_create"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("decisions/", views.decision_queue, name="decision_queue"),
    path("follow-ups/", views.followup_list, name="followup_list"),
    path("follow-ups/<int:pk>/", views.followup_edit, name="followup_edit"),
]
