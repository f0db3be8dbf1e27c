"""Calendar feeds: the applicant's (secret address, no login) and the cycle's (public) parse
as iCalendar with the right Asia/Omsk times."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from admissions.enums import ApplicationStatus
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    AwardFactory,
    ChoiceFactory,
    CycleFactory,
    OfferingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
OMSK = ZoneInfo("Asia/Omsk")


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def a_cycle(**kwargs):
    return CycleFactory(
        code="2099",
        name="Admission 2099",
        opens_at=utc(2099, 2, 1, 3, 0),
        closes_at=utc(2099, 3, 1, 17, 59),
        results_at=utc(2099, 3, 20, 6, 0),
        **kwargs,
    )


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(calendar) -> dict[str, datetime.datetime]:
    return {str(event["SUMMARY"]): event.decoded("DTSTART") for event in calendar.walk("VEVENT")}


def assert_omsk(when: datetime.datetime, expected_utc: datetime.datetime) -> None:
    assert when == expected_utc
    assert str(when.tzinfo) == "Asia/Omsk"
    assert when.utcoffset() == datetime.timedelta(hours=6)


def feed_url(profile) -> str:
    return reverse("calendars:applicant", kwargs={"token": profile.calendar_token})


def test_applicant_feed_holds_deadline_results_and_each_offers_respond_by(client):
    cycle = a_cycle()
    profile = ApplicantProfileFactory()
    draft = ApplicationFactory(applicant=profile.user, cycle=cycle)
    ChoiceFactory(application=draft, offering=OfferingFactory(cycle=cycle, deadline=None))
    calendar = parse(client.get(feed_url(profile)))
    found = events(calendar)
    assert_omsk(found["Deadline to submit your application: Admission 2099"], cycle.closes_at)
    assert_omsk(found["Admission results: Admission 2099"], cycle.results_at)
    # The time zone is described in the file, so any app shows the right local time.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Omsk"]
    raw = client.get(feed_url(profile)).content
    assert b"DTSTART;TZID=Asia/Omsk:20990301T235900" in raw
    # Subscribed apps are told to fetch again every six hours.
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in raw and b"X-PUBLISHED-TTL:PT6H" in raw


def test_applicant_feed_lists_open_offers_with_their_respond_by(client):
    cycle = a_cycle()
    profile = ApplicantProfileFactory()
    respond_by = utc(2099, 3, 27, 17, 59)
    award = AwardFactory(
        application__applicant=profile.user,
        application__cycle=cycle,
        application__reference="KZO-2099-000001",
        respond_by=respond_by,
        offering__program__title="Customs",
    )
    AwardFactory(application__cycle=cycle, fund=award.fund, respond_by=respond_by)  # not theirs
    found = events(parse(client.get(feed_url(profile))))
    offers = {k: v for k, v in found.items() if k.startswith("Answer the scholarship offer")}
    assert list(offers) == ["Answer the scholarship offer: Customs (KZO-2099-000001)"]
    assert_omsk(offers["Answer the scholarship offer: Customs (KZO-2099-000001)"], respond_by)
    # Decided applications have no submission deadline any more.
    assert not any(k.startswith("Deadline to submit") for k in found)
    # An answered offer leaves the calendar.
    award.state = "accepted"
    award.save(update_fields=["state"])
    found = events(parse(client.get(feed_url(profile))))
    assert not any(k.startswith("Answer the scholarship offer") for k in found)


def test_withdrawn_applications_leave_the_feed(client):
    profile = ApplicantProfileFactory()
    ApplicationFactory(applicant=profile.user, cycle=a_cycle(), status=ApplicationStatus.WITHDRAWN)
    calendar = parse(client.get(feed_url(profile)))
    assert events(calendar) == {}


def test_applicant_feed_is_in_the_links_language(client):
    profile = ApplicantProfileFactory()
    ApplicationFactory(applicant=profile.user, cycle=a_cycle())
    from django.utils import translation

    with translation.override("ru"):
        url = feed_url(profile)
    assert url.startswith("/ru/")
    summaries = list(events(parse(client.get(url))))
    assert all(summary.isascii() is False for summary in summaries), summaries


def test_unknown_or_replaced_token_is_404_and_the_feed_needs_no_login(client):
    profile = ApplicantProfileFactory()
    ApplicationFactory(applicant=profile.user, cycle=a_cycle())
    old = feed_url(profile)
    assert client.get(old).status_code == 200  # anonymous: calendar apps cannot log in
    assert (
        client.get(reverse("calendars:applicant", kwargs={"token": "x" * 43})).status_code == 404
    )
    client.force_login(profile.user)
    response = client.post(reverse("calendars:reset"))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(profile)).status_code == 200


def test_reset_needs_a_post_and_a_login(client):
    assert client.post(reverse("calendars:reset")).status_code == 302  # to the login page
    client.force_login(ApplicantProfileFactory().user)
    assert client.get(reverse("calendars:reset")).status_code == 405


def test_inactive_users_feed_is_404(client):
    profile = ApplicantProfileFactory(user=UserFactory(is_active=False))
    assert client.get(feed_url(profile)).status_code == 404


def test_cycle_feed_is_public_with_open_close_program_deadline_and_results(client):
    cycle = a_cycle()
    own = OfferingFactory(
        cycle=cycle, deadline=utc(2099, 2, 20, 12, 0), program__title="International Law"
    )
    OfferingFactory(cycle=cycle, deadline=None)
    calendar = parse(client.get(reverse("calendars:cycle", kwargs={"code": cycle.code})))
    found = events(calendar)
    assert_omsk(found["Applications open: Admission 2099"], cycle.opens_at)
    assert_omsk(found["Applications close: Admission 2099"], cycle.closes_at)
    assert_omsk(found["Admission results: Admission 2099"], cycle.results_at)
    deadline = f"Application deadline: International Law ({own.program.get_level_display()})"
    assert_omsk(found[deadline], own.deadline)
    assert len(found) == 4
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert len(set(uids)) == len(uids)
    # Reminders a day before the closing and the program deadline.
    alarms = [event for event in calendar.walk("VEVENT") if event.walk("VALARM")]
    assert len(alarms) == 2


def test_unknown_cycle_is_404(client):
    assert client.get(reverse("calendars:cycle", kwargs={"code": "1900"})).status_code == 404


@pytest.mark.parametrize("count", [1, 12])
def test_cycle_feed_query_budget_does_not_grow_with_programs(
    client, django_assert_max_num_queries, count
):
    cycle = a_cycle()
    for index in range(count):
        OfferingFactory(cycle=cycle, deadline=utc(2099, 2, 10 + index, 12, 0))
    with django_assert_max_num_queries(3):
        parse(client.get(reverse("calendars:cycle", kwargs={"code": cycle.code})))


@pytest.mark.parametrize("count", [1, 8])
def test_applicant_feed_query_budget_does_not_grow_with_offers(
    client, django_assert_max_num_queries, count
):
    profile = ApplicantProfileFactory()
    for index in range(count):
        cycle = CycleFactory(code=f"20{50 + index}")
        AwardFactory(application__applicant=profile.user, application__cycle=cycle)
    with django_assert_max_num_queries(4):
        parse(client.get(feed_url(profile)))


def test_dashboard_and_program_page_link_to_the_feeds(client):
    cycle = CycleFactory()
    offering = OfferingFactory(cycle=cycle)
    profile = ApplicantProfileFactory()
    ApplicationFactory(applicant=profile.user, cycle=cycle)
    cycle_url = reverse("calendars:cycle", kwargs={"code": cycle.code})
    program_page = client.get(reverse("programs:detail", kwargs={"slug": offering.program.slug}))
    assert cycle_url in program_page.content.decode()
    client.force_login(profile.user)
    page = client.get(reverse("admissions:dashboard")).content.decode()
    assert feed_url(profile) in page
    assert "webcal://testserver" + feed_url(profile) in page
    assert cycle_url in page
