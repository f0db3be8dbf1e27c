"""Award services and the applicant's offer pages: offers, answers, revocation, expiry,
reminders, mail and the bad-input paths."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from admissions.enums import ApplicationStatus, AwardState
from admissions.errors import DomainError, NoSeatLeft
from admissions.models import OutgoingMail, ScholarshipAward, StatusEvent
from admissions.scholarships.awards import (
    award_accept,
    award_decline,
    award_offer,
    award_revoke,
    awards_expire,
    awards_remind,
)
from admissions.scholarships.tasks import expire_offers, remind_offers
from tests.admissions.scholarship_data import closed_cycle, make_fund, make_offering
from tests.factories import (
    ApplicationFactory,
    ChoiceFactory,
    ExamResultFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    cycle = closed_cycle(total=3)
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    fund = make_fund(cycle, government="KZ", seats=2, citizenships=["KZ"])
    return cycle, offering, fund


def eligible(offering, *, score=90, status=ApplicationStatus.ACCEPTED, requested=True, days=5):
    application = ApplicationFactory(
        cycle=offering.cycle,
        status=status,
        scholarship_requested=requested,
        submitted_at=timezone.now() - timedelta(days=days),
    )
    application.reference = f"KZO-{offering.cycle.code}-{application.pk:06d}"
    application.save()
    ChoiceFactory(application=application, offering=offering, priority=1)
    ExamResultFactory(application=application, score=Decimal(score), max_score=Decimal(100))
    return application


def offer(application, setting, **kw):
    _cycle, offering, fund = setting
    return award_offer(application=application, fund=fund, offering=offering, **kw)


# --- award_offer ----------------------------------------------------------------------------
def test_offer_sets_respond_by_and_queues_mail_with_the_agreed_context(
    setting, django_capture_on_commit_callbacks, mailoutbox
):
    application = eligible(setting[1])
    with django_capture_on_commit_callbacks(execute=True):
        award = offer(application, setting, actor=StaffFactory())
    assert award.state == AwardState.OFFERED
    assert award.respond_by == award.offered_at + timedelta(days=7)
    mail = OutgoingMail.objects.get(idempotency_key=f"award-{award.pk}-offered")
    assert mail.template == "scholarship_offered"
    for key in ("reference", "fund", "program", "respond_by", "offer_url"):
        assert mail.context[key], key
    assert mail.context["offer_url"].startswith("http")
    assert f"/ru/applicant/offers/{award.pk}/" in mail.context["offer_url"]
    assert mail.context["fund"] == "Fund KZ"
    assert len(mailoutbox) == 1
    assert application.reference in mailoutbox[0].subject


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"requested": False}, "did not ask"),
        ({"status": ApplicationStatus.UNDER_REVIEW}, "Only accepted or waitlisted"),
        ({"status": ApplicationStatus.REJECTED}, "Only accepted or waitlisted"),
    ],
)
def test_offer_refuses_applicants_who_cannot_have_it(setting, kwargs, message):
    application = eligible(setting[1], **kwargs)
    with pytest.raises(DomainError, match=message):
        offer(application, setting)
    assert ScholarshipAward.objects.count() == 0


def test_offer_refuses_a_citizenship_the_fund_does_not_accept(setting):
    application = eligible(setting[1])
    profile = application.applicant.applicant_profile
    profile.citizenship = "RU"
    profile.save()
    with pytest.raises(DomainError, match="not eligible"):
        offer(application, setting)
    assert ScholarshipAward.objects.count() == 0


def test_offer_refuses_a_second_live_award(setting):
    application = eligible(setting[1])
    offer(application, setting)
    with pytest.raises(DomainError, match="already holds"):
        offer(application, setting)
    assert ScholarshipAward.objects.count() == 1


def test_offer_refuses_a_program_the_applicant_did_not_choose(setting):
    cycle, _offering, fund = setting
    other = make_offering(cycle, slug="customs", scholarship_seats=2)
    with pytest.raises(DomainError, match="did not choose"):
        award_offer(application=eligible(setting[1]), fund=fund, offering=other)


def test_no_seat_left_at_the_offering_the_fund_or_the_cycle(setting):
    cycle, offering, fund = setting
    first, second, third = (eligible(offering) for _ in range(3))
    offer(first, setting)
    offer(second, setting)
    fund.seats = 5
    fund.save()
    with pytest.raises(NoSeatLeft, match="program"):
        offer(third, setting)
    offering.seats = offering.scholarship_seats = 5
    offering.save()
    fund.seats = 2
    fund.save()
    with pytest.raises(NoSeatLeft, match="fund"):
        offer(third, setting)
    fund.seats = 5
    fund.save()
    cycle.scholarship_total = 2
    cycle.save()
    with pytest.raises(NoSeatLeft, match="cycle"):
        offer(third, setting)
    assert ScholarshipAward.objects.count() == 2


# --- Answers --------------------------------------------------------------------------------
def test_accepting_confirms_the_place_and_mails(setting):
    application = eligible(setting[1], status=ApplicationStatus.WAITLISTED)
    award = offer(application, setting)
    award_accept(award=award, actor=application.applicant)
    award.refresh_from_db()
    application.refresh_from_db()
    assert award.state == AwardState.ACCEPTED
    assert award.responded_at is not None
    assert application.status == ApplicationStatus.ENROLLED
    moves = list(StatusEvent.objects.filter(application=application).values_list("to_status"))
    assert moves == [("accepted",), ("enrolled",)]
    assert OutgoingMail.objects.filter(idempotency_key=f"award-{award.pk}-accepted").exists()


def test_accepting_twice_or_after_declining_is_refused(setting):
    application = eligible(setting[1])
    award = offer(application, setting)
    award_accept(award=award, actor=application.applicant)
    with pytest.raises(DomainError, match="already answered"):
        award_decline(award=award, actor=application.applicant)
    award.refresh_from_db()
    assert award.state == AwardState.ACCEPTED


def test_accepting_an_expired_offer_is_refused_and_changes_nothing(setting):
    application = eligible(setting[1])
    award = offer(application, setting)
    with (
        time_machine.travel(award.respond_by + timedelta(minutes=1)),
        pytest.raises(DomainError, match="expired"),
    ):
        award_accept(award=award, actor=application.applicant)
    award.refresh_from_db()
    application.refresh_from_db()
    assert award.state == AwardState.OFFERED
    assert application.status == ApplicationStatus.ACCEPTED


def test_accepting_a_revoked_or_someone_elses_offer_is_refused(setting):
    application = eligible(setting[1])
    award = offer(application, setting)
    with pytest.raises(DomainError, match="Only the applicant"):
        award_accept(award=award, actor=UserFactory())
    award_revoke(award=award, actor=StaffFactory(), reason="Documents were forged.")
    with pytest.raises(DomainError, match="withdrawn"):
        award_accept(award=award, actor=application.applicant)
    award.refresh_from_db()
    assert award.state == AwardState.REVOKED
    assert award.reason == "Documents were forged."


def test_revoking_needs_a_reason_and_promotes_the_next(setting):
    _cycle, offering, _fund = setting
    first = eligible(offering, score=95)
    second = eligible(offering, score=90)
    third = eligible(offering, score=85)
    award = offer(first, setting)
    offer(second, setting)
    with pytest.raises(DomainError, match="reason"):
        award_revoke(award=award, actor=StaffFactory(), reason="  ")
    award_revoke(award=award, actor=StaffFactory(), reason="Withdrew from the university.")
    assert ScholarshipAward.objects.get(application=third).state == AwardState.OFFERED
    # The revoked applicant is not offered again automatically.
    assert not ScholarshipAward.objects.filter(application=first, state="offered").exists()


def test_declining_frees_the_seat_for_the_next_in_rank_order(setting):
    _cycle, offering, _fund = setting
    first = eligible(offering, score=95)
    second = eligible(offering, score=90)
    lower = eligible(offering, score=70)
    higher = eligible(offering, score=80)
    award = offer(first, setting)
    offer(second, setting)
    award_decline(award=award, actor=first.applicant)
    assert ScholarshipAward.objects.filter(application=higher, state="offered").exists()
    assert not ScholarshipAward.objects.filter(application=lower).exists()


# --- Scheduled jobs -------------------------------------------------------------------------
def test_expiry_promotes_the_next_applicant_with_mail(
    setting, django_capture_on_commit_callbacks, mailoutbox
):
    _cycle, offering, _fund = setting
    first = eligible(offering, score=95)
    second = eligible(offering, score=90)
    waiting = eligible(offering, score=85)
    award = offer(first, setting)
    offer(second, setting)
    mailoutbox.clear()
    with time_machine.travel(award.respond_by + timedelta(hours=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert expire_offers.delay().get() == 2
        assert awards_expire() == 0  # idempotent
    award.refresh_from_db()
    assert award.state == AwardState.EXPIRED
    promoted = ScholarshipAward.objects.get(application=waiting)
    assert promoted.state == AwardState.OFFERED
    templates = sorted(OutgoingMail.objects.values_list("template", flat=True))
    assert templates.count("offer_expired") == 2
    assert OutgoingMail.objects.filter(
        template="scholarship_offered", idempotency_key=f"award-{promoted.pk}-offered"
    ).exists()
    # Only one seat freed for the third applicant: two expired, the seats are free again but
    # both expired applicants are not re-offered.
    assert ScholarshipAward.objects.filter(state="offered").count() == 1


def test_reminders_go_two_days_and_one_day_before_once_each(setting):
    application = eligible(setting[1])
    award = offer(application, setting)
    with time_machine.travel(award.respond_by - timedelta(days=3)):
        assert awards_remind() == 0
    with time_machine.travel(award.respond_by - timedelta(days=1, hours=12)):
        assert remind_offers.delay().get() == 1
        assert awards_remind() == 0
    with time_machine.travel(award.respond_by - timedelta(hours=20)):
        assert awards_remind() == 1
        assert awards_remind() == 0
    keys = set(
        OutgoingMail.objects.filter(template="offer_expiring").values_list(
            "idempotency_key", flat=True
        )
    )
    assert keys == {f"award-{award.pk}-expiring-2d", f"award-{award.pk}-expiring-1d"}


# --- Pages ----------------------------------------------------------------------------------
def test_offer_pages_belong_to_the_owner_only(setting, client):
    application = eligible(setting[1])
    award = offer(application, setting)
    client.force_login(UserFactory())
    for name in ("award_detail", "award_accept", "award_decline"):
        assert client.get(reverse(f"admissions:{name}", args=[award.pk])).status_code == 404
    assert client.post(reverse("admissions:award_accept", args=[award.pk])).status_code == 404
    award.refresh_from_db()
    assert award.state == AwardState.OFFERED


def test_accept_needs_the_confirmation_box(setting, client):
    application = eligible(setting[1])
    award = offer(application, setting)
    client.force_login(application.applicant)
    url = reverse("admissions:award_accept", args=[award.pk])
    page = client.get(url)
    assert "confirm_enrolment" in page.content.decode()
    response = client.post(url, {})
    assert response.status_code == 200
    award.refresh_from_db()
    assert award.state == AwardState.OFFERED
    response = client.post(url, {"confirm_enrolment": "1"}, follow=True)
    award.refresh_from_db()
    assert award.state == AwardState.ACCEPTED
    assert "Your place is confirmed" in response.content.decode()


def test_declining_an_expired_offer_shows_a_clear_message(setting, client):
    application = eligible(setting[1])
    award = offer(application, setting)
    client.force_login(application.applicant)
    with time_machine.travel(award.respond_by + timedelta(minutes=5)):
        url = reverse("admissions:award_decline", args=[award.pk])
        assert "can no longer" in client.get(url).content.decode()
        response = client.post(url, follow=True)
    assert "expired" in response.content.decode()
    award.refresh_from_db()
    assert award.state == AwardState.OFFERED


def test_offer_card_shows_the_open_offer_with_answer_links(setting):
    from django.template import Context, Template

    application = eligible(setting[1])
    award = offer(application, setting)
    html = Template('{% include "admissions/partials/scholarship_offer.html" %}').render(
        Context({"application": application})
    )
    assert reverse("admissions:award_accept", args=[award.pk]) in html
    assert "Fund KZ" in html
    empty = Template('{% include "admissions/partials/scholarship_offer.html" %}').render(
        Context({"application": None})
    )
    assert empty.strip() == ""


def test_scholarship_figures_count_offered_accepted_and_left(
    setting, django_assert_max_num_queries
):
    from django.template import Context, Template

    from admissions.selectors import scholarship_figures

    cycle, offering, _fund = setting
    first, second = eligible(offering), eligible(offering)
    offer(first, setting)
    award_accept(award=offer(second, setting), actor=second.applicant)
    with django_assert_max_num_queries(2):
        figures = scholarship_figures(cycle=cycle)
    assert (figures.total, figures.offered, figures.accepted, figures.left) == (3, 1, 1, 1)
    assert [(r.label, r.offered, r.accepted, r.left) for r in figures.funds] == [
        ("Fund KZ", 1, 1, 0)
    ]
    assert figures.offerings[0].left == 0
    with django_assert_max_num_queries(3):
        public = Template('{% include "admissions/partials/scholarships_left.html" %}').render(
            Context({"cycle": cycle})
        )
    assert "1 of 3" in public
    with django_assert_max_num_queries(3):
        staff = Template('{% include "admissions/admin/scholarship_figures.html" %}').render(
            Context({})
        )
    assert "Fund KZ" in staff
