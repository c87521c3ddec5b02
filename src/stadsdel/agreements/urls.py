from django.urls import path

from stadsdel.agreements import views

app_name = "agreements"

urlpatterns = [
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("commissions/", views.commission_list, name="commission_list"),
    path("commissions/<int:pk>/", views.commission_detail, name="commission_detail"),
    path("partnerships/", views.partnership_list, name="partnership_list"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership_detail"),
    path("partnerships/<int:pk>/edit/", views.partnership_edit, name="partnership_edit"),
    path("partnerships/<int:partnership_pk>/cooperation/new/", views.cooperation_create, name="cooperation_create"),
    path("cooperation/", views.cooperation_list, name="cooperation_list"),
    path("cooperation/<int:pk>/", views.cooperation_detail, name="cooperation_detail"),
    path("cooperation/<int:pk>/edit/", views.cooperation_edit, name="cooperation_edit"),
]
