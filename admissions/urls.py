from django.urls import path

from .views import dashboard, documents

app_name = "admissions"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("documents/<int:pk>/", documents.document_download, name="document_download"),
]
