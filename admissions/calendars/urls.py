"""Calendar feeds (.ics)."""

from django.urls import path

from admissions.calendars import views

app_name = "calendars"

urlpatterns = [
    path("cycle/<str:code>.ics", views.cycle_feed, name="cycle"),
    path("new-address/", views.calendar_reset, name="reset"),
    path("<str:token>.ics", views.applicant_feed, name="applicant"),
]
