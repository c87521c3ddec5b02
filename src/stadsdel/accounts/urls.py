"""Sign-in and sign-out. No `app_name`: they keep Django's global names "login" and "logout",
which settings (LOGIN_URL = "login") and Django's auth views refer to without a namespace."""

from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
