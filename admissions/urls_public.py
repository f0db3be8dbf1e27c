"""Public URLs of the admissions app (no login): published rankings."""

from django.urls import path

from admissions.scholarships import ranking_views as rankings

app_name = "rankings"

urlpatterns = [
    path("", rankings.ranking_list, name="list"),
    path("<int:pk>/", rankings.ranking_detail, name="detail"),
    path("<int:pk>.json", rankings.ranking_json, name="json"),
]
