from django.urls import path

from core.api import views

urlpatterns = [
    path("me", views.MeView.as_view(), name="me"),
    path("users/<str:username>/token", views.UserTokenView.as_view(), name="user-token"),
    path("errors/", views.ErrorEventListView.as_view(), name="errorevent-list"),
    path("errors/<int:pk>", views.ErrorEventDetailView.as_view(), name="errorevent-detail"),
]
