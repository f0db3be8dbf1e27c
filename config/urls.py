from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from admissions.applicants.views import language_set
from programs.views_health import healthz

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    # Under the language prefix on purpose: set_language can only translate the `next` path
    # (/en/programs/x/ -> /kk/programs/x/) when the page's language is the active one, and
    # outside the prefix the active language comes from the cookie or the browser instead.
    # Django's set_language, which also records a signed-in person's choice.
    path("i18n/setlang/", language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("applicant/", include("admissions.urls")),
    path("rankings/", include("admissions.urls_public")),
    path("", include("admissions.papers.urls")),
    path("calendar/", include("admissions.calendars.urls")),
    path("", include("programs.urls")),
    prefix_default_language=True,
)
