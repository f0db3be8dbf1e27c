from django.urls import path

from admissions.applicants import dashboard
from admissions.applicants import views as profile
from admissions.applications import views as application
from admissions.documents import views as documents
from admissions.scholarships import views as awards

app_name = "admissions"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("offers/<int:pk>/", awards.award_detail, name="award_detail"),
    path("offers/<int:pk>/accept/", awards.award_accept_view, name="award_accept"),
    path("offers/<int:pk>/decline/", awards.award_decline_view, name="award_decline"),
    # Profile and documents (applicants engineer); before "application/<slug:step>/"
    path("profile/", profile.profile, name="profile"),
    path("my-data/", profile.personal_data, name="personal_data"),
    path("my-data/download/", profile.personal_data_download, name="personal_data_download"),
    path("application/documents/", documents.documents, name="documents"),
    path(
        "application/documents/uploaded/",
        documents.documents_uploaded,
        name="documents_uploaded",
    ),
    path("documents/<int:pk>/", documents.document_download, name="document_download"),
    path(
        "documents/<int:pk>/pages/<int:number>/",
        documents.document_page_download,
        name="document_page_download",
    ),
    path("documents/<int:pk>/remove/", documents.document_remove_view, name="document_remove"),
    # The online application (applications engineer)
    path("application/", application.application_continue, name="application_continue"),
    path(
        "application/withdraw/",
        application.application_withdraw_view,
        name="application_withdraw",
    ),
    path("application/<slug:step>/", application.application_step, name="application_step"),
]
