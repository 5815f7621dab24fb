"""The rating forms for people, under /feedback/ (see learning.pages)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from learning import pages

app_name = "feedback_pages"

urlpatterns = [
    path("", pages.rate_page, name="rate"),
    path(
        "login",
        auth_views.LoginView.as_view(
            template_name="learning/login.html",
            redirect_authenticated_user=True,
            next_page=reverse_lazy("feedback_pages:rate"),
        ),
        name="login",
    ),
    path("logout", auth_views.LogoutView.as_view(next_page=reverse_lazy("feedback_pages:login")), name="logout"),
]
