import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_ready

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


@app.task(name="admissions.heartbeat")
def heartbeat() -> None:
    """Beat-scheduled: a worker ran a job beat scheduled (see config.heartbeats)."""
    from config.heartbeats import SCHEDULED_KEY, heartbeat_write

    heartbeat_write(SCHEDULED_KEY)


@worker_ready.connect
def _start_worker_heartbeat(sender=None, **_kwargs) -> None:
    from config.heartbeats import worker_heartbeat_start

    worker_heartbeat_start(hostname=getattr(sender, "hostname", None))


@task_prerun.connect
@task_postrun.connect
def _close_old_database_connections(task=None, **_kwargs) -> None:
    """Around each task, as Django does around each request: drop a database connection
    that broke or outlived CONN_MAX_AGE (workers keep theirs across tasks, see
    CELERY_DB_REUSE_MAX). Not for a task run eagerly inside the caller's transaction."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
