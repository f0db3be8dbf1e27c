import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("kzo")
# Every Celery setting lives in Django settings under the CELERY_ prefix.
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live with their bounded context inside the admissions app (one `tasks.py` each).
app.autodiscover_tasks()
app.autodiscover_tasks(
    [
        "admissions.applications",
        "admissions.documents",
        "admissions.notifications",
        "admissions.scholarships",
    ]
)
