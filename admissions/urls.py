from django.urls import path

from . import views

app_name = "admissions"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
