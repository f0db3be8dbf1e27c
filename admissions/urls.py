from django.urls import path

from .views import awards, dashboard

app_name = "admissions"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("offers/<int:pk>/", awards.award_detail, name="award_detail"),
    path("offers/<int:pk>/accept/", awards.award_accept_view, name="award_accept"),
    path("offers/<int:pk>/decline/", awards.award_decline_view, name="award_decline"),
]
