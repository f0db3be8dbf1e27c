"""The iCalendar (RFC 5545) feeds, built with the `icalendar` library.

* The cycle feed (public): applications open, applications close, each program's own
  deadline where it differs, and the results date.
* The applicant's feed (secret address, see `ApplicantProfile.calendar_token`): for each of
  their applications not withdrawn, the deadline to submit (while a draft), the results
  date, and the answer-by time of each open scholarship offer; nothing personal beyond the
  reference number.

Times are written in Asia/Omsk (`TZID=Asia/Omsk` with its VTIMEZONE), the time of the
admission office, so a calendar app shows them right wherever the applicant lives. Each
event has a stable UID, so a subscribed calendar updates events instead of duplicating
them. Summaries are in the active language.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, vDuration

from admissions.applications.lifecycle import Group, statuses_in
from admissions.applications.services import application_deadline
from admissions.enums import ApplicationStatus, AwardState
from admissions.models import Application, ScholarshipAward
from admissions.papers.rendering import absolute_url
from programs.models import AdmissionCycle, Offering

__all__ = ["OFFICE_TIME_ZONE", "calendar_applicant", "calendar_cycle"]

OFFICE_TIME_ZONE = ZoneInfo("Asia/Omsk")
# How often subscribed calendar apps should fetch the feed again.
REFRESH_INTERVAL = datetime.timedelta(hours=6)


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//KazNU Omsk//Admissions portal//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(OFFICE_TIME_ZONE))
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    # An X- property is written as text: give it the RFC 5545 duration form ("PT6H").
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL).to_ical().decode())
    return calendar


def _uid(kind: str, key) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "admissions"
    return f"{kind}-{key}@{host}"


def _event(
    *, uid: str, summary: str, when: datetime.datetime, url: str = "", remind: bool = False
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("summary", summary)
    event.add("dtstart", when.astimezone(OFFICE_TIME_ZONE))
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", absolute_url(url))
    if remind:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -datetime.timedelta(days=1))
        event.add_component(alarm)
    return event


def _finish(calendar: Calendar) -> bytes:
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_cycle(*, cycle: AdmissionCycle) -> bytes:
    """The public feed of `cycle` (two queries), as iCalendar bytes."""
    calendar = _calendar(_("Admission dates: %(cycle)s") % {"cycle": cycle})
    programs_url = reverse("programs:list")
    calendar.add_component(
        _event(
            uid=_uid("cycle-opens", cycle.pk),
            summary=_("Applications open: %(cycle)s") % {"cycle": cycle},
            when=cycle.opens_at,
            url=programs_url,
        )
    )
    calendar.add_component(
        _event(
            uid=_uid("cycle-closes", cycle.pk),
            summary=_("Applications close: %(cycle)s") % {"cycle": cycle},
            when=cycle.closes_at,
            url=programs_url,
            remind=True,
        )
    )
    own_deadlines = (
        Offering.objects.filter(cycle=cycle, deadline__isnull=False, program__is_active=True)
        .exclude(deadline=cycle.closes_at)
        .select_related("program")
        .order_by("deadline", "pk")
    )
    for offering in own_deadlines:
        calendar.add_component(
            _event(
                uid=_uid("offering-deadline", offering.pk),
                summary=_("Application deadline: %(program)s (%(level)s)")
                % {
                    "program": offering.program.title,
                    "level": offering.program.get_level_display(),
                },
                when=offering.deadline,
                url=reverse("programs:detail", kwargs={"slug": offering.program.slug}),
                remind=True,
            )
        )
    calendar.add_component(
        _event(
            uid=_uid("cycle-results", cycle.pk),
            summary=_("Admission results: %(cycle)s") % {"cycle": cycle},
            when=cycle.results_at,
        )
    )
    return _finish(calendar)


def calendar_applicant(*, user) -> bytes:
    """The feed of one applicant (`user`), as iCalendar bytes; a constant number of queries
    plus one per draft (its deadline depends on its chosen programs)."""
    calendar = _calendar(_("My admission dates"))
    applications = (
        Application.objects.filter(applicant=user)
        # A withdrawn application has no date ahead of it.
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("cycle")
        .prefetch_related(
            Prefetch(
                "awards",
                queryset=ScholarshipAward.objects.filter(state=AwardState.OFFERED)
                .select_related("offering__program")
                .order_by("respond_by", "pk"),
                to_attr="open_offers",
            )
        )
        .order_by("cycle__opens_at")
    )
    dashboard_url = reverse("admissions:dashboard")
    for application in applications:
        cycle = application.cycle
        if application.status in statuses_in(Group.EDITABLE):
            calendar.add_component(
                _event(
                    uid=_uid("application-deadline", application.pk),
                    summary=_("Deadline to submit your application: %(cycle)s") % {"cycle": cycle},
                    when=application_deadline(application=application),
                    url=dashboard_url,
                    remind=True,
                )
            )
        calendar.add_component(
            _event(
                uid=_uid("application-results", application.pk),
                summary=_("Admission results: %(cycle)s") % {"cycle": cycle},
                when=cycle.results_at,
                url=dashboard_url,
            )
        )
        for award in application.open_offers:
            calendar.add_component(
                _event(
                    uid=_uid("offer-respond-by", award.pk),
                    summary=_("Answer the scholarship offer: %(program)s (%(reference)s)")
                    % {
                        "program": award.offering.program.title,
                        "reference": application.reference,
                    },
                    when=award.respond_by,
                    url=reverse("admissions:award_detail", kwargs={"pk": award.pk}),
                    remind=True,
                )
            )
    return _finish(calendar)
