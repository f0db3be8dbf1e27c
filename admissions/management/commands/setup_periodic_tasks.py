"""Create every periodic schedule of the project in django-celery-beat's database.

Idempotent: a schedule that already exists is left as it is, because an administrator may
have edited it in the admin (a different hour, disabled during maintenance) and a deploy
must not undo that. `--reset` puts every schedule back to the defaults below.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

LOCAL_TIME = ZoneInfo("Asia/Omsk")


@dataclass(frozen=True)
class Schedule:
    task: str
    description: str
    every_minutes: int | None = None  # an interval...
    at: tuple[int, int] | None = None  # ...or a daily time (hour, minute), Omsk time
    # Drop a run the worker could not start in time, so that after an outage the queue
    # does not hold a pile of identical runs of a frequent job.
    expire_seconds: int | None = None


SCHEDULES = (
    Schedule(
        "admissions.mail_sweep",
        "Send outbox mail that is still pending (broker outage, lost task).",
        every_minutes=1,
        expire_seconds=50,
    ),
    Schedule(
        "admissions.release_decisions",
        "Show applicants the decisions whose cycle's results time has come, and mail them.",
        every_minutes=1,
        expire_seconds=50,
    ),
    Schedule(
        "admissions.remind_drafts",
        "Remind applicants of unfinished drafts 7, 3 and 1 days before the deadline.",
        at=(10, 0),
    ),
    Schedule(
        "admissions.remind_offers",
        "Remind applicants of scholarship offers that expire soon.",
        every_minutes=60,
        expire_seconds=50 * 60,
    ),
    Schedule(
        "admissions.expire_offers",
        "Expire unanswered scholarship offers and offer the seat to the next applicant.",
        every_minutes=5,
        expire_seconds=4 * 60,
    ),
    Schedule(
        "admissions.staff_digest",
        "Daily digest to staff: new submissions, documents to verify, reviews owed.",
        at=(8, 0),
    ),
    Schedule(
        "admissions.purge_documents",
        "Delete documents of rejected and withdrawn applications after the retention period.",
        at=(3, 30),
    ),
    Schedule(
        "admissions.heartbeat",
        "Record that beat and a worker are running (reported by /healthz/).",
        every_minutes=1,
        expire_seconds=50,
    ),
)


def _interval(minutes: int) -> IntervalSchedule:
    schedule = IntervalSchedule.objects.filter(
        every=minutes, period=IntervalSchedule.MINUTES
    ).first()
    return schedule or IntervalSchedule.objects.create(
        every=minutes, period=IntervalSchedule.MINUTES
    )


def _crontab(hour: int, minute: int) -> CrontabSchedule:
    spec = {
        "minute": str(minute),
        "hour": str(hour),
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": LOCAL_TIME,
    }
    return CrontabSchedule.objects.filter(**spec).first() or CrontabSchedule.objects.create(**spec)


def _defaults(schedule: Schedule) -> dict:
    values = {
        "task": schedule.task,
        "description": schedule.description,
        "interval": None,
        "crontab": None,
        "solar": None,
        "clocked": None,
        "one_off": False,
        "enabled": True,
        "args": "[]",
        "kwargs": "{}",
        "expire_seconds": schedule.expire_seconds,
    }
    if schedule.every_minutes:
        values["interval"] = _interval(schedule.every_minutes)
    else:
        values["crontab"] = _crontab(*schedule.at)
    return values


class Command(BaseCommand):
    help = (
        "Create the periodic schedules of every job (Celery beat, database scheduler). "
        "Existing schedules are kept as the admin left them unless --reset is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Restore every schedule to its default (undoes edits made in the admin).",
        )

    @transaction.atomic
    def handle(self, *args, reset: bool = False, **options):
        created = kept = restored = 0
        for schedule in SCHEDULES:
            # The task name is the key: one schedule per job, found again on every run.
            existing = PeriodicTask.objects.filter(name=schedule.task).first()
            if existing is None:
                PeriodicTask.objects.create(name=schedule.task, **_defaults(schedule))
                created += 1
                self.stdout.write(f"created  {schedule.task}")
            elif reset:
                for field, value in _defaults(schedule).items():
                    setattr(existing, field, value)
                existing.save()
                restored += 1
                self.stdout.write(f"reset    {schedule.task}")
            else:
                kept += 1
                self.stdout.write(f"kept     {schedule.task} (existing schedule left as it is)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Periodic tasks: {created} created, {restored} reset, {kept} kept."
            )
        )
