"""Operator commands of the outbox: periodic schedules and the test notification."""

from __future__ import annotations

from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail as django_mail
from django.core.management import CommandError, call_command
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from admissions.enums import MailState
from admissions.models import OutgoingMail

pytestmark = pytest.mark.django_db

EXPECTED = {
    "admissions.mail_sweep": ("interval", 1),
    "admissions.release_decisions": ("interval", 1),
    "admissions.remind_drafts": ("crontab", "10:0"),
    "admissions.remind_offers": ("interval", 60),
    "admissions.expire_offers": ("interval", 5),
    "admissions.staff_digest": ("crontab", "8:0"),
    "admissions.purge_documents": ("crontab", "3:30"),
    "admissions.heartbeat": ("interval", 1),
}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(
        PeriodicTask.objects.exclude(name="celery.backend_cleanup").values_list(
            "name", "task", "enabled", "interval_id", "crontab_id", "expire_seconds"
        )
    )


def schedule_of(task: PeriodicTask):
    if task.interval:
        assert task.interval.period == IntervalSchedule.MINUTES
        return ("interval", task.interval.every)
    assert task.crontab.timezone == ZoneInfo("Asia/Omsk")
    return ("crontab", f"{task.crontab.hour}:{task.crontab.minute}")


def test_setup_periodic_tasks_creates_every_schedule_of_the_project():
    output = run("setup_periodic_tasks")
    assert f"{len(EXPECTED)} created" in output
    tasks = {
        task.task: task for task in PeriodicTask.objects.select_related("interval", "crontab")
    }
    assert {name: schedule_of(tasks[name]) for name in EXPECTED} == EXPECTED
    assert all(tasks[name].enabled for name in EXPECTED)


def test_setup_periodic_tasks_twice_changes_nothing():
    run("setup_periodic_tasks")
    before = (snapshot(), IntervalSchedule.objects.count(), CrontabSchedule.objects.count())
    output = run("setup_periodic_tasks")
    assert f"0 created, 0 reset, {len(EXPECTED)} kept" in output
    after = (snapshot(), IntervalSchedule.objects.count(), CrontabSchedule.objects.count())
    assert after == before


def test_setup_periodic_tasks_keeps_an_admins_edit_until_reset():
    run("setup_periodic_tasks")
    digest = PeriodicTask.objects.get(name="admissions.staff_digest")
    digest.crontab = CrontabSchedule.objects.create(hour="7", minute="15", timezone="Asia/Omsk")
    digest.enabled = False
    digest.save()

    run("setup_periodic_tasks")
    digest.refresh_from_db()
    assert (digest.crontab.hour, digest.crontab.minute, digest.enabled) == ("7", "15", False)

    assert f"0 created, {len(EXPECTED)} reset, 0 kept" in run("setup_periodic_tasks", "--reset")
    digest.refresh_from_db()
    assert (digest.crontab.hour, digest.crontab.minute, digest.enabled) == ("8", "0", True)


@pytest.mark.django_db(transaction=True)  # the command commits; the mail leaves on commit
def test_send_test_notification_queues_and_sends_a_test_message_in_the_language_asked():
    output = run("send_test_notification", "operator@example.org", "--language", "kk")
    mail = OutgoingMail.objects.get()
    assert (mail.template, mail.language, mail.recipient) == (
        "test_notification",
        "kk",
        "operator@example.org",
    )
    assert mail.state == MailState.SENT
    assert f"#{mail.pk}" in output
    assert "Sent already" in output
    assert django_mail.outbox[0].extra_headers["Content-Language"] == "kk"


@pytest.mark.django_db(transaction=True)
def test_send_test_notification_makes_a_new_message_on_every_run():
    run("send_test_notification", "operator@example.org")
    run("send_test_notification", "operator@example.org")
    assert OutgoingMail.objects.count() == 2
    assert len(django_mail.outbox) == 2


def test_send_test_notification_refuses_an_invalid_address():
    with pytest.raises(CommandError, match="not a valid e-mail address"):
        run("send_test_notification", "not-an-address")
    assert not OutgoingMail.objects.exists()


def settings_refusal(**environment: str) -> str:
    """What starting Django with the test settings and `environment` added prints on
    stderr; the start must fail."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    return result.stderr


def test_settings_refuse_a_visibility_timeout_shorter_than_the_longest_retry():
    """A waiting retry would otherwise be re-delivered by Redis while it waits."""
    refusal = settings_refusal(CELERY_VISIBILITY_TIMEOUT="600", OUTBOX_RETRY_MAX_SECONDS="3600")
    assert "CELERY_VISIBILITY_TIMEOUT must be longer" in refusal


def test_settings_refuse_a_claim_shorter_than_thirty_smtp_timeouts():
    """A claim must outlive one mail's SMTP conversation, or a live worker's row could be
    taken over and sent twice."""
    refusal = settings_refusal(EMAIL_TIMEOUT="20", OUTBOX_CLAIM_SECONDS="599")
    assert "OUTBOX_CLAIM_SECONDS must be at least 30 x EMAIL_TIMEOUT" in refusal
