"""Papers: PDF downloads (login) and the public verification page (short link)."""

from django.urls import path

from admissions.papers import views

app_name = "papers"

urlpatterns = [
    path("papers/application/<int:pk>.pdf", views.application_pdf, name="application_pdf"),
    path("papers/offer/<int:pk>.pdf", views.offer_letter_pdf, name="offer_letter_pdf"),
    path("verify/<str:token>/", views.paper_verify, name="verify"),
]
