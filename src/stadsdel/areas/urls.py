from django.urls import path

from stadsdel.areas import views

app_name = "areas"

urlpatterns = [
    path("municipalities/", views.municipality_list, name="municipality_list"),
    path("municipalities/<str:code>/", views.municipality_detail, name="municipality_detail"),
    path("districts/", views.district_list, name="district_list"),
    path("districts/<int:pk>/", views.district_detail, name="district_detail"),
]
